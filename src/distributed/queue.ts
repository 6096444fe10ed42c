// Distributed ensembles and analyses on BullMQ + Redis: the queue adapter of the executor port
// (src/analysis/kernel/executor.ts). A producer's range tasks (src/analysis/kernel/task.ts): ensemble shards named by (engine, scenario hash, seed, run range), compare
// shards and design-point shards named by a hash of their inputs; workers on any machine compute them
// from the scenario documents stored once in Redis and return integer counts; the producer merges
// them in task order, so the numbers are those of a local run. A worker that dies mid-task loses its
// lock: BullMQ's stalled-job check puts the task back in the queue and another worker computes it
// again. Results are keyed by task id, so a second completion is ignored.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { type Job, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Aggregate, shardId } from '../analysis/ensemble.ts';
import type { Executor } from '../analysis/kernel/executor.ts';
import type {
  ClassesTask,
  CompareTask,
  DocSource,
  EnsembleTask,
  ModelSource,
  PointSetting,
  PointTally,
  PointTask,
  RareTask,
  Task,
  TaskResult,
} from '../analysis/kernel/task.ts';
import { ThreadExecutor } from '../analysis/parallel.ts';
import { ENGINE_VERSION } from '../engine/model.ts';
import { FORMAT_VERSION } from '../scenario/schema.ts';
import {
  bullConnection,
  connect,
  fmtSeconds,
  isConnectionError,
  QueueError,
  RedisWatch,
  redactUrl,
} from './connection.ts';
import {
  DEFAULT_PREFIX,
  HEARTBEAT_MS,
  listWorkers,
  otherVersions,
  queueName,
  removeHeartbeat,
  type WorkerStatus,
  writeHeartbeat,
} from './fleet.ts';

export { QueueError, redactUrl } from './connection.ts';
export { listWorkers, printable, queueName, type WorkerStatus } from './fleet.ts';

/** The queue of this build's engine version and scenario format (see `queueName`). */
export const QUEUE_NAME = queueName();
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

/** A task other than an ensemble shard. */
type AnalysisTask = CompareTask | PointTask | RareTask | ClassesTask;

/** What a compare, design-point or rare-event job carries: the task with its documents replaced by their hashes. */
export type AnalysisJobData =
  | (Omit<CompareTask, 'base' | 'arms'> & { base: SourceRef; arms: SourceRef[] })
  | (Omit<PointTask, 'settings'> & { settings: SettingRef[] })
  | (Omit<RareTask, 'source'> & { source: SourceRef })
  | (Omit<ClassesTask, 'source'> & { source: SourceRef });

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
  const ref = ({ hash, interventions }: ModelSource): SourceRef => ({ hash, interventions });
  if (task.kind === 'rare' || task.kind === 'classes')
    return { data: { ...task, source: ref(task.source) } as AnalysisJobData, docs: [task.source] };
  if (task.kind === 'compare') {
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
  const src = async (r: SourceRef): Promise<ModelSource> => ({ ...r, docJson: await docJson(r.hash) });
  if (data.kind === 'rare' || data.kind === 'classes')
    return { ...data, source: await src(data.source) } as AnalysisTask;
  if (data.kind === 'compare') {
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
/** A worker's failure for want of a scenario document (Redis lost it): the producer stores it again. */
const MISSING_DOC = 'MissingDocument: ';
/** How often a producer stores the documents of one task again and retries it before giving up. */
const MAX_REQUEUES = 20;

/** How long a producer waits for an unreachable Redis before it gives up (ms), unless told otherwise. */
export const DEFAULT_QUEUE_TIMEOUT_MS = 120_000;

export interface QueueConnection {
  /** `redis://[[user]:password@]host:port[/db]` or `rediss://...` (TLS). */
  url: string;
  /** Prefix of every Redis key (default `brink`); producers and workers must agree. */
  prefix?: string;
}

/** A producer's connection: what it tells its user, and how long it waits for Redis. */
export interface ClientOptions extends QueueConnection {
  /** How long Redis may be unreachable before every task waited for fails (ms; default 120 s). */
  timeoutMs?: number;
  /** Lines for the user (no newline): Redis lost and back, tasks queued again, workers gone. */
  log?: (line: string) => void;
}

function scenarioKey(prefix: string, hash: string): string {
  return `${prefix}:scenario:${hash}`;
}

const JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'fixed', delay: 1000 },
  removeOnComplete: { age: KEEP_SECONDS },
  removeOnFail: { age: KEEP_SECONDS },
} as const;

