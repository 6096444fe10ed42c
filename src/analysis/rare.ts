// Rare-event estimation of P(peak >= target rung): crude Monte Carlo, adaptive multilevel splitting
// (AMS) on an importance function, and importance sampling (IS) of the explicit chance sites with a
// cross-entropy (CE) tuned tilt. Domain model section 8; departures in docs/decisions/0003-rare-events.md.
//
// Work is counted in engine events (acts executed), the unit in which the estimators are compared:
// a crude run costs its events; an AMS branch costs the events after its branch point; CE tuning runs
// count toward the IS estimate's work.
import type { Model } from '../engine/model.ts';
import { randomStream } from '../engine/rng.ts';
import { chanceSites, type RunSnapshot, type Simulator, type Tilt } from '../engine/run.ts';
import { wilson } from '../engine/stats.ts';
import type { AnalysisJob } from './kernel/executor.ts';
import { ownSimulator } from './kernel/simulator.ts';
import type { ModelSource, RareTask, Task } from './kernel/task.ts';
import { meanCi, sig } from './stats.ts';

export type Estimator = 'crude' | 'ams' | 'is';
export const ESTIMATORS: readonly Estimator[] = ['crude', 'ams', 'is'];

/** Weights of the AMS importance function: rung + gamma * (belief * b + readiness * r) / (belief + readiness). */
export interface ImportanceWeights {
  /** Weight of the largest belief that another actor is hostile (0..1). */
  belief: number;
  /** Weight of the highest readiness (0..4, scaled to 0..1). */
  readiness: number;
}

export interface RareOptions {
  seed: number;
  /** The rare event is peak >= this rung (default: the nuclear-use rung, else the war rung). */
  target?: number;
  /** crude: number of runs (default 100000). */
  runs?: number;
  /** ams: particles per replicate (default 1000). */
  particles?: number;
  /** ams: particles killed per iteration at least (default particles / 10). */
  kill?: number;
  /** ams: independent replicates whose spread gives the interval (default 20). */
  replicates?: number;
  /** ams: importance function weights (default belief 0.5, readiness 0.5; both 0 = rung only). */
  importance?: ImportanceWeights;
  /** is: runs per cross-entropy iteration (default 2000). */
  ceRuns?: number;
  /** is: elite fraction (default 0.1). */
  ceRho?: number;
  /** is: at most this many CE iterations (default 12). */
  ceIterations?: number;
  /** is: smoothing of the CE update (default 0.7). */
  ceSmoothing?: number;
  /** is: share of the base law mixed into every tilted draw (default 0.1). */
  defensive?: number;
  /** is: runs of the final importance-sampling estimate (default 10000). */
  isRuns?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface RareResult {
  estimator: Estimator;
  target: { rung: number; id: string };
  estimate: number;
  ci95: [number, number];
  /** Standard error / estimate. */
  relativeError: number;
  /** Effective sample size: the number of crude runs whose estimate would have the same variance, p(1-p)/Var. */
  ess: number;
  /** Engine events (acts executed) spent, and runs or particles started. */
  work: { events: number; runs: number };
  /**
   * Variance of the estimate times its work, divided by the same for crude Monte Carlo at this
   * estimate (p(1-p) times the mean events of a plain run): the gain per unit of work (> 1 is better).
   */
  gainVsCrude: number;
  /** Mean engine events of a plain (untilted, unsplit) run, measured on the way. */
  crudeEventsPerRun: number;
  ams?: {
    particles: number;
    kill: number;
    replicates: number;
    /** Per replicate: estimate, iterations, events. */
    perReplicate: { estimate: number; iterations: number; events: number }[];
    importance: ImportanceWeights;
  };
  is?: {
    ceIterations: { level: number; elite: number; runs: number }[];
    runs: number;
    hits: number;
    /** Kish effective sample size of the final weights, (sum W)^2 / sum W^2. */
    kishEss: number;
    /** The tuned tilt: sites whose law moved most, with base-weighted tilted probabilities. */
    tilt: { site: string; option: string; weight: number }[];
  };
}

/** The default rare event: nuclear use, else war, else the top rung. */
export function defaultTarget(m: Model): number {
  if (m.nuclearRung < m.rungIds.length) return m.nuclearRung;
  if (m.warRung < m.rungIds.length) return m.warRung;
  return m.rungIds.length - 1;
}

function targetOf(m: Model, opts: RareOptions): number {
  const t = opts.target ?? defaultTarget(m);
  if (!Number.isInteger(t) || t < 1 || t >= m.rungIds.length)
    throw new RangeError(`target rung must be in 1..${m.rungIds.length - 1}, got ${t}`);
  return t;
}

/**
 * Rare-event estimates of one or more models (a baseline and the arms compared with it) as an analysis
 * job: one task per model (splitting and tilting are sequential within an estimate; the models are
 * independent, so they share the workers). The state is the results so far.
 */
export class RareJob implements AnalysisJob<RareResult[]> {
  readonly total: number;
  readonly results: RareResult[];
  readonly #tasks: RareTask[];

