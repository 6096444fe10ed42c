// Faults an operator meets, with a real redis-server and real `brink worker` processes: Redis killed
// (SIGKILL) and restarted without its data or from its AOF, FLUSHALL mid-run, Redis gone for good, a
// worker of another engine version beside a correct one. Every outcome is the local run's JSON (outside
// `timing`) or a one-line `brink:` error within --queue-timeout; never a stack.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { serveShards } from '../../src/distributed/queue.ts';
import { ENGINE_VERSION } from '../../src/engine/model.ts';
import { FORMAT_VERSION } from '../../src/scenario/schema.ts';
import { brink } from '../cli.ts';
import { brinkProcess, freePort, type Proc, type RedisServer, startProxy, startRedis } from '../services.ts';

/** The engine version as a regular expression. */
const E = ENGINE_VERSION.replace(/\./g, '\\.');

const FILE = 'scenarios/korea-intercept.yaml';
// 30 shards of 2,000 runs: after the first shard is done, 29 are left (a second or more of work on
// two one-thread workers), so a fault that follows the first 'done' line lands mid-run.
const RUN = [FILE, '--runs', '60000', '--seed', '11', '--with', 'hotline', '--json'];
const QUEUED = ['--shard-size', '2000', '--queue-timeout', '60'];
const STACK = /^\s+at |errno:|Error: connect|Unhandled error/m;

const procs: Proc[] = [];
const servers: RedisServer[] = [];
let local: unknown;

before(async () => {
  const r = await brink(['run', ...RUN, '--workers', '1']);
  assert.equal(r.code, 0, r.err);
  local = withoutTiming(r.out);
});

after(async () => {
  for (const p of procs) p.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  for (const s of servers) await s.stop();
});

function withoutTiming(out: string): unknown {
  const j = JSON.parse(out) as Record<string, unknown>;
  delete j.timing;
  return j;
}

async function redisServer(opts: { aof?: boolean } = {}): Promise<RedisServer> {
  const s = await startRedis(opts);
  servers.push(s);
  return s;
}

function spawn(args: string[]): Proc {
  const p = brinkProcess(args);
  procs.push(p);
  return p;
}

/** Two one-thread workers with short locks (a dead worker's shard comes back within seconds). */
async function twoWorkers(url: string, extra: string[] = [], url2 = url): Promise<Proc[]> {
  const args = ['--workers', '1', '--lock-duration', '1500', '--stalled-interval', '500'];
  const ws = [
    spawn(['worker', '--queue', url, ...args, ...extra]),
    spawn(['worker', '--queue', url2, ...args]),
  ];
  await Promise.all(ws.map((w) => w.waitFor(/serving queue/)));
  return ws;
}

/** The producer as a process of its own (what its user sees on stderr, its exit code). */
function producer(url: string, extra: string[] = []): Proc {
  return spawn(['run', ...RUN, '--queue', url, ...QUEUED, ...extra]);
}

/** Waits until the workers finished a shard of the run: the fault then lands mid-run. */
function firstShardDone(ws: Proc[]): Promise<string> {
  return Promise.race(ws.map((w) => w.waitFor(/^shard \S+ done/)));
}

async function finishedLikeLocal(p: Proc): Promise<Record<string, number>> {
  const code = await p.exited;
  assert.equal(code, 0, p.lines.join('\n'));
  assert.deepEqual(withoutTiming(p.out), local);
  assert.doesNotMatch(p.errLines.join('\n'), STACK);
  return JSON.parse(p.out).timing as Record<string, number>;
}

function noStacks(ws: Proc[]): void {
  for (const w of ws) assert.doesNotMatch(w.lines.join('\n'), STACK, w.lines.join('\n'));
}

async function stopAll(ws: Proc[]): Promise<void> {
  for (const w of ws) w.kill('SIGTERM');
  await Promise.all(ws.map((w) => w.exited));
}

