// The storage contract: every adapter of the Store port must pass these, on a fresh database (with the
// talks tables' part, talks-contract.ts).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunManifest, Store } from '../../src/store/index.ts';
import { exercisesStoreContract } from './exercises-contract.ts';
import { talksStoreContract } from './talks-contract.ts';

const manifest = (scenarioId: string): RunManifest => ({
  kind: 'run',
  scenarioId,
  scenarioPath: 'a.yaml',
  scenarioVersion: 1,
  hash: 'abc',
  engine: '1.0.0',
  seed: 1,
  runs: 100,
  interventions: ['hotline'],
  set: { 'time.horizonDays': 10 },
});

export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract (${name})`, () => {
    let store: Store;
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store.close();
    });

    test('createUser, userByEmail and countUsers: emails are case-insensitive and unique', async () => {
      assert.equal(await store.countUsers(), 0);
      const u = await store.createUser({ email: 'Ana@Example.org', name: 'Ana', passwordHash: 'h1' });
      assert.equal(u.email, 'ana@example.org');
      assert.equal((await store.userByEmail('ANA@example.org'))?.passwordHash, 'h1');
      assert.equal((await store.userById(u.id))?.name, 'Ana');
      assert.equal(await store.countUsers(), 1);
      await assert.rejects(store.createUser({ email: 'ana@example.org', name: 'Again', passwordHash: 'h2' }));
      assert.equal(await store.userByEmail('nobody@example.org'), undefined);
    });

    test('replacePasswordHash replaces a hash only while it is the one read (compare-and-set)', async () => {
      const u = await store.createUser({ email: 'rehash@example.org', name: 'R', passwordHash: 'old' });
      assert.equal(await store.replacePasswordHash(u.id, 'stale', 'new'), false);
      assert.equal((await store.userByEmail('rehash@example.org'))?.passwordHash, 'old');
      assert.equal(await store.replacePasswordHash(u.id, 'old', 'new'), true);
      assert.equal((await store.userByEmail('rehash@example.org'))?.passwordHash, 'new');
      assert.equal(await store.replacePasswordHash(u.id, 'old', 'newer'), false);
      assert.equal(await store.replacePasswordHash('no-such-user', 'new', 'x'), false);
    });

    test('setMember, roleOf, workspacesOf, members and removeMember keep one role per member', async () => {
      const ws = await store.createWorkspace('Team A');
      const other = await store.createWorkspace('Team B');
      const u = await store.createUser({ email: 'bo@example.org', name: 'Bo', passwordHash: 'h' });
      assert.equal(await store.roleOf(u.id, ws.id), undefined);
      await store.setMember(ws.id, u.id, 'viewer');
      await store.setMember(ws.id, u.id, 'analyst');
      assert.equal(await store.roleOf(u.id, ws.id), 'analyst');
      assert.equal(await store.roleOf(u.id, other.id), undefined);
      assert.deepEqual(
        (await store.workspacesOf(u.id)).map((w) => [w.name, w.role]),
        [['Team A', 'analyst']],
      );
      assert.deepEqual(
        (await store.members(ws.id)).map((m) => [m.email, m.role]),
        [['bo@example.org', 'analyst']],
      );
      assert.equal(await store.removeMember(ws.id, u.id), true);
      assert.equal(await store.removeMember(ws.id, u.id), false);
      assert.equal(await store.roleOf(u.id, ws.id), undefined);
      assert.ok((await store.listWorkspaces()).length >= 2);
    });

    test('createSession, sessionByHash, deleteSession and deleteExpiredSessions', async () => {
      const u = await store.createUser({ email: 'cy@example.org', name: 'Cy', passwordHash: 'h' });
      const base = {
        userId: u.id,
        csrf: 'c',
        kind: 'cookie' as const,
        name: null,
        createdAt: '2026-01-01T00:00:00.000Z',
      };
      await store.createSession({ ...base, tokenHash: 't-live', expiresAt: '2999-01-01T00:00:00.000Z' });
      await store.createSession({ ...base, tokenHash: 't-old', expiresAt: '2000-01-01T00:00:00.000Z' });
      assert.equal((await store.sessionByHash('t-live'))?.userId, u.id);
      assert.equal(await store.deleteExpiredSessions('2026-06-01T00:00:00.000Z'), 1);
      assert.equal(await store.sessionByHash('t-old'), undefined);
      await store.deleteSession('t-live');
      assert.equal(await store.sessionByHash('t-live'), undefined);
    });

    test('createScenario and listScenarios: paths unique per workspace, search by text and tag', async () => {
      const ws = await store.createWorkspace('Scenarios');
      const other = await store.createWorkspace('Elsewhere');
      const s = await store.createScenario({
        workspaceId: ws.id,
        path: 'korea-intercept.yaml',
        kind: 'scenario',
        title: 'The US intercepts a DPRK test',
        yaml: 'version: 1\n',
        tags: ['korea', 'missile'],
        by: null,
      });
      assert.ok(s);
      assert.equal(s.version, 1);
      await store.createScenario({
        workspaceId: ws.id,
        path: 'lib/actors.yaml',
        kind: 'library',
        title: 'Actors 100%_done',
        yaml: 'x',
        tags: [],
        by: null,
      });
      const dup = await store.createScenario({
        workspaceId: ws.id,
        path: 'korea-intercept.yaml',
        kind: 'scenario',
        title: 'dup',
        yaml: '',
        tags: [],
        by: null,
      });
      assert.equal(dup, undefined);
      const same = await store.createScenario({
        workspaceId: other.id,
        path: 'korea-intercept.yaml',
        kind: 'scenario',
        title: 'other',
        yaml: '',
        tags: [],
        by: null,
      });
      assert.ok(same, 'the same path is free in another workspace');
      assert.deepEqual(
        (await store.listScenarios(ws.id)).map((x) => x.path),
        ['korea-intercept.yaml', 'lib/actors.yaml'],
      );
      assert.deepEqual(
        (await store.listScenarios(ws.id, { kind: 'scenario' })).map((x) => x.path),
        ['korea-intercept.yaml'],
      );
      assert.equal((await store.listScenarios(ws.id, { q: 'INTERCEPTS' })).length, 1);
      assert.equal((await store.listScenarios(ws.id, { q: '100%_' })).length, 1);
      assert.equal((await store.listScenarios(ws.id, { q: '%' })).length, 1, '% is matched literally');
      assert.equal((await store.listScenarios(ws.id, { tag: 'missile' })).length, 1);
      assert.equal((await store.listScenarios(ws.id, { tag: 'miss' })).length, 0);
      assert.equal(await store.getScenario(other.id, s.id), undefined, 'ids do not cross workspaces');
      assert.equal((await store.getScenarioByPath(ws.id, 'lib/actors.yaml'))?.kind, 'library');
    });

    test('updateScenario checks the version: a stale save is a conflict, never an overwrite', async () => {
      const ws = await store.createWorkspace('Edits');
      const s = (await store.createScenario({
        workspaceId: ws.id,
        path: 'a.yaml',
        kind: 'scenario',
        title: 'A',
        yaml: 'v1',
        tags: [],
        by: null,
      }))!;
      const first = await store.updateScenario(ws.id, s.id, 1, { yaml: 'v2 by ana', by: 'ana' });
      assert.ok(first.ok);
      assert.equal(first.value.version, 2);
      const stale = await store.updateScenario(ws.id, s.id, 1, { yaml: 'v2 by bo', by: 'bo' });
      assert.equal(stale.ok, false);
      assert.equal(!stale.ok && stale.reason, 'conflict');
      assert.equal(!stale.ok && stale.current?.yaml, 'v2 by ana');
      const tags = await store.updateScenario(ws.id, s.id, 2, { tags: ['x'], by: 'ana' });
      assert.ok(tags.ok && tags.value.yaml === 'v2 by ana' && tags.value.tags[0] === 'x');
      assert.deepEqual(
        (await store.scenarioVersions(ws.id, s.id)).map((v) => [v.version, v.yaml]),
        [
          [3, 'v2 by ana'],
          [2, 'v2 by ana'],
          [1, 'v1'],
        ],
      );
      assert.equal((await store.scenarioVersion(ws.id, s.id, 1))?.yaml, 'v1');
      const missing = await store.updateScenario(ws.id, 'nope', 1, { yaml: 'x', by: null });
      assert.equal(!missing.ok && missing.reason, 'missing');
      // Two concurrent saves at the same version: exactly one wins.
      const results = await Promise.all([
        store.updateScenario(ws.id, s.id, 3, { yaml: 'p', by: 'p' }),
        store.updateScenario(ws.id, s.id, 3, { yaml: 'q', by: 'q' }),
      ]);
      assert.equal(results.filter((r) => r.ok).length, 1);
      const del = await store.deleteScenario(ws.id, s.id, 3);
      assert.equal(!del.ok && del.reason, 'conflict');
      assert.ok((await store.deleteScenario(ws.id, s.id, 4)).ok);
      assert.equal(await store.getScenario(ws.id, s.id), undefined);
    });

    test('createRun, startRun, checkpointRun, finishRun: the report and done status land together', async () => {
      const ws = await store.createWorkspace('Runs');
      const run = await store.createRun({
        workspaceId: ws.id,
        scenarioId: 's1',
        manifest: manifest('s1'),
        files: { 'a.yaml': 'text' },
        by: null,
      });
      assert.equal(run.status, 'queued');
      assert.deepEqual(run.manifest, manifest('s1'));
      assert.equal(await store.startRun(run.id, '2026-01-01T00:00:00.000Z'), true);
      assert.equal(await store.startRun(run.id, '2026-01-01T00:00:00.000Z'), false, 'already running');
      await store.checkpointRun(run.id, 40, '{"runs":40}');
      let got = await store.getRun(ws.id, run.id);
      assert.equal(got?.doneRuns, 40);
      assert.equal(got?.checkpoint, '{"runs":40}');
      assert.equal(got?.report, null);
      await store.finishRun(run.id, '{"ok":1}', '2026-01-01T00:01:00.000Z');
      got = await store.getRun(ws.id, run.id);
      assert.equal(got?.status, 'done');
      assert.equal(got?.report, '{"ok":1}');
      assert.equal(got?.doneRuns, 100);
      assert.equal(got?.checkpoint, null);
      assert.deepEqual(got?.files, { 'a.yaml': 'text' });
      await store.endRun(run.id, 'cancelled', null, 'x');
      assert.equal((await store.getRun(ws.id, run.id))?.status, 'done', 'a finished run stays finished');
      const other = await store.createWorkspace('Other runs');
      assert.equal(await store.getRun(other.id, run.id), undefined);
      assert.equal((await store.listRuns(ws.id, { scenarioId: 's1' })).length, 1);
      assert.equal((await store.listRuns(ws.id, { scenarioId: 's2' })).length, 0);
    });

    test('listRuns lists a run as getRun reads it, without its files, checkpoint and report', async () => {
      const ws = await store.createWorkspace('Listing');
      const a = await store.createRun({
        workspaceId: ws.id,
        scenarioId: 's1',
        manifest: manifest('s1'),
        files: { 'a.yaml': 'x'.repeat(10_000) },
        by: null,
      });
      const b = await store.createRun({
        workspaceId: ws.id,
        scenarioId: 's2',
        manifest: manifest('s2'),
        files: { 'b.yaml': 'text' },
        by: null,
      });
      assert.ok(await store.startRun(a.id, '2026-01-01T00:00:00.000Z'));
      await store.checkpointRun(a.id, 50, '{"n":50}');
      await store.finishRun(a.id, '{"ok":1}', '2026-01-01T00:01:00.000Z');
      const listed = await store.listRuns(ws.id);
      assert.deepEqual(new Set(listed.map((r) => r.id)), new Set([a.id, b.id]));
      for (const r of listed) {
        const { files, checkpoint, report, ...rest } = (await store.getRun(ws.id, r.id))!;
        assert.deepEqual(r, rest);
        assert.ok(!('files' in r) && !('checkpoint' in r) && !('report' in r));
      }
      assert.equal(listed.find((r) => r.id === a.id)!.status, 'done');
      // Not left queued for the tests that mark every queued run interrupted.
      await store.endRun(b.id, 'cancelled', null, '2026-01-01T00:02:00.000Z');
    });

    test('markInterrupted marks queued and running runs, and an interrupted run can start again', async () => {
      const ws = await store.createWorkspace('Crash');
      const a = await store.createRun({
        workspaceId: ws.id,
        scenarioId: 's',
        manifest: manifest('s'),
        files: {},
        by: null,
      });
      const b = await store.createRun({
        workspaceId: ws.id,
        scenarioId: 's',
        manifest: manifest('s'),
        files: {},
        by: null,
      });
      const c = await store.createRun({
        workspaceId: ws.id,
        scenarioId: 's',
        manifest: manifest('s'),
        files: {},
        by: null,
      });
      await store.startRun(b.id, 't');
      await store.checkpointRun(b.id, 10, '{"runs":10}');
      await store.startRun(c.id, 't');
      await store.endRun(c.id, 'failed', 'boom', 't');
      const ids = await store.markInterrupted();
      assert.deepEqual(ids.sort(), [a.id, b.id].sort());
      const bb = await store.getRun(ws.id, b.id);
      assert.equal(bb?.status, 'interrupted');
      assert.equal(bb?.checkpoint, '{"runs":10}', 'the checkpoint survives');
      assert.equal((await store.getRun(ws.id, c.id))?.status, 'failed');
      assert.equal(await store.startRun(b.id, 't2'), true);
      await store.checkpointRun(b.id, 20, '{"runs":20}');
      await store.endRun(b.id, 'cancelled', null, 't3');
      assert.equal((await store.getRun(ws.id, b.id))?.status, 'cancelled');
    });
    test('countRunsByStatus counts jobs in each status over all workspaces', async () => {
      const before = await store.countRunsByStatus();
      const add = async (name: string) =>
        store.createRun({
          workspaceId: (await store.createWorkspace(name)).id,
          scenarioId: 's',
          manifest: manifest('s'),
          files: {},
          by: null,
        });
      await add('Count A');
      const r = await add('Count B');
      const f = await add('Count C');
      await store.startRun(r.id, 't');
      await store.startRun(f.id, 't');
      await store.endRun(f.id, 'failed', 'boom', 't');
      const after = await store.countRunsByStatus();
      const delta = Object.fromEntries(
        Object.entries(after).map(([k, v]) => [k, v - before[k as keyof typeof before]]),
      );
      assert.deepEqual(delta, { queued: 1, running: 1, done: 0, failed: 1, cancelled: 0, interrupted: 0 });
    });
    test('recordFailure counts per key within a window and starts again after it; lock and clearThrottle', async () => {
      const sec = store.security;
      const t0 = '2030-01-01T00:00:00.000Z';
      const t1 = '2030-01-01T00:05:00.000Z';
      const t2 = '2030-01-01T00:20:00.000Z';
      assert.equal(await sec.throttle('acct:a@example.org'), undefined);
      assert.equal((await sec.recordFailure('acct:a@example.org', t0, 15 * 60_000)).failures, 1);
      assert.equal((await sec.recordFailure('acct:a@example.org', t1, 15 * 60_000)).failures, 2);
      assert.equal((await sec.recordFailure('addr:10.0.0.1', t1, 15 * 60_000)).failures, 1, 'keys apart');
      // Concurrent failures are all counted.
      await Promise.all(
        Array.from({ length: 5 }, () => sec.recordFailure('acct:a@example.org', t1, 900_000)),
      );
      assert.equal((await sec.throttle('acct:a@example.org'))?.failures, 7);
      const again = await sec.recordFailure('acct:a@example.org', t2, 15 * 60_000);
      assert.deepEqual([again.failures, again.windowStart], [1, t2], 'a new window');
      await sec.lock('acct:a@example.org', '2030-01-01T01:00:00.000Z', t2);
      assert.equal((await sec.throttle('acct:a@example.org'))?.lockedUntil, '2030-01-01T01:00:00.000Z');
      await sec.lock('acct:new@example.org', '2030-01-01T01:00:00.000Z', t2);
      assert.equal((await sec.throttle('acct:new@example.org'))?.failures, 0);
      assert.equal(await sec.clearThrottle('acct:a@example.org'), true);
      assert.equal(await sec.clearThrottle('acct:a@example.org'), false);
      assert.equal(await sec.throttle('acct:a@example.org'), undefined);
      // Stale counters go; a lock still running stays.
      assert.equal(await sec.deleteStaleThrottles('2030-01-01T00:30:00.000Z'), 1);
      assert.ok(await sec.throttle('acct:new@example.org'));
    });

    test('trusted devices: a device token names its account until it expires', async () => {
      const u = await store.createUser({ email: 'dev@example.org', name: 'Dev', passwordHash: 'h' });
      await store.security.addDevice({
        tokenHash: 'd1',
        userId: u.id,
        createdAt: '2030-01-01T00:00:00.000Z',
        expiresAt: '2030-06-01T00:00:00.000Z',
      });
      assert.equal(await store.security.deviceUser('d1', '2030-02-01T00:00:00.000Z'), u.id);
      assert.equal(await store.security.deviceUser('d1', '2030-07-01T00:00:00.000Z'), undefined);
      assert.equal(await store.security.deviceUser('nope', '2030-02-01T00:00:00.000Z'), undefined);
    });

    test('workspace invitations: single use, addressed to one email or to the link holder, revocable', async () => {
      const sec = store.security;
      const ws = await store.createWorkspace('Invites');
      const owner = await store.createUser({ email: 'inv-owner@example.org', name: 'O', passwordHash: 'h' });
      const ann = await store.createUser({ email: 'ann@example.org', name: 'Ann', passwordHash: 'h' });
      const ben = await store.createUser({ email: 'ben@example.org', name: 'Ben', passwordHash: 'h' });
      const far = new Date(Date.now() + 86_400_000).toISOString();
      const at = new Date().toISOString();
      const toAnn = await sec.createWorkspaceInvitation({
        workspaceId: ws.id,
        role: 'analyst',
        email: 'Ann@Example.org',
        tokenHash: 'th-ann',
        createdBy: owner.id,
        expiresAt: far,
      });
      assert.equal(toAnn.email, 'ann@example.org');
      assert.equal((await sec.workspaceInvitationByHash('th-ann'))?.id, toAnn.id);
      assert.deepEqual(
        (await sec.pendingInvitationsFor('ANN@example.org', at)).map((i) => i.id),
        [toAnn.id],
      );
      assert.deepEqual(await sec.acceptWorkspaceInvitation(toAnn.id, ben, at), {
        ok: false,
        reason: 'wrong_account',
      });
      assert.equal(await store.roleOf(ben.id, ws.id), undefined);
      // Two accepts at once: exactly one wins.
      const both = await Promise.all([
        sec.acceptWorkspaceInvitation(toAnn.id, ann, at),
        sec.acceptWorkspaceInvitation(toAnn.id, ann, at),
      ]);
      assert.equal(both.filter((r) => r.ok).length, 1);
      assert.equal(await store.roleOf(ann.id, ws.id), 'analyst');
      assert.deepEqual(await sec.pendingInvitationsFor('ann@example.org', at), []);
      const link = await sec.createWorkspaceInvitation({
        workspaceId: ws.id,
        role: 'viewer',
        email: null,
        tokenHash: 'th-link',
        createdBy: owner.id,
        expiresAt: far,
      });
      assert.deepEqual(await sec.acceptWorkspaceInvitation(link.id, ann, at), {
        ok: false,
        reason: 'already_member',
      });
      assert.equal(await sec.revokeWorkspaceInvitation(link.id, at, 'another-ws'), false);
      assert.equal(await sec.revokeWorkspaceInvitation(link.id, at, ws.id), true);
      assert.deepEqual(await sec.acceptWorkspaceInvitation(link.id, ben, at), {
        ok: false,
        reason: 'invalid',
      });
      const old = await sec.createWorkspaceInvitation({
        workspaceId: ws.id,
        role: 'viewer',
        email: null,
        tokenHash: 'th-old',
        createdBy: owner.id,
        expiresAt: '2000-01-01T00:00:00.000Z',
      });
      assert.deepEqual(await sec.acceptWorkspaceInvitation(old.id, ben, at), {
        ok: false,
        reason: 'invalid',
      });
      assert.deepEqual(
        (await sec.workspaceInvitations(ws.id)).map((i) => `${i.role} ${i.usedBy} ${!!i.revokedAt}`).sort(),
        [`analyst ${ann.id} false`, 'viewer null false', 'viewer null true'],
      );
    });

    talksStoreContract(() => store);
    exercisesStoreContract(() => store);
  });
}
