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
      setup: '{"kind":"setup"}',
    });
    return { x: s.exercises, fac, ann, ben, id };
  }

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
