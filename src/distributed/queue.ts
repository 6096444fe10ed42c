// Distributed ensembles and analyses on BullMQ + Redis. A producer turns its work into range tasks
// (src/analysis/tasks.ts): ensemble shards named by (engine, scenario hash, seed, run range), compare
// shards and design-point shards named by a hash of their inputs; workers on any machine compute them
// from the scenario documents stored once in Redis and return integer counts; the producer merges
// them in task order, so the numbers are those of a local run. A worker that dies mid-task loses its
// lock: BullMQ's stalled-job check puts the task back in the queue and another worker computes it
// again. Results are keyed by task id, so a second completion is ignored.
import { createHash } from 'node:crypto';
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
import type {
  AnalysisTask,
  CompareTask,
  DocSource,
  PointSetting,
  PointTally,
  PointTask,
  TaskResult,
  TaskRunner,
} from '../analysis/tasks.ts';
import { ENGINE_VERSION } from '../engine/model.ts';

export const QUEUE_NAME = 'brink-shards';
const DEFAULT_PREFIX = 'brink';
/** How long shard results and scenario documents stay in Redis. */
const KEEP_SECONDS = 7 * 24 * 3600;

/**
 * What an ensemble shard job carries: the document itself is stored once under `scenarioKey(hash)`.
 * (No `kind`: the jobs of earlier producers look the same.)
 */
export interface ShardJobData {
  kind?: undefined;
  hash: string;
  interventions: string[];
  seed: number;
  start: number;
  count: number;
  engine: string;
}

/** A model or document named by its content hash (the JSON is in Redis). */
type SourceRef = Omit<ModelSource, 'docJson'>;
type SettingRef = Omit<PointSetting, 'doc'> & { doc: { hash: string } };

/** What a compare or design-point job carries: the task with its documents replaced by their hashes. */
export type AnalysisJobData =
  | (Omit<CompareTask, 'base' | 'arms'> & { base: SourceRef; arms: SourceRef[] })
  | (Omit<PointTask, 'settings'> & { settings: SettingRef[] });

export type QueueJobData = ShardJobData | AnalysisJobData;

/** A point tally as JSON: the per-run patterns as base64. */
interface PointTallyJson {
  counts: number[][];
  patterns: string[] | null;
}

/** What a job returns. */
export interface ShardJobResult {
  /** An ensemble shard's aggregate. */
  aggregate?: Aggregate;
  /** An analysis task's result (a point tally with its patterns as base64). */
  result?: unknown;
  /** Which start of the job this was (1 = first; more after a stalled or failed attempt). */
  attempt: number;
  worker: string;
}

/** An analysis task as job data, and the documents it names. */
function analysisJob(task: AnalysisTask): { data: AnalysisJobData; docs: DocSource[] } {
  if (task.kind === 'compare') {
    const ref = ({ hash, interventions }: ModelSource): SourceRef => ({ hash, interventions });
    return {
      data: { ...task, base: ref(task.base), arms: task.arms.map(ref) },
      docs: [task.base, ...task.arms],
    };
  }
  return {
    data: { ...task, settings: task.settings.map((s) => ({ ...s, doc: { hash: s.doc.hash } })) },
    docs: task.settings.map((s) => s.doc),
  };
}

/** The task of a job, its documents fetched by hash. */
async function taskOfJob(
  data: AnalysisJobData,
  docJson: (hash: string) => Promise<string>,
): Promise<AnalysisTask> {
  if (data.kind === 'compare') {
    const src = async (r: SourceRef): Promise<ModelSource> => ({ ...r, docJson: await docJson(r.hash) });
    return { ...data, base: await src(data.base), arms: await Promise.all(data.arms.map(src)) };
  }
  const settings = await Promise.all(
    data.settings.map(async (s) => ({ ...s, doc: { hash: s.doc.hash, docJson: await docJson(s.doc.hash) } })),
  );
  return { ...data, settings };
}

function encodeResult(task: AnalysisTask, r: unknown): unknown {
  if (task.kind !== 'point') return r;
  const t = r as PointTally;
  const json: PointTallyJson = {
    counts: t.counts,
    patterns: t.patterns
      ? t.patterns.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength).toString('base64'))
      : null,
  };
  return json;
}

function decodeResult(task: AnalysisTask, r: unknown): unknown {
  if (task.kind !== 'point') return r;
  const t = r as PointTallyJson;
  const tally: PointTally = {
    counts: t.counts,
    patterns: t.patterns ? t.patterns.map((b) => new Uint8Array(Buffer.from(b, 'base64'))) : null,
  };
  return tally;
}

/** The job id of an analysis task: a hash of everything it computes from (the same on any machine). */
function analysisJobId(data: AnalysisJobData): string {
  const h = createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 32);
  return `brink-${data.engine}-${data.kind}-${h}`;
}

/** A worker's failure that is the scenario's (a design point that does not compile): not retried. */
const SCENARIO_ERROR = 'RangeError: ';

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
  resolve: (r: ShardJobResult) => void;
  reject: (e: unknown) => void;
}

