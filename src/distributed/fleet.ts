// Who serves the queue: the queue of each engine version and scenario format, and the heartbeat each
// `brink worker` writes to Redis so that producers and operators (`brink workers`) can see which
// workers are alive, which engine they run and what they compute.
import type { Redis } from 'ioredis';
import { ENGINE_VERSION } from '../engine/model.ts';
import { FORMAT_VERSION } from '../scenario/schema.ts';

export const DEFAULT_PREFIX = 'brink';

/**
 * The queue of one engine version and scenario format. A job is only ever seen by workers that can
 * compute it: during an upgrade, old and new workers serve different queues of the same Redis, and a
 * producer's shards wait for a worker of its own version instead of failing on another.
 */
export function queueName(engine: string = ENGINE_VERSION, format: number = FORMAT_VERSION): string {
  return `brink-engine-${engine}-format-${format}`;
}

/** How often a worker refreshes its heartbeat, and how long the key outlives a silent worker (ms). */
export const HEARTBEAT_MS = 5000;
export const HEARTBEAT_TTL_MS = 15_000;

/** What a worker says about itself in its heartbeat key (and on its health port). */
export interface WorkerStatus {
  /** Unique per process: host, pid and a random suffix. */
  id: string;
  name: string;
  host: string;
  pid: number;
  engine: string;
  format: number;
  queue: string;
  threads: number;
  /** When the worker started and when it last wrote this (ms since the epoch, its own clock). */
  startedAt: number;
  seenAt: number;
  /** The tasks in hand: job id and when it started. */
  running: { job: string; since: number }[];
  /** Tasks finished and failed since start. */
  done: number;
  failed: number;
  /** How long the worker has been without Redis (ms), or null when connected. */
  redisDownMs: number | null;
}

export function heartbeatKey(prefix: string, id: string): string {
  return `${prefix}:worker:${id}`;
}

export async function writeHeartbeat(redis: Redis, prefix: string, s: WorkerStatus): Promise<void> {
  await redis.set(heartbeatKey(prefix, s.id), JSON.stringify(s), 'PX', HEARTBEAT_TTL_MS);
}

export async function removeHeartbeat(redis: Redis, prefix: string, id: string): Promise<void> {
  await redis.del(heartbeatKey(prefix, id));
}

/** The workers whose heartbeat is alive, by engine and name. */
export async function listWorkers(redis: Redis, prefix: string): Promise<WorkerStatus[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', heartbeatKey(prefix, '*'), 'COUNT', 500);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const values = await redis.mget(...keys);
  const out: WorkerStatus[] = [];
  for (const v of values) {
    if (v === null) continue; // expired between SCAN and MGET
    try {
      out.push(JSON.parse(v) as WorkerStatus);
    } catch {
      // not ours: skip
    }
  }
  return out.sort((a, b) => a.engine.localeCompare(b.engine) || a.id.localeCompare(b.id));
}

/** A heartbeat's text for a terminal: whoever can write to Redis wrote it, so no control characters. */
export function printable(v: unknown): string {
  return [...String(v)].map((c) => (/\p{Cc}/u.test(c) ? '?' : c)).join('');
}

/** "2 workers run engine 0.9.0" for a producer that finds no worker of its own version. */
export function otherVersions(workers: WorkerStatus[], queue: string): string {
  const others = workers.filter((w) => w.queue !== queue);
  if (others.length === 0) return '';
  const versions = [
    ...new Set(others.map((w) => `engine ${printable(w.engine)} format ${printable(w.format)}`)),
  ].join(', ');
  return `; ${others.length} worker${others.length === 1 ? ' runs' : 's run'} another version (${versions})`;
}
