import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ANALYSIS_KINDS } from '../../src/analyses.ts';
import { brink } from '../cli.ts';
import { brinkProcess, freePort, type Proc, quickWorker, type RedisServer, startRedis } from '../services.ts';

const FILE = 'scenarios/korea-intercept.yaml';
const COMMON = [FILE, '--runs', '48000', '--seed', '5', '--with', 'hotline', '--json'];

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

function startWorker(): Proc {
  const w = quickWorker(redis.url);
  workers.push(w);
  return w;
}

function withoutTiming(out: string): unknown {
  const j = JSON.parse(out) as Record<string, unknown>;
  delete j.timing;
  return j;
}

test('brink run --queue: two workers, one killed mid-shard with SIGKILL, give the numbers of a local run', async () => {
  const local = await brink(['run', ...COMMON, '--workers', '1']);
  assert.equal(local.code, 0, local.err);

  const a = startWorker();
  const b = startWorker();
  await Promise.all([a.waitFor(/serving queue/), b.waitFor(/serving queue/)]);
  const producer = brink(['run', ...COMMON, '--queue', redis.url, '--shard-size', '4000']);
  // Kill whichever worker starts a shard first, in the middle of that shard.
  const started = await Promise.race(
    [a, b].map((w) => w.waitFor(/^shard \S+ start/).then((line) => ({ w, line }))),
  );
  started.w.kill('SIGKILL');
  const shard = started.line.split(' ')[1]!;
  const survivor = started.w === a ? b : a;
  const dist = await producer;
  assert.equal(dist.code, 0, dist.err);
  assert.deepEqual(withoutTiming(dist.out), withoutTiming(local.out));
  const timing = JSON.parse(dist.out).timing as Record<string, number>;
  assert.equal(timing.shards, 12);
  assert.equal(timing.completed, 12);
  assert.ok((timing.retried ?? 0) >= 1, `a shard was redone: ${JSON.stringify(timing)}`);
  // The killed worker's shard was redone by the survivor, on a later attempt.
  assert.equal(await started.w.exited, null);
  assert.ok(!started.w.lines.includes(`shard ${shard} done`), 'the shard finished before the kill');
  await survivor.waitFor(new RegExp(`^shard ${shard} start \\(attempt [2-9]\\)`), 1000);
  await survivor.waitFor(new RegExp(`^shard ${shard} done`), 1000);

  // The same request again: every shard is already computed, nothing is counted twice.
  const again = await brink(['run', ...COMMON, '--queue', redis.url, '--shard-size', '4000']);
  assert.equal(again.code, 0, again.err);
  assert.deepEqual(withoutTiming(again.out), withoutTiming(local.out));
  assert.equal(JSON.parse(again.out).timing.reused, 12);
});

