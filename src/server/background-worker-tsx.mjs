// Background thread entry when the server runs from its TypeScript sources under tsx (tests): on Node 20
// tsx's loader does not reach worker threads, so register it here, then load the worker. The compiled
// server (dist/) starts dist/server/background-worker.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./background-worker.ts');
