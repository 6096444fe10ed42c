// Measures what docs/distributed.md says about faults, with the DEFAULT settings of `brink worker`
// (--lock-duration 30000, --stalled-interval 10000) and of `brink run --queue` (--queue-timeout 120,
// except where said): a real redis-server, real `brink worker` processes (one thread each), `brink run`
// as its own process. Prints, per fault, the time measured, the outcome (the local JSON or not) and
// the `brink:` lines the user saw. Takes a few minutes; timings are not deterministic, so this is
// not a docs generator (CI would see them drift): run it and copy the figures.
//
//   npm run build && node --import tsx scripts/measure-faults.ts [fault ...]
import { isDeepStrictEqual } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAME } from '../src/distributed/queue.ts';
import { brink } from '../test/cli.ts';
import { brinkProcess, type Proc, type RedisServer, startProxy, startRedis } from '../test/services.ts';

const RUN = ['scenarios/korea-intercept.yaml', '--runs', '200000', '--seed', '21', '--json'];
const SHARDS = ['--shard-size', '5000'];

const procs: Proc[] = [];
function spawn(args: string[]): Proc {
  const p = brinkProcess(args);
  procs.push(p);
  return p;
}
const worker = (url: string) => spawn(['worker', '--queue', url, '--workers', '1']);
const since = (t: number) => `${((Date.now() - t) / 1000).toFixed(1)} s`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function withoutTiming(out: string): unknown {
  const j = JSON.parse(out) as Record<string, unknown>;
  delete j.timing;
  return j;
}

let local: unknown;
async function outcome(p: Proc): Promise<string> {
  const code = await p.exited;
  if (code !== 0) return `exit ${code}`;
  const same = isDeepStrictEqual(withoutTiming(p.out), local);
  const t = JSON.parse(p.out).timing as Record<string, number>;
  return `${same ? 'the local JSON' : 'DIFFERENT JSON'} (completed ${t.completed}/${t.shards}, retried ${t.retried}, requeued ${t.requeued})`;
}

/** The next shard a worker starts from now on (not one it started before). */
function nextStart(ws: Proc[]): Promise<{ w: Proc; shard: string }> {
  const from = ws.map((w) => w.lines.length);
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      for (const [i, w] of ws.entries()) {
        const line = w.lines.slice(from[i]).find((l) => /^shard \S+ start/.test(l));
        if (line) {
          clearInterval(timer);
          resolve({ w, shard: line.split(' ')[1]! });
          return;
        }
      }
    }, 20);
  });
}

/** When BullMQ puts a shard of a dead worker back in the queue (its stalled counter goes up). */
async function stalled(url: string, shard: string): Promise<void> {
  const queue = new Queue(QUEUE_NAME, { connection: { url }, prefix: 'brink' });
  for (;;) {
    const job = await queue.getJob(shard);
    if (!job || job.stalledCounter > 0) break;
    await sleep(100);
  }
  await queue.close();
}

