// The worker-thread task of the pool (src/analysis/parallel.ts): an ensemble shard, a compare shard or a
// design-point shard in, its integer-count result out.
import { ENGINE_VERSION } from '../engine/model.ts';
import { Simulator } from '../engine/run.ts';
import { compareRange } from './compare.ts';
import type { Aggregate } from './ensemble.ts';
import { runPointTask } from './points.ts';
import { compileSource, runShard } from './shard.ts';
import type { CompareTally, PointTally, WorkerTask } from './tasks.ts';

const sims = new WeakMap<object, Simulator>();

export default function shardTask(task: WorkerTask): Aggregate | CompareTally | PointTally {
  if (!('kind' in task)) return runShard(task);
  if (task.engine !== ENGINE_VERSION)
    throw new Error(`this worker runs engine ${ENGINE_VERSION}, the task needs engine ${task.engine}`);
  if (task.kind === 'point') return runPointTask(task);
  const base = compileSource(task.base);
  const arms = task.arms.map(compileSource);
  const simOf = (m: ReturnType<typeof compileSource>) => {
    let s = sims.get(m);
    if (!s) {
      s = new Simulator(m);
      sims.set(m, s);
    }
    return s;
  };
  return compareRange(base, arms, task.seed, task.start, task.count, task.keep, {
    base: simOf(base),
    arms: arms.map(simOf),
  });
}
