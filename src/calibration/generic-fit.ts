// Fitting the generic crisis model to ICB crises with the engine in the loop (simulated maximum
// likelihood with importance sampling). For each opening act, a pool of runs of the generic library is
// simulated under a proposal kernel; each run is summarised by how often each side chose each option
// of each rule and by the class of its peak. The probability that a crisis with features x reaches its
// observed class under coefficients theta is then the pool's share of runs in that class, each weighted
// by the likelihood ratio of its choices under theta(x) and the proposal: a smooth, exact-in-the-limit
// function of theta, maximised (with a Gaussian prior) by L-BFGS. The proposal is moved to the estimate
// and the pools simulated again, a fixed number of times. Scoring never reweights: it runs the engine
// with each crisis's own kernels (`forecastCrisis`). Deterministic for a seed. Files come through
// `readFile`.

import { ClassesJob } from '../analysis/classes-job.ts';
import { crisisClassOf } from '../analysis/crisis-classes.ts';
import { executeSync } from '../analysis/kernel/executor.ts';
import { ownSimulator } from '../analysis/kernel/simulator.ts';
import { lazySource, type ModelSource } from '../analysis/kernel/task.ts';
import { ENGINE_VERSION, type Model } from '../engine/model.ts';
import { chanceSites, type Tilt } from '../engine/run.ts';
import { compile } from '../scenario/compile.ts';
import { type Diagnostic, hasErrors } from '../scenario/diagnostics.ts';
import { contentHash, loadDocument } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import {
  type Coefficients,
  type DyadFeatures,
  dyadParams,
  FEATURES,
  GROUPS,
  kernel,
  kernelParam,
  N_ALPHA,
  N_PARAMS,
  NF,
  NO,
  NS,
  NUCLEAR_OPTION,
  nuclearUseParam,
  OPTIONS,
  pack,
  rounded,
  STIMULI,
  sideVector,
  standoffParams,
  unpack,
  warParam,
} from './generic-model.ts';
import { type CrisisRecord, HORIZON_DAYS, TRIGGER_ACTS } from './icb-crises.ts';
import { minimise } from './optimize.ts';

/** The five classes of a run's peak that both scoring scales are made of. */
export const PEAK5 = [
  'words or alarms',
  'display or alert',
  'minor clashes',
  'serious clashes',
  'war',
] as const;
/** ICB scale (none, minor, serious, war) of a PEAK5 class. */
export const icbOf = (p5: number) => (p5 <= 1 ? 0 : p5 - 1);
/** Ladder class (words, display, force, war) of a PEAK5 class. */
export const ladderOf = (p5: number) => (p5 <= 1 ? p5 : p5 === 4 ? 3 : 2);
/** PEAK5 class of an ICB crisis. */
export const peak5Of = (c: { icb: number; ladder: number }) => (c.icb === 0 ? c.ladder : c.icb + 1);

export interface GenericEnv {
  /** Path of scenarios/lib/generic-actors.yaml. */
  libPath: string;
  readFile(path: string): string | undefined;
}

/**
 * Models of the generic library with an opening act of A at hour 0 and given parameter values. Each
 * opening act's document is loaded once; a model is the document with its `params` replaced, compiled.
 */
export class GenericModels {
  private docs = new Map<string, Scenario>();
  readonly env: GenericEnv;
  constructor(env: GenericEnv) {
    this.env = env;
  }

  /** The generic library's scenario opened by `act` (loaded once). */
  doc(act: string): Scenario {
    let doc = this.docs.get(act);
    if (!doc) {
      const env = this.env;
      const dir = env.libPath.slice(0, env.libPath.lastIndexOf('/') + 1);
      const base = env.libPath.slice(dir.length);
      const path = `${dir}__generic-${act}.yaml`;
      const text = [
        'version: 1',
        `id: generic-${act}`,
        `title: A crisis opened by A.${act} (generic dyad)`,
        `extends: ${base}`,
        `injects: { trigger: { atHours: 0, action: A.${act} } }`,
        '',
      ].join('\n');
      const loaded = loadDocument(path, { readFile: (p: string) => (p === path ? text : env.readFile(p)) });
      if (!loaded.doc || hasErrors(loaded.diagnostics)) throw libraryError(env, loaded.diagnostics);
      doc = loaded.doc;
      this.docs.set(act, doc);
    }
    return doc;
  }

