// The backtest on ICB crises as an analysis (`brink backtest --icb`, and the workbench's backtest of the
// generic crisis library): ICB's crises split in time or into k folds, each split's held-out crises
// forecast by the generic crisis model under the fit of its training crises, scored against the
// trigger-type base rate, a multinomial logit and uniform (src/calibration/icb-backtest.ts). Its job is a
// `JobSeries` of one `ClassesJob` per distinct model of the held-out crises, so it runs on any executor
// (this thread, worker threads, the Redis queue) to the same numbers. It reads the job's file tree
// through the edge's `prepare`: ICB's files under `data/`, the generic library and its saved fits under
// `scenarios/lib/` (the CLI's working directory and `--data`; the workbench's workspace files beside the
// data and fits shipped with Brink), never a path from the request.
// A fit is saved by `brink fit`; a split with no saved fit is fitted when the job opens, which only the
// CLI does (minutes on its thread: `fitNow`); the registry's definition refuses it, naming the command.
import { posix } from 'node:path';
import { ClassesJob } from '../analysis/classes-job.ts';
import type { CrisisClasses } from '../analysis/crisis-classes.ts';
import { JobSeries } from '../analysis/kernel/executor.ts';
import type { ModelSource } from '../analysis/kernel/task.ts';
import { IcbBacktestOptionsSchema } from '../analysis/options.ts';
import { define, type PrepareWith } from '../analysis/registry.ts';
import type { IcbBacktestSettings } from '../contract/runs.ts';
import { contentHash } from '../scenario/load.ts';
import { FIT_FILE, ICB_FILES } from './case-backtest.ts';
import { fitGeneric, type GenericFit, GenericModels } from './generic-fit.ts';
import { readFitMeta, readFolds } from './generic-library.ts';
import { heldOutSources, type IcbBacktest, type IcbSplit, icbReport, icbSplits } from './icb-backtest.ts';
import { HORIZON_DAYS } from './icb-crises.ts';
import {
  defaultFitOptions,
  FOLDS_FILE,
  fitOptionsOf,
  foldsHash,
  icbRecords,
  inputsHash,
  LIBRARY_FILE,
  savedFit,
} from './icb-inputs.ts';

/** The fits saved with Brink, tried in this order for a split of each kind. */
export const SAVED_FITS: Readonly<Record<IcbBacktestSettings['split'], readonly string[]>> = {
  time: [FIT_FILE, 'scenarios/lib/generic-fit-1970.yaml'],
  folds: [FOLDS_FILE, 'scenarios/lib/generic-fit-folds-1985.yaml'],
};

/** The JSON of `brink backtest --icb --json`: the headline scores on ICB's scale, then the backtest. */
export type IcbBacktestReport = {
  summary: {
    logScore: number;
    engine: number;
    uniform: number;
    baseRate: number;
    logit: number;
    rps: number;
    n: number;
  };
} & IcbBacktest;

/** Where a backtest finds its fits: the saved fits to try, and (the CLI only) fitting when none serves. */
export interface FitSource {
  /** Paths of the tree, tried in order (a saved fit serves only the inputs and options it was made from). */
  saved(split: IcbBacktestSettings['split']): readonly string[];
  /** Fits each split now when no saved fit serves (what `brink fit` would save), logging its progress. */
  fitNow?: { log: (message: string) => void };
}

type Split = Pick<IcbBacktestSettings, 'split' | 'cutoff' | 'folds' | 'until'>;

/** A backtest's plan: its splits, their fits, and the models of their held-out crises. */
interface Plan {
  split: IcbBacktest['split'];
  splits: IcbSplit[];
  fits: IcbBacktest['fits'];
  /** The saved fit used (a path of the tree), or null: fitted now. */
  fitFile: string | null;
  sources: ModelSource[][];
  distinct: ModelSource[];
  hash: string;
}

/** Plans already made on a tree (the CLI prepares the manifest, then opens it: one fit, one compile). */
const plans = new WeakMap<object, Map<string, Plan>>();

const describe = (s: Split) =>
  `${s.split === 'time' ? `a time split at ${s.cutoff}` : `${s.folds} folds`}${s.until === null ? '' : ` of the crises before ${s.until}`}`;