test('Redis killed (SIGKILL) mid-run and restarted empty: the run finishes with the local JSON, and the workers that lived through it compute new scenarios', async () => {
  const redis = await redisServer();
  const ws = await twoWorkers(redis.url);
  const p = producer(redis.url);
  await firstShardDone(ws);
  await redis.kill();
  await p.waitFor(
    /^brink: lost the connection to Redis at redis:\/\/127\.0\.0\.1:\d+ \(.+\); reconnecting for up to 60 s$/,
  );
  await redis.restart();
  const timing = await finishedLikeLocal(p);
  const err = p.errLines.join('\n');
  assert.match(err, /^brink: reconnected to Redis at \S+ after \d+(\.\d)? s$/m);
  assert.match(
    err,
    /^brink: \d+ shards? (was|were) no longer in Redis \(restarted without its data, or flushed\): queued again$/m,
  );
  assert.ok(timing.requeued! > 0, JSON.stringify(timing));
  assert.equal(timing.completed, 30);
  for (const w of ws) await w.waitFor(/^reconnected to Redis/, 10_000);

  // The workers that lived through the restart: a scenario they never saw (its document is only in
  // the new Redis), and a comparison (tasks of another kind).
  const fresh = ['run', 'scenarios/korea-test-failure.yaml', '--runs', '10000', '--seed', '4', '--json'];
  const [l, q] = [await brink([...fresh, '--workers', '1']), await brink([...fresh, '--queue', redis.url])];
  assert.equal(q.code, 0, q.err);
  assert.deepEqual(withoutTiming(q.out), withoutTiming(l.out));
  const done = ws.map(
    (w) => w.lines.filter((x) => /^shard brink-[\d.]+-[0-9a-f]{16}-4-\d+-\d+ done$/.test(x)).length,
  );
  assert.ok(done[0]! + done[1]! > 0, 'the new scenario was computed by the workers');
  noStacks(ws);
  await stopAll(ws);
});

test('every worker killed mid-run, one started again: the producer says so both times, the run finishes identical', async () => {
  const redis = await redisServer();
  const args = ['--workers', '1', '--lock-duration', '1500', '--stalled-interval', '500'];
  const a = spawn(['worker', '--queue', redis.url, ...args]);
  await a.waitFor(/serving queue/);
  const p = producer(redis.url);
  await a.waitFor(/^shard \S+ done/);
  a.kill('SIGKILL');
  await p.waitFor(
    new RegExp(
      `^brink: no worker for engine ${E} \\(scenario format ${FORMAT_VERSION}\\) is connected to \\S+; waiting`,
    ),
  );
  const b = spawn(['worker', '--queue', redis.url, ...args]);
  await p.waitFor(/^brink: (1|a) worker connected again after \d+(\.\d)? s( \(a shard came back\))?$/);
  const timing = await finishedLikeLocal(p);
  assert.ok(timing.retried! >= 1, JSON.stringify(timing));
  noStacks([b]);
  await stopAll([b]);
});

test('Redis killed (SIGKILL) mid-run and restarted from its AOF: the run finishes with the local JSON', async () => {
  const redis = await redisServer({ aof: true });
  const ws = await twoWorkers(redis.url);
  const p = producer(redis.url);
  await firstShardDone(ws);
  await redis.kill();
  await new Promise((r) => setTimeout(r, 500));
  await redis.restart();
  await finishedLikeLocal(p);
  assert.match(p.errLines.join('\n'), /^brink: reconnected to Redis at \S+ after \d+(\.\d)? s$/m);
  noStacks(ws);
  await stopAll(ws);
});

test('FLUSHALL mid-run: the producer queues the lost shards and their documents again; the local JSON', async () => {
  const redis = await redisServer();
  const ws = await twoWorkers(redis.url);
  const p = producer(redis.url);
  await firstShardDone(ws);
  const admin = new Redis(redis.url);
  assert.equal(await admin.flushall(), 'OK');
  admin.disconnect();
  const timing = await finishedLikeLocal(p);
  assert.ok(timing.requeued! > 0, JSON.stringify(timing));
  assert.match(p.errLines.join('\n'), /no longer in Redis .*: queued again$/m);
  noStacks(ws);
  await stopAll(ws);
});

