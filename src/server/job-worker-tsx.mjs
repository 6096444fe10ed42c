// Job thread entry when the server runs from its TypeScript sources under tsx (tests): on Node 20 tsx's
// loader does not reach worker threads, so register it here, then load the job worker. The compiled
// server (dist/) starts dist/server/job-worker.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./job-worker.ts');
