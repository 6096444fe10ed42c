// The worker-thread entry of the server's pool (src/server/pool.ts): one request's CPU work in, its
// result out (src/server/work-tasks.ts).
import { doWork, type WorkTask } from './work-tasks.ts';

export default function workTask(task: WorkTask): unknown {
  return doWork(task);
}
