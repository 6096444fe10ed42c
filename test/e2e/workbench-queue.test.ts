// The workbench's end-to-end tests (workbench.test.ts) again, with its jobs (the run, the comparison,
// the sensitivity analysis, the backtest of a library) computed by two real `brink worker` processes
// over a real redis-server (BRINK_JOBS; docs/workbench.md, "Jobs on a queue").
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { brinkProcess, type Proc, startRedis } from '../services.ts';

const redis = await startRedis();
const workers: Proc[] = [0, 1].map(() => brinkProcess(['worker', '--queue', redis.url, '--workers', '1']));
await Promise.all(workers.map((w) => w.waitFor(/serving queue/)));
process.env.BRINK_E2E_JOBS = redis.url;

after(async () => {
  const done = workers.reduce((n, w) => n + w.lines.filter((l) => /^shard \S+ done/.test(l)).length, 0);
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
  await redis.stop();
  assert.ok(done > 0, 'the workers computed the jobs');
});

await import('./workbench.test.ts');
