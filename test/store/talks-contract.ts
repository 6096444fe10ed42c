// The talks part of the storage contract (`Store.talks`, src/store/talks.ts): every adapter of the Store
// port must pass these, on SQLite and PostgreSQL alike (test/store/contract.ts runs them). What the room
// relies on: optimistic versions refuse a stale write, invitations are single-use, the audit chain's head
// moves only from the head it was read at, and a key rotation rewrites everything or nothing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { Store } from '../../src/store/index.ts';

const later = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

export function talksStoreContract(store: () => Store): void {
  /** A host with a dialogue of its own, and a second user to invite. */
  async function dialogue(tag: string) {
    const s = store();
    const host = await s.createUser({
      email: `host-${tag}@example.org`,
      name: `Host ${tag}`,
      passwordHash: 'h',
    });
    const guest = await s.createUser({
      email: `guest-${tag}@example.org`,
      name: `Guest ${tag}`,
      passwordHash: 'h',
    });
    const ws = await s.createWorkspace(`Talks ${tag}`);
    const id = randomUUID();
    await s.talks.createDialogue({
      id,
      codename: `HERON ${tag}`,
      hostId: host.id,
      workspaceId: ws.id,
      status: 'open',
      wrappedKey: 'wrap.fp1.x',
      sealed: 'config-1',
    });
    return { s, t: s.talks, host, guest, id };
  }

  test('talks: createDialogue makes the host a member; updateDialogue refuses a stale version', async () => {
    const { t, host, id } = await dialogue('a');
    const d = await t.dialogue(id);
    assert.equal(d?.codename, 'HERON a');
    assert.equal(d?.version, 1);
    assert.equal(d?.auditSeq, 0);
    assert.equal((await t.member(id, host.id))?.role, 'host');
    assert.deepEqual(
      (await t.dialoguesOf(host.id)).map((x) => [x.dialogueId, x.codename, x.role]),
      [[id, 'HERON a', 'host']],
    );
    assert.equal(await t.updateDialogue(id, 1, { sealed: 'config-2' }), true);
    assert.equal(await t.updateDialogue(id, 1, { sealed: 'config-3' }), false);
    assert.equal((await t.dialogue(id))?.sealed, 'config-2');
    assert.equal((await t.dialogue(id))?.version, 2);
    assert.equal(await t.dialogue(randomUUID()), undefined);
    // The host cannot be removed.
    assert.equal(await t.removeMember(id, host.id), false);
  });

  test('talks: an invitation is accepted once, not after revocation or expiry', async () => {
    const { s, t, host, guest, id } = await dialogue('b');
    const inv = await t.createInvitation({
      dialogueId: id,
      delegationId: 'del-us',
      createdBy: host.id,
      expiresAt: later(7),
      tokenHash: 'hash-b1',
    });
    assert.equal((await t.invitationByHash('hash-b1'))?.id, inv.id);
    assert.equal(await t.invitationByHash('hash-none'), undefined);
    const at = new Date().toISOString();
    assert.equal(await t.acceptInvitation(inv.id, guest.id, 'delegation', at), true);
    assert.equal(await t.acceptInvitation(inv.id, guest.id, 'delegation', at), false);
    const m = await t.member(id, guest.id);
    assert.deepEqual([m?.role, m?.delegationId], ['delegation', 'del-us']);
    assert.deepEqual((await t.members(id)).map((x) => [x.email, x.role]).sort(), [
      ['guest-b@example.org', 'delegation'],
      ['host-b@example.org', 'host'],
    ]);
    // A used invitation cannot be revoked; a pending one can, and then it is not accepted.
    assert.equal(await t.revokeInvitation(id, inv.id), false);
    const third = await s.createUser({ email: 'third-b@example.org', name: 'Third', passwordHash: 'h' });
    const inv2 = await t.createInvitation({
      dialogueId: id,
      delegationId: 'del-prc',
      createdBy: host.id,
      expiresAt: later(7),
      tokenHash: 'hash-b2',
    });
    assert.equal(await t.revokeInvitation(id, inv2.id), true);
    assert.equal(await t.acceptInvitation(inv2.id, third.id, 'delegation', at), false);
    const old = await t.createInvitation({
      dialogueId: id,
      delegationId: 'del-prc',
      createdBy: host.id,
      expiresAt: later(-1),
      tokenHash: 'hash-b3',
    });
    assert.equal(await t.acceptInvitation(old.id, third.id, 'delegation', at), false);
    assert.equal(await t.member(id, third.id), undefined);
    assert.equal((await t.invitations(id)).length, 3);
    assert.equal(await t.removeMember(id, guest.id), true);
    assert.equal(await t.member(id, guest.id), undefined);
  });

  test('talks: positions, releases and drafts refuse stale versions', async () => {
    const { t, host, id } = await dialogue('c');
    assert.equal(
      await t.savePositions(id, 'del-us', 0, { sealed: 'p1', submitted: false, by: host.id }),
      true,
    );
    // A second first save loses: the first one made version 1.
    assert.equal(
      await t.savePositions(id, 'del-us', 0, { sealed: 'p1b', submitted: false, by: host.id }),
      false,
    );
    assert.equal(
      await t.savePositions(id, 'del-us', 1, { sealed: 'p2', submitted: true, by: host.id }),
      true,
    );
    assert.equal(
      await t.savePositions(id, 'del-us', 1, { sealed: 'p3', submitted: true, by: host.id }),
      false,
    );
    const p = await t.positions(id, 'del-us');
    assert.deepEqual([p?.sealed, p?.version, p?.submittedAt !== null], ['p2', 2, true]);
    assert.equal((await t.allPositions(id)).length, 1);

    await t.addRelease(id, 'del-us', 'r1', 'sealed-r1');
    assert.deepEqual(
      (await t.releases(id)).map((r) => [r.id, r.delegationId, r.sealed]),
      [['r1', 'del-us', 'sealed-r1']],
    );
    assert.equal(await t.removeRelease(id, 'del-prc', 'r1'), false);
    assert.equal(await t.removeRelease(id, 'del-us', 'r1'), true);
    assert.deepEqual(await t.releases(id), []);

    await t.createDraft({
      id: 'd1',
      dialogueId: id,
      author: 'host',
      parties: ['del-us', 'del-prc'],
      agreed: [],
      released: false,
      sealed: 'draft-1',
    });
    assert.equal(await t.updateDraft(id, 'd1', 1, { agreed: ['del-us'], released: true }), true);
    assert.equal(await t.updateDraft(id, 'd1', 1, { agreed: [] }), false);
    const d = await t.draft(id, 'd1');
    assert.deepEqual(
      [d?.version, d?.agreed, d?.parties, d?.released],
      [2, ['del-us'], ['del-us', 'del-prc'], true],
    );
    assert.equal((await t.drafts(id)).length, 1);
    assert.equal(await t.deleteDraft(id, 'd1'), true);
    assert.equal(await t.deleteDraft(id, 'd1'), false);

    await t.saveNotes(id, 'notes-1');
    await t.saveNotes(id, 'notes-2');
    assert.equal(await t.notes(id), 'notes-2');
  });

  test('talks: analyses end queued or running work as interrupted on restart', async () => {
    const { t, host, id } = await dialogue('d');
    await t.createAnalysis({ id: 'an1', dialogueId: id, kind: 'gaps', createdBy: host.id });
    await t.createAnalysis({ id: 'an2', dialogueId: id, kind: 'protocols', createdBy: host.id });
    await t.setAnalysis('an1', { status: 'done', sealed: 'result', published: true, finishedAt: later(0) });
    assert.equal(await t.markInterrupted(), 1);
    const byId = Object.fromEntries((await t.analyses(id)).map((a) => [a.id, a]));
    assert.deepEqual([byId.an1?.status, byId.an1?.published, byId.an1?.sealed], ['done', true, 'result']);
    assert.equal(byId.an2?.status, 'interrupted');
    assert.equal((await t.analysis(id, 'an2'))?.kind, 'protocols');
    assert.equal(await t.analysis(randomUUID(), 'an2'), undefined);
  });

  test('talks: the audit head moves only from the head an entry was written after', async () => {
    const { t, host, id } = await dialogue('e');
    const head = await t.auditHead(id);
    assert.deepEqual(head, { seq: 0, hash: '0'.repeat(64) });
    const entry = (seq: number, prevHash: string, hash: string) => ({
      seq,
      at: new Date().toISOString(),
      userId: host.id,
      role: 'host',
      delegationId: null,
      action: 'dialogue.open',
      target: '',
      outcome: 'ok' as const,
      prevHash,
      hash,
    });
    assert.equal(await t.appendAudit(id, entry(1, head!.hash, 'h1'), 0), true);
    // A writer that read the old head loses, and writes nothing.
    assert.equal(await t.appendAudit(id, entry(1, head!.hash, 'h1-again'), 0), false);
    assert.equal(await t.appendAudit(id, entry(2, 'h1', 'h2'), 1), true);
    assert.deepEqual(await t.auditHead(id), { seq: 2, hash: 'h2' });
    assert.deepEqual(
      (await t.audit(id)).map((e) => [e.seq, e.prevHash, e.hash]),
      [
        [1, '0'.repeat(64), 'h1'],
        [2, 'h1', 'h2'],
      ],
    );
  });

  test('talks: notifications are per user, newest first, and marked read', async () => {
    const { t, host, guest, id } = await dialogue('f');
    await t.notify(id, [host.id, guest.id, guest.id], 'HERON f: positions were submitted');
    assert.equal((await t.notifications(guest.id)).length, 1);
    assert.equal((await t.notifications(host.id))[0]?.read, false);
    await t.markRead(host.id);
    assert.equal((await t.notifications(host.id))[0]?.read, true);
    assert.equal((await t.notifications(guest.id))[0]?.read, false);
  });

  test('talks: rewrap rewrites every sealed record in one transaction, or nothing', async () => {
    const { t, host, id } = await dialogue('g');
    await t.savePositions(id, 'del-us', 0, { sealed: 'pos', submitted: true, by: host.id });
    await t.addRelease(id, 'del-us', 'rel-g', 'rel');
    await t.createDraft({
      id: 'draft-g',
      dialogueId: id,
      author: 'host',
      parties: [],
      agreed: [],
      released: false,
      sealed: 'dr',
    });
    await t.saveNotes(id, 'notes');
    await t.createAnalysis({ id: 'an-g', dialogueId: id, kind: 'gaps', createdBy: host.id });
    await t.setAnalysis('an-g', { status: 'done', sealed: 'res' });
    const before = await t.wrappedKeys();
    assert.ok(before.includes('wrap.fp1.x'));
    // A failure midway (the fourth record) leaves every dialogue as it was.
    let n = 0;
    await assert.rejects(
      t.rewrap(() => ({
        wrappedKey: 'wrap.fp2.y',
        reseal: (_kind, _id, sealed) => {
          if (++n === 4) throw new Error('stop');
          return `${sealed}+`;
        },
      })),
      /stop/,
    );
    assert.deepEqual(await t.wrappedKeys(), before);
    assert.equal((await t.positions(id, 'del-us'))?.sealed, 'pos');
    const seen: string[] = [];
    const done = await t.rewrap((d) => ({
      wrappedKey: d.id === id ? 'wrap.fp2.y' : d.wrappedKey,
      reseal: (kind, _id, sealed) => {
        if (d.id === id) seen.push(kind);
        return d.id === id ? `${sealed}+` : sealed;
      },
    }));
    assert.equal(done, before.length);
    assert.deepEqual(seen.sort(), ['analysis', 'config', 'draft', 'notes', 'positions', 'release']);
    assert.equal((await t.dialogue(id))?.wrappedKey, 'wrap.fp2.y');
    assert.equal((await t.dialogue(id))?.sealed, 'config-1+');
    assert.equal((await t.positions(id, 'del-us'))?.sealed, 'pos+');
    assert.equal((await t.releases(id))[0]?.sealed, 'rel+');
    assert.equal((await t.draft(id, 'draft-g'))?.sealed, 'dr+');
    assert.equal(await t.notes(id), 'notes+');
    assert.equal((await t.analysis(id, 'an-g'))?.sealed, 'res+');
  });
}