  model(act: string, params: Record<string, number>): Model {
    const doc = this.doc(act);
    const r = compile({ ...doc, params: { ...doc.params, ...params } });
    if (!r.model || hasErrors(r.diagnostics)) throw libraryError(this.env, r.diagnostics);
    return r.model;
  }

  /**
   * The source of the model with these parameters, named by its content hash. The model is compiled
   * where a task of it first runs: on this thread when the executor is this thread, else only in the
   * worker that computes it (a crisis's model is small work beside its compile, so compiling it here as
   * well made `backtest --icb` slower on two workers than on one).
   */
  source(act: string, params: Record<string, number>): ModelSource {
    const base = this.doc(act);
    const doc = { ...base, params: { ...base.params, ...params } };
    const hash = contentHash(doc);
    return lazySource(doc, hash, () => {
      const r = compile(doc, { hash, interventions: [] });
      if (!r.model || hasErrors(r.diagnostics)) throw libraryError(this.env, r.diagnostics);
      return r.model;
    });
  }
}

function libraryError(env: GenericEnv, ds: readonly Diagnostic[]): Error {
  const first = ds.find((d) => d.severity === 'error');
  return new Error(
    `generic library ${env.libPath}: ${first ? `${first.file ?? ''}${first.line ? `:${first.line}` : ''} ${first.code} ${first.message}` : 'no model'}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Where each choice of a run goes: index space D = side x (stimulus x option, then war answers)

const SIDE_WIDTH = NS * NO + 2;
export const D = 2 * SIDE_WIDTH;
const warIndex = (side: number, nuclear: boolean) => side * SIDE_WIDTH + NS * NO + (nuclear ? 1 : 0);

/** Map from the model's chance-site options to D (-1: not a kernel choice). */
function siteIndex(m: Model): { map: Int32Array; total: number } {
  const sites = chanceSites(m);
  const total = sites.options.length;
  const map = new Int32Array(total).fill(-1);
  sites.names.forEach((name, s) => {
    const mm = /^rule ([AB])\.(.+)$/.exec(name);
    if (!mm) return;
    const side = mm[1] === 'A' ? 0 : 1;
    const st = STIMULI.findIndex((x) => x.rule === mm[2]);
    for (let k = sites.start[s]!; k < sites.start[s + 1]!; k++) {
      const opt = sites.options[k]!.replace(/^[AB]\./, '');
      if (mm[2] === 'war-if-war') map[k] = warIndex(side, opt === 'nuclear-strike');
      else if (st >= 0) {
        const o = OPTIONS.findIndex((x) => x.id === opt);
        if (o >= 0) map[k] = side * SIDE_WIDTH + st * NO + o;
      }
    }
  });
  return { map, total };
}

/** What a run of the generic library comes to: its PEAK5 class and its duration class. */
export function classifyRun(
  m: Model,
  r: { peak: number; path: Int32Array; pathLength: number; outcome: number; endTick: number },
  tickHours: number,
): { p5: number; dur: number } {
  return crisisClassOf(m, r, tickHours, HORIZON_DAYS);
}

export interface Pool {
  act: string;
  runs: number;
  /** Log of the proposal probability of each index of D. */
  logQ: Float64Array;
  /** Distinct run summaries: sparse counts (index, count), class, how many runs. */
  sigs: { idx: Int32Array; n: Int32Array; p5: number; dur: number; mult: number }[];
}

/** Simulates `runs` runs of a model and summarises them (for the likelihood ratios). */
export function simulatePool(m: Model, act: string, logQ: Float64Array, runs: number, seed: number): Pool {
  const { map, total } = siteIndex(m);
  const tilt: Tilt = {
    w: new Float64Array(total).fill(1),
    chosen: new Float64Array(total),
    expected: new Float64Array(total),
  };
  const sim = ownSimulator(m);
  const bySig = new Map<string, Pool['sigs'][number]>();
  const counts = new Int32Array(D);
  for (let run = 0; run < runs; run++) {
    const r = sim.run(seed, run, { tilt });
    counts.fill(0);
    for (let k = 0; k < total; k++) {
      const c = tilt.chosen![k]!;
      if (c > 0 && map[k]! >= 0) counts[map[k]!]! += c;
    }
    tilt.chosen!.fill(0);
    tilt.expected!.fill(0);
    const { p5, dur } = classifyRun(m, r, m.tickHours);
    const idx: number[] = [];
    const n: number[] = [];
    for (let d = 0; d < D; d++) {
      if (counts[d]! > 0) {
        idx.push(d);
        n.push(counts[d]!);
      }
    }
    const key = `${p5}|${dur}|${idx.map((d, j) => `${d}:${n[j]}`).join(',')}`;
    const s = bySig.get(key);
    if (s) s.mult++;
    else bySig.set(key, { idx: Int32Array.from(idx), n: Int32Array.from(n), p5, dur, mult: 1 });
  }
  return { act, runs, logQ, sigs: [...bySig.values()] };
}

// ---------------------------------------------------------------------------------------------
// The likelihood

/** Log probability of each index of D for a dyad under coefficients (nuclear use q for nuclear sides). */
export function dyadLogP(c: Coefficients, f: DyadFeatures, q: number): Float64Array {
  const out = new Float64Array(D);
  (['A', 'B'] as const).forEach((side, j) => {
    const k = kernel(c, sideVector(f, side));
    for (let s = 0; s < NS; s++)
      for (let o = 0; o < NO; o++) out[j * SIDE_WIDTH + s * NO + o] = Math.log(k[s]![o]!);
    const qq = f.nuclear[side] ? q : 0;
    out[warIndex(j, false)] = Math.log(1 - qq);
    out[warIndex(j, true)] = Math.log(qq);
  });
  return out;
}

/** Prior means of the intercepts: a vague kernel per stimulus class, set before looking at any crisis. */
export const PRIOR_KERNELS: Record<string, number[]> = {
  // wait, protest, counter-show, alert, nuclear-alert, fire, offensive
  low: [0.55, 0.3, 0.08, 0.04, 0.005, 0.02, 0.005],
  military: [0.4, 0.3, 0.15, 0.08, 0.01, 0.05, 0.01],
  force: [0.3, 0.25, 0.1, 0.12, 0.01, 0.2, 0.02],
  lethal: [0.25, 0.2, 0.1, 0.15, 0.01, 0.25, 0.04],
  nuclear: [0.3, 0.2, 0.1, 0.25, 0.1, 0.03, 0.02],
};

export interface Prior {
  /** Prior sd of the intercepts (log odds against waiting) around PRIOR_KERNELS. */
  alphaSd: number;
  /** Prior sd of the feature coefficients. */
  betaSd: number;
}
export const DEFAULT_PRIOR: Prior = { alphaSd: 1.5, betaSd: 1 };

export function priorMean(): number[] {
  const alpha = STIMULI.map((s) => {
    const p = PRIOR_KERNELS[s.id]!;
    return OPTIONS.map((_, o) => Math.log(p[o]! / p[0]!));
  });
  return pack({ alpha, beta: GROUPS.map(() => FEATURES.map(() => 0)), center: [] });
}

interface Unit {
  pool: number;
  f: DyadFeatures;
  x: [number[], number[]];
  y: number;
  weight: number;
}

/** Negative log posterior and its gradient. */
function objective(
  theta: readonly number[],
  units: readonly Unit[],
  pools: readonly Pool[],
  byClass: Map<number, number[]>[],
  center: number[],
  q: number,
  mean: readonly number[],
  prior: Prior,
  anchor: readonly number[],
  step: number,
): { value: number; grad: number[] } {
  const c = unpack(theta, center);
  const grad = new Array<number>(N_PARAMS).fill(0);
  let value = 0;
  for (let i = 0; i < N_PARAMS; i++) {
    const sd = i < N_ALPHA ? prior.alphaSd : prior.betaSd;
    const d = theta[i]! - mean[i]!;
    // The proximal term keeps a round's estimate near the proposal, where the pool's weights are good.
    const e = theta[i]! - anchor[i]!;
    value += (d * d) / (2 * sd * sd) + (e * e) / (2 * step * step);
    grad[i] = d / (sd * sd) + e / (step * step);
  }
  const cbar = new Float64Array(D);
  for (const u of units) {
    const pool = pools[u.pool]!;
    const logP = dyadLogP(c, u.f, q);
    const delta = logP.map((v, d) => v - pool.logQ[d]!);
    const list = byClass[u.pool]!.get(u.y) ?? [];
    // Truncated importance sampling (Ionides 2008): a weight counts at most sqrt(runs) (the weights'
    // mean is 1), so that a few runs cannot carry a crisis's likelihood; truncated weights are constants.
    const cap = 0.5 * Math.log(pool.runs);
    let m = Number.NEGATIVE_INFINITY;
    const lws = new Float64Array(list.length);
    const capped = new Uint8Array(list.length);
    list.forEach((si, j) => {
      const s = pool.sigs[si]!;
      let lw = 0;
      for (let t = 0; t < s.idx.length; t++) lw += s.n[t]! * delta[s.idx[t]!]!;
      if (lw > cap) {
        lw = cap;
        capped[j] = 1;
      }
      lws[j] = lw;
      if (lw > m) m = lw;
    });
    cbar.fill(0);
    let z = 0;
    if (m > Number.NEGATIVE_INFINITY) {
      list.forEach((si, j) => {
        const w = pool.sigs[si]!.mult * Math.exp(lws[j]! - m);
        if (w === 0) return;
        z += w;
        if (capped[j]) return;
        const s = pool.sigs[si]!;
        for (let t = 0; t < s.idx.length; t++) cbar[s.idx[t]!]! += w * s.n[t]!;
      });
    }
    // L = exp(m) z / runs, floored so that a class no run reached costs a finite amount.
    const floor = 1e-6;
    const L = z > 0 ? Math.exp(m) * (z / pool.runs) : 0;
    value -= u.weight * Math.log(L + floor);
    if (L <= 0) continue;
    const share = L / (L + floor);
    for (let d = 0; d < D; d++) cbar[d]! /= z;
    for (let j = 0; j < 2; j++) {
      const x = u.x[j]!;
      for (let s = 0; s < NS; s++) {
        const base = j * SIDE_WIDTH + s * NO;
        let tot = 0;
        for (let o = 0; o < NO; o++) tot += cbar[base + o]!;
        if (tot === 0) continue;
        for (let o = 1; o < NO; o++) {
          const p = Math.exp(logP[base + o]!);
          const gu = -(cbar[base + o]! - tot * p) * share * u.weight;
          if (gu === 0) continue;
          grad[s * (NO - 1) + (o - 1)]! += gu;
          const grp = OPTIONS[o]!.group;
          if (grp === undefined) continue;
          const g = GROUPS.indexOf(grp);
          for (let f = 0; f < NF; f++) grad[N_ALPHA + g * NF + f]! += gu * (x[f]! - center[f]!);
        }
      }
    }
  }
  return { value, grad };
}

export interface FitOptions {
  seed: number;
  /** Runs per pool (one pool per distinct opening act and features). */
  runs: number;
  /** Rounds of proposal update and refit. */
  rounds: number;
  /** Scale of the proximal term that keeps each round near its proposal (log-odds units). */
  step: number;
  prior: Prior;
}
export const DEFAULT_FIT: FitOptions = { seed: 1, runs: 2000, rounds: 10, step: 0.3, prior: DEFAULT_PRIOR };

export interface GenericFit {
  coefficients: Coefficients;
  /** P(nuclear use) when a nuclear-armed side answers war. */
  nuclearUse: number;
  /** Training crises used, and log likelihood (importance-sampled) at the estimate. */
  n: number;
  logLik: number;
  rounds: {
    round: number;
    value: number;
    iterations: number;
    stop: string;
    essMin: number;
    essMedian: number;
    /** Distance the estimate moved in the round (converged when small). */
    moved: number;
  }[];
  /** Mean kernels over the training crises' sides (the library's default values). */
  meanParams: Record<string, number>;
  /** P(an act opens a stand-off that outlasts the month), fitted to the training crises' durations. */
  standoff: number;
}

/** Effective sample size of each unit's pool at theta (diagnostic of the proposal's coverage). */
function essOf(
  theta: readonly number[],
  units: readonly Unit[],
  pools: readonly Pool[],
  center: number[],
  q: number,
): number[] {
  const c = unpack(theta, center);
  return units.map((u) => {
    const pool = pools[u.pool]!;
    const logP = dyadLogP(c, u.f, q);
    let s1 = 0;
    let s2 = 0;
    for (const s of pool.sigs) {
      let lw = 0;
      for (let t = 0; t < s.idx.length; t++) lw += s.n[t]! * (logP[s.idx[t]!]! - pool.logQ[s.idx[t]!]!);
      const w = Math.exp(lw);
      if (!Number.isFinite(w)) continue;
      s1 += s.mult * w;
      s2 += s.mult * w * w;
    }
    return s2 > 0 ? (s1 * s1) / s2 : 0;
  });
}

/** Mean of the kernel parameters over the sides of the given crises (a mixture: nuclear alerts at the share of nuclear sides). */
export function meanDyadParams(
  c: Coefficients,
  crises: readonly { features: DyadFeatures }[],
  q: number,
): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const cr of crises) {
    for (const [k, v] of Object.entries(dyadParams(c, cr.features, q))) sum[k] = (sum[k] ?? 0) + v;
  }
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(sum)) out[k] = v / crises.length;
  return out;
}

/** Share of the uniform kernel in a proposal (a defensive mixture: every option keeps some runs). */
export const DEFENSIVE = 0.15;

/**
 * The proposal for one dyad: its kernels under the current coefficients mixed with the uniform kernel
 * over the options open to each side (no nuclear option for a side without the weapon).
 */
function proposal(
  c: Coefficients,
  f: DyadFeatures,
  q: number,
): { params: Record<string, number>; logQ: Float64Array } {
  const logQ = new Float64Array(D);
  const params: Record<string, number> = {};
  (['A', 'B'] as const).forEach((side, j) => {
    const k = kernel(c, sideVector(f, side));
    const open = OPTIONS.map((_, o) => (o === NUCLEAR_OPTION && !f.nuclear[side] ? 0 : 1));
    const nOpen = open.reduce((a: number, b) => a + b, 0);
    for (let s = 0; s < NS; s++) {
      const row = rounded(k[s]!.map((p, o) => (1 - DEFENSIVE) * p + (DEFENSIVE * open[o]!) / nOpen));
      row.forEach((p, o) => {
        params[kernelParam(side, s, o)] = p;
        logQ[j * SIDE_WIDTH + s * NO + o] = Math.log(p);
      });
    }
    const q0 = f.nuclear[side] ? Math.max(q, 0.02) : 0;
    params[nuclearUseParam(side)] = q0;
    params[warParam(side)] = Math.round((1 - q0) * 1e12) / 1e12;
    logQ[warIndex(j, true)] = Math.log(q0);
    logQ[warIndex(j, false)] = Math.log(1 - q0);
  });
  // The peak does not depend on the stand-off (its act is private and at the bottom of the ladder).
  Object.assign(params, standoffParams(0));
  return { params, logQ };
}

/**
 * How many times the stakes actor S decided whether a stand-off opens, and whether the run was long
 * anyway, for each run of a dyad's model with the stand-off off. S's acts are answered by nobody, so a
 * run with stand-off probability q is the same run, long when it already was or when one of its n
 * decisions opened a stand-off: P(long | q) = P(long | 0) + E[short at 0 x (1 - (1 - q)^n)], exactly.
 */
export function standoffExposure(m: Model, runs: number, seed: number): { n: Int32Array; long: Uint8Array } {
  const sites = chanceSites(m);
  const total = sites.options.length;
  const sIdx: number[] = [];
  sites.names.forEach((name, k) => {
    if (/^rule S\./.test(name)) for (let j = sites.start[k]!; j < sites.start[k + 1]!; j++) sIdx.push(j);
  });
  const tilt: Tilt = {
    w: new Float64Array(total).fill(1),
    chosen: new Float64Array(total),
    expected: new Float64Array(total),
  };
  const sim = ownSimulator(m);
  const n = new Int32Array(runs);
  const long = new Uint8Array(runs);
  for (let run = 0; run < runs; run++) {
    const r = sim.run(seed, run, { tilt });
    let c = 0;
    for (const j of sIdx) c += tilt.chosen![j]!;
    tilt.chosen!.fill(0);
    tilt.expected!.fill(0);
    n[run] = c;
    long[run] = classifyRun(m, r, m.tickHours).dur;
  }
  return { n, long };
}

/** P(long crisis) of a dyad at stand-off probability q, from its exposure (see standoffExposure). */
export function longShare(e: { n: Int32Array; long: Uint8Array }, q: number): number {
  let s = 0;
  for (let i = 0; i < e.n.length; i++) s += e.long[i] ? 1 : 1 - (1 - q) ** e.n[i]!;
  return s / e.n.length;
}

/**
 * The stand-off probability that maximises the likelihood of the training crises' duration classes,
 * given the fitted kernels (a second stage: the peak does not depend on it). The engine runs each
 * dyad once with its own kernels; the likelihood is exact in q (golden-section search on its logit).
 */
export function fitStandoff(
  models: GenericModels,
  c: Coefficients,
  q: number,
  train: readonly CrisisRecord[],
  runs: number,
  seed: number,
): number {
  const byDyad = new Map<string, { e: ReturnType<typeof standoffExposure>; long: number; short: number }>();
  for (const cr of train) {
    if (!Number.isFinite(cr.duration)) continue;
    const act = TRIGGER_ACTS[cr.trigger - 1]!;
    const key = `${act}|${JSON.stringify(cr.features)}`;
    let d = byDyad.get(key);
    if (!d) {
      const m = models.model(act, { ...dyadParams(c, cr.features, q), ...standoffParams(0) });
      d = { e: standoffExposure(m, runs, seed), long: 0, short: 0 };
      byDyad.set(key, d);
    }
    if (cr.duration === 1) d.long++;
    else d.short++;
  }
  const dyads = [...byDyad.values()];
  const negLogLik = (z: number) => {
    const p = 1 / (1 + Math.exp(-z));
    let v = 0;
    for (const d of dyads) {
      // Half a run's worth of floor, as the scores smooth.
      const l = Math.min(Math.max(longShare(d.e, p), 0.5 / runs), 1 - 0.5 / runs);
      v -= d.long * Math.log(l) + d.short * Math.log(1 - l);
    }
    return v;
  };
  let lo = -12;
  let hi = 4;
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - g * (hi - lo);
  let x2 = lo + g * (hi - lo);
  let f1 = negLogLik(x1);
  let f2 = negLogLik(x2);
  for (let i = 0; i < 60; i++) {
    if (f1 < f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - g * (hi - lo);
      f1 = negLogLik(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + g * (hi - lo);
      f2 = negLogLik(x2);
    }
  }
  return 1 / (1 + Math.exp(-(lo + hi) / 2));
}

/** The prior probability of nuclear use when a nuclear-armed side answers war: Jeffreys posterior mean over training wars between two nuclear-armed sides (none used). */
export function nuclearUseRate(train: readonly CrisisRecord[]): number {
  const wars = train.filter((c) => c.icb === 3 && c.features.nuclear.A && c.features.nuclear.B).length;
  return 0.5 / (wars + 1);
}

/** Fits the generic crisis model to training crises. `log` reports progress. */
export function fitGeneric(
  env: GenericEnv,
  train: readonly CrisisRecord[],
  opts: FitOptions = DEFAULT_FIT,
  log: (msg: string) => void = () => {},
): GenericFit {
  const models = new GenericModels(env);
  const xs = train.flatMap((c) => [sideVector(c.features, 'A'), sideVector(c.features, 'B')]);
  const center = FEATURES.map((_, f) => xs.reduce((s, x) => s + x[f]!, 0) / xs.length);
  const q = nuclearUseRate(train);
  const mean = priorMean();
  let theta = [...mean];
  // One pool per distinct (opening act, features); units: pool x observed class, with their counts.
  const poolKeys: { act: string; f: DyadFeatures }[] = [];
  const poolIndex = new Map<string, number>();
  const unitMap = new Map<string, Unit>();
  for (const c of train) {
    const act = TRIGGER_ACTS[c.trigger - 1]!;
    const pk = `${act}|${JSON.stringify(c.features)}`;
    let pi = poolIndex.get(pk);
    if (pi === undefined) {
      pi = poolKeys.length;
      poolKeys.push({ act, f: c.features });
      poolIndex.set(pk, pi);
    }
    const key = `${pk}|${peak5Of(c)}`;
    const u = unitMap.get(key);
    if (u) u.weight++;
    else {
      unitMap.set(key, {
        pool: pi,
        f: c.features,
        x: [sideVector(c.features, 'A'), sideVector(c.features, 'B')],
        y: peak5Of(c),
        weight: 1,
      });
    }
  }
  const units = [...unitMap.values()];
  const rounds: GenericFit['rounds'] = [];
  let value = Number.NaN;
  // The estimate is the average of the rounds' estimates over the second half (Polyak averaging: the
  // rounds' pools are independent, so their noise averages out).
  const avg = new Array<number>(N_PARAMS).fill(0);
  const firstAveraged = Math.floor(opts.rounds / 2);
  let last: { pools: Pool[]; byClass: Map<number, number[]>[] } | undefined;
  for (let round = 0; round < opts.rounds; round++) {
    const c0 = unpack(theta, center);
    // The same runs (seed) for every dyad of a round: common random numbers across crises.
    const pools = poolKeys.map((k) => {
      const prop = proposal(c0, k.f, q);
      return simulatePool(models.model(k.act, prop.params), k.act, prop.logQ, opts.runs, opts.seed + round);
    });
    const byClass = pools.map((p) => {
      const m = new Map<number, number[]>();
      p.sigs.forEach((s, i) => {
        const list = m.get(s.p5) ?? [];
        list.push(i);
        m.set(s.p5, list);
      });
      return m;
    });
    last = { pools, byClass };
    const anchor = [...theta];
    const r = minimise(
      (t) => objective(t, units, pools, byClass, center, q, mean, opts.prior, anchor, opts.step),
      theta,
      {
        maxIter: 300,
        gradTol: 1e-7,
      },
    );
    // Trust region: while the pools cover the estimate badly (median effective runs below a tenth of
    // the runs), halve the step back towards the proposal.
    let x = r.x;
    let ess = essOf(x, units, pools, center, q).sort((a, b) => a - b);
    for (let h = 0; h < 6 && (ess[Math.floor(ess.length / 2)] ?? 0) < 0.1 * opts.runs; h++) {
      x = x.map((v, i) => (v + anchor[i]!) / 2);
      ess = essOf(x, units, pools, center, q).sort((a, b) => a - b);
    }
    const moved = Math.sqrt(x.reduce((a, v, i) => a + (v - anchor[i]!) ** 2, 0));
    theta = x;
    value = objective(theta, units, pools, byClass, center, q, mean, opts.prior, theta, 1).value;
    const row = {
      round,
      value: r.value,
      iterations: r.iterations,
      stop: r.stop,
      essMin: ess[0] ?? 0,
      essMedian: ess[Math.floor(ess.length / 2)] ?? 0,
      moved,
    };
    rounds.push(row);
    if (round >= firstAveraged)
      for (let i = 0; i < N_PARAMS; i++) avg[i]! += theta[i]! / (opts.rounds - firstAveraged);
    log(
      `round ${round + 1}/${opts.rounds}: ${pools.length} dyads x ${opts.runs} runs; -log posterior ${value.toFixed(2)} after ${r.iterations} iterations (${r.stop}), moved ${moved.toFixed(3)}; effective runs per dyad at the estimate: min ${row.essMin.toFixed(0)}, median ${row.essMedian.toFixed(0)}`,
    );
  }
  theta = avg;
  // The importance-sampled log posterior at the estimate, on the last round's pools.
  if (last)
    value = objective(theta, units, last.pools, last.byClass, center, q, mean, opts.prior, theta, 1).value;
  const coefficients = unpack(theta, center);
  const standoff = fitStandoff(models, coefficients, q, train, opts.runs, opts.seed);
  log(`stand-off: P(an act opens a stand-off that outlasts the month) = ${standoff.toFixed(4)}`);
  const priorPart = theta.reduce((s, t, i) => {
    const sd = i < N_ALPHA ? opts.prior.alphaSd : opts.prior.betaSd;
    return s + (t - mean[i]!) ** 2 / (2 * sd * sd);
  }, 0);
  return {
    coefficients,
    nuclearUse: q,
    n: train.length,
    logLik: -(value - priorPart),
    rounds,
    meanParams: meanDyadParams(coefficients, train, q),
    standoff,
  };
}

// ---------------------------------------------------------------------------------------------
// Forecasts: the engine with a dyad's own kernels

export interface CrisisForecast {
  runs: number;
  /** Runs by PEAK5 class and by duration class. */
  p5: number[];
  dur: number[];
}

/**
 * Runs the generic library for one dyad and opening act, `runs` runs of `seed` (the same runs for every
 * crisis: common random numbers).
 */
export function forecastDyad(
  env: GenericEnv,
  c: Coefficients,
  nuclearUse: number,
  features: DyadFeatures,
  act: string,
  runs: number,
  seed: number,
  models?: GenericModels,
  standoff?: number,
): CrisisForecast {
  const source = dyadSource(models ?? new GenericModels(env), c, nuclearUse, features, act, standoff);
  return executeSync(classesJob(source, runs, seed));
}

/** The generic library's model of a dyad opened by `act`, as a source for the kernel's tasks. */
export function dyadSource(
  models: GenericModels,
  c: Coefficients,
  nuclearUse: number,
  features: DyadFeatures,
  act: string,
  standoff?: number,
): ModelSource {
  const params = dyadParams(c, features, nuclearUse);
  if (standoff !== undefined) Object.assign(params, standoffParams(standoff));
  return models.source(act, params);
}

/** Runs [0, runs) of `seed` of a source counted by class (PEAK5 and duration within HORIZON_DAYS). */
export const classesJob = (source: ModelSource, runs: number, seed: number): ClassesJob =>
  new ClassesJob(source, { seed, runs, horizonDays: HORIZON_DAYS, engine: ENGINE_VERSION });

export { NUCLEAR_OPTION };

/**
 * P(PEAK5 class) for a dyad under coefficients, estimated from a pool simulated under another kernel
 * by reweighting (untruncated): what the fit's likelihood uses, exposed for tests and diagnostics.
 */
export function reweightedClassProbs(pool: Pool, c: Coefficients, f: DyadFeatures, q: number): number[] {
  const logP = dyadLogP(c, f, q);
  const out = new Array<number>(PEAK5.length).fill(0);
  for (const s of pool.sigs) {
    let lw = 0;
    for (let t = 0; t < s.idx.length; t++) lw += s.n[t]! * (logP[s.idx[t]!]! - pool.logQ[s.idx[t]!]!);
    const w = Math.exp(lw);
    if (Number.isFinite(w)) out[s.p5]! += (s.mult * w) / pool.runs;
  }
  return out;
}

/** The proposal kernel of a dyad (exposed for tests): its kernels mixed with uniform. */
export function proposalFor(
  c: Coefficients,
  f: DyadFeatures,
  q: number,
): { params: Record<string, number>; logQ: Float64Array } {
  return proposal(c, f, q);
}
