// The text of scenarios/lib/generic-fit.yaml (written by `brink fit`), and reading the coefficients
// back from a document's `params`: the library's default kernels (mean over the training crises) and
// the coefficients from which `features:` give a dyad its own kernels.

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { parse as parseYaml } from 'yaml';
import {
  alphaParam,
  betaParam,
  centerParam,
  coefficientsOf,
  NUCLEAR_USE_PARAM,
} from '../scenario/generic-features.ts';

import type { GenericFit } from './generic-fit.ts';
import { FEATURES, GROUPS, NO, OPTIONS, STANDOFF_PARAM, STIMULI, standoffParams } from './generic-model.ts';

/** Bump when the fit's logic changes (what `brink fit --check` compares besides the data and library). */
export {
  alphaParam,
  betaParam,
  centerParam,
  coefficientsOf,
  dyadFeaturesOf,
  featureOverrides,
  NUCLEAR_USE_PARAM,
} from '../scenario/generic-features.ts';

export const FIT_VERSION = 2;

/** The settings of a fit: training cut-off and the fit's options. */
export interface FitSettings {
  /** Training set: ICB crises triggered before this year. */
  cutoff: number;
  seed: number;
  runs: number;
  rounds: number;
  step: number;
  prior: { alphaSd: number; betaSd: number };
}

/** Everything a fit depends on, hashed: the data, the library files, the fit's options, the code and engine versions. */
export function fitInputs(
  texts: { crises: string; actors: string; library: string; calibrated: string },
  opts: FitSettings,
  engine: string,
): string {
  const canon = JSON.stringify({ fit: FIT_VERSION, engine, opts, texts });
  return bytesToHex(sha256(utf8ToBytes(canon)));
}

/** The inputs hash and training cutoff recorded in a fit file's text (undefined when absent). */
export function readFitMeta(text: string | undefined): { inputs?: string; cutoff?: number } {
  if (text === undefined) return {};
  const inputs = /^# Inputs sha256 ([0-9a-f]{64});/m.exec(text)?.[1];
  const cutoff = /^ {2}gfit-training-cutoff: (\d+)$/m.exec(text)?.[1];
  const out: { inputs?: string; cutoff?: number } = {};
  if (inputs) out.inputs = inputs;
  if (cutoff) out.cutoff = Number(cutoff);
  return out;
}

export interface FitMeta extends FitSettings {
  /** sha256 of everything the fit depends on (data, library, code version, options). */
  inputs: string;
  engine: string;
}

const num = (x: number) => Number(x.toPrecision(10));

/** The training set's cutoff year: cases whose ICB crisis began before it are in-sample for this fit. */
export const CUTOFF_PARAM = 'gfit-training-cutoff';

