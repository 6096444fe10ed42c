// What the generic crisis model is fitted and scored on: ICB's crisis and actor files and the generic
// library's texts, the hash that names a fit made from them (`brink fit` records it in the fit's file,
// so a saved fit serves only the inputs and options it was made from), and a saved fit read back.
// Shared by `brink fit` and the ICB backtest (`brink backtest --icb`, and the workbench's).
import { parse as parseYaml } from 'yaml';
import { ENGINE_VERSION } from '../engine/model.ts';
import { DataError } from './csv.ts';
import { DEFAULT_FIT, type FitOptions, type GenericEnv, type GenericFit } from './generic-fit.ts';
import { coefficientsOf, fitInputs, foldsInputs, readFitMeta } from './generic-library.ts';
import { type CrisisRecord, readCrisisRecords } from './icb-crises.ts';

/** The generic crisis library, in the repository (and in a backtest's tree). */
export const LIBRARY_FILE = 'scenarios/lib/generic-actors.yaml';
/** The fits of `brink backtest --icb --folds K`, saved by `brink fit --folds K`. */
export const FOLDS_FILE = 'scenarios/lib/generic-fit-folds.yaml';

/** The texts a fit is made from. */
export interface IcbTexts {
  crises: string;
  actors: string;
  library: string;
  calibrated: string;
}

export interface IcbInputs {
  env: GenericEnv;
  crises: CrisisRecord[];
  texts: IcbTexts;
}

/** ICB's crises from the texts (`shown`: the files as the user knows them); bad data are a RangeError naming the file. */
export function icbRecords(texts: IcbTexts, shown: { crises: string; actors: string }): CrisisRecord[] {
  try {
    return readCrisisRecords(texts.crises, texts.actors, shown);
  } catch (e) {
    if (e instanceof DataError) throw new RangeError(e.message);
    throw e;
  }
}

export interface FitCliOptions {
  cutoff: number;
  seed: number;
  runs: number;
  rounds: number;
}

export function fitOptionsOf(o: FitCliOptions): FitOptions {
  return { ...DEFAULT_FIT, seed: o.seed, runs: o.runs, rounds: o.rounds };
}

/** The defaults of `brink fit` with a training cut-off (the fit a backtest looks for). */
export const defaultFitOptions = (cutoff: number): FitCliOptions => ({
  cutoff,
  seed: DEFAULT_FIT.seed,
  runs: DEFAULT_FIT.runs,
  rounds: DEFAULT_FIT.rounds,
});

export function inputsHash(inp: { texts: IcbTexts }, o: FitCliOptions): string {
  const f = fitOptionsOf(o);
  return fitInputs(
    inp.texts,
    { cutoff: o.cutoff, seed: f.seed, runs: f.runs, rounds: f.rounds, step: f.step, prior: f.prior },
    ENGINE_VERSION,
  );
}

/** The inputs hash of the saved fits of a k-fold cross-validation (folds dealt with `seed`). */
export function foldsHash(
  inp: { texts: IcbTexts },
  o: { seed: number; runs: number; rounds: number },
  folds: number,
  until?: number,
): string {
  return foldsInputs(inputsHash(inp, { ...o, cutoff: 0 }), folds, o.seed, until);
}

/** The fit saved in a fit file's text, when it was made from the inputs named by `hash`. */
export function savedFit(text: string | undefined, hash: string): GenericFit | undefined {
  if (text === undefined || readFitMeta(text).inputs !== hash) return undefined;
  const doc = parseYaml(text) as { params?: Record<string, unknown> };
  const co = coefficientsOf(doc.params);
  if (!co) return undefined;
  return {
    coefficients: co.c,
    nuclearUse: co.nuclearUse,
    standoff: co.standoff,
    n: 0,
    logLik: Number.NaN,
    rounds: [],
    meanParams: {},
  };
}