interface Waiter {
  resolve: (r: ShardJobResult) => void;
  reject: (e: unknown) => void;
  data: QueueJobData;
  docs: DocSource[];
  /** The job is in Redis as far as this producer knows (it was added, and not found missing since). */
  added: boolean;
  /** An add is under way. */
  adding: boolean;
  /** Times the job was found missing (or without its documents) and queued again. */
  requeued: number;
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
  /** Shards queued again because Redis had lost them (restarted without its data, flushed). */
  requeued: number;
}

/**
 * The producer side: an executor whose tasks are computed by `brink worker` processes
 * on any machine. Several analyses may share one client at the same time. The producer owns its
 * tasks: a task that vanished from Redis (a restart without persistence, FLUSHALL) is queued again
 * under the same id, and when Redis stays unreachable longer than `timeoutMs`, every task fails with
 * a QueueError that says so.
 */
export class ShardQueueClient implements Executor {
  readonly capacity: number;
  /** Workers assumed for sizing tasks (the fleet is not known in advance): half the window. */
  readonly parallelism: number;
  readonly stats: ShardQueueStats = {
    tasks: 0,
    completed: 0,
    duplicatesIgnored: 0,
    retried: 0,
    reused: 0,
    requeued: 0,
  };
  readonly #redis: Redis;
  readonly #url: string;
  readonly #queue: Queue<QueueJobData, ShardJobResult>;
  readonly #events: QueueEvents;
  readonly #prefix: string;
  readonly #log: (line: string) => void;
  readonly #watch: RedisWatch;
  readonly #waiters = new Map<string, Waiter>();
  readonly #stored = new Set<string>();
  readonly #done = new Set<string>();
  #poll: ReturnType<typeof setInterval> | undefined;
  #polling = false;
  /** Why every task fails from now on (Redis gone past the deadline), once it happened. */
  #failure: QueueError | undefined;
  #onFailure: (e: QueueError) => void = () => {};
  /** Workers of this engine version last seen on the queue (null before the first look). */
  #workersSeen: number | null = null;
  #workersGoneAt = 0;

