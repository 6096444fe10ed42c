// Parameter draws over the Redis queue (issue 16): `brink run` and `brink compare --epistemic` on two
// `brink worker` processes give exactly the JSON of a run on this thread.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { brink } from '../cli.ts';
import { brinkProcess, type Proc, type RedisServer, startRedis } from '../services.ts';

const FILE = 'scenarios/korea-intercept.yaml';

let redis: RedisServer;
const workers: Proc[] = [];

before(async () => {
  redis = await startRedis();
});

after(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await redis?.stop();
});

function withoutTiming(out: string): unknown {
  const j = JSON.parse(out) as Record<string, unknown>;
  delete j.timing;
  return j;
}

test('brink run and compare --epistemic --queue: two workers give exactly the JSON of a local run', async () => {
  const run = ['run', FILE, '--runs', '1500', '--seed', '4', '--epistemic', '5', '--json'];
  const compare = [
    'compare',
    FILE,
    '--with',
    'eu-hosted-talks',
    '--runs',
    '1200',
    '--seed',
    '4',
    '--trace',
    '0',
    '--epistemic',
    '4',
    '--json',
  ];
  const locals = [await brink([...run, '--workers', '1']), await brink([...compare, '--workers', '1'])];
  for (const l of locals) assert.equal(l.code, 0, l.err);
  for (let i = 0; i < 2; i++) workers.push(brinkProcess(['worker', '--queue', redis.url, '--workers', '1']));
  await Promise.all(workers.map((w) => w.waitFor(/serving queue/)));
  for (const [args, local] of [
    [run, locals[0]!],
    [compare, locals[1]!],
  ] as const) {
    const dist = await brink([...args, '--queue', redis.url]);
    assert.equal(dist.code, 0, dist.err);
    assert.deepEqual(withoutTiming(dist.out), withoutTiming(local.out), `brink ${args[0]}`);
    assert.ok(JSON.parse(dist.out).epistemic || JSON.parse(dist.out).parameterDraws);
  }
  // Both workers computed parameter draws (design-point tasks).
  for (const w of workers)
    assert.ok(
      w.lines.some((l) => /^shard brink-[\d.]+-point-\S+ done/.test(l)),
      w.lines.join('\n'),
    );
});
