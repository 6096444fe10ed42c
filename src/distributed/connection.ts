// Redis connections that survive a Redis restart, and a watch that says when Redis is lost and back.
// Every connection a producer or a worker holds reconnects on its own (ioredis retries, at most two
// seconds apart), queues its commands while Redis is away, and has an 'error' listener: without one,
// ioredis and BullMQ print raw Node stacks (Error: connect ECONNREFUSED ... errno: -111) on stderr.
// The watch pings Redis so that a connection that is silently dead (a network partition: no reset,
// no close) is noticed too, reports loss and recovery once each with the time waited, and calls back
// when Redis has been away longer than a deadline.
import { Redis } from 'ioredis';

/** Redis cannot be reached, or answered something unexpected. */
export class QueueError extends Error {}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

export function checkUrl(url: string): void {
  if (!/^rediss?:\/\//.test(url))
    throw new QueueError(`the queue must be a Redis URL such as redis://127.0.0.1:6379, got '${url}'`);
}

/** Reconnect delays: 250 ms, 500 ms, ... then every 2 s, for ever (a deadline is the caller's business). */
export function retryDelay(times: number): number {
  return Math.min(250 * times, 2000);
}

/** A connection error (Redis away, restarting, unreachable), as opposed to a command's own failure. */
export function isConnectionError(e: unknown): boolean {
  const m = e instanceof Error ? `${(e as { code?: string }).code ?? ''} ${e.message}` : String(e);
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|Connection is closed|Stream isn't writeable|Socket closed unexpectedly|LOADING|connect ETIMEDOUT|Connection lost|no answer from Redis/i.test(
    m,
  );
}

/** The options of every connection BullMQ opens for us (queues, events, workers). */
export function bullConnection(url: string) {
  return { url, maxRetriesPerRequest: null, retryStrategy: retryDelay };
}

/**
 * Connects to Redis and fails fast with a clear message when it is not there (so that a mistyped URL
 * is an error at once); once connected, the connection reconnects for ever and its commands wait for
 * Redis to come back.
 */
export async function connect(url: string): Promise<Redis> {
  checkUrl(url);
  let connected = false;
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 5000,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => (connected ? retryDelay(times) : null),
  });
  let lastError: unknown;
  redis.on('error', (e) => {
    lastError = e; // reported by connect() below, then by a RedisWatch
  });
  try {
    await redis.connect();
    await redis.ping();
    connected = true;
  } catch (e) {
    redis.disconnect();
    const err = lastError ?? e;
    throw new QueueError(
      `cannot reach Redis at ${redactUrl(url)}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return redis;
}

export interface WatchOptions {
  url: string;
  /** One line without a newline ("lost the connection to Redis ..."). */
  log: (line: string) => void;
  /** How long Redis may be away before `onTimeout` (ms); none: wait for ever. */
  timeoutMs?: number;
  onTimeout?: (downMs: number) => void;
  /** Reconnects connections that a ping found dead (BullMQ's, beside the watched one). */
  onSilent?: () => void;
  /** How often to ping (ms), and how long a ping may take before the connection is taken for dead. */
  pingMs?: number;
  pingTimeoutMs?: number;
  /** The clock (ms). */
  now?: () => number;
}

/**
 * Watches one connection to Redis (all the others go to the same server): reports the loss once,
 * the recovery once with the time waited, and the deadline.
 */
export class RedisWatch {
  readonly #redis: Redis;
  readonly #opts: WatchOptions;
  readonly #now: () => number;
  #downSince: number | null = null;
  #timer: ReturnType<typeof setInterval>;
  #closed = false;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #pinging = false;
  /** Called (once per recovery) when Redis is back after a loss. */
  onBack: ((downMs: number) => void) | undefined;

  constructor(redis: Redis, opts: WatchOptions) {
    this.#redis = redis;
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    redis.on('error', (e: Error) => this.#lost(e.message));
    redis.on('close', () => this.#lost('connection closed'));
    redis.on('ready', () => this.#back());
    this.#timer = setInterval(() => void this.#tick(), opts.pingMs ?? 2000);
    this.#timer.unref();
  }

  /** How long Redis has been away (ms), or null when it is there. */
  get downMs(): number | null {
    return this.#downSince === null ? null : this.#now() - this.#downSince;
  }

  #lost(reason: string): void {
    if (this.#closed) return;
    if (this.#downSince !== null) return;
    this.#downSince = this.#now();
    const timeoutMs = this.#opts.timeoutMs;
    if (timeoutMs !== undefined)
      this.#deadline = setTimeout(() => {
        if (this.#closed || this.#downSince === null) return;
        this.#opts.onTimeout?.(this.#now() - this.#downSince);
      }, timeoutMs);
    const limit = this.#opts.timeoutMs !== undefined ? ` for up to ${fmtSeconds(this.#opts.timeoutMs)}` : '';
    this.#opts.log(
      `lost the connection to Redis at ${redactUrl(this.#opts.url)} (${reason}); reconnecting${limit}`,
    );
  }

  /** Another connection heard from Redis (an event arrived): it is back, whatever this one says yet. */
  heard(): void {
    this.#back();
  }

  #back(): void {
    if (this.#closed || this.#downSince === null) return;
    const down = this.#now() - this.#downSince;
    this.#downSince = null;
    clearTimeout(this.#deadline);
    this.#opts.log(`reconnected to Redis at ${redactUrl(this.#opts.url)} after ${fmtSeconds(down)}`);
    this.onBack?.(down);
  }

  async #tick(): Promise<void> {
    if (this.#closed) return;
    if (this.#downSince !== null || this.#pinging || this.#redis.status !== 'ready') return;
    // A partition leaves sockets open and silent: a ping that gets no answer is a lost connection.
    this.#pinging = true;
    const limit = this.#opts.pingTimeoutMs ?? 5000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const answered = await Promise.race([
      this.#redis.ping().then(
        () => true,
        () => true, // a failed ping is reported by the 'error'/'close' events
      ),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), limit);
      }),
    ]);
    clearTimeout(timer);
    this.#pinging = false;
    if (answered || this.#closed) return;
    this.#lost(`no answer from Redis for ${fmtSeconds(limit)}`);
    this.#redis.disconnect(true);
    this.#opts.onSilent?.();
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    clearTimeout(this.#deadline);
  }
}

/** 4.2 s, 120 s. */
export function fmtSeconds(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 ? Math.round(s) : Math.round(s * 10) / 10} s`;
}
