// The worker-thread entry of the thread executor (src/analysis/parallel.ts): a task in, its
// integer-count result out, computed by the kernel's one task function.
import { runTask, type Task, type TaskResult } from './kernel/task.ts';

export default function shardTask(task: Task): TaskResult<Task> {
  return runTask(task);
}