export interface ShardQueueStats {
  /** Tasks handed to the queue (ensemble shards, compare shards, design-point shards). */
  tasks: number;
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
 * The producer side: a ShardRunner and TaskRunner whose tasks are computed by `brink worker` processes
 * on any machine. Several analyses may share one client at the same time.
 */
export class ShardQueueClient implements ShardRunner, TaskRunner {
  readonly capacity: number;
  readonly stats: ShardQueueStats = { tasks: 0, completed: 0, duplicatesIgnored: 0, retried: 0, reused: 0 };
  readonly #redis: Redis;
  readonly #queue: Queue<QueueJobData, ShardJobResult>;
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
    this.#queue = new Queue<QueueJobData, ShardJobResult>(QUEUE_NAME, { connection, prefix: this.#prefix });
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
    const data: ShardJobData = {
      hash: source.hash,
      interventions: source.interventions,
      seed: task.seed,
      start: task.start,
      count: task.count,
      engine: task.engine,
    };
    const r = await this.#submit(shardId(source.hash, task.seed, task), data, [source]);
    return r.aggregate!;
  }

  async runTask<T extends AnalysisTask>(task: T): Promise<TaskResult<T>> {
    if (task.engine !== ENGINE_VERSION) throw new QueueError(`engine mismatch: ${task.engine}`);
    const { data, docs } = analysisJob(task);
    const r = await this.#submit(analysisJobId(data), data, docs);
    return decodeResult(task, r.result) as TaskResult<T>;
  }

  /** Stores the documents (once), queues the job (once per id) and waits for its result. */
  async #submit(id: string, data: QueueJobData, docs: DocSource[]): Promise<ShardJobResult> {
    for (const d of docs) {
      if (this.#stored.has(d.hash)) continue;
      await this.#redis.set(scenarioKey(this.#prefix, d.hash), d.docJson, 'EX', KEEP_SECONDS);
      this.#stored.add(d.hash);
    }
    if (this.#waiters.has(id)) throw new QueueError(`task ${id} is already being computed`);
    this.stats.tasks++;
    const result = new Promise<ShardJobResult>((resolve, reject) =>
      this.#waiters.set(id, { resolve, reject }),
    );
    // Adding an id that exists does nothing: a task computed before (same content, seed and range)
    // is reused, and a task never runs twice because two producers asked for it.
    await this.#queue.add(data.kind ?? 'shard', data, {
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
    w.resolve(r);
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
    // 'failed' is final: a job to be retried waits in 'delayed' or 'wait' (an unrecoverable failure
    // ends before its attempts are used up).
    if (job.failedReason && job.finishedOn && (await job.getState()) === 'failed') {
      if (justAdded && !job.failedReason.startsWith(SCENARIO_ERROR)) {
        // A failure left over from an earlier request: try again.
        await (job as Job).retry('failed');
        return;
      }
      const w = this.#waiters.get(id);
      if (!w) return;
      this.#waiters.delete(id);
      // A scenario mistake reads as it does on this machine.
      if (job.failedReason.startsWith(SCENARIO_ERROR))
        w.reject(new RangeError(job.failedReason.slice(SCENARIO_ERROR.length)));
      else w.reject(new QueueError(`task ${id} failed: ${job.failedReason}`));
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
  const docJson = async (hash: string): Promise<string> => {
    let json = docs.get(hash);
    if (json === undefined) {
      const stored = await redis.get(scenarioKey(prefix, hash));
      if (stored === null)
        throw new UnrecoverableError(
          `scenario ${hash.slice(0, 12)} is not in Redis (expired or another prefix)`,
        );
      json = stored;
      if (docs.size >= 16) docs.delete(docs.keys().next().value!);
      docs.set(hash, json);
    }
    return json;
  };
  const worker = new Worker<QueueJobData, ShardJobResult>(
    QUEUE_NAME,
    async (job) => {
      const d = job.data;
      if (d.engine !== ENGINE_VERSION)
        throw new UnrecoverableError(
          `this worker runs engine ${ENGINE_VERSION}, the shard needs ${d.engine}`,
        );
      log(`shard ${job.id} start (attempt ${job.attemptsStarted})`);
      let out: Pick<ShardJobResult, 'aggregate' | 'result'>;
      if (d.kind === undefined) {
        const aggregate = await pool.run({
          source: { docJson: await docJson(d.hash), hash: d.hash, interventions: d.interventions },
          seed: d.seed,
          start: d.start,
          count: d.count,
          engine: d.engine,
        });
        out = { aggregate };
      } else {
        const task = await taskOfJob(d, docJson);
        try {
          out = { result: encodeResult(task, await pool.runTask(task)) };
        } catch (e) {
          // A design point that does not compile fails the same on every worker: not retried.
          if (e instanceof RangeError) throw new UnrecoverableError(`${SCENARIO_ERROR}${e.message}`);
          throw e;
        }
      }
      log(`shard ${job.id} done`);
      return { ...out, attempt: job.attemptsStarted, worker: name };
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
