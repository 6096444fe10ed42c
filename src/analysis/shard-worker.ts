// The worker-thread task of the shard pool (src/analysis/parallel.ts): one shard in, its aggregate out.
import type { Aggregate } from './ensemble.ts';
import { runShard, type ShardTask } from './shard.ts';

export default function shardTask(task: ShardTask): Aggregate {
  return runShard(task);
}
