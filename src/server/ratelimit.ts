// Fixed-window rate limits for invitation tokens: a few tries per key (an address, an account) per
// window, then 429 with Retry-After until the window ends. In memory, per server process: tokens are
// 256-bit random values, so this only keeps guessing quiet. Sign-in throttling is in the store
// (signin.ts).
import type { Context } from 'hono';
import { HttpError } from './http.ts';

export class RateLimiter {
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly hits = new Map<string, { count: number; until: number }>();

  constructor(opts: { limit: number; windowMs: number }) {
    this.limit = opts.limit;
    this.windowMs = opts.windowMs;
  }

  /** Counts a try for `key`; throws a 429 HttpError once the key used up its tries in this window. */
  hit(key: string, what: string, now = Date.now()): void {
    let h = this.hits.get(key);
    if (!h || h.until <= now) {
      h = { count: 0, until: now + this.windowMs };
      this.hits.set(key, h);
    }
    h.count++;
    if (h.count > this.limit) throw limited(what, h.until, now);
    if (this.hits.size > 10_000) for (const [k, v] of this.hits) if (v.until <= now) this.hits.delete(k);
  }

  /** Throws the 429 if `key` has used up its tries in this window, without counting a try. */
  check(key: string, what: string, now = Date.now()): void {
    const h = this.hits.get(key);
    if (h && h.until > now && h.count >= this.limit) throw limited(what, h.until, now);
  }

  /** Forgets a key (after a successful sign-in). */
  reset(key: string): void {
    this.hits.delete(key);
  }
}

const limiters = new WeakMap<object, Map<string, RateLimiter>>();

/** The limiter named `name` of one server (keyed by its services object). */
export function limiter(owner: object, name: string, opts: { limit: number; windowMs: number }): RateLimiter {
  let m = limiters.get(owner);
  if (!m) {
    m = new Map();
    limiters.set(owner, m);
  }
  let l = m.get(name);
  if (!l) {
    l = new RateLimiter(opts);
    m.set(name, l);
  }
  return l;
}

/** Counts a try (or with `check`, only checks) and, when refused, sets Retry-After before the 429 goes out. */
export function countTry(c: Context, l: RateLimiter, key: string, what: string, check = false): void {
  try {
    if (check) l.check(key, what);
    else l.hit(key, what);
  } catch (e) {
    if (e instanceof HttpError)
      c.header('retry-after', String((e.details as { retryAfter: number }).retryAfter));
    throw e;
  }
}

/** Invitation tokens tried in a join: 10 per address and 5 per account per 15 minutes. */
export const SIGN_IN = {
  perAddress: { limit: 10, windowMs: 15 * 60_000 },
  perAccount: { limit: 5, windowMs: 15 * 60_000 },
};

/** The 429 of a key that has used up its tries until `until` (ms). */
function limited(what: string, until: number, now: number): HttpError {
  const wait = Math.ceil((until - now) / 1000);
  return new HttpError(
    429,
    'rate_limited',
    `too many ${what}: try again in ${Math.ceil(wait / 60)} minute(s)`,
    {
      retryAfter: wait,
    },
  );
}
