// Worker entry when Brink runs from its TypeScript sources under tsx (tests, benchmarks): on Node 20
// tsx's loader does not reach worker threads, so register it here, then load the task. The compiled
// CLI (dist/) uses dist/analysis/shard-worker.js directly.
import { register } from 'tsx/esm/api';

register();
const { default: shardTask } = await import('./shard-worker.ts');
export default shardTask;