test('Redis gone for good: the run fails within --queue-timeout with one brink: line, no stack; /health says 503', async () => {
  const redis = await redisServer();
  const port = await freePort();
  const ws = await twoWorkers(redis.url, ['--health-port', String(port)]);
  const line = ws[0]!.lines.find((l) => /serving queue/.test(l))!;
  assert.match(line, new RegExp(`; health on http://127\\.0\\.0\\.1:${port}/health$`));
  const health = `http://127.0.0.1:${port}/health`;
  const ok = await fetch(health);
  assert.equal(ok.status, 200);
  const status = (await ok.json()) as { status: string; engine: string; queue: string };
  assert.equal(status.status, 'ok');
  assert.equal(status.engine, ENGINE_VERSION);
  assert.equal(status.queue, `brink-engine-${ENGINE_VERSION}-format-${FORMAT_VERSION}`);

  const p = spawn(['run', ...RUN, '--queue', redis.url, '--shard-size', '2000', '--queue-timeout', '3']);
  await firstShardDone(ws);
  const killedAt = Date.now();
  await redis.kill();
  const code = await p.exited;
  const waited = (Date.now() - killedAt) / 1000;
  assert.equal(code, 1);
  const err = p.errLines.join('\n');
  assert.match(err, /^brink: lost the connection to Redis at \S+ \(.+\); reconnecting for up to 3 s$/m);
  assert.match(
    err,
    /^brink: Redis at redis:\/\/127\.0\.0\.1:\d+ has been unreachable for 3 s \(--queue-timeout\); giving up\. Shards already finished stay in Redis for 7 days/m,
  );
  assert.doesNotMatch(err, STACK);
  assert.equal(p.out, '');
  assert.ok(waited >= 3 && waited < 15, `gave up after ${waited} s`);
  const down = await fetch(health);
  assert.equal(down.status, 503);
  assert.equal(((await down.json()) as { status: string }).status, 'redis-unreachable');
  noStacks(ws);
  await stopAll(ws);
});

test('a network partition cuts the producer and one worker off: the producer notices within seconds, the run finishes identical', async () => {
  const redis = await redisServer();
  const proxy = await startProxy(redis.port);
  try {
    // The first worker and the producer reach Redis through the proxy; the second worker directly.
    const ws = await twoWorkers(proxy.url, [], redis.url);
    const p = producer(proxy.url);
    await firstShardDone(ws);
    proxy.freeze();
    // Both notice the silence (a ping unanswered for 5 s) and keep trying to reconnect.
    await Promise.all([
      p.waitFor(
        /^brink: lost the connection to Redis at \S+ \(no answer from Redis for 5 s\); reconnecting/,
        30_000,
      ),
      ws[0]!.waitFor(
        /^lost the connection to Redis at \S+ \(no answer from Redis for 5 s\); reconnecting/,
        30_000,
      ),
    ]);
    await new Promise((r) => setTimeout(r, 2000));
    proxy.thaw();
    await finishedLikeLocal(p);
    assert.match(p.errLines.join('\n'), /^brink: reconnected to Redis at \S+ after \d+(\.\d)? s$/m);
    noStacks(ws);
    await stopAll(ws);
  } finally {
    await proxy.close();
  }
});

test('a worker of another engine version beside a correct one: it takes nothing, the run finishes identical', async () => {
  const redis = await redisServer();
  // A worker of "engine 0.9.0" (what an old release would be during an upgrade), started first.
  const old = await serveShards({ url: redis.url, workers: 1, engine: '0.9.0', name: 'old' });
  try {
    const p = producer(redis.url);
    await p.waitFor(new RegExp(`^brink: no worker for engine ${E}`));
    assert.match(
      p.errLines.join('\n'),
      new RegExp(
        `^brink: no worker for engine ${E} \\(scenario format ${FORMAT_VERSION}\\) is connected to \\S+; 1 worker runs another version \\(engine 0\\.9\\.0 format ${FORMAT_VERSION}\\); waiting`,
        'm',
      ),
    );
    const ws = await twoWorkers(redis.url);
    const timing = await finishedLikeLocal(p);
    assert.equal(timing.completed, 30);
    assert.equal(old.status().done + old.status().failed, 0, 'the old worker took no shard');
    assert.equal(old.queue, `brink-engine-0.9.0-format-${FORMAT_VERSION}`);

    // brink workers: the three, by engine.
    const list = await brink(['workers', '--queue', redis.url, '--json']);
    assert.equal(list.code, 0, list.err);
    const fleet = JSON.parse(list.out) as { engine: string; name: string; threads: number }[];
    assert.deepEqual(
      fleet.map((w) => w.engine),
      ['0.9.0', ENGINE_VERSION, ENGINE_VERSION],
    );
    const text = await brink(['workers', '--queue', redis.url]);
    assert.match(text.out, /^3 workers alive on redis:\/\/127\.0\.0\.1:\d+:$/m);
    assert.match(
      text.out,
      new RegExp(`^ {2}old on \\S+ {2}engine 0\\.9\\.0 format ${FORMAT_VERSION} {2}up \\d+ s`, 'm'),
    );
    await stopAll(ws);
  } finally {
    await old.close();
  }
  // Workers that stopped remove their heartbeat.
  const none = await brink(['workers', '--queue', redis.url]);
  assert.match(none.out, /^no worker is alive on /);
});