/** Renders the fit as a library of named numbers, with a header saying what it is and how it was made. */
export function renderGenericFit(fit: GenericFit, meta: FitMeta): string {
  const c = fit.coefficients;
  const lines = [
    '# The generic crisis model fitted to ICB v15 crises by `brink fit`. GENERATED: do not edit; change',
    '# src/calibration/, data/ or lib/generic-actors.yaml and run `npx brink fit` (`brink fit --check`, run',
    '# in CI by test/calibration/generic.test.ts, fails when this file no longer matches its inputs).',
    '#',
    `# Training set: the ${fit.n} ICB crises triggered before ${meta.cutoff} (the crises from ${meta.cutoff} on are`,
    '# held out for `brink backtest --icb`). Simulated maximum a posteriori: the engine runs the library in',
    `# ${fit.rounds.length} rounds of ${meta.runs} runs per distinct dyad and opening act (seed ${meta.seed}); each round reweights its runs`,
    "# to every candidate and L-BFGS maximises the likelihood of the crises' peak classes plus a Gaussian",
    `# prior (intercepts sd ${meta.prior.alphaSd}, coefficients sd ${meta.prior.betaSd}; docs/decisions/0012-generic-crisis-model.md), each round`,
    `# held near its proposal by a proximal term (scale ${meta.step}); the estimate is the mean of the last ${meta.rounds - Math.floor(meta.rounds / 2)} rounds.`,
    ...fit.rounds.map(
      (r) =>
        `#   round ${r.round + 1}: L-BFGS objective (with the proximal term) ${r.value.toFixed(3)} after ${r.iterations} iterations (${r.stop}), moved ${r.moved.toFixed(3)}, effective runs per dyad min ${r.essMin.toFixed(0)}, median ${r.essMedian.toFixed(0)}`,
    ),
    `# Log likelihood at the estimate: ${fit.logLik.toFixed(3)} (${fit.n} crises).`,
    `# Inputs sha256 ${meta.inputs}; engine ${meta.engine}.`,
    '#',
    "# generic-{a,b}-CLASS-OPTION: P(option | the other side's act is of CLASS), the mean over the training",
    "# crises' sides (what a scenario without `features:` uses). gfit-*: the coefficients (intercepts by",
    '# class and option against waiting, feature coefficients by response group, feature centres) from which',
    "# a scenario's `features:` give its own kernels.",
    '# yaml-language-server: $schema=../../scenario.schema.json',
    'version: 1',
    'kind: library',
    'id: generic-fit',
    'title: Generic crisis model fitted to ICB v15 (brink fit)',
    'sources:',
    '  icb:',
    '    citation: Brecher and Wilkenfeld, A Study of Crisis (1997/2000); Brecher, Wilkenfeld, Beardsley, James and Quinn, International Crisis Behavior Data Codebook, Version 15 (2023).',
    '    url: https://sites.duke.edu/icbdata/data-collections/',
    '    licence: free for use with citation; see data/icb-v15/README.md',
    'params:',
  ];
  const mp = fit.meanParams;
  for (const side of ['a', 'b']) {
    lines.push(`  # ---- side ${side.toUpperCase()}: mean kernels`);
    for (const s of STIMULI) {
      // The mean of distributions summing to 1 sums to 1; round so that it still does.
      const names = OPTIONS.map((o) => `generic-${side}-${s.id}-${o.id}`);
      const vals = names.map((n) => Math.round(mp[n]! * 1e9) / 1e9);
      const big = vals.indexOf(Math.max(...vals));
      vals[big] = Math.round((1 - vals.reduce((a, v, i) => (i === big ? a : a + v), 0)) * 1e9) / 1e9;
      for (const [i, n] of names.entries()) lines.push(`  ${n}: ${vals[i]}`);
    }
    const q = Math.round(mp[`generic-${side}-war-nuclear-strike`]! * 1e9) / 1e9;
    lines.push(`  generic-${side}-war-nuclear-strike: ${q}`);
    lines.push(`  generic-${side}-war-offensive: ${Math.round((1 - q) * 1e9) / 1e9}`);
  }
  lines.push(
    "  # ---- the stakes S: P(an act opens a stand-off that outlasts the month), fitted to ICB's durations",
  );
  for (const [k, v] of Object.entries(standoffParams(fit.standoff))) lines.push(`  ${k}: ${num(v)}`);
  lines.push('  # ---- coefficients');
  STIMULI.forEach((_, s) => {
    for (let o = 1; o < NO; o++) lines.push(`  ${alphaParam(s, o)}: ${num(c.alpha[s]![o]!)}`);
  });
  GROUPS.forEach((_, g) => {
    FEATURES.forEach((_, f) => {
      lines.push(`  ${betaParam(g, f)}: ${num(c.beta[g]![f]!)}`);
    });
  });
  FEATURES.forEach((_, f) => {
    lines.push(`  ${centerParam(f)}: ${num(c.center[f]!)}`);
  });
  lines.push(`  ${NUCLEAR_USE_PARAM}: ${num(fit.nuclearUse)}`);
  lines.push(`  ${CUTOFF_PARAM}: ${meta.cutoff}`);
  return `${lines.join('\n')}\n`;
}

/** What the saved fits of a k-fold cross-validation were made from (in the header of their file). */
export interface FoldsMeta {
  /** sha256 of the fit's inputs, the folds and their seed (what `brink fit --folds K --check` compares). */
  inputs: string;
  engine: string;
  folds: number;
  seed: number;
  until?: number;
}

