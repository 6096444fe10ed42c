// The exercises part of the storage contract (`Store.exercises`, src/store/exercises.ts), run on SQLite
// and PostgreSQL by test/store/contract.ts: the set-up is entry 0, the log appends only from the head
// it was read at, invitations seat one user once, members and lists are per user.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { Store } from '../../src/store/index.ts';

const later = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

export function exercisesStoreContract(store: () => Store): void {
  async function exercise(tag: string) {
    const s = store();
    const fac = await s.createUser({
      email: `fac-${tag}@example.org`,
      name: `Fac ${tag}`,
      passwordHash: 'h',
    });
    const ann = await s.createUser({
      email: `ann-${tag}@example.org`,
      name: `Ann ${tag}`,
      passwordHash: 'h',
    });
    const ben = await s.createUser({
      email: `ben-${tag}@example.org`,
      name: `Ben ${tag}`,
      passwordHash: 'h',
    });
    const ws = await s.createWorkspace(`Exercise ${tag}`);
    const id = randomUUID();
    await s.exercises.createExercise({
      id,
      workspaceId: ws.id,
      title: `Drill ${tag}`,
      facilitatorId: fac.id,
      wrappedKey: `v1.fp.${tag}`,
      setup: '{"kind":"setup"}',
    });
    return { x: s.exercises, fac, ann, ben, id };
  }

  test('exercises: jobs are stored per exercise, move through their states, and stop as interrupted', async () => {
    const { x, id } = await exercise('jobs');
    const other = await exercise('jobs-other');
    const job = {
      exerciseId: id,
      kind: 'review' as const,
      head: 4,
      options: '{"runs":300}',
      done: 0,
      total: 0,
    };
    await x.createJob({ ...job, id: 'j1', status: 'queued' });
    await x.createJob({ ...job, id: 'j2', kind: 'lookahead', status: 'queued' });
    // Another exercise's job is not this exercise's.
    assert.equal(await x.job(other.id, 'j1'), undefined);
    assert.deepEqual((await x.jobs(other.id)).length, 0);
    await x.setJob('j1', { status: 'running', total: 900, done: 300 });
    await x.setJob('j2', { status: 'done', done: 300, total: 300, sealed: 'sealed', finishedAt: 'now' });
    const j1 = await x.job(id, 'j1');
    assert.deepEqual(
      [j1?.status, j1?.done, j1?.total, j1?.head, j1?.kind, j1?.sealed],
      ['running', 300, 900, 4, 'review', null],
    );
    assert.equal((await x.job(id, 'j2'))?.sealed, 'sealed');
    assert.equal(await x.markInterruptedJobs(), 1);
    assert.deepEqual((await x.jobs(id)).map((j) => [j.id, j.status]).sort(), [
      ['j1', 'interrupted'],
      ['j2', 'done'],
    ]);
  });

  test("exercises: the wrapped data key is kept; a rotation's rewrap rewrites key, log and job results", async () => {
    const s = store();
    const { x, fac, id } = await exercise('keys');
    assert.equal((await x.exercise(id))?.wrappedKey, 'v1.fp.keys');
    assert.ok((await x.wrappedKeys()).includes('v1.fp.keys'));
    await x.append(id, 0, [{ userId: fac.id, entry: 'one' }]);
    await x.createJob({
      id: `k-${id}`,
      exerciseId: id,
      kind: 'lookahead',
      head: 1,
      options: '{}',
      status: 'done',
      done: 1,
      total: 1,
    });
    await x.setJob(`k-${id}`, { sealed: 'result' });
    const seen: string[] = [];
    // Other tests' dialogues and exercises in this store are rewritten as they are.
    const same = (w: string) => ({
      wrappedKey: w,
      reseal: (_k: string, _i: string, sealed: string) => sealed,
    });
    await s.talks.rewrap(
      (d) => same(d.wrappedKey),
      async (tx) => {
        await x.rewrap(tx, (e) =>
          e.id !== id
            ? same(e.wrappedKey)
            : {
                wrappedKey: 'v1.fp2.new',
                reseal: (kind, rid, sealed) => {
                  seen.push(`${kind}:${rid}`);
                  return `${sealed}+`;
                },
              },
        );
      },
    );
    assert.equal((await x.exercise(id))?.wrappedKey, 'v1.fp2.new');
    assert.deepEqual(seen.sort(), [`job:k-${id}`, 'log:0', 'log:1']);
    assert.deepEqual(
      (await x.log(id)).map((r) => r.entry),
      ['{"kind":"setup"}+', 'one+'],
    );
    assert.equal((await x.job(id, `k-${id}`))?.sealed, 'result+');
  });

  test('exercises: the set-up is entry 0; appends succeed only from the current head', async () => {
    const { x, fac, id } = await exercise('log');
    assert.equal((await x.exercise(id))?.head, 0);
    assert.equal((await x.member(id, fac.id))?.role, 'facilitator');
    assert.equal(
      await x.append(id, 0, [
        { userId: fac.id, entry: 'a' },
        { userId: fac.id, entry: 'b' },
      ]),
      true,
    );
    // A writer that read head 0 is refused: nothing of its entries is written.
    assert.equal(await x.append(id, 0, [{ userId: fac.id, entry: 'stale' }]), false);
    assert.equal(await x.append(id, 2, [{ userId: fac.id, entry: 'c' }]), true);
    assert.deepEqual(
      (await x.log(id)).map((r) => [r.seq, r.entry]),
      [
        [0, '{"kind":"setup"}'],
        [1, 'a'],
        [2, 'b'],
        [3, 'c'],
      ],
    );
    assert.equal((await x.exercise(id))?.head, 3);
    // Concurrent writers at the same head: exactly one wins.
    const both = await Promise.all([
      x.append(id, 3, [{ userId: fac.id, entry: 'p' }]),
      x.append(id, 3, [{ userId: fac.id, entry: 'q' }]),
    ]);
    assert.deepEqual(both.filter(Boolean).length, 1);
    assert.equal((await x.log(id)).length, 5);
  });

  test('exercises: an invitation seats one user in its team, once; not after revocation or expiry', async () => {
    const { x, fac, ann, ben, id } = await exercise('inv');
    const inv = await x.createInvitation({
      exerciseId: id,
      teamId: 'blue',
      tokenHash: `h-${id}`,
      createdBy: fac.id,
      expiresAt: later(7),
    });
    assert.equal((await x.invitationByHash(`h-${id}`))?.teamId, 'blue');
    const at = new Date().toISOString();
    assert.equal(await x.acceptInvitation(inv.id, ann.id, at), true);
    assert.equal(await x.acceptInvitation(inv.id, ben.id, at), false);
    assert.deepEqual(await x.member(id, ann.id), {
      exerciseId: id,
      userId: ann.id,
      role: 'team',
      teamId: 'blue',
      joinedAt: at,
    });
    assert.equal(await x.member(id, ben.id), undefined);
    const revoked = await x.createInvitation({
      exerciseId: id,
      teamId: 'red',
      tokenHash: `r-${id}`,
      createdBy: fac.id,
      expiresAt: later(7),
    });
    assert.equal(await x.revokeInvitation(id, revoked.id), true);
    assert.equal(await x.acceptInvitation(revoked.id, ben.id, at), false);
    const old = await x.createInvitation({
      exerciseId: id,
      teamId: 'red',
      tokenHash: `o-${id}`,
      createdBy: fac.id,
      expiresAt: '2000-01-01T00:00:00.000Z',
    });
    assert.equal(await x.acceptInvitation(old.id, ben.id, at), false);
    assert.deepEqual(
      (await x.members(id)).map((m) => [m.name, m.role, m.teamId]),
      [
        [`Fac inv`, 'facilitator', null],
        [`Ann inv`, 'team', 'blue'],
      ],
    );
    assert.deepEqual(
      (await x.exercisesOf(ann.id)).map((e) => [e.id, e.role, e.teamId]),
      [[id, 'team', 'blue']],
    );
    assert.deepEqual(await x.exercisesOf(ben.id), []);
  });
}
