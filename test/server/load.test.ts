// The workbench under load (docs/decisions/0018-server-load.md): scenario work on the worker pool with
// per-workspace fairness and a bounded waiting room (429 + Retry-After when full), password hashing one
// at a time with a bounded line. Behaviour only: speed is measured by `npm run bench:server`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { passwordHashing } from '../../src/server/auth.ts';
import { Limiter } from '../../src/server/limit.ts';
import { Busy, WorkPool } from '../../src/server/pool.ts';
import { doWork, type WorkTask } from '../../src/server/work-tasks.ts';
import { exampleFiles } from '../../src/server/workspace.ts';
import { Client, EXAMPLES, PASSWORD, setupOwner, type TestServer, testServer } from './helpers.ts';

const KOREA = 'korea-intercept.yaml';
const korea = readFileSync(join(EXAMPLES, KOREA), 'utf8');

describe('WorkPool', () => {
  test('run gives what the same task gives on this thread (diagnostics, hash, interventions)', async () => {
    const pool = new WorkPool({ threads: 1 });
    try {
      const files = exampleFiles(EXAMPLES);
      const broken = { ...files, [KOREA]: korea.replace(/^version: .*$/m, 'version: 99') };
      const tasks: WorkTask[] = [
        { op: 'validate', files, path: KOREA },
        { op: 'validate', files: broken, path: KOREA },
        { op: 'prepare', files, path: KOREA, interventions: ['hotline'] },
      ];
      for (const task of tasks) {
        assert.deepEqual(await pool.run('w', task), doWork(task), task.op);
      }
      const v = await pool.run('w', { op: 'validate', files: broken, path: KOREA });
      assert.ok(v.diagnostics.some((d) => d.severity === 'error' && d.line !== undefined));
    } finally {
      await pool.close();
    }
  });

  test('run takes workspaces in turn: a lone task of one workspace does not wait behind another workspace’s burst', async () => {
    const pool = new WorkPool({ threads: 1 });
    try {
      const files = exampleFiles(EXAMPLES);
      const order: string[] = [];
      const task = { op: 'validate', files, path: KOREA } as const;
      const all = [];
      for (let i = 0; i < 4; i++) all.push(pool.run('A', task).then(() => order.push(`A${i}`)));
      all.push(pool.run('B', task).then(() => order.push('B')));
      await Promise.all(all);
      // A0 was already on the thread; then the round goes A1, B (first in, first out would put B last).
      assert.deepEqual(order.slice(0, 3), ['A0', 'A1', 'B']);
      assert.equal(order.length, 5);
      assert.equal(pool.stats().completed, 5);
      assert.equal(pool.stats().queued, 0);
    } finally {
      await pool.close();
    }
  });

  test('run throws Busy past maxQueue (or maxPerWorkspace) and takes tasks again once the line moves', async () => {
    const pool = new WorkPool({ threads: 1, maxQueue: 3, maxPerWorkspace: 2 });
    try {
      const files = exampleFiles(EXAMPLES);
      const task = { op: 'validate', files, path: KOREA } as const;
      const ok = [pool.run('A', task), pool.run('A', task), pool.run('A', task)]; // 1 running, 2 waiting
      assert.throws(
        () => pool.run('A', task),
        (e: unknown) => e instanceof Busy && e.scope === 'workspace' && e.retryAfter >= 1,
      );
      ok.push(pool.run('B', task)); // the server's third waiting place
      assert.throws(
        () => pool.run('C', task),
        (e: unknown) =>
          e instanceof Busy && e.scope === 'server' && e.limit === 3 && /retry in \d+ s/.test(e.message),
      );
      assert.equal(pool.stats().refused, 2);
      await Promise.all(ok);
      assert.equal((await pool.run('C', task)).hash, (await ok[0])!.hash);
    } finally {
      await pool.close();
    }
  });
});

describe('Limiter', () => {
  test('run never has more than `slots` calls at once, serves in arrival order and refuses past maxWaiting', async () => {
    const lim = new Limiter(2, 3);
    let now = 0;
    let most = 0;
    const started: number[] = [];
    const call = (i: number) =>
      lim.run(async () => {
        started.push(i);
        most = Math.max(most, ++now);
        await new Promise((r) => setTimeout(r, 5));
        now--;
        return i;
      });
    const calls = [0, 1, 2, 3, 4].map(call);
    await assert.rejects(call(5), (e: unknown) => e instanceof Busy && e.retryAfter >= 1);
    assert.deepEqual(await Promise.all(calls), [0, 1, 2, 3, 4]);
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    assert.equal(most, 2);
    assert.deepEqual(lim.stats(), { slots: 2, running: 0, waiting: 0, completed: 5, refused: 1 });
  });

  test('run frees the slot when the call throws', async () => {
    const lim = new Limiter(1, 1);
    await assert.rejects(
      lim.run(async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await lim.run(async () => 7), 7);
  });
});

describe('workbench under load', () => {
  let srv: TestServer;
  let owner: Client;
  let ws: string;

  before(async () => {
    srv = await testServer(':memory:', undefined, { pool: { threads: 1, maxQueue: 2, maxPerWorkspace: 2 } });
    ({ owner, ws } = await setupOwner(srv.app));
  });
  after(async () => {
    await srv.close();
  });

  test('POST …/validate answers 429 with Retry-After and a JSON error when the waiting room is full; the rest validate as one by one', async () => {
    const body = { path: KOREA, yaml: korea };
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => owner.post(`/api/workspaces/${ws}/validate`, body)),
    );
    const busy = replies.filter((r) => r.status === 429);
    const fine = replies.filter((r) => r.status === 200);
    assert.equal(busy.length + fine.length, 10);
    assert.ok(busy.length >= 1 && fine.length >= 3, `${busy.length} refused, ${fine.length} answered`);
    for (const r of busy) {
      assert.match(r.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
      assert.equal(r.body.error.code, 'busy');
      assert.equal(r.body.error.retryAfter, Number(r.headers.get('retry-after')));
      assert.match(r.body.error.message, /waiting for a worker thread \(limit 2\); retry in \d+ s/);
    }
    const alone = await owner.post(`/api/workspaces/${ws}/validate`, body);
    assert.equal(alone.status, 200);
    assert.match(alone.body.hash, /^[0-9a-f]{8,}/);
    for (const r of fine) assert.deepEqual(r.body, alone.body);
  });

  test('POST /api/auth/login: a burst of sign-ins queues for the hashing slot and every one signs in', async () => {
    const before = passwordHashing.stats().completed;
    const replies = await Promise.all(
      Array.from({ length: 6 }, () =>
        new Client(srv.app).post('/api/auth/login', { email: 'owner@example.org', password: PASSWORD }),
      ),
    );
    assert.deepEqual(
      replies.map((r) => r.status),
      [200, 200, 200, 200, 200, 200],
    );
    assert.equal(passwordHashing.slots, 1);
    assert.equal(passwordHashing.stats().completed - before, 6);
    assert.equal(passwordHashing.stats().running, 0);
  });
});
