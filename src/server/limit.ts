// A small concurrency limit with a bounded waiting line: at most `slots` calls run at once, at most
// `maxWaiting` wait their turn in arrival order, and a call past that is refused with Busy (429 with
// Retry-After at the HTTP edge). Password hashing uses it: each argon2id hash holds 64 MiB, so a burst
// of sign-ins queues instead of taking a gigabyte (docs/decisions/0018-server-load.md).
import { Busy } from './pool.ts';

export interface LimitStats {
  slots: number;
  running: number;
  waiting: number;
  completed: number;
  refused: number;
}

export class Limiter {
  readonly slots: number;
  readonly maxWaiting: number;
  readonly #waiting: (() => void)[] = [];
  #running = 0;
  #completed = 0;
  #refused = 0;
  /** Mean call time (exponentially weighted), for Retry-After. */
  #meanMs = 250;

  constructor(slots: number, maxWaiting: number) {
    if (!Number.isSafeInteger(slots) || slots < 1) throw new RangeError(`slots must be >= 1: ${slots}`);
    this.slots = slots;
    this.maxWaiting = maxWaiting;
  }

  /** Runs `fn` when a slot is free (now, or after the calls ahead of it); throws Busy when the line is full. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#running >= this.slots) {
      if (this.#waiting.length >= this.maxWaiting) {
        this.#refused++;
        const ahead = this.#waiting.length + this.#running;
        const retry = Math.max(1, Math.min(60, Math.ceil((ahead * this.#meanMs) / this.slots / 1000)));
        throw new Busy('server', this.#waiting.length, this.maxWaiting, retry);
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else this.#running++;
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.#meanMs = 0.8 * this.#meanMs + 0.2 * (performance.now() - t0);
      this.#completed++;
      // The slot passes straight to the next in line (running stays counted).
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }

  stats(): LimitStats {
    return {
      slots: this.slots,
      running: this.#running,
      waiting: this.#waiting.length,
      completed: this.#completed,
      refused: this.#refused,
    };
  }
}
