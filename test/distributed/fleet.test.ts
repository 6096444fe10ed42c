// The pure parts of the distributed plumbing: queue names per version, what a producer says about
// workers of other versions, the `brink workers` listing, connection errors, reconnect delays.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderWorkers } from '../../src/cli/commands/worker.ts';
import { fmtSeconds, isConnectionError, redactUrl, retryDelay } from '../../src/distributed/connection.ts';
import { otherVersions, queueName, type WorkerStatus } from '../../src/distributed/fleet.ts';
import { QUEUE_NAME } from '../../src/distributed/queue.ts';
import { ENGINE_VERSION } from '../../src/engine/model.ts';
import { FORMAT_VERSION } from '../../src/scenario/schema.ts';

function worker(over: Partial<WorkerStatus>): WorkerStatus {
  return {
    id: 'h:1:abc',
    name: 'pid 1',
    host: 'h',
    pid: 1,
    engine: ENGINE_VERSION,
    format: FORMAT_VERSION,
    queue: QUEUE_NAME,
    threads: 2,
    startedAt: 1_000_000,
    seenAt: 1_060_000,
    running: [],
    done: 0,
    failed: 0,
    redisDownMs: null,
    ...over,
  };
}

test('queueName: one queue per engine version and scenario format, without the colon BullMQ refuses', () => {
  assert.equal(queueName('1.0.0', 1), 'brink-engine-1.0.0-format-1');
  assert.equal(QUEUE_NAME, queueName(ENGINE_VERSION, FORMAT_VERSION));
  assert.notEqual(queueName('1.0.0', 1), queueName('1.1.0', 1));
  assert.notEqual(queueName('1.0.0', 1), queueName('1.0.0', 2));
  assert.doesNotMatch(queueName('1.0.0', 1), /:/);
});

test('otherVersions: names the workers a producer cannot use', () => {
  const mine = worker({});
  assert.equal(otherVersions([mine], QUEUE_NAME), '');
  const old = worker({ engine: '0.9.0', queue: queueName('0.9.0', 1), format: 1 });
  assert.equal(
    otherVersions([mine, old], QUEUE_NAME),
    '; 1 worker runs another version (engine 0.9.0 format 1)',
  );
  assert.equal(
    otherVersions([old, { ...old, id: 'x' }], QUEUE_NAME),
    '; 2 workers run another version (engine 0.9.0 format 1)',
  );
});

test('renderWorkers: one line per worker with its engine, age, counts and tasks in hand', () => {
  const now = 1_062_000;
  assert.equal(renderWorkers([], 'redis://h:1', now), 'no worker is alive on redis://h:1\n');
  const busy = worker({
    name: 'w1',
    running: [{ job: 'brink-1.0.0-abc-1-0-5000', since: 1_061_000 }],
    done: 7,
    redisDownMs: 4000,
  });
  assert.equal(
    renderWorkers([busy, worker({ name: 'w2', threads: 1 })], 'redis://h:1', now),
    '2 workers alive on redis://h:1:\n' +
      `  w1 on h  engine ${ENGINE_VERSION} format ${FORMAT_VERSION}  up 62 s, seen 2 s ago  7 done, 0 failed  1/2 busy: brink-1.0.0-abc-1-0-5000  REDIS UNREACHABLE\n` +
      `  w2 on h  engine ${ENGINE_VERSION} format ${FORMAT_VERSION}  up 62 s, seen 2 s ago  0 done, 0 failed  idle (1 thread)\n`,
  );
});

test('isConnectionError: Redis away is told apart from a command failing', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
  assert.ok(isConnectionError(refused));
  assert.ok(isConnectionError(new Error('Connection is closed.')));
  assert.ok(isConnectionError(new Error('LOADING Redis is loading the dataset in memory')));
  assert.ok(!isConnectionError(new Error('Missing key for job brink-1. moveToFinished')));
  assert.ok(
    !isConnectionError(new Error('WRONGTYPE Operation against a key holding the wrong kind of value')),
  );
});

test('retryDelay and fmtSeconds: reconnect at most 2 s apart; seconds as people read them', () => {
  assert.deepEqual([1, 2, 4, 8, 100].map(retryDelay), [250, 500, 1000, 2000, 2000]);
  assert.equal(fmtSeconds(3750), '3.8 s');
  assert.equal(fmtSeconds(120_000), '120 s');
  assert.equal(redactUrl('redis://brink:s3cret@10.0.0.5:6379/0'), 'redis://brink:***@10.0.0.5:6379/0');
});

test('renderWorkers: a heartbeat cannot put control characters on the terminal', () => {
  const evil = worker({ name: 'w\u001b]0;pwned\u0007', host: 'h\nfake line' });
  const out = renderWorkers([evil], 'redis://h:1', 1_062_000);
  assert.doesNotMatch(out.replaceAll('\n', ''), /\p{Cc}/u);
  assert.match(out, /^ {2}w\?\]0;pwned\? on h\?fake line {2}engine/m);
});
