// Worker entry when the server runs from its TypeScript sources under tsx (tests): on Node 20 tsx's
// loader does not reach worker threads, so register it here, then load the task. The compiled server
// (dist/) uses dist/server/work-worker.js directly.
import { register } from 'tsx/esm/api';

register();
const { default: workTask } = await import('./work-worker.ts');
export default workTask;
