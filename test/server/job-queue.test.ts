// One job queue for the server (src/server/jobs.ts): the workbench's runs and the tasks other parts hand
// in (the talks room's analyses) wait in the same line, one at a time, and are cancelled and stopped the
// same way.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RunQueue } from '../../src/server/jobs.ts';
import { openSqlite } from '../../src/store/index.ts';
import { ok, type Room, setupRoom, submitForm } from './talks-helpers.ts';

/** A task that waits until released, recording when it starts and whether it saw a cancel. */
function gate(id: string, log: string[]) {
  let release!: () => void;
  const open = new Promise<void>((r) => {
    release = r;
  });
  return {
    release,
    task: {
      id,
      run: async (ctl: { cancelled(): boolean; pause(): Promise<void> }) => {
        log.push(`start ${id}`);
        await open;
        await ctl.pause();
        log.push(`end ${id}${ctl.cancelled() ? ' cancelled' : ''}`);
      },
    },
  };
}

describe('RunQueue.submit', () => {
  test('runs tasks one at a time in the order given, tells a task it was cancelled', async () => {
    const store = await openSqlite(':memory:');
    const q = new RunQueue(store);
    const log: string[] = [];
    const a = gate('a', log);
    const b = gate('b', log);
    const done = [q.submit(a.task), q.submit(b.task)];
    // The same id is not queued twice.
    await q.submit(gate('b', log).task);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(log, ['start a']);
    q.cancel('b');
    b.release();
    a.release();
    await Promise.all(done);
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b cancelled']);
    await q.stop();
    await store.close();
  });

  test('stop settles the queued tasks without running them and refuses new ones', async () => {
    const store = await openSqlite(':memory:');
    const q = new RunQueue(store);
    const log: string[] = [];
    const a = gate('a', log);
    const first = q.submit(a.task);
    const second = q.submit(gate('b', log).task);
    await new Promise((r) => setImmediate(r));
    const stopping = q.stop();
    await second;
    a.release();
    await Promise.all([first, stopping]);
    await q.submit(gate('c', log).task);
    assert.deepEqual(log, ['start a', 'end a cancelled']);
    await store.close();
  });
});

describe('talks analyses on the server queue', () => {
  let room: Room;
  before(async () => {
    room = await setupRoom();
  });
  after(() => room.srv.close());

  test('an analysis waits behind the queue’s current job, and a cancel while it waits ends it cancelled', async () => {
    await submitForm(room.us, room.dlg);
    await submitForm(room.prc, room.dlg);
    const log: string[] = [];
    const busy = gate('busy', log);
    const running = room.srv.services.jobs.submit(busy.task);
    const start = await room.host.post(`/api/talks/${room.dlg}/analyses`, { kind: 'gaps' });
    await ok(start, 202);
    const id = start.body.id as string;
    // Had it a queue of its own, it would be running (or done) by now.
    await new Promise((r) => setTimeout(r, 300));
    const queued = await room.host.get(`/api/talks/${room.dlg}/analyses/${id}`);
    assert.equal(queued.body.status, 'queued');
    await ok(await room.host.post(`/api/talks/${room.dlg}/analyses/${id}/cancel`, {}), 202);
    busy.release();
    await running;
    await room.srv.services.talks!.jobs.idle();
    const end = await room.host.get(`/api/talks/${room.dlg}/analyses/${id}`);
    assert.equal(end.body.status, 'cancelled');
    // The next one runs to the end.
    const again = await room.host.post(`/api/talks/${room.dlg}/analyses`, { kind: 'gaps' });
    await ok(again, 202);
    await room.srv.services.talks!.jobs.idle();
    const done = await room.host.get(`/api/talks/${room.dlg}/analyses/${again.body.id}`);
    assert.equal(done.body.status, 'done');
  });
});