  constructor(
    sources: readonly ModelSource[],
    estimator: Estimator,
    options: Omit<RareOptions, 'onProgress'>,
    engine: string,
    checkpoint?: string,
  ) {
    this.#tasks = sources.map((source) => ({ kind: 'rare', source, estimator, options, engine }));
    this.total = sources.length;
    this.results = checkpoint ? (JSON.parse(checkpoint) as RareResult[]) : [];
  }

  done(): number {
    return this.results.length;
  }

  next(sizing: { parallelism: number; units?: number }): Task[] {
    const left = this.#tasks.slice(this.results.length);
    return sizing.units !== undefined ? left.slice(0, 1) : left;
  }

  absorb(task: Task, result: unknown): void {
    if (task !== this.#tasks[this.results.length]) throw new Error('rare: a task out of order');
    this.results.push(result as RareResult);
  }

  checkpoint(): string {
    return JSON.stringify(this.results);
  }

  report(): RareResult[] {
    return this.results;
  }
}

/** Estimates P(peak >= target) with the chosen estimator. */
export function estimateRare(m: Model, estimator: Estimator, opts: RareOptions): RareResult {
  if (estimator === 'crude') return crude(m, opts);
  if (estimator === 'ams') return ams(m, opts);
  return importanceSampling(m, opts);
}

function finish(
  base: Omit<RareResult, 'relativeError' | 'ess' | 'gainVsCrude'>,
  variance: number,
): RareResult {
  const p = base.estimate;
  const relativeError = p > 0 ? Math.sqrt(variance) / p : Number.POSITIVE_INFINITY;
  const ess = variance > 0 ? (p * (1 - p)) / variance : base.work.runs;
  const crudeVarWork = p * (1 - p) * base.crudeEventsPerRun;
  const gain =
    variance > 0 && base.work.events > 0 ? crudeVarWork / (variance * base.work.events) : Number.NaN;
  return {
    ...base,
    estimate: sig(p, 8),
    ci95: [sig(Math.max(0, base.ci95[0]), 6), sig(Math.min(1, base.ci95[1]), 6)],
    relativeError: sig(relativeError, 6),
    ess: sig(ess, 6),
    gainVsCrude: sig(gain, 6),
    crudeEventsPerRun: sig(base.crudeEventsPerRun, 6),
  };
}

// ---------------------------------------------------------------------------------------------
// Crude Monte Carlo

function crude(m: Model, opts: RareOptions): RareResult {
  const target = targetOf(m, opts);
  const n = opts.runs ?? 100000;
  const sim = ownSimulator(m);
  let hits = 0;
  let events = 0;
  for (let run = 0; run < n; run++) {
    const r = sim.run(opts.seed, run);
    if (r.peak >= target) hits++;
    events += r.events;
    if ((run + 1) % 5000 === 0) opts.onProgress?.(run + 1, n);
  }
  const p = hits / n;
  return finish(
    {
      estimator: 'crude',
      target: { rung: target, id: m.rungIds[target]! },
      estimate: p,
      ci95: wilson(hits, n),
      work: { events, runs: n },
      crudeEventsPerRun: events / n,
    },
    (p * (1 - p)) / n,
  );
}

// ---------------------------------------------------------------------------------------------
// Adaptive multilevel splitting

/**
 * The importance function: the peak rung, plus gamma < 1 times a state term in [0, 1) (the largest
 * belief that another actor is hostile and the highest readiness), quantised to 1/32 so that a
 * trajectory stores few branch points. Reaching the target scores target + 1.
 */
export function importanceScore(sim: Simulator, target: number, w: ImportanceWeights): number {
  const r = sim.result;
  if (r.peak >= target) return target + 1;
  const total = w.belief + w.readiness;
  if (total <= 0) return r.peak;
  const m = sim.m;
  const nA = sim.nA;
  const nT = sim.nT;
  const hostile = m.hostileType;
  let b = 0;
  if (w.belief > 0) {
    // The "attack imminent" belief (dm 8.6): of actors with a pre-emption rule about those they would
    // pre-empt; without such actors, the largest belief of any actor that another is hostile.
    let any = false;
    for (let i = 0; i < nA; i++) {
      const pre = m.actors[i]!.preempt;
      if (!pre) continue;
      any = true;
      for (const j of pre.against) b = Math.max(b, beliefNow(sim, i, j, nA, nT, hostile));
    }
    if (!any)
      for (let i = 0; i < nA; i++)
        for (let j = 0; j < nA; j++) if (i !== j) b = Math.max(b, beliefNow(sim, i, j, nA, nT, hostile));
  }
  let R = 0;
  for (let i = 0; i < nA; i++) if (sim.readiness[i]! > R) R = sim.readiness[i]!;
  const h = (w.belief * b + (w.readiness * R) / 4) / total;
  return r.peak + (0.96 * Math.floor(Math.min(0.999, h) * 8)) / 8;
}

/** i's belief that j is of type t now, decayed toward the prior, without touching the simulator's state. */
function beliefNow(sim: Simulator, i: number, j: number, nA: number, nT: number, t: number): number {
  const idx = i * nA + j;
  const k = idx * nT + t;
  const omega = sim.m.actors[i]!.omega;
  const dt = sim.t - sim.lastTouch[idx]!;
  if (!(omega > 0 && dt > 0)) return sim.belief[k]!;
  const w = (1 - omega) ** dt;
  return w * sim.belief[k]! + (1 - w) * sim.prior[k]!;
}

interface Particle {
  /** Branch points: scores (increasing) and the states where the running maximum first reached them. */
  scores: number[];
  snaps: RunSnapshot[];
  max: number;
  reached: boolean;
}

/** Runs the simulator's current run to its end, recording the state at each new maximum of the score. */
function evolve(sim: Simulator, p: Particle, target: number, score: (s: Simulator) => number): void {
  for (;;) {
    const out = sim.advance(p.max, score);
    if (out >= 0) break;
    p.max = score(sim);
    if (sim.result.peak >= target) break;
    p.scores.push(p.max);
    p.snaps.push(sim.snapshot());
  }
  p.reached = sim.result.peak >= target;
  if (p.reached) p.max = target + 1;
}

/**
 * One AMS replicate with N particles (the generalized algorithm that kills every particle at or below
 * the level, so ties of a discrete score keep it unbiased: Brehier, Gazeau, Goudenege, Lelievre and
 * Rousset 2016, Annals of Applied Probability 26(6)).
 */
function amsReplicate(
  sim: Simulator,
  seed: number,
  rep: number,
  N: number,
  k: number,
  target: number,
  weights: ImportanceWeights,
): { estimate: number; iterations: number; events: number; crudeEvents: number } {
  const score = (s: Simulator) => importanceScore(s, target, weights);
  const ps: Particle[] = [];
  let events = 0;
  for (let j = 0; j < N; j++) {
    sim.begin(seed, rep * N + j);
    // The start is a branch point too: particles may start from different states (talks leak).
    const s0 = score(sim);
    const p: Particle = { scores: [s0], snaps: [sim.snapshot()], max: s0, reached: false };
    evolve(sim, p, target, score);
    events += sim.nEv;
    ps.push(p);
  }
  const crudeEvents = events;
  const pick = randomStream(seed, 0x51a7 + rep, rep);
  let logP = 0;
  let iterations = 0;
  let branch = 0;
  const maxes = new Float64Array(N);
  for (;;) {
    for (let j = 0; j < N; j++) maxes[j] = ps[j]!.max;
    const sorted = Float64Array.from(maxes).sort();
    const level = sorted[Math.min(N, k) - 1]!;
    if (level >= target + 1) break;
    const killed: number[] = [];
    const alive: number[] = [];
    for (let j = 0; j < N; j++) (maxes[j]! <= level ? killed : alive).push(j);
    if (alive.length === 0) return { estimate: 0, iterations, events, crudeEvents };
    logP += Math.log(alive.length / N);
    iterations++;
    // Branch points at or below the level are never needed again.
    for (const j of alive) {
      const p = ps[j]!;
      let cut = 0;
      while (cut < p.scores.length && p.scores[cut]! <= level) cut++;
      if (cut > 0) {
        p.scores.splice(0, cut);
        p.snaps.splice(0, cut);
      }
    }
    const parents = alive.map((j) => ps[j]!);
    for (const j of killed) {
      const parent = parents[Math.floor(pick() * parents.length)]!;
      // The parent's first state above the level (every state it kept is above the level).
      const snap = parent.snaps[0];
      let child: Particle;
      if (snap === undefined) {
        // The parent crossed the level only by reaching the target: the child is its copy.
        child = { scores: [], snaps: [], max: parent.max, reached: parent.reached };
      } else {
        child = { scores: [parent.scores[0]!], snaps: [snap], max: parent.scores[0]!, reached: false };
        sim.restore(snap);
        sim.branch(seed, rep * 0x4000000 + ++branch);
        const before = sim.nEv;
        evolve(sim, child, target, score);
        events += sim.nEv - before;
      }
      ps[j] = child;
    }
  }
  let reached = 0;
  for (const p of ps) if (p.reached) reached++;
  return { estimate: Math.exp(logP) * (reached / N), iterations, events, crudeEvents };
}

function ams(m: Model, opts: RareOptions): RareResult {
  const target = targetOf(m, opts);
  const N = opts.particles ?? 1000;
  const k = Math.max(1, opts.kill ?? Math.floor(N / 10));
  const R = opts.replicates ?? 20;
  if (R < 2) throw new RangeError('ams needs at least 2 replicates for an interval');
  const weights = opts.importance ?? { belief: 0.5, readiness: 0.5 };
  const sim = ownSimulator(m);
  const per: { estimate: number; iterations: number; events: number }[] = [];
  let events = 0;
  let crudeEvents = 0;
  for (let rep = 0; rep < R; rep++) {
    const r = amsReplicate(sim, opts.seed, rep, N, k, target, weights);
    per.push({ estimate: sig(r.estimate, 8), iterations: r.iterations, events: r.events });
    events += r.events;
    crudeEvents += r.crudeEvents;
    opts.onProgress?.(rep + 1, R);
  }
  const mc = meanCi(per.map((x) => x.estimate));
  return finish(
    {
      estimator: 'ams',
      target: { rung: target, id: m.rungIds[target]! },
      estimate: mc.mean,
      ci95: mc.ci95,
      work: { events, runs: N * R },
      crudeEventsPerRun: crudeEvents / (N * R),
      ams: { particles: N, kill: k, replicates: R, perReplicate: per, importance: weights },
    },
    mc.se * mc.se,
  );
}

// ---------------------------------------------------------------------------------------------
// Importance sampling with a cross-entropy tilt

function importanceSampling(m: Model, opts: RareOptions): RareResult {
  const target = targetOf(m, opts);
  const M = opts.ceRuns ?? 2000;
  const rho = opts.ceRho ?? 0.1;
  const maxIter = opts.ceIterations ?? 12;
  const alpha = opts.ceSmoothing ?? 0.7;
  const nFinal = opts.isRuns ?? 10000;
  const sites = chanceSites(m);
  const nOpt = sites.options.length;
  const siteOf = new Int32Array(nOpt);
  for (let s = 0; s < sites.names.length; s++)
    for (let o = sites.start[s]!; o < sites.start[s + 1]!; o++) siteOf[o] = s;
  // The tilt stops once the target is reached: later draws cannot change the event.
  const tilt: Tilt = { w: new Float64Array(nOpt).fill(1), until: target, defensive: opts.defensive ?? 0.1 };
  const sim = ownSimulator(m);
  let events = 0;
  let runIndex = 0;
  let plainEvents = 0;
  let plainRuns = 0;
  const iterations: { level: number; elite: number; runs: number }[] = [];
  const peaks = new Int32Array(M);
  const total = maxIter * M + nFinal;
  for (let it = 0; it < maxIter; it++) {
    const first = runIndex;
    for (let j = 0; j < M; j++) {
      const r = sim.run(opts.seed, runIndex++, { tilt });
      peaks[j] = r.peak;
      events += r.events;
      if (it === 0) {
        plainEvents += r.events;
        plainRuns++;
      }
    }
    const sorted = Int32Array.from(peaks).sort();
    let level = Math.min(target, sorted[Math.min(M - 1, Math.floor((1 - rho) * M))]!);
    const previous = iterations.length ? iterations[iterations.length - 1]!.level : -1;
    if (level <= previous) {
      // No progress at this quantile: take the highest rung that enough runs reached.
      const enough = Math.max(5, Math.floor((rho * M) / 10));
      let r = target;
      while (r > 0 && sorted[M - enough]! < r) r--;
      level = Math.max(level, r);
    }
    // Re-run the elite runs (same run indices, same tilt: the same runs) to collect their statistics.
    const chosen = new Float64Array(nOpt);
    const expected = new Float64Array(nOpt);
    // Statistics up to the moment the run reaches the level (Rubinstein's CE for a level-crossing
    // event: draws after it do not change the event, so they must not pull the tilt).
    const stats: Tilt = {
      ...tilt,
      chosen: new Float64Array(nOpt),
      expected: new Float64Array(nOpt),
      until: level,
    };
    let elite = 0;
    for (let j = 0; j < M; j++) {
      if (peaks[j]! < level) continue;
      elite++;
      stats.chosen!.fill(0);
      stats.expected!.fill(0);
      const r = sim.run(opts.seed, first + j, { tilt: stats });
      events += r.events;
      // The likelihood ratio of the path up to the level (the re-run is untilted after it).
      const W = Math.exp(r.logWeight);
      for (let o = 0; o < nOpt; o++) {
        if (stats.expected![o]! === 0) continue;
        chosen[o]! += W * stats.chosen![o]!;
        expected[o]! += W * stats.expected![o]!;
      }
    }
    iterations.push({ level, elite, runs: M });
    // CE update (de Boer et al. 2005 for discrete laws): the tilted law of each site is the
    // W-weighted frequency of each option among elite runs relative to its base probability.
    const next = new Float64Array(tilt.w);
    for (let s = 0; s < sites.names.length; s++) {
      const a = sites.start[s]!;
      const b = sites.start[s + 1]!;
      let seen = 0;
      for (let o = a; o < b; o++) seen += expected[o]!;
      if (!(seen > 0)) continue;
      let sumW = 0;
      for (let o = a; o < b; o++) {
        // A floor keeps every option possible, so the tilted law dominates the base law.
        const ratio = expected[o]! > 0 ? chosen[o]! / expected[o]! : 0;
        next[o] = Math.max(ratio, 0.02);
        sumW += next[o]!;
      }
      for (let o = a; o < b; o++) {
        const wNew = next[o]! / (sumW / (b - a));
        next[o] = alpha * wNew + (1 - alpha) * tilt.w[o]!;
      }
    }
    tilt.w.set(next);
    opts.onProgress?.((it + 1) * M, total);
    if (level >= target) break;
  }
  // The estimate: fresh runs under the tuned tilt.
  let sumW = 0;
  let sumW2 = 0;
  let sumHit = 0;
  let sumHit2 = 0;
  let hits = 0;
  for (let j = 0; j < nFinal; j++) {
    const r = sim.run(opts.seed, runIndex++, { tilt });
    events += r.events;
    const W = Math.exp(r.logWeight);
    sumW += W;
    sumW2 += W * W;
    if (r.peak >= target) {
      hits++;
      sumHit += W;
      sumHit2 += W * W;
    }
  }
  opts.onProgress?.(total, total);
  const p = sumHit / nFinal;
  const variance = Math.max(0, (sumHit2 / nFinal - p * p) / (nFinal - 1));
  const se = Math.sqrt(variance);
  const moved: { site: string; option: string; weight: number; shift: number }[] = [];
  for (let o = 0; o < nOpt; o++) {
    const w = tilt.w[o]!;
    if (Math.abs(Math.log(w)) > Math.log(1.25))
      moved.push({
        site: sites.names[siteOf[o]!]!,
        option: sites.options[o]!,
        weight: sig(w, 4),
        shift: Math.abs(Math.log(w)),
      });
  }
  moved.sort((x, y) => y.shift - x.shift || (x.site < y.site ? -1 : 1));
  return finish(
    {
      estimator: 'is',
      target: { rung: target, id: m.rungIds[target]! },
      estimate: p,
      ci95: [p - 1.959963984540054 * se, p + 1.959963984540054 * se],
      work: { events, runs: runIndex + iterations.reduce((a, x) => a + x.elite, 0) },
      crudeEventsPerRun: plainRuns > 0 ? plainEvents / plainRuns : 0,
      is: {
        ceIterations: iterations,
        runs: nFinal,
        hits,
        kishEss: sig(sumW2 > 0 ? (sumW * sumW) / sumW2 : 0, 6),
        tilt: moved.slice(0, 20).map(({ site, option, weight }) => ({ site, option, weight })),
      },
    },
    variance,
  );
}
