// Paired comparisons on common random numbers: run i of every arm uses the keyed streams of (seed, i),
// so two arms differ only where their mechanisms differ, and the difference is estimated run by run.
// Interval: Newcombe's hybrid score interval for a difference of paired proportions (Newcombe 1998,
// Statistics in Medicine 17, method 10), shared with `brink compare` (src/analysis/stats.ts).
//
// The runs go through the analysis kernel (decision 0016): each arm's runs are point tasks
// (src/analysis/kernel/task.ts) scored on war, lethal clash, talks held and talks leaked, kept run by
// run as flags. `FlagsJob` is an analysis job, so the room's analyses run on any executor (this thread
// in slices, worker threads) to the same numbers, and may grow their arms while they run (adaptive run
// counts: `extend`).
import { type AnalysisJob, type Executor, runInOrder, SYNC } from '../analysis/kernel/executor.ts';
import {
  type PointSetting,
  type PointTally,
  pointEvaluator,
  ranges,
  type Task,
} from '../analysis/kernel/task.ts';
import type { MetricDef } from '../analysis/metrics.ts';
import { DocSources, MIN_POINT_RUNS } from '../analysis/points.ts';
import { pairedDifferenceCi } from '../analysis/stats.ts';
import { ENGINE_VERSION, type Model } from '../engine/model.ts';
import { proportion } from '../engine/stats.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { PairedDelta, Proportion } from './types.ts';

/** Bit set in a run's flags when its peak reached war or worse. */
export const WAR = 1;
/** Bit set when its peak reached the lethal rung or worse. */
export const LETHAL = 2;
/** Bit set when talks (any in the model) took place in the run. */
export const TALKS = 4;
/** Bit set when talks leaked in the run. */
export const LEAKED = 8;

const BITS = [WAR, LETHAL, TALKS, LEAKED] as const;

function flagMetrics(m: Model): MetricDef[] {
  return [
    { id: 'war', label: 'P(war or worse)', kind: 'peak', at: m.warRung },
    { id: 'lethal', label: 'P(lethal clash or worse)', kind: 'peak', at: m.lethalRung },
    { id: 'talksHappened', label: 'P(talks happen)', kind: 'talksHappened', at: -1 },
    { id: 'talksLeaked', label: 'P(talks leak)', kind: 'talksLeaked', at: -1 },
  ];
}

export interface RunOptions {
  /** Called between slices so a server can keep answering (e.g. `() => new Promise(setImmediate)`). */
  pause?: () => Promise<void>;
  /** Runs done so far and in all (all arms; the total grows when an adaptive analysis adds runs). */
  onProgress?: (done: number, total: number) => void;
  /** Stops early (throws) when it returns true. */
  cancelled?: () => boolean;
  /** Runs per slice and thread (default 500). */
  slice?: number;
  /** Where the tasks run (default: this thread). */
  executor?: Executor;
}

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/** One arm: a document compiled as it is (interventions already applied; the names are labels). */
export interface FlagArm {
  doc: Scenario;
  model: Model;
}

/** New run targets per arm once every arm has reached its target (null or no growth: finished). */
export type Extend = (flags: readonly Uint8Array[]) => readonly number[] | null;

interface FlagsCheckpoint {
  targets: number[];
  flags: string[];
}

const toBase64 = (b: Uint8Array) => {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
};
const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/**
 * Runs 0..target-1 of `seed` of each arm, each run's flags (WAR | LETHAL | TALKS | LEAKED) kept. An
 * analysis job (src/analysis/kernel/executor.ts): the same flags on any executor.
 */
export class FlagsJob implements AnalysisJob<Uint8Array[]> {
  readonly #settings: PointSetting[];
  readonly #metrics: MetricDef[][];
  readonly #seed: number;
  readonly #engine: string;
  readonly #extend: Extend | undefined;
  readonly #arm = new WeakMap<Task, number>();
  #targets: number[];
  #flags: Uint8Array[];
  #done: number[];