/** The command that saves the fit of a split (the seed deals the folds). */
const fitCommand = (s: Split, seed: number) =>
  s.split === 'time'
    ? `brink fit --cutoff ${s.cutoff}`
    : `brink fit --folds ${s.folds}${seed === 1 ? '' : ` --seed ${seed}`}${s.until === null ? '' : ` --until ${s.until}`}`;

/** What a saved fit's file says it serves (for the error that lists them). */
function serves(path: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const cutoff = readFitMeta(text).cutoff;
  if (cutoff !== undefined) return `${path}: a time split at ${cutoff}`;
  const folds = /; (\d+) folds\.$/m.exec(text)?.[1];
  const seed = /with seed (\d+)/.exec(text)?.[1];
  const until = /crises before (\d+) only/.exec(text)?.[1];
  if (!folds) return undefined;
  return `${path}: ${folds} folds (seed ${seed ?? '?'})${until ? ` of the crises before ${until}` : ''}`;
}

function planOf(prepare: PrepareWith, s: Split, seed: number, fits: FitSource, only?: string): Plan {
  const read = prepare.read;
  if (!read) throw new Error('a backtest needs the edge to read files of its tree');
  // The plan the manifest made serves its job (its fit is the one the manifest names).
  const key = JSON.stringify([s.split, s.cutoff, s.folds, s.until, seed]);
  const made = plans.get(read)?.get(key);
  if (made) return made;
  const need = (path: string, what: string) => {
    const t = read(path);
    if (t === undefined) throw new RangeError(`cannot read ${path}: ${what}`);
    return t;
  };
  const shown = {
    crises: posix.join('data', ICB_FILES.crises),
    actors: posix.join('data', ICB_FILES.actors),
  };
  const texts = {
    crises: need(shown.crises, 'ICB v15 crisis data (--data)'),
    actors: need(shown.actors, 'ICB v15 actor data (--data)'),
    library: need(LIBRARY_FILE, 'the generic crisis library'),
    calibrated: need(
      posix.join(posix.dirname(LIBRARY_FILE), 'calibrated.yaml'),
      'the calibrated library the generic library extends',
    ),
  };
  const all = icbRecords(texts, shown);
  const env = { libPath: LIBRARY_FILE, readFile: read };
  const until = s.until ?? undefined;
  const split: IcbBacktest['split'] =
    s.split === 'folds'
      ? { kind: 'folds', folds: s.folds!, ...(until === undefined ? {} : { until }) }
      : { kind: 'time', cutoff: s.cutoff, ...(until === undefined ? {} : { until }) };
  const splits = icbSplits(all, split, seed);
  // Fits are made with the defaults of `brink fit` (fold fits with the backtest's seed, which deals the
  // folds), so a saved one serves when it was made from the same inputs.
  const options = defaultFitOptions(s.cutoff);
  const candidates = only !== undefined ? [only] : fits.saved(s.split);
  let saved: GenericFit[] | undefined;
  let fitFile: string | null = null;
  for (const path of candidates) {
    saved =
      split.kind === 'folds'
        ? readFolds(read(path), foldsHash({ texts }, { ...options, seed }, split.folds, until))
        : (() => {
            const f = savedFit(read(path), inputsHash({ texts }, options));
            return f && [f];
          })();
    if (saved) {
      fitFile = path;
      break;
    }
  }
  let fitted: GenericFit[];
  if (saved) fitted = saved;
  else if (fits.fitNow && only === undefined) {
    const { log } = fits.fitNow;
    const file = candidates[0]!;
    if (split.kind === 'folds')
      log(
        `no saved fits of these ${split.folds} folds in ${file}: fitting each fold now (\`brink fit --folds ${split.folds}${until === undefined ? '' : ` --until ${until}`}${file === FOLDS_FILE ? '' : ` -o ${file}`}\` saves them)`,
      );
    const fitOptions = fitOptionsOf(split.kind === 'folds' ? { ...options, seed } : options);
    fitted = splits.map(({ train }, f) => {
      if (split.kind === 'folds') log(`fold ${f + 1}/${split.folds}: fitting on ${train.length} crises`);
      return fitGeneric(env, train, fitOptions, log);
    });
  } else {
    const listed = [...new Set([...candidates, ...SAVED_FITS.time, ...SAVED_FITS.folds])]
      .map((p) => serves(p, read(p)))
      .filter((x) => x !== undefined);
    throw new RangeError(
      `no saved fit of the generic crisis model serves ${describe(s)}${split.kind === 'folds' ? ` dealt with seed ${seed}` : ''} (a fit serves only the ICB data, library and options it was made from; \`${fitCommand(s, seed)}\` saves one). Saved fits: ${listed.join('; ') || 'none'}`,
    );
  }
  const models = new GenericModels(env);
  const sources = splits.map((sp, k) => heldOutSources(models, fitted[k]!, sp.test));
  const distinct = [...new Map(sources.flat().map((x) => [x.hash, x])).values()];
  const plan: Plan = {
    split,
    splits,
    fits: splits.map((sp, k) => ({
      fold: k,
      n: split.kind === 'folds' ? sp.train.length : fitted[k]!.n,
      logLik: fitted[k]!.logLik,
      fromCache: saved !== undefined,
    })),
    fitFile,
    sources,
    distinct,
    hash: contentHash(distinct.map((x) => x.hash)),
  };
  if (!plans.has(read)) plans.set(read, new Map());
  plans.get(read)!.set(key, plan);
  return plan;
}