// Every analysis of the registry (src/analyses.ts) over the queue: a kind added there without a case here
// fails the first assertion.
test('every analysis of the registry --queue (compare, sweep, sensitivity, break-even, rare event, both backtests): two workers give exactly the JSON of a local run', async () => {
  const compare = [
    'compare',
    FILE,
    '--with',
    'hotline',
    '--with',
    'eu-hosted-talks',
    '--runs',
    '6000',
    '--seed',
    '3',
    '--trace',
    '20',
    '--json',
  ];
  const sweep = [
    'sweep',
    FILE,
    '--with',
    'eu-hosted-talks',
    '--param',
    'talks.eu-hosted.leak.DPRK.p=0..0.3:3',
    '--runs',
    '1500',
    '--seed',
    '2',
    '--json',
  ];
  // Two stages: the Sobol design over the 2 of 3 parameters with the largest tornado swing.
  const sens = [
    'sensitivity',
    FILE,
    '--only',
    'actors.DPRK.perception.isr.air.detect',
    '--only',
    'actors.US.perception.isr.missile.detect',
    '--only',
    'actors.US.perception.misread["DPRK.irbm-test"]["DPRK.missile-attack"]',
    '--sobol-top',
    '2',
    '--tornado-runs',
    '600',
    '--samples',
    '3',
    '--runs',
    '60',
    '--bootstrap',
    '20',
    '--seed',
    '5',
    '--json',
  ];
  const breakeven = [
    'breakeven',
    FILE,
    '--with',
    'eu-hosted-talks',
    '--param',
    'talks.eu-hosted.leak.DPRK.p',
    '--range',
    '0..0.4',
    '--runs',
    '1500',
    '--grid',
    '3',
    '--bisect',
    '1',
    '--json',
  ];
  // The rare-event estimate of `brink run --estimator` (the registry's `rare`).
  const rare = [
    'run',
    'test/fixtures/valid/birth-death-ladder.yaml',
    '--estimator',
    'ams',
    '--particles',
    '200',
    '--replicates',
    '3',
    '--seed',
    '6',
    '--json',
  ];
  const backtest = [
    'backtest',
    'cases/pueblo-1968.yaml',
    'cases/cheonan-2010.yaml',
    '--runs',
    '400',
    '--json',
  ];
  // The backtest on ICB crises (the registry's `backtest-icb`): its forecasts' `classes` tasks.
  const icb = ['backtest', '--icb', '--runs', '30', '--json'];
  const cases = { compare, sweep, sensitivity: sens, breakeven, rare, backtest, 'backtest-icb': icb };
  assert.deepEqual(Object.keys(cases).sort(), [...ANALYSIS_KINDS].sort());
  const local = new Map<string, { code: number | null; out: string; err: string }>();
  for (const [kind, args] of Object.entries(cases)) {
    const r = await brink([...args, '--workers', '1']);
    assert.equal(r.code, 0, `${kind}: ${r.err}`);
    local.set(kind, r);
  }
  assert.equal(JSON.parse(local.get('sensitivity')!.out).sobol.screening.parameters.length, 2);
  const a = startWorker();
  const b = startWorker();
  await Promise.all([a.waitFor(/serving queue/), b.waitFor(/serving queue/)]);
  // Every worker of this file (one left by an earlier test may take a task too).
  const doneLines = () =>
    workers.reduce((n, w) => n + w.lines.filter((l) => /^shard \S+ done/.test(l)).length, 0);
  for (const [kind, args] of Object.entries(cases)) {
    const before = doneLines();
    const dist = await brink([...args, '--queue', redis.url]);
    assert.equal(dist.code, 0, `${kind}: ${dist.err}`);
    assert.deepEqual(
      withoutTiming(dist.out),
      withoutTiming(local.get(kind)!.out),
      `brink ${args[0]} (${kind})`,
    );
    // The workers computed its tasks (each line printed as a worker hands its result over, so read
    // within a moment of the command's end). A backtest's JSON has no timing: its lines say it all (its
    // two cases may share a task, computed once).
    for (let t = 0; t < 40 && doneLines() === before; t++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(doneLines() > before, `${kind}: no task on the workers`);
    const timing = JSON.parse(dist.out).timing as Record<string, number> | undefined;
    if (!kind.startsWith('backtest')) {
      // A rare-event estimate is one task (it cannot be cut); the others are several.
      assert.ok(timing && timing.tasks! >= (kind === 'rare' ? 1 : 2), `${kind}: ${JSON.stringify(timing)}`);
      assert.equal(timing.completed, timing.tasks, `${kind}: ${JSON.stringify(timing)}`);
    }
  }
  // Both workers took tasks (compare shards and design points).
  for (const w of [a, b])
    assert.ok(
      w.lines.some((l) => /^shard brink-[\d.]+-(compare|point)-\S+ done/.test(l)),
      w.lines.join('\n'),
    );
  a.kill('SIGTERM');
  b.kill('SIGTERM');
  await Promise.all([a.exited, b.exited]);
});

// Parameter draws (issue 16) are design-point tasks: the same JSON over the queue.
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
  const pair = [startWorker(), startWorker()];
  await Promise.all(pair.map((w) => w.waitFor(/serving queue/)));
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
  for (const w of pair)
    assert.ok(
      w.lines.some((l) => /^shard brink-[\d.]+-point-\S+ done/.test(l)),
      w.lines.join('\n'),
    );
  for (const w of pair) w.kill('SIGTERM');
  await Promise.all(pair.map((w) => w.exited));
});

test('brink sweep --queue: a scenario mistake at a design point is a one-line error, as on this machine', async () => {
  const w = startWorker();
  await w.waitFor(/serving queue/);
  const r = await brink([
    'sweep',
    FILE,
    '--with',
    'eu-hosted-talks',
    '--param',
    'talks.eu-hosted.leak.DPRK.p=0..2:5',
    '--runs',
    '200',
    '--queue',
    redis.url,
  ]);
  assert.equal(r.code, 1);
  assert.match(
    r.err,
    /^brink: with talks\.eu-hosted\.leak\.DPRK\.p=1\.5: a probability must lie in \[0, 1\]/m,
  );
  assert.doesNotMatch(r.err, /\n\s+at /);
  w.kill('SIGTERM');
  await w.exited;
});

test('brink worker: an unreachable Redis is a one-line error, exit code 1', async () => {
  const port = await freePort();
  const w = brinkProcess(['worker', '--queue', `redis://127.0.0.1:${port}`, '--workers', '1']);
  assert.equal(await w.exited, 1);
  const text = w.lines.join('\n');
  assert.match(text, /^brink: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/m);
  assert.doesNotMatch(text, /\n\s+at /);
});

test('brink run --queue: a malformed URL is an option error', async () => {
  const r = await brink(['run', FILE, '--queue', 'localhost:6379']);
  assert.equal(r.code, 2);
  assert.match(r.err, /expected a Redis URL/);
});