const foldPrefix = (k: number) => `fold-${k + 1}-`;

/**
 * The fits of a k-fold cross-validation as a library of named numbers (`brink fit --folds K` writes
 * scenarios/lib/generic-fit-folds.yaml): each fold's coefficients under the names of generic-fit.yaml,
 * prefixed `fold-K-`.
 */
export function renderFolds(fits: readonly GenericFit[], meta: FoldsMeta): string {
  const lines = [
    '# Fits of the generic crisis model on each fold of `brink backtest --icb --folds K`. GENERATED: do not',
    '# edit; run `npx brink fit --folds K` (`--check` compares the inputs). Fold k was fitted to the ICB crises',
    `# of the other folds (folds dealt at random with seed ${meta.seed}${meta.until === undefined ? '' : `, crises before ${meta.until} only`}), as \`brink fit\` fits; its`,
    '# numbers are those of generic-fit.yaml prefixed `fold-k-`.',
    `# Inputs sha256 ${meta.inputs}; engine ${meta.engine}; ${meta.folds} folds.`,
    '# yaml-language-server: $schema=../../scenario.schema.json',
    'version: 1',
    'kind: library',
    'id: generic-fit-folds',
    'title: Generic crisis model fitted to each fold of the ICB k-fold backtest (brink fit --folds)',
    'params:',
  ];
  fits.forEach((f, k) => {
    const p = foldPrefix(k);
    lines.push(`  # ---- fold ${k + 1}: ${f.n} training crises, log likelihood ${f.logLik.toFixed(3)}`);
    lines.push(`  ${p}training-crises: ${f.n}`);
    const c = f.coefficients;
    STIMULI.forEach((_, s) => {
      for (let o = 1; o < NO; o++) lines.push(`  ${p}${alphaParam(s, o)}: ${num(c.alpha[s]![o]!)}`);
    });
    GROUPS.forEach((_, g) => {
      FEATURES.forEach((_, i) => {
        lines.push(`  ${p}${betaParam(g, i)}: ${num(c.beta[g]![i]!)}`);
      });
    });
    FEATURES.forEach((_, i) => {
      lines.push(`  ${p}${centerParam(i)}: ${num(c.center[i]!)}`);
    });
    lines.push(`  ${p}${NUCLEAR_USE_PARAM}: ${num(f.nuclearUse)}`);
    lines.push(`  ${p}${STANDOFF_PARAM}: ${num(f.standoff)}`);
  });
  return `${lines.join('\n')}\n`;
}

/** The saved fold fits in a file's text when they were made from `inputs` (undefined otherwise). */
export function readFolds(text: string | undefined, inputs: string): GenericFit[] | undefined {
  if (text === undefined || readFitMeta(text).inputs !== inputs) return undefined;
  const folds = Number(/; (\d+) folds\.$/m.exec(text)?.[1]);
  if (!Number.isInteger(folds)) return undefined;
  let params: Record<string, unknown>;
  try {
    params = ((parseYaml(text) as { params?: Record<string, unknown> }).params ?? {}) as Record<
      string,
      unknown
    >;
  } catch {
    return undefined;
  }
  const out: GenericFit[] = [];
  for (let k = 0; k < folds; k++) {
    const p = foldPrefix(k);
    const own: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(params)) if (name.startsWith(p)) own[name.slice(p.length)] = v;
    let co: ReturnType<typeof coefficientsOf>;
    try {
      co = coefficientsOf(own);
    } catch {
      return undefined;
    }
    if (!co) return undefined;
    out.push({
      coefficients: co.c,
      nuclearUse: co.nuclearUse,
      standoff: co.standoff,
      n: typeof own['training-crises'] === 'number' ? own['training-crises'] : 0,
      logLik: Number.NaN,
      rounds: [],
      meanParams: {},
    });
  }
  return out;
}

/** The inputs hash of a k-fold's saved fits: the fit's inputs plus the folds. */
export function foldsInputs(fitInputsHash: string, folds: number, seed: number, until?: number): string {
  return bytesToHex(sha256(utf8ToBytes(JSON.stringify({ fit: fitInputsHash, folds, seed, until }))));
}