/** The backtest's report from the held-out crises' run counts (by distinct model). */
function reportOf(plan: Plan, counts: readonly CrisisClasses[], o: { runs: number; seed: number }) {
  const byHash = new Map(plan.distinct.map((s, k) => [s.hash, counts[k]!]));
  // Each crisis its own copy (the report lists each one's counts).
  const forecasts = plan.sources.map((ss) => ss.map((s) => structuredClone(byHash.get(s.hash)!)));
  const r = icbReport(plan.split, plan.splits, plan.fits, forecasts, o);
  const s = r.scales.icb;
  const summary = {
    logScore: s.brink.logScore,
    engine: s.engine.logScore,
    uniform: s.uniform.logScore,
    baseRate: s.baseRate.logScore,
    logit: s.logit.logScore,
    rps: s.brink.rps,
    n: s.n,
  };
  return { summary, ...r };
}

/**
 * The backtest on ICB crises, with its fits from `fits`: the registry's (the saved fits shipped with
 * Brink) or the CLI's (`--fit FILE` first, and fitting now when none serves).
 */
export function icbBacktestAnalysis(fits: FitSource) {
  return define({
    kind: 'backtest-icb',
    summary:
      "Scores the generic crisis model on ICB crises held out from its fit (a time split or k folds, with the saved fits) against ICB's trigger-type base rate, a multinomial logit on the same features and uniform, on ICB's violence scale, Brink's ladder and duration (as `brink backtest --icb`)",
    options: IcbBacktestOptionsSchema,
    manifest(prepare, o) {
      const s: Split = {
        split: o.folds === undefined ? 'time' : 'folds',
        cutoff: o.cutoff,
        folds: o.folds ?? null,
        until: o.until ?? null,
      };
      const plan = planOf(prepare, s, o.seed, fits);
      return {
        kind: 'backtest-icb',
        hash: plan.hash,
        seed: o.seed,
        runs: plan.distinct.length * o.runs,
        interventions: [],
        'backtest-icb': { ...s, runsPerCrisis: o.runs, fit: plan.fitFile },
      };
    },
    open(prepare, m, checkpoint) {
      const s = m['backtest-icb'];
      const plan = planOf(prepare, s, m.seed, fits, s.fit ?? undefined);
      if (plan.hash !== m.hash) throw new Error(`the held-out crises' models changed (not ${m.hash})`);
      const parts = JobSeries.parts(checkpoint, plan.distinct.length);
      const job = new JobSeries(
        plan.distinct.map(
          (source, k) =>
            new ClassesJob(
              source,
              { seed: m.seed, runs: s.runsPerCrisis, horizonDays: HORIZON_DAYS, engine: m.engine },
              parts[k],
            ),
        ),
      );
      return {
        job,
        finish: async (): Promise<IcbBacktestReport> =>
          reportOf(plan, await job.report(), { runs: s.runsPerCrisis, seed: m.seed }),
      };
    },
  });
}

/** The registry's backtest on ICB crises: the fits saved with Brink (or in the workspace) only. */
export const backtestIcb = icbBacktestAnalysis({ saved: (split) => SAVED_FITS[split] });
