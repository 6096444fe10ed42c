// The worker-thread task of the pool (src/analysis/parallel.ts): an ensemble shard, a compare shard or a
// design-point shard in, its integer-count result out (src/analysis/tasks.ts).
import { ENGINE_VERSION, type Model } from '../engine/model.ts';
import { Simulator } from '../engine/run.ts';
import { type CompareState, compareRange } from './compare.ts';
import type { Aggregate } from './ensemble.ts';
import { PointEvaluator } from './points.ts';
import { compileSource, runShard } from './shard.ts';
import type { PointTally, WorkerTask } from './tasks.ts';

const sims = new WeakMap<Model, Simulator>();
const points = new PointEvaluator();

function simOf(m: Model): Simulator {
  let s = sims.get(m);
  if (!s) {
    s = new Simulator(m);
    sims.set(m, s);
  }
  return s;
}

export default function shardTask(task: WorkerTask): Aggregate | CompareState | PointTally {
  if (!('kind' in task)) return runShard(task);
  if (task.engine !== ENGINE_VERSION)
    throw new Error(`this worker runs engine ${ENGINE_VERSION}, the task needs engine ${task.engine}`);
  if (task.kind === 'point') return points.run(task);
  const base = compileSource(task.base);
  const arms = task.arms.map(compileSource);
  return compareRange(
    base,
    arms,
    task.seed,
    task.start,
    task.count,
    task.traceRuns,
    [base, ...arms].map(simOf),
  );
}