  private constructor(redis: Redis, conn: ClientOptions, capacity: number) {
    this.#redis = redis;
    this.#url = conn.url;
    this.#prefix = conn.prefix ?? DEFAULT_PREFIX;
    this.#log = conn.log ?? (() => {});
    this.capacity = capacity;
    this.parallelism = Math.max(1, Math.floor(capacity / 2));
    const connection = bullConnection(conn.url);
    this.#queue = new Queue<QueueJobData, ShardJobResult>(QUEUE_NAME, { connection, prefix: this.#prefix });
    this.#events = new QueueEvents(QUEUE_NAME, { connection, prefix: this.#prefix });
    // Connection errors are the watch's to report (once, with the time waited); without these
    // listeners BullMQ prints each one as a raw stack.
    const onError = (e: Error) => {
      if (!isConnectionError(e)) this.#log(`queue error: ${e.message}`);
    };
    this.#queue.on('error', onError);
    this.#events.on('error', onError);
    // One listener for every shard (not one waitUntilFinished per job: stack-notes section 8).
    this.#events.on('completed', ({ jobId, returnvalue }) => {
      this.#complete(jobId, returnvalue as unknown as ShardJobResult | string);
    });
    this.#events.on('failed', ({ jobId }) => this.#checkSafe(jobId));
    const timeoutMs = conn.timeoutMs ?? DEFAULT_QUEUE_TIMEOUT_MS;
    this.#watch = new RedisWatch(redis, {
      url: conn.url,
      log: this.#log,
      timeoutMs,
      onTimeout: (down) =>
        this.#failAll(
          new QueueError(
            `Redis at ${redactUrl(conn.url)} has been unreachable for ${fmtSeconds(down)} (--queue-timeout); giving up. ` +
              'Shards already finished stay in Redis for 7 days if it kept its data: the same command reuses them.',
          ),
        ),
      onSilent: () => this.#dropConnections(true),
    });
    // Redis may have come back without its data: store the documents again before the next task.
    this.#watch.onBack = () => {
      this.#stored.clear();
      void this.#pollOnce();
    };
  }

  /** Opens a client on the queue at `conn.url`; `capacity` bounds the shards queued at once per ensemble. */
  static async open(conn: ClientOptions, capacity = 256): Promise<ShardQueueClient> {
    const redis = await connect(conn.url);
    const c = new ShardQueueClient(redis, conn, capacity);
    try {
      // Redis may go away right now: the deadline ends this wait too.
      await Promise.race([
        Promise.all([c.#queue.waitUntilReady(), c.#events.waitUntilReady()]),
        new Promise((_, reject) => {
          c.#onFailure = reject;
        }),
      ]);
    } catch (e) {
      await c.close();
      throw new QueueError(
        `cannot open the queue on Redis at ${redactUrl(conn.url)}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    // Events can be missed (a reconnect, a trimmed event stream) and jobs can vanish (a restart without
    // persistence, FLUSHALL): look at unfinished shards now and then.
    c.#poll = setInterval(() => void c.#pollOnce(), 3000);
    // The workers there now: the last one leaving before the first look is reported too.
    c.#workersSeen = await c.workers().catch(() => null);
    return c;
  }

  /** Number of workers of this engine version currently connected to the queue. */
  workers(): Promise<number> {
    return this.#queue.getWorkersCount();
  }

  /** Every live worker on this Redis (any engine version), from their heartbeats. */
  fleet(): Promise<WorkerStatus[]> {
    return listWorkers(this.#redis, this.#prefix);
  }

  /** "no worker for engine 1.0.0 ... is connected to URL" with the workers of other versions, if any. */
  async noWorkersMessage(): Promise<string> {
    const others = otherVersions(await this.fleet().catch(() => []), QUEUE_NAME);
    return `no worker for engine ${ENGINE_VERSION} (scenario format ${FORMAT_VERSION}) is connected to ${redactUrl(this.#url)}${others}; waiting (start \`brink worker\`)`;
  }

  /** Computes a task on the queue's workers. */
  run<T extends Task>(task: T): Promise<TaskResult<T>> {
    if (task.engine !== ENGINE_VERSION)
      return Promise.reject(new QueueError(`engine mismatch: ${task.engine}`));
    if (task.kind === 'ensemble') return this.#runShard(task) as Promise<TaskResult<T>>;
    return this.#runAnalysis(task as AnalysisTask) as Promise<TaskResult<T>>;
  }

  async #runShard(task: EnsembleTask): Promise<Aggregate> {
    const { source } = task;
    const data: ShardJobData = {
      hash: source.hash,
      interventions: source.interventions,
      seed: task.seed,
      start: task.start,
      count: task.count,
      engine: task.engine,
    };
    const r = await this.#submit(shardId(task), data, [source]);
    return r.aggregate!;
  }

  async #runAnalysis(task: AnalysisTask): Promise<unknown> {
    const { data, docs } = analysisJob(task);
    const r = await this.#submit(analysisJobId(data), data, docs);
    return decodeResult(task, r.result);
  }

  /** Queues the job (once per id) with its documents, and waits for its result. */
  #submit(id: string, data: QueueJobData, docs: DocSource[]): Promise<ShardJobResult> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#waiters.has(id)) return Promise.reject(new QueueError(`task ${id} is already being computed`));
    this.stats.tasks++;
    const result = new Promise<ShardJobResult>((resolve, reject) =>
      this.#waiters.set(id, { resolve, reject, data, docs, added: false, adding: false, requeued: 0 }),
    );
    // Not awaited here: while Redis is away the add waits, and the deadline must still end the wait.
    void this.#enqueue(id, true);
    return result;
  }

  /**
   * Stores the task's documents (once per Redis lifetime) and adds its job. Adding an id that exists
   * does nothing: a task computed before (same content, seed and range) is reused, a task never runs
   * twice because two producers asked for it, and queueing a vanished task again is safe.
   */
  async #enqueue(id: string, first: boolean): Promise<void> {
    const w = this.#waiters.get(id);
    if (!w || w.adding) return;
    w.adding = true;
    try {
      await this.#storeDocs(w.docs);
      await this.#queue.add(w.data.kind ?? 'shard', w.data, { jobId: id, ...JOB_OPTIONS });
      w.added = true;
      if (first) {
        const state = await this.#queue.getJobState(id);
        if (state === 'completed' || state === 'failed') await this.#check(id, true);
      }
    } catch (e) {
      // Redis away: the poll adds it again once Redis is back. Anything else is this task's failure.
      if (!isConnectionError(e)) this.#reject(id, e);
    } finally {
      w.adding = false;
    }
  }

  async #storeDocs(docs: DocSource[]): Promise<void> {
    for (const d of docs) {
      if (this.#stored.has(d.hash)) continue;
      await this.#redis.set(scenarioKey(this.#prefix, d.hash), d.docJson, 'EX', KEEP_SECONDS);
      this.#stored.add(d.hash);
    }
  }

  #reject(id: string, e: unknown): void {
    const w = this.#waiters.get(id);
    if (!w) return;
    this.#waiters.delete(id);
    w.reject(e instanceof QueueError || e instanceof RangeError ? e : new QueueError(String(e)));
  }

  #failAll(e: QueueError): void {
    this.#failure = e;
    this.#onFailure(e);
    for (const id of [...this.#waiters.keys()]) this.#reject(id, e);
  }

  #complete(id: string, value: ShardJobResult | string, reused = false): void {
    // A result came through Redis: it is reachable, even if the watched connection has not said so yet.
    this.#watch.heard();
    // A worker delivered while we had said none was connected: say it is back now, not at the next
    // look (the run may end before it).
    if (this.#workersGoneAt > 0) this.#workersBack();
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

  /** One look at every task waited for, and at the workers; never two at once, none while Redis is away. */
  async #pollOnce(): Promise<void> {
    if (this.#polling || this.#failure || this.#watch.downMs !== null) return;
    this.#polling = true;
    try {
      const before = this.stats.requeued;
      const ids = [...this.#waiters.keys()];
      for (let i = 0; i < ids.length; i += 64)
        await Promise.all(ids.slice(i, i + 64).map((id) => this.#checkSafe(id)));
      const n = this.stats.requeued - before;
      if (n > 0)
        this.#log(
          `${n} shard${n === 1 ? ' was' : 's were'} no longer in Redis (restarted without its data, or flushed): queued again`,
        );
      await this.#lookAtWorkers();
    } catch (e) {
      if (!isConnectionError(e)) this.#log(`queue error: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.#polling = false;
    }
  }

  /** Says when the last worker of this version left while tasks wait, and when workers are back. */
  async #lookAtWorkers(): Promise<void> {
    if (this.#waiters.size === 0) return;
    const n = await this.workers();
    const seen = this.#workersSeen;
    this.#workersSeen = n;
    if (seen !== null && seen > 0 && n === 0) {
      this.#workersGoneAt = Date.now();
      this.#log(await this.noWorkersMessage());
    } else if (seen === 0 && n > 0 && this.#workersGoneAt > 0) {
      this.#workersBack(n);
    }
  }

  /** Says workers are back: `n` counted by a look, or none counted when a result just came in. */
  #workersBack(n?: number): void {
    const after = fmtSeconds(Date.now() - this.#workersGoneAt);
    this.#workersGoneAt = 0;
    this.#log(
      n === undefined
        ? `a worker connected again after ${after} (a shard came back)`
        : `${n} worker${n === 1 ? '' : 's'} connected again after ${after}`,
    );
  }

  #checkSafe(id: string): Promise<void> {
    return this.#check(id).catch((e) => {
      if (!isConnectionError(e)) this.#reject(id, e);
    });
  }

  /**
   * Looks at a shard's job: delivers a result that an event did not bring, queues again a job that
   * vanished or lost its documents, reports a final failure.
   */
  async #check(id: string, justAdded = false): Promise<void> {
    const w = this.#waiters.get(id);
    if (!w) return;
    if (!w.added) {
      // Never added (Redis was away), or found missing before: add it (again).
      await this.#enqueue(id, false);
      return;
    }
    const job = await this.#queue.getJob(id);
    if (!this.#waiters.has(id)) return;
    if (!job) {
      if (w.adding) return;
      // Redis lost it (restarted without persistence, FLUSHALL, eviction): its documents too, likely.
      w.added = false;
      w.requeued++;
      this.stats.requeued++;
      this.#stored.clear();
      await this.#enqueue(id, false);
      return;
    }
    if (job.finishedOn && job.returnvalue && !job.failedReason) {
      this.#complete(id, job.returnvalue, justAdded);
      return;
    }
    // 'failed' is final: a job to be retried waits in 'delayed' or 'wait' (an unrecoverable failure
    // ends before its attempts are used up).
    if (job.failedReason && job.finishedOn && (await job.getState()) === 'failed') {
      if (job.failedReason.startsWith(MISSING_DOC) && w.requeued < MAX_REQUEUES) {
        // A worker found no document: Redis lost it. Store it again and retry.
        w.requeued++;
        this.stats.requeued++;
        this.#stored.clear();
        await this.#storeDocs(w.docs);
        await (job as Job).retry('failed');
        return;
      }
      if (justAdded && !job.failedReason.startsWith(SCENARIO_ERROR)) {
        // A failure left over from an earlier request: try again.
        await (job as Job).retry('failed');
        return;
      }
      this.#waiters.delete(id);
      // A scenario mistake reads as it does on this machine.
      if (job.failedReason.startsWith(SCENARIO_ERROR))
        w.reject(new RangeError(job.failedReason.slice(SCENARIO_ERROR.length)));
      else w.reject(new QueueError(`task ${id} failed: ${job.failedReason}`));
    }
  }

  /** Closes BullMQ's connections at once, to reconnect them (a silent socket) or for good. */
  #dropConnections(reconnect: boolean): void {
    for (const b of [this.#queue.getBackend(), this.#events.getBackend()])
      for (const c of [b.client, b.blockingClient])
        c?.then((r) => (r as unknown as Redis).disconnect(reconnect)).catch(() => {});
  }

  /**
   * Rejects the tasks still waited for and closes the connections; quickly when Redis is away (there
   * is nothing to say goodbye to).
   */
  async close(): Promise<void> {
    if (this.#poll) clearInterval(this.#poll);
    this.#watch.close();
    for (const w of this.#waiters.values())
      w.reject(this.#failure ?? new QueueError('the queue client was closed'));
    this.#waiters.clear();
    const reachable = this.#watch.downMs === null && !this.#failure;
    const closing = Promise.allSettled([this.#events.close(), this.#queue.close()]);
    // Redis away: BullMQ's close would wait for it; drop the connections (no reconnect) instead.
    if (!reachable || (await withTimeout(closing, 5000)) === undefined) this.#dropConnections(false);
    this.#redis.disconnect();
  }
}

/** `p`, or nothing after `ms`. */
async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface ServeOptions extends QueueConnection {
  /** Worker threads on this machine (shards computed at once). */
  workers: number;
  /** Lock of a shard being computed; a worker silent for this long is taken for dead (ms). */
  lockDuration?: number;
  /** How often this worker looks for shards whose worker died (ms). */
  stalledInterval?: number;
  /** Log lines (a shard started, finished; Redis lost and back). */
  log?: (line: string) => void;
  /** A name for this worker in logs and results. */
  name?: string;
  /**
   * The engine version whose queue this worker serves and announces (default: this build's). Only a
   * test of a mixed fleet sets it, to stand for a worker of another release: the jobs it would take
   * still run this build's engine, which refuses them.
   */
  engine?: string;
}

/** The defaults of `brink worker` (see docs/distributed.md, "Faults and timings"). */
export const DEFAULT_LOCK_DURATION_MS = 30_000;
export const DEFAULT_STALLED_INTERVAL_MS = 10_000;

export interface ShardServer {
  /** The queue served (one per engine version and scenario format). */
  readonly queue: string;
  /** What the worker's heartbeat says now: alive, engine, tasks in hand, Redis connection. */
  status(): WorkerStatus;
  /**
   * Stops taking shards, finishes those in hand, and closes the pool and connections. With `force`,
   * drops the shards in hand at once (their locks expire and other workers redo them).
   */
  close(force?: boolean): Promise<void>;
}

/** Serves shards from a queue until closed: the `brink worker` use case. */
export async function serveShards(opts: ServeOptions): Promise<ShardServer> {
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const engine = opts.engine ?? ENGINE_VERSION;
  const queue = queueName(engine);
  const redis = await connect(opts.url);
  const log = opts.log ?? (() => {});
  const watch = new RedisWatch(redis, { url: opts.url, log });
  const pool = new ThreadExecutor(opts.workers);
  const docs = new Map<string, string>();
  const name = opts.name ?? `pid ${process.pid}`;
  const running = new Map<string, number>();
  const counts = { done: 0, failed: 0 };
  const startedAt = Date.now();
  const id = `${hostname()}:${process.pid}:${createHash('sha256').update(`${Math.random()}${startedAt}`).digest('hex').slice(0, 6)}`;
  const docJson = async (hash: string): Promise<string> => {
    let json = docs.get(hash);
    if (json === undefined) {
      const stored = await redis.get(scenarioKey(prefix, hash));
      if (stored === null)
        throw new UnrecoverableError(
          `${MISSING_DOC}scenario ${hash.slice(0, 12)} is not in Redis (expired, flushed, or another prefix)`,
        );
      json = stored;
      if (docs.size >= 16) docs.delete(docs.keys().next().value!);
      docs.set(hash, json);
    }
    return json;
  };
  const worker = new Worker<QueueJobData, ShardJobResult>(
    queue,
    async (job) => {
      const d = job.data;
      if (d.engine !== engine)
        throw new UnrecoverableError(`this worker runs engine ${engine}, the shard needs ${d.engine}`);
      log(`shard ${job.id} start (attempt ${job.attemptsStarted})`);
      running.set(job.id!, Date.now());
      try {
        let out: Pick<ShardJobResult, 'aggregate' | 'result'>;
        if (d.kind === undefined) {
          const aggregate = await pool.run({
            kind: 'ensemble',
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
            out = { result: encodeResult(task, await pool.run(task)) };
          } catch (e) {
            // A design point that does not compile fails the same on every worker: not retried.
            if (e instanceof RangeError) throw new UnrecoverableError(`${SCENARIO_ERROR}${e.message}`);
            throw e;
          }
        }
        log(`shard ${job.id} done`);
        counts.done++;
        return { ...out, attempt: job.attemptsStarted, worker: name };
      } catch (e) {
        counts.failed++;
        throw e;
      } finally {
        running.delete(job.id!);
      }
    },
    {
      connection: bullConnection(opts.url),
      prefix,
      concurrency: opts.workers,
      lockDuration: opts.lockDuration ?? DEFAULT_LOCK_DURATION_MS,
      stalledInterval: opts.stalledInterval ?? DEFAULT_STALLED_INTERVAL_MS,
      // A shard may be put back several times (several workers lost); its result is still counted once.
      maxStalledCount: 10,
    },
  );
  worker.on('failed', (job, err) => log(`shard ${job?.id ?? '?'} failed: ${err.message}`));
  worker.on('error', (err) => {
    // Connection errors are the watch's to report, once per loss.
    if (isConnectionError(err)) return;
    const gone = /^Missing key for job (\S+)\./.exec(err.message);
    const lock = /^Missing lock for job (\S+)\./.exec(err.message);
    if (gone)
      log(
        `shard ${gone[1]}: its job is no longer in Redis (restarted without its data, or flushed); its producer queues it again`,
      );
    else if (lock)
      log(
        `shard ${lock[1]}: its lock is gone (Redis lost it, or this worker was taken for dead): this result is dropped, the shard is computed again`,
      );
    else log(`worker error: ${err.message}`);
  });
  watch.onBack = () => {
    void beat();
  };
  const status = (): WorkerStatus => ({
    id,
    name,
    host: hostname(),
    pid: process.pid,
    engine,
    format: FORMAT_VERSION,
    queue,
    threads: opts.workers,
    startedAt,
    seenAt: Date.now(),
    running: [...running].map(([job, since]) => ({ job, since })),
    done: counts.done,
    failed: counts.failed,
    redisDownMs: watch.downMs,
  });
  // The heartbeat: rewritten every few seconds, gone when the worker is (its key expires).
  const beat = () =>
    watch.downMs === null ? writeHeartbeat(redis, prefix, status()).catch(() => {}) : Promise.resolve();
  try {
    await worker.waitUntilReady();
    await beat();
  } catch (e) {
    watch.close();
    await worker.close(true).catch(() => {});
    await pool.destroy();
    redis.disconnect();
    throw new QueueError(
      `cannot serve the queue on Redis at ${redactUrl(opts.url)}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const heartbeat = setInterval(() => void beat(), HEARTBEAT_MS);
  return {
    queue,
    status,
    async close(force = false) {
      clearInterval(heartbeat);
      // Without Redis the results of the shards in hand cannot be delivered (nor can BullMQ say goodbye):
      // stop now; their locks expire and other workers redo them.
      const now = force || watch.downMs !== null;
      if (now && !force) log('Redis is unreachable: stopping now (the shards in hand are redone elsewhere)');
      if (!now) await withTimeout(removeHeartbeat(redis, prefix, id), 2000).catch(() => {});
      // A graceful close waits for the shards in hand, however long they take; a forced one not.
      if (now)
        await withTimeout(
          worker.close(true).catch(() => {}),
          5000,
        );
      else await worker.close();
      if (now) await pool.destroy();
      else await pool.close();
      watch.close();
      redis.disconnect();
    },
  };
}