  constructor(
    arms: readonly FlagArm[],
    opts: { seed: number; runs: number | readonly number[]; engine?: string; extend?: Extend },
    checkpoint?: string,
  ) {
    const docs = new DocSources(pointEvaluator());
    this.#settings = arms.map((a) => {
      const s = docs.setting({
        doc: a.doc,
        meta: { hash: a.model.hash, interventions: a.model.interventions },
        targets: [],
        values: [],
      });
      pointEvaluator().prime(s, a.model);
      return s;
    });
    this.#metrics = arms.map((a) => flagMetrics(a.model));
    this.#seed = opts.seed;
    this.#engine = opts.engine ?? ENGINE_VERSION;
    this.#extend = opts.extend;
    this.#targets = arms.map((_, k) => (typeof opts.runs === 'number' ? opts.runs : (opts.runs[k] ?? 0)));
    this.#flags = this.#targets.map((n) => new Uint8Array(n));
    this.#done = arms.map(() => 0);
    if (checkpoint) {
      const c = JSON.parse(checkpoint) as FlagsCheckpoint;
      if (c.targets.length !== arms.length) throw new Error('the checkpoint is of another analysis');
      this.#targets = c.targets;
      this.#flags = c.flags.map((f, k) => {
        const out = new Uint8Array(c.targets[k]!);
        out.set(fromBase64(f));
        return out;
      });
      this.#done = c.flags.map((f) => fromBase64(f).length);
    }
  }

  get total(): number {
    return this.#targets.reduce((s, n) => s + n, 0);
  }

  done(): number {
    return this.#done.reduce((s, n) => s + n, 0);
  }

  /** Grows the targets when every arm has reached its own (adaptive run counts). */
  #grow(): boolean {
    if (!this.#extend) return false;
    const want = this.#extend(this.#flags);
    if (!want) return false;
    let grew = false;
    want.forEach((n, k) => {
      if (n > this.#targets[k]!) {
        const f = new Uint8Array(n);
        f.set(this.#flags[k]!);
        this.#flags[k] = f;
        this.#targets[k] = n;
        grew = true;
      }
    });
    return grew;
  }

  next(sizing: { parallelism: number; units?: number }): Task[] {
    if (this.#done.every((d, k) => d >= this.#targets[k]!) && !this.#grow()) return [];
    const tasks: Task[] = [];
    let budget = sizing.units ?? Number.POSITIVE_INFINITY;
    for (let k = 0; k < this.#settings.length && budget > 0; k++) {
      const from = this.#done[k]!;
      const to = this.#targets[k]!;
      if (from >= to) continue;
      const end = Number.isFinite(budget) ? Math.min(to, from + Math.max(1, budget)) : to;
      const parts = ranges(from, end, { parts: sizing.parallelism, minSize: MIN_POINT_RUNS });
      for (const r of parts) {
        const t: Task = {
          kind: 'point',
          settings: [this.#settings[k]!],
          metrics: this.#metrics[k]!,
          perRun: true,
          seed: this.#seed,
          start: r.start,
          count: r.count,
          engine: this.#engine,
        };
        this.#arm.set(t, k);
        tasks.push(t);
      }
      budget -= end - from;
    }
    return tasks;
  }

  absorb(task: Task, result: unknown): void {
    const k = this.#arm.get(task);
    if (k === undefined || task.kind !== 'point') throw new Error('a task of another analysis');
    const t = result as PointTally;
    if (!t.patterns) throw new Error('a point task without its runs');
    const flags = this.#flags[k]!;
    for (let i = 0; i < task.count; i++) {
      let f = 0;
      t.patterns.forEach((p, m) => {
        if ((p[i]! & 1) !== 0) f |= BITS[m]!;
      });
      flags[task.start + i] = f;
    }
    this.#done[k] = task.start + task.count;
  }

  checkpoint(): string {
    const c: FlagsCheckpoint = {
      targets: this.#targets,
      flags: this.#flags.map((f, k) => toBase64(f.subarray(0, this.#done[k]!))),
    };
    return JSON.stringify(c);
  }

  /** Each arm's flags, runs 0..target-1. */
  report(): Uint8Array[] {
    return this.#flags;
  }
}

/** Runs a flags job to the end on its executor, in slices, pausing, reporting and cancellable between them. */
export async function runArms(job: FlagsJob, opts: RunOptions = {}): Promise<Uint8Array[]> {
  const ex = opts.executor ?? SYNC;
  const slice = opts.slice ?? 500;
  for (;;) {
    if (opts.cancelled?.()) throw new Cancelled();
    const tasks = job.next({ parallelism: ex.parallelism, units: slice * ex.parallelism });
    if (!tasks.length) break;
    await runInOrder(
      tasks,
      (t, signal) => ex.run(t, signal),
      (k, r) => job.absorb(tasks[k]!, r),
      { window: ex.capacity },
    );
    opts.onProgress?.(job.done(), job.total);
    if (opts.pause) await opts.pause();
  }
  return job.report();
}

/** Flags (WAR | LETHAL | TALKS | LEAKED) of runs 0..runs-1 of a compiled document with seed `seed`. */
export async function runFlags(
  arm: FlagArm,
  seed: number,
  runs: number,
  opts: RunOptions = {},
): Promise<Uint8Array> {
  return (await runArms(new FlagsJob([arm], { seed, runs }), opts))[0]!;
}

/** Runs with `bit` set. */
export function count(flags: Uint8Array, bit: number): number {
  let k = 0;
  for (let i = 0; i < flags.length; i++) if ((flags[i]! & bit) !== 0) k++;
  return k;
}

/** Share of runs with `bit` set. */
export function share(flags: Uint8Array, bit: number): number {
  return flags.length ? count(flags, bit) / flags.length : 0;
}

export const sig = (x: number) => Number(x.toPrecision(6));

/** Share of runs with `bit` set, with its Wilson 95% interval. */
export function shareOf(flags: Uint8Array, bit: number): Proportion {
  const p = proportion(count(flags, bit), flags.length);
  return { p: sig(p.p), ci95: [sig(p.ci95[0]), sig(p.ci95[1])] };
}

/**
 * Where the talks happen, the run of `alt`; elsewhere the run of `base` (a change the talks bring about
 * takes effect only when they take place; `held` is the venue's flags on the same runs).
 */
export function whereHeld(base: Uint8Array, alt: Uint8Array, held: Uint8Array): Uint8Array {
  const n = Math.min(base.length, alt.length, held.length);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (held[i]! & TALKS) !== 0 ? alt[i]! : base[i]!;
  return out;
}

/** The paired difference alt - base of the outcome `bit` over the same runs. */
export function pairedDelta(base: Uint8Array, alt: Uint8Array, bit: number): PairedDelta {
  if (base.length !== alt.length) throw new Error('paired arms must have the same runs');
  let a = 0;
  let b = 0;
  let c = 0;
  for (let i = 0; i < base.length; i++) {
    const x = (base[i]! & bit) !== 0;
    const y = (alt[i]! & bit) !== 0;
    if (x && y) a++;
    else if (x) b++;
    else if (y) c++;
  }
  const n = base.length;
  const d = n - a - b - c;
  const [lo, hi] = pairedDifferenceCi(a, b, c, d);
  const level = (k: number) => proportion(k, n).ci95.map(sig) as [number, number];
  return {
    base: sig((a + b) / n),
    alt: sig((a + c) / n),
    d: sig((c - b) / n),
    ci95: [sig(lo), sig(hi)],
    baseCi95: level(a + b),
    altCi95: level(a + c),
    baseOnly: b,
    altOnly: c,
  };
}

/** Whether a difference's interval excludes 0. */
export const clear = (d: PairedDelta) => d.ci95[1] < 0 || d.ci95[0] > 0;

/** 1.96: the normal quantile of a two-sided 95% interval. */
const Z = 1.959963984540054;

/**
 * Runs per arm so that the 95% interval of a paired difference is at most ±`halfWidth` wide, from the
 * variance of the run-by-run differences observed so far (each is -1, 0 or +1): n = (z / h)^2 var.
 */
export function runsFor(base: Uint8Array, alt: Uint8Array, bit: number, halfWidth: number): number {
  const n = Math.min(base.length, alt.length);
  if (n === 0) return 0;
  let b = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const x = (base[i]! & bit) !== 0;
    const y = (alt[i]! & bit) !== 0;
    if (x && !y) b++;
    else if (y && !x) c++;
  }
  const mean = (c - b) / n;
  const variance = (b + c) / n - mean * mean;
  return Math.ceil((Z / halfWidth) ** 2 * variance);
}
