// Shards: an ensemble cut into run ranges that any thread, process or machine can compute from the same
// inputs (the validated scenario document, its hash, the seed and the range), returning integer-count
// aggregates that merge to exactly the numbers of a single-threaded run. Pure: runs in Node, worker
// threads and the browser.
import { ENGINE_VERSION, type Model } from '../engine/model.ts';
import { Simulator } from '../engine/run.ts';
import { compile } from '../scenario/compile.ts';
import { contentHash, type Prepared } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import { type Aggregate, emptyAggregate, record } from './ensemble.ts';

/**
 * What a worker needs to rebuild the model: the document that was compiled (merged, validated, with
 * interventions and overrides applied), serialised as JSON, its content hash, and the interventions'
 * names (labels only: the document already contains their effect).
 */
export interface ModelSource {
  docJson: string;
  hash: string;
  interventions: string[];
}

/** One unit of work: runs [start, start + count) of `seed`. */
export interface ShardTask {
  source: ModelSource;
  seed: number;
  start: number;
  count: number;
  /** The engine version the caller runs: a worker with another version refuses the task. */
  engine: string;
}

/** The model source of a prepared scenario (`prepare(...)` without errors). */
export function modelSourceOf(p: Prepared): ModelSource {
  if (!p.model || !p.doc || !p.hash) throw new Error('the scenario did not compile: nothing to run');
  return { docJson: JSON.stringify(p.doc), hash: p.hash, interventions: p.model.interventions };
}

const cache = new Map<string, Model>();
const CACHE_SIZE = 8;

/**
 * The model of a source, compiled once per (hash, interventions) in this thread. The document's hash
 * is checked, so a worker never runs content other than the one the caller named.
 */
export function compileSource(src: ModelSource): Model {
  const key = `${src.hash}|${src.interventions.join('+')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const doc = JSON.parse(src.docJson) as Scenario;
  const hash = contentHash(doc);
  if (hash !== src.hash) throw new Error(`scenario content does not match its hash ${src.hash.slice(0, 12)}`);
  const { model, diagnostics } = compile(doc, { hash, interventions: src.interventions });
  if (!model) {
    const first = diagnostics.find((d) => d.severity === 'error');
    throw new Error(`scenario ${hash.slice(0, 12)} does not compile: ${first?.message ?? 'unknown error'}`);
  }
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(key, model);
  return model;
}

const sims = new WeakMap<Model, Simulator>();

/** Computes one shard on this thread. */
export function runShard(task: ShardTask): Aggregate {
  if (task.engine !== ENGINE_VERSION)
    throw new Error(`this worker runs engine ${ENGINE_VERSION}, the task needs engine ${task.engine}`);
  const m = compileSource(task.source);
  let sim = sims.get(m);
  if (!sim) {
    sim = new Simulator(m);
    sims.set(m, sim);
  }
  const agg = emptyAggregate(m);
  const end = task.start + task.count;
  for (let run = task.start; run < end; run++) record(agg, sim.run(task.seed, run));
  return agg;
}

/** A run range of an ensemble. */
export interface RunRange {
  start: number;
  count: number;
}

/** Cuts [0, runs) into consecutive ranges of `size` runs (the last may be shorter). */
export function planShards(runs: number, size: number): RunRange[] {
  if (!Number.isSafeInteger(runs) || runs < 0) throw new RangeError(`runs must be a whole number: ${runs}`);
  if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`shard size must be > 0: ${size}`);
  const out: RunRange[] = [];
  for (let start = 0; start < runs; start += size) out.push({ start, count: Math.min(size, runs - start) });
  return out;
}

/**
 * A shard size that keeps every worker busy (about 8 shards per worker, for balance and progress)
 * without tiny shards (overhead) or huge ones (coarse progress, long retries after a lost worker).
 * The numbers never depend on it: runs are keyed by index.
 */
export function defaultShardSize(runs: number, workers: number): number {
  const target = Math.ceil(runs / Math.max(1, workers * 8));
  return Math.max(5000, Math.min(50_000, target));
}

/** A stable name of a shard: the same inputs give the same id on any machine. */
export function shardId(hash: string, seed: number, range: RunRange, engine = ENGINE_VERSION): string {
  return `brink-${engine}-${hash.slice(0, 16)}-${seed}-${range.start}-${range.count}`;
}
