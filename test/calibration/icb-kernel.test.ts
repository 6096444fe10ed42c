// `brink backtest --icb` on the analysis kernel: the held-out crises' forecasts are `classes` tasks, so
// the JSON is the same on this thread, on worker threads and on `brink worker` processes over a real
// Redis, and the same as before the forecasts moved onto the kernel (the sha256 of the JSON printed by
// main at 0039b55, before this change, for the same arguments).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { brink } from '../cli.ts';
import { type Proc, quickWorker, type RedisServer, startRedis } from '../services.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

async function icb(args: string[]): Promise<string> {
  const r = await brink(['backtest', '--icb', ...args, '--json']);
  assert.equal(r.code, 0, r.err);
  return r.out;
}

/** sha256 of `brink backtest --icb … --json` on main before the change (0039b55). */
const BEFORE = {
  time: '8e4ec441602937dac76e75d378245b1712910de5dd1fa88611ae964f04bc3562',
  folds: '641f157709d9ca34a28fe0e9ad38f14c54ad455c43ddfdc7512e0c14d75ed7e1',
};
const TIME = ['--runs', '200'];
const FOLDS = ['--folds', '5', '--runs', '100'];

let redis: RedisServer;
const workers: Proc[] = [];

before(async () => {
  redis = await startRedis();
  workers.push(quickWorker(redis.url), quickWorker(redis.url));
  await Promise.all(workers.map((w) => w.waitFor(/serving queue/)));
});

after(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await redis?.stop();
});

test('brink backtest --icb --json (time split, saved fit): the JSON of before, on 1 and 2 worker threads and on the queue', async () => {
  const one = await icb([...TIME, '--workers', '1']);
  assert.equal(sha(one), BEFORE.time, 'the JSON printed before the forecasts ran on the kernel');
  assert.equal(await icb([...TIME, '--workers', '2']), one, '2 worker threads');
  assert.equal(await icb([...TIME, '--queue', redis.url]), one, 'brink worker processes over Redis');
  const tasks = workers.reduce((n, w) => n + w.lines.filter((l) => /done/.test(l)).length, 0);
  assert.ok(tasks > 0, `the workers computed the forecasts (${tasks} tasks)`);
});

test('brink backtest --icb --folds 5 --json (saved fold fits): the JSON of before on 2 worker threads', async () => {
  assert.equal(sha(await icb([...FOLDS, '--workers', '2'])), BEFORE.folds);
});
