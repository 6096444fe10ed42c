// The workbench's jobs computed by `brink worker` processes (BRINK_JOBS=redis://…), with a real
// redis-server and two real workers: the same reports as jobs on the server's threads, through a worker
// killed mid-job and a server killed mid-job (resumed), and clear refusals of a bad BRINK_JOBS.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { brinkProcess, freePort, type Proc, quickWorker, type RedisServer, startRedis } from '../services.ts';
import { killChildren, stopChild } from './child-server.ts';
import { assertRunReport, crashMidComparison, crashMidRun, ownerOn } from './crash-cases.ts';

const dir = mkdtempSync(join(tmpdir(), 'brink-jobs-queue-'));
const STACK = /^\s+at |Unhandled error/m;
let redis: RedisServer;
let env: Record<string, string>;
const workers: Proc[] = [];

async function worker(): Promise<Proc> {
  const w = quickWorker(redis.url);
  workers.push(w);
  await w.waitFor(/serving queue/);
  return w;
}

before(async () => {
  redis = await startRedis();
  env = { BRINK_JOBS: redis.url };
  await Promise.all([worker(), worker()]);
});

after(async () => {
  await killChildren();
  for (const w of workers) w.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a run whose worker is killed mid-job finishes on the other worker with the report of a run on threads', async () => {
  const o = await ownerOn(join(dir, 'kill-worker'), env, 'korea-test-failure.yaml');
  await o.server.waitFor(
    /Jobs are computed by `brink worker` processes on redis:\/\/127\.0\.0\.1:\d+ \(2 of engine/,
  );
  const health = await o.h.req('GET', '/api/health');
  assert.equal(health.body.queue.jobs.computedOn, 'queue');
  const RUNS = 60_000;
  const start = await o.h.req('POST', `/api/workspaces/${o.ws}/runs`, {
    scenarioId: o.scenarioId,
    runs: RUNS,
    seed: 12,
  });
  assert.equal(start.status, 202);
  const url = `/api/workspaces/${o.ws}/runs/${start.body.id}`;
  // Once the first worker has finished a task, kill it in the middle of its next one.
  const w0 = workers[0]!;
  await w0.waitFor(/^shard \S+ done/);
  const inFlight = async (): Promise<string> => {
    for (let i = 0; i < 6000; i++) {
      const started = w0.lines.flatMap((l) => /^shard (\S+) start/.exec(l)?.[1] ?? []);
      const open = started.filter((id) => !w0.lines.includes(`shard ${id} done`));
      if (open.length) return open[open.length - 1]!;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`the first worker started no further task:\n${w0.lines.join('\n')}`);
  };
  const lost = await inFlight();
  assert.equal((await o.h.req('GET', url)).body.status, 'running');
  w0.kill('SIGKILL');
  await w0.exited;
  // Its task is taken up again by the other worker once its lock lapses.
  const esc = lost.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await workers[1]!.waitFor(new RegExp(`^shard ${esc} start \\(attempt [2-9]`), 60_000);
  const done = await o.h.poll(url, (r) => r.status === 'done' || r.status === 'failed', 180);
  assert.equal(done.status, 'done', done.error);
  assertRunReport(done.report, 'korea-test-failure.yaml', 12, RUNS);
  assert.doesNotMatch(o.server.lines.join('\n'), STACK);
  await stopChild(o.server);
  // The rest of the tests have two workers again.
  await worker();
});

/** Tasks the live workers have finished so far. */
const tasksDone = () =>
  workers.reduce((n, w) => n + w.lines.filter((l) => /^shard \S+ done/.test(l)).length, 0);

test('brink serve with jobs on the queue killed mid-run: interrupted, resumed to the uninterrupted numbers', async () => {
  const before = tasksDone();
  // 200,000 runs in tasks of 5,000.
  await crashMidRun(join(dir, 'crash-run'), env);
  const n = tasksDone() - before;
  assert.ok(n >= 40, `the workers computed the run's 40 tasks (${n} done)`);
});

test('brink serve with jobs on the queue killed mid-comparison: resumed to the numbers of compare()', async () => {
  const before = tasksDone();
  await crashMidComparison(join(dir, 'crash-compare'), env);
  assert.ok(tasksDone() > before, `the workers computed the comparison (${tasksDone() - before} tasks)`);
});

test('a bad BRINK_JOBS stops brink serve with a one-line error that says what is valid', async () => {
  const run = (value: string) =>
    brinkProcess(['serve', '--port', '0', '--data', join(dir, 'bad')], { BRINK_JOBS: value });
  const wrong = run('http://127.0.0.1:6379');
  assert.notEqual(await wrong.exited, 0);
  assert.match(
    wrong.lines.join('\n'),
    /BRINK_JOBS is where jobs are computed: `threads` \(default\) or a Redis queue such as redis:\/\//,
  );
  const nowhere = run(`redis://127.0.0.1:${await freePort()}`);
  assert.notEqual(await nowhere.exited, 0);
  assert.match(
    nowhere.lines.join('\n'),
    /cannot start the workbench: cannot (open the queue on|reach) Redis at redis:\/\/127\.0\.0\.1:\d+/,
  );
  for (const p of [wrong, nowhere]) assert.doesNotMatch(p.lines.join('\n'), STACK);
});