const faults: Record<string, (redis: RedisServer) => Promise<string[]>> = {
  async 'one-worker-killed'(redis) {
    const ws = [worker(redis.url), worker(redis.url)];
    await Promise.all(ws.map((w) => w.waitFor(/serving queue/)));
    const p = spawn(['run', ...RUN, ...SHARDS, '--queue', redis.url]);
    await Promise.race(ws.map((w) => w.waitFor(/^shard \S+ done/)));
    const { w, shard } = await nextStart(ws);
    const back = stalled(redis.url, shard);
    w.kill('SIGKILL');
    const t = Date.now();
    await back;
    return [`its shard was back in the queue after ${since(t)}`, await outcome(p), ...p.errLines];
  },
  async 'every-worker-killed'(redis) {
    const a = worker(redis.url);
    await a.waitFor(/serving queue/);
    const p = spawn(['run', ...RUN, ...SHARDS, '--queue', redis.url]);
    await a.waitFor(/^shard \S+ done/);
    const { shard } = await nextStart([a]);
    const back = stalled(redis.url, shard);
    a.kill('SIGKILL');
    const t = Date.now();
    const b = worker(redis.url);
    await b.waitFor(/serving queue/);
    const up = since(t);
    await back;
    return [
      `a new worker (started at once, up after ${up}) put the shard back after ${since(t)}`,
      await outcome(p),
    ];
  },
  async 'redis-restarted-empty'(redis) {
    return redisRestart(redis);
  },
  async 'redis-restarted-from-aof'(redis) {
    return redisRestart(redis);
  },
  async flushall(redis) {
    const ws = [worker(redis.url), worker(redis.url)];
    await Promise.all(ws.map((w) => w.waitFor(/serving queue/)));
    const p = spawn(['run', ...RUN, ...SHARDS, '--queue', redis.url]);
    await Promise.race(ws.map((w) => w.waitFor(/^shard \S+ done/)));
    const admin = new Redis(redis.url);
    await admin.flushall();
    admin.disconnect();
    const t = Date.now();
    await p.waitFor(/queued again/, 60_000);
    return [`lost shards queued again after ${since(t)}`, await outcome(p), ...p.errLines];
  },
  async 'producer-partitioned-10s'(redis) {
    const proxy = await startProxy(redis.port);
    const ws = [worker(redis.url), worker(redis.url)];
    await Promise.all(ws.map((w) => w.waitFor(/serving queue/)));
    const p = spawn(['run', ...RUN, ...SHARDS, '--queue', proxy.url]);
    await Promise.race(ws.map((w) => w.waitFor(/^shard \S+ done/)));
    proxy.freeze();
    const t = Date.now();
    await p.waitFor(/^brink: lost the connection/, 60_000);
    const noticed = since(t);
    await sleep(Math.max(0, 10_000 - (Date.now() - t)));
    proxy.thaw();
    const healed = Date.now();
    await p.waitFor(/^brink: reconnected/, 60_000);
    const back = since(healed);
    const o = await outcome(p);
    await proxy.close();
    return [`noticed after ${noticed}; reconnected ${back} after the partition healed`, o, ...p.errLines];
  },
  async 'redis-gone-queue-timeout-20'(redis) {
    const ws = [worker(redis.url)];
    await ws[0]!.waitFor(/serving queue/);
    const p = spawn(['run', ...RUN, ...SHARDS, '--queue', redis.url, '--queue-timeout', '20']);
    await ws[0]!.waitFor(/^shard \S+ done/);
    await redis.kill();
    const t = Date.now();
    const code = await p.exited;
    return [`exit ${code} after ${since(t)}`, ...p.errLines];
  },
  async 'version-skew'(redis) {
    const old = await (await import('../src/distributed/queue.ts')).serveShards({
      url: redis.url,
      workers: 1,
      engine: '0.9.0',
      name: 'old',
    });
    const p = spawn(['run', ...RUN, ...SHARDS, '--queue', redis.url]);
    await p.waitFor(/no worker for engine/, 60_000);
    await sleep(3000);
    const t = Date.now();
    const w = worker(redis.url);
    await w.waitFor(/serving queue/);
    const o = await outcome(p);
    const took = old.status().done + old.status().failed;
    await old.close();
    return [
      `finished ${since(t)} after a correct worker was started; the old worker took ${took} shards`,
      o,
      ...p.errLines,
    ];
  },
};

async function redisRestart(redis: RedisServer): Promise<string[]> {
  const ws = [worker(redis.url), worker(redis.url)];
  await Promise.all(ws.map((w) => w.waitFor(/serving queue/)));
  const p = spawn(['run', ...RUN, ...SHARDS, '--queue', redis.url]);
  await Promise.race(ws.map((w) => w.waitFor(/^shard \S+ done/)));
  await redis.kill();
  await sleep(2000);
  await redis.restart();
  const t = Date.now();
  await p.waitFor(/^brink: reconnected/, 60_000);
  const back = since(t);
  const o = await outcome(p);
  return [`producer reconnected ${back} after the restart; finished ${since(t)} after it`, o, ...p.errLines];
}

const only = process.argv.slice(2);
const l = await brink(['run', ...RUN, '--workers', '1']);
if (l.code !== 0) throw new Error(l.err);
local = withoutTiming(l.out);
for (const [name, f] of Object.entries(faults)) {
  if (only.length && !only.includes(name)) continue;
  const redis = await startRedis({ aof: name.includes('aof') });
  try {
    const lines = await f(redis);
    console.log(`## ${name}\n${lines.map((x) => `    ${x}`).join('\n')}\n`);
  } catch (e) {
    console.log(`## ${name}\n    FAILED: ${e instanceof Error ? e.message : String(e)}\n`);
  } finally {
    for (const p of procs.splice(0)) p.kill('SIGKILL');
    await redis.stop();
  }
}
process.exit(0);
