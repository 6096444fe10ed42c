// Distributed ensembles on BullMQ + Redis. A producer turns an ensemble into shard jobs named by
// (engine, scenario hash, seed, run range); workers on any machine compute them from the scenario
// document stored once in Redis and return integer-count aggregates; the producer merges them in shard
// order (src/analysis/parallel.ts), so the numbers are those of a local run. A worker that dies
// mid-shard loses its lock: BullMQ's stalled-job check puts the shard back in the queue and another
// worker computes it again. Results are keyed by shard id, so a second completion is ignored.
import { type Job, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { Aggregate } from '../analysis/ensemble.ts';
import {
  type ParallelOptions,
  runEnsembleParallel,
  ShardPool,
  type ShardRunner,
} from '../analysis/parallel.ts';
import { type ModelSource, type ShardTask, shardId } from '../analysis/shard.ts';
import { ENGINE_VERSION } from '../engine/model.ts';

export const QUEUE_NAME = 'brink-shards';
const DEFAULT_PREFIX = 'brink';
/** How long shard results and scenario documents stay in Redis. */
const KEEP_SECONDS = 7 * 24 * 3600;

/** What a shard job carries: the document itself is stored once under `scenarioKey(hash)`. */
export interface ShardJobData {
  hash: string;
  interventions: string[];
  seed: number;
  start: number;
  count: number;
  engine: string;
}

/** What a shard job returns. */
export interface ShardJobResult {
  aggregate: Aggregate;
  /** Which start of the job this was (1 = first; more after a stalled or failed attempt). */
  attempt: number;
  worker: string;
}

/** Redis cannot be reached, or answered something unexpected. */
export class QueueError extends Error {}

export interface QueueConnection {
  /** `redis://[[user]:password@]host:port[/db]` or `rediss://...` (TLS). */
  url: string;
  /** Prefix of every Redis key (default `brink`); producers and workers must agree. */
  prefix?: string;
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

function scenarioKey(prefix: string, hash: string): string {
  return `${prefix}:scenario:${hash}`;
}

function checkUrl(url: string): void {
  if (!/^rediss?:\/\//.test(url))
    throw new QueueError(`the queue must be a Redis URL such as redis://127.0.0.1:6379, got '${url}'`);
}

/** Connects to Redis once and fails fast with a clear message when it is not there. */
async function connect(url: string): Promise<Redis> {
  checkUrl(url);
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
    retryStrategy: () => null,
  });
  redis.on('error', () => {}); // reported by connect() below
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    redis.disconnect();
    throw new QueueError(
      `cannot reach Redis at ${redactUrl(url)}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  return redis;
}

function bullConnection(url: string) {
  return { url, maxRetriesPerRequest: null };
}

interface Waiter {
  resolve: (agg: Aggregate) => void;
  reject: (e: unknown) => void;
}

export interface ShardQueueStats {
  /** Shard results received. */
  completed: number;
  /** Completions of a shard already received (ignored). */
  duplicatesIgnored: number;
  /** Shards whose result came from an attempt after the first (a worker died or failed). */
  retried: number;
  /** Shards already computed by an earlier identical request (results reused). */
  reused: number;
}

/**
 * The producer side: a ShardRunner whose shards are computed by `brink worker` processes on any
 * machine. Several ensembles (a sweep's points) may share one client at the same time.
 */
export class ShardQueueClient implements ShardRunner {
  readonly capacity: number;
  readonly stats: ShardQueueStats = { completed: 0, duplicatesIgnored: 0, retried: 0, reused: 0 };
  readonly #redis: Redis;
  readonly #queue: Queue<ShardJobData, ShardJobResult>;
  readonly #events: QueueEvents;
  readonly #prefix: string;
  readonly #waiters = new Map<string, Waiter>();
  readonly #stored = new Set<string>();
  readonly #done = new Set<string>();
  #poll: ReturnType<typeof setInterval> | undefined;

  private constructor(redis: Redis, conn: QueueConnection, capacity: number) {
    this.#redis = redis;
    this.#prefix = conn.prefix ?? DEFAULT_PREFIX;
    this.capacity = capacity;
    const connection = bullConnection(conn.url);
    this.#queue = new Queue<ShardJobData, ShardJobResult>(QUEUE_NAME, { connection, prefix: this.#prefix });
    this.#events = new QueueEvents(QUEUE_NAME, { connection, prefix: this.#prefix });
    // One listener for every shard (not one waitUntilFinished per job: stack-notes section 8).
    this.#events.on('completed', ({ jobId, returnvalue }) => {
      this.#complete(jobId, returnvalue as unknown as ShardJobResult | string);
    });
    this.#events.on('failed', ({ jobId }) => {
      void this.#check(jobId);
    });
  }

  /** Opens a client on the queue at `conn.url`; `capacity` bounds the shards queued at once per ensemble. */
  static async open(conn: QueueConnection, capacity = 256): Promise<ShardQueueClient> {
    const redis = await connect(conn.url);
    const c = new ShardQueueClient(redis, conn, capacity);
    await Promise.all([c.#queue.waitUntilReady(), c.#events.waitUntilReady()]);
    // Events can be missed (a reconnect, a trimmed event stream): look at unfinished shards now and then.
    c.#poll = setInterval(() => {
      for (const id of c.#waiters.keys()) void c.#check(id);
    }, 3000);
    return c;
  }

  /** Number of workers currently connected to the queue. */
  workers(): Promise<number> {
    return this.#queue.getWorkersCount();
  }

  async run(task: ShardTask): Promise<Aggregate> {
    const { source } = task;
    if (task.engine !== ENGINE_VERSION) throw new QueueError(`engine mismatch: ${task.engine}`);
    if (!this.#stored.has(source.hash)) {
      await this.#redis.set(scenarioKey(this.#prefix, source.hash), source.docJson, 'EX', KEEP_SECONDS);
      this.#stored.add(source.hash);
    }
    const id = shardId(source.hash, task.seed, task);
    if (this.#waiters.has(id)) throw new QueueError(`shard ${id} is already being computed`);
    const result = new Promise<Aggregate>((resolve, reject) => this.#waiters.set(id, { resolve, reject }));
    const data: ShardJobData = {
      hash: source.hash,
      interventions: source.interventions,
      seed: task.seed,
      start: task.start,
      count: task.count,
      engine: task.engine,
    };
    // Adding an id that exists does nothing: a shard computed before (same content, seed and range)
    // is reused, and a shard never runs twice because two producers asked for it.
    await this.#queue.add('shard', data, {
      jobId: id,
      attempts: 5,
      backoff: { type: 'fixed', delay: 1000 },
      removeOnComplete: { age: KEEP_SECONDS },
      removeOnFail: { age: KEEP_SECONDS },
    });
    const state = await this.#queue.getJobState(id);
    if (state === 'completed' || state === 'failed') await this.#check(id, true);
    return result;
  }

  #complete(id: string, value: ShardJobResult | string, reused = false): void {
    const w = this.#waiters.get(id);
    if (!w) {
      if (this.#done.has(id)) this.stats.duplicatesIgnored++;
      return;
    }
    this.#waiters.delete(id);
    this.#done.add(id);
    const r = (typeof value === 'string' ? JSON.parse(value) : value) as ShardJobResult;
    this.stats.completed++;
    if (r.attempt > 1) this.stats.retried++;
    if (reused) this.stats.reused++;
    w.resolve(r.aggregate);
  }

  /** Looks at a shard's job: delivers a result that an event did not bring, reports a final failure. */
  async #check(id: string, justAdded = false): Promise<void> {
    if (!this.#waiters.has(id)) return;
    const job = await this.#queue.getJob(id);
    if (!job || !this.#waiters.has(id)) return;
    if (job.finishedOn && job.returnvalue && !job.failedReason) {
      this.#complete(id, job.returnvalue, justAdded);
      return;
    }
    if (job.failedReason && job.finishedOn && job.attemptsMade >= (job.opts.attempts ?? 1)) {
      if (justAdded) {
        // A failure left over from an earlier request: try again.
        await (job as Job).retry('failed');
        return;
      }
      const w = this.#waiters.get(id)!;
      this.#waiters.delete(id);
      w.reject(new QueueError(`shard ${id} failed: ${job.failedReason}`));
    }
  }

  async close(): Promise<void> {
    if (this.#poll) clearInterval(this.#poll);
    for (const w of this.#waiters.values()) w.reject(new QueueError('the queue client was closed'));
    this.#waiters.clear();
    await Promise.allSettled([this.#events.close(), this.#queue.close()]);
    this.#redis.disconnect();
  }
}

export interface DistributedOptions
  extends Omit<ParallelOptions, 'pool' | 'runner' | 'workers'>,
    QueueConnection {
  /** Called once if no worker is connected when the ensemble starts. */
  onNoWorkers?: () => void;
}

/** Runs an ensemble on the workers of a queue; the same numbers as `runEnsembleParallel` on this machine. */
export async function runEnsembleDistributed(
  source: ModelSource,
  opts: DistributedOptions,
): Promise<{ aggregate: Aggregate; stats: ShardQueueStats; shards: number }> {
  const client = await ShardQueueClient.open(opts);
  try {
    if (opts.onNoWorkers && (await client.workers()) === 0) opts.onNoWorkers();
    let shards = 0;
    const aggregate = await runEnsembleParallel(source, {
      ...opts,
      runner: {
        capacity: client.capacity,
        run: (task) => {
          shards++;
          return client.run(task);
        },
      },
    });
    return { aggregate, stats: { ...client.stats }, shards };
  } finally {
    await client.close();
  }
}

export interface ServeOptions extends QueueConnection {
  /** Worker threads on this machine (shards computed at once). */
  workers: number;
  /** Lock of a shard being computed; a worker silent for this long is taken for dead (ms). */
  lockDuration?: number;
  /** How often this worker looks for shards whose worker died (ms). */
  stalledInterval?: number;
  /** Log lines (a shard started, finished). */
  log?: (line: string) => void;
  /** A name for this worker in logs and results. */
  name?: string;
}

export interface ShardServer {
  /**
   * Stops taking shards, finishes those in hand, and closes the pool and connections. With `force`,
   * drops the shards in hand at once (their locks expire and other workers redo them).
   */
  close(force?: boolean): Promise<void>;
}

/** Serves shards from a queue until closed: the `brink worker` use case. */
export async function serveShards(opts: ServeOptions): Promise<ShardServer> {
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const redis = await connect(opts.url);
  const pool = new ShardPool(opts.workers);
  const docs = new Map<string, string>();
  const log = opts.log ?? (() => {});
  const name = opts.name ?? `pid ${process.pid}`;
  const worker = new Worker<ShardJobData, ShardJobResult>(
    QUEUE_NAME,
    async (job) => {
      const d = job.data;
      if (d.engine !== ENGINE_VERSION)
        throw new UnrecoverableError(
          `this worker runs engine ${ENGINE_VERSION}, the shard needs ${d.engine}`,
        );
      let docJson = docs.get(d.hash);
      if (docJson === undefined) {
        const stored = await redis.get(scenarioKey(prefix, d.hash));
        if (stored === null)
          throw new UnrecoverableError(
            `scenario ${d.hash.slice(0, 12)} is not in Redis (expired or another prefix)`,
          );
        docJson = stored;
        if (docs.size >= 16) docs.delete(docs.keys().next().value!);
        docs.set(d.hash, docJson);
      }
      log(`shard ${job.id} start (attempt ${job.attemptsStarted})`);
      const aggregate = await pool.run({
        source: { docJson, hash: d.hash, interventions: d.interventions },
        seed: d.seed,
        start: d.start,
        count: d.count,
        engine: d.engine,
      });
      log(`shard ${job.id} done`);
      return { aggregate, attempt: job.attemptsStarted, worker: name };
    },
    {
      connection: bullConnection(opts.url),
      prefix,
      concurrency: opts.workers,
      lockDuration: opts.lockDuration ?? 30_000,
      stalledInterval: opts.stalledInterval ?? 30_000,
      // A shard may be put back several times (several workers lost); its result is still counted once.
      maxStalledCount: 10,
    },
  );
  worker.on('failed', (job, err) => log(`shard ${job?.id ?? '?'} failed: ${err.message}`));
  worker.on('error', (err) => log(`worker error: ${err.message}`));
  await worker.waitUntilReady();
  return {
    async close(force = false) {
      await worker.close(force);
      if (force) await pool.destroy();
      else await pool.close();
      redis.disconnect();
    },
  };
}
