// Paired comparisons on common random numbers: run i of every arm uses the keyed streams of (seed, i),
// so two arms differ only where their mechanisms differ, and the difference is estimated run by run.
// Interval: Newcombe's hybrid score interval for a difference of paired proportions (Newcombe 1998,
// Statistics in Medicine 17, method 10), shared with `brink compare` (src/analysis/stats.ts).

import { pairedDifferenceCi } from '../analysis/stats.ts';
import type { Model } from '../engine/model.ts';
import { Simulator } from '../engine/run.ts';
import type { PairedDelta } from './types.ts';

/** Bit set in a run's flags when its peak reached war or worse. */
export const WAR = 1;
/** Bit set when its peak reached the lethal rung or worse. */
export const LETHAL = 2;

export interface RunOptions {
  /** Called between slices so a server can keep answering (e.g. `() => new Promise(setImmediate)`). */
  pause?: () => Promise<void>;
  /** Runs done so far (within this arm), after each slice. */
  onProgress?: (done: number) => void;
  /** Stops early (throws) when it returns true. */
  cancelled?: () => boolean;
  /** Runs per slice (default 250). */
  slice?: number;
}

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/** Flags (WAR | LETHAL) of runs 0..runs-1 of a model with seed `seed`. */
export async function runFlags(
  m: Model,
  seed: number,
  runs: number,
  opts: RunOptions = {},
): Promise<Uint8Array> {
  const out = new Uint8Array(runs);
  const sim = new Simulator(m);
  const slice = opts.slice ?? 250;
  for (let from = 0; from < runs; from += slice) {
    if (opts.cancelled?.()) throw new Cancelled();
    const to = Math.min(runs, from + slice);
    for (let i = from; i < to; i++) {
      const r = sim.run(seed, i);
      out[i] = (r.peak >= m.warRung ? WAR : 0) | (r.peak >= m.lethalRung ? LETHAL : 0);
    }
    opts.onProgress?.(to);
    if (opts.pause && to < runs) await opts.pause();
  }
  return out;
}

/** Share of runs with `bit` set. */
export function share(flags: Uint8Array, bit: number): number {
  let k = 0;
  for (let i = 0; i < flags.length; i++) if ((flags[i]! & bit) !== 0) k++;
  return flags.length ? k / flags.length : 0;
}

const sig = (x: number) => Number(x.toPrecision(6));

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
  return {
    base: sig((a + b) / n),
    alt: sig((a + c) / n),
    d: sig((c - b) / n),
    ci95: [sig(lo), sig(hi)],
    baseOnly: b,
    altOnly: c,
  };
}
