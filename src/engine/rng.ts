// Seeded randomness. xoshiro128** (Blackman & Vigna 2018) per keyed stream; each stream's 128-bit
// state is derived from (seed, run index, stream key) by SplitMix-style hashing, so a run's numbers do
// not depend on how runs are batched or on how many draws other streams consumed.

/** A stream of uniform draws in [0, 1). */
export type Random = () => number;

const U32 = 2 ** -32;

/** murmur3's 32-bit finaliser: a bijective avalanche mix. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Mixes two 32-bit words into one (order matters). */
export function mix2(a: number, b: number): number {
  return fmix32((fmix32(a ^ 0x9e3779b9) + Math.imul(b ^ 0x7f4a7c15, 0x2545f491)) >>> 0);
}

/** Advances a xoshiro128** state held in `s` at `o` and returns the next 32-bit output. */
export function xoshiroNext(s: Uint32Array, o: number): number {
  const s0 = s[o]!;
  const s1 = s[o + 1]!;
  const s2 = s[o + 2]!;
  const s3 = s[o + 3]!;
  const m = Math.imul(s1, 5);
  const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
  const t = (s1 << 9) >>> 0;
  const n2 = s2 ^ s0;
  const n3 = s3 ^ s1;
  s[o + 1] = s1 ^ n2;
  s[o] = s0 ^ n3;
  s[o + 2] = n2 ^ t;
  s[o + 3] = (n3 << 11) | (n3 >>> 21);
  return result;
}

/** Splits a seed (a non-negative integer up to 2^53) into two 32-bit words. */
export function seedWords(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new RangeError(`seed must be an integer in [0, 2^53): ${seed}`);
  return [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
}

/** The key of run `run` under a seed (both words): what every stream of the run is derived from. */
export function runKey(seedLo: number, seedHi: number, run: number): number {
  return mix2(mix2(seedLo, seedHi), mix2(run >>> 0, Math.floor(run / 2 ** 32) >>> 0));
}

/** Fills `s[o..o+3]` with the state of stream `key` of the run whose key is `rk` (see runKey). */
export function seedStreamOfRun(s: Uint32Array, o: number, rk: number, key: number): void {
  let x = mix2(rk, key);
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) >>> 0; // SplitMix32 increment
    s[o + i] = fmix32(x);
  }
  if ((s[o]! | s[o + 1]! | s[o + 2]! | s[o + 3]!) === 0) s[o] = 1; // the all-zero state is a fixed point
}

/** Fills `s[o..o+3]` with the state of stream `key` of run `run` under `seed`. */
export function seedStream(
  s: Uint32Array,
  o: number,
  seedLo: number,
  seedHi: number,
  run: number,
  key: number,
): void {
  seedStreamOfRun(s, o, runKey(seedLo, seedHi, run), key);
}

/**
 * A set of keyed streams for one run. Stream `k` draws from `state[4k..4k+3]`.
 * Streams are keyed by small integers assigned by the model (purpose x actor). A stream is seeded on
 * its first draw of the run (a run uses few of its streams); its numbers are the same as if every
 * stream had been seeded at `reset`, since each stream's state depends only on (seed, run, key).
 */
export class Streams {
  readonly count: number;
  readonly state: Uint32Array;
  readonly draws: Uint32Array;
  /** 1 where `state` holds the stream's state for the current run; 0 until its first draw. */
  readonly seeded: Uint8Array;
  #runKey = 0;
  constructor(count: number) {
    this.count = count;
    this.state = new Uint32Array(count * 4);
    this.draws = new Uint32Array(count);
    this.seeded = new Uint8Array(count);
  }
  /** Re-seeds every stream for (seed, run). */
  reset(seed: number, run: number): void {
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw new RangeError(`seed must be an integer in [0, 2^53): ${seed}`);
    this.#runKey = runKey(seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0, run);
    this.seeded.fill(0);
    this.draws.fill(0);
  }
  /**
   * Re-seeds every stream for a branch of a split run (adaptive multilevel splitting): fresh
   * randomness keyed by (seed, branch). Branch streams use keys with the top bit set, so they never
   * coincide with the streams of an ordinary run index.
   */
  branch(seed: number, branch: number): void {
    const [lo, hi] = seedWords(seed);
    for (let k = 0; k < this.count; k++)
      seedStream(this.state, k * 4, lo, hi, branch, (k | 0x80000000) >>> 0);
    this.seeded.fill(1); // every stream now holds its branch state: none is seeded again on first use
  }
  /** A uniform draw in [0, 1) from stream `k`. */
  uniform(k: number): number {
    if (this.seeded[k] === 0) {
      seedStreamOfRun(this.state, k * 4, this.#runKey, k);
      this.seeded[k] = 1;
    }
    this.draws[k]!++;
    return xoshiroNext(this.state, k * 4) * U32;
  }
  /**
   * Writes `n` uniform draws from stream `k` into `out[0..n)`: the same numbers as `n` calls of
   * `uniform(k)`, without boxing each one where the call is not inlined.
   */
  uniforms(k: number, out: Float64Array, n: number): void {
    if (this.seeded[k] === 0) {
      seedStreamOfRun(this.state, k * 4, this.#runKey, k);
      this.seeded[k] = 1;
    }
    this.draws[k]! += n;
    for (let i = 0; i < n; i++) out[i] = xoshiroNext(this.state, k * 4) * U32;
  }
  /** Seeds the streams not yet drawn from, so that `state` holds every stream's state. */
  seedAll(): void {
    for (let k = 0; k < this.count; k++) {
      if (this.seeded[k] === 0) {
        seedStreamOfRun(this.state, k * 4, this.#runKey, k);
        this.seeded[k] = 1;
      }
    }
  }
  /** A copy of the current state (for splitting). */
  snapshot(): { state: Uint32Array; draws: Uint32Array } {
    this.seedAll();
    return { state: this.state.slice(), draws: this.draws.slice() };
  }
  restore(snap: { state: Uint32Array; draws: Uint32Array }): void {
    this.state.set(snap.state);
    this.draws.set(snap.draws);
    this.seeded.fill(1);
  }
}

/** A single seeded stream as a function, for analysis code outside the engine loop (bootstrap, designs). */
export function randomStream(seed: number, key = 0, run = 0): Random {
  const s = new Uint32Array(4);
  const [lo, hi] = seedWords(seed);
  seedStream(s, 0, lo, hi, run, key);
  return () => xoshiroNext(s, 0) * U32;
}

/** Number of Bernoulli(p) trials up to and including the first success (>= 1), by inversion. */
export function geometric(u: number, p: number): number {
  if (p >= 1) return 1;
  if (p <= 0) return Number.POSITIVE_INFINITY;
  return Math.floor(Math.log1p(-u) / Math.log1p(-p)) + 1;
}
