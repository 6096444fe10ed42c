// Membership by invitation (issue 12, finding 4): nobody becomes a member of a workspace without
// accepting; inviting answers the same whether or not an account exists for the email; invitations are
// single use, addressed ones only work for their account, and they can be revoked or declined.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, invite, member, PASSWORD, setupOwner, type TestServer, testServer } from './helpers.ts';

describe('workspace membership by invitation', () => {
  let srv: TestServer;
  let stranger: Client;
  let mallory: Client;
  let malloryWs: string;
  let ws: string;
  let owner: Client;

  before(async () => {
    srv = await testServer();
    ({ owner, ws } = await setupOwner(srv.app));
    // A stranger with an account in the default workspace, and Mallory, who owns a workspace of her own.
    stranger = await member(srv.app, owner, ws, 'stranger@example.org', 'viewer');
    mallory = await member(srv.app, owner, ws, 'mallory@example.org', 'viewer');
    const mine = await mallory.post('/api/workspaces', { name: 'Mallory Ltd', examples: false });
    malloryWs = mine.body.id;
  });
  after(() => srv.close());

  test('the attack of the issue: adding an existing account to one’s workspace directly is gone', async () => {
    const r = await mallory.post(`/api/workspaces/${malloryWs}/members`, {
      email: 'stranger@example.org',
      role: 'viewer',
    });
    assert.equal(r.status, 404);
    const listed = await stranger.get('/api/workspaces');
    assert.ok(!listed.text.includes('Mallory Ltd'), 'the stranger lists no workspace it did not accept');
  });

  test('inviting answers the same whether or not an account exists, and names nobody', async () => {
    const known = await mallory.post(`/api/workspaces/${malloryWs}/invitations`, {
      email: 'stranger@example.org',
      role: 'viewer',
    });
    const unknown = await mallory.post(`/api/workspaces/${malloryWs}/invitations`, {
      email: 'nobody-here@example.org',
      role: 'viewer',
    });
    assert.equal(known.status, 201);
    assert.equal(unknown.status, 201);
    assert.deepEqual(Object.keys(known.body).sort(), Object.keys(unknown.body).sort());
    const shape = (b: Record<string, unknown>) => ({
      ...b,
      id: '',
      token: '',
      email: '',
      createdAt: '',
      expiresAt: '',
    });
    assert.deepEqual(shape(known.body), shape(unknown.body));
    assert.ok(
      !known.text.includes('stranger'.replace('s', 'S')) && !/"name"/.test(known.text),
      'no account name',
    );
    // The owner's list of invitations tells no more: both pending, no account behind either.
    const list = await mallory.get(`/api/workspaces/${malloryWs}/invitations`);
    assert.deepEqual(
      list.body.map((i: { status: string; usedBy: string | null }) => [i.status, i.usedBy]),
      [
        ['pending', null],
        ['pending', null],
      ],
    );
    // Still no membership without consent.
    assert.equal((await stranger.get(`/api/workspaces/${malloryWs}/scenarios`)).status, 404);
  });

  test('the invitee sees the invitation addressed to it, and may decline it', async () => {
    const pending = await stranger.get('/api/invitations');
    const mine = pending.body.find((i: { workspace: string }) => i.workspace === 'Mallory Ltd');
    assert.ok(mine);
    assert.equal(mine.role, 'viewer');
    // Someone else cannot accept or decline it by its id.
    assert.equal((await owner.post(`/api/invitations/${mine.id}/accept`)).status, 404);
    assert.equal((await owner.post(`/api/invitations/${mine.id}/decline`)).status, 404);
    assert.equal((await stranger.post(`/api/invitations/${mine.id}/decline`)).status, 204);
    assert.equal((await stranger.post(`/api/invitations/${mine.id}/accept`)).status, 404);
    assert.ok(!(await stranger.get('/api/workspaces')).text.includes('Mallory Ltd'));
  });

  test('accepting makes the member, with the invitation’s role; an addressed link works for its account only', async () => {
    const inv = await invite(owner, ws, 'analyst', 'ana@example.org');
    // Someone else holding the link cannot use it, neither signed in nor by creating an account.
    const other = await member(srv.app, owner, ws, 'other@example.org', 'viewer');
    const wrong = await other.post('/api/invitations/join', { token: inv.token });
    assert.equal(wrong.status, 403);
    const create = await new Client(srv.app).post('/api/invitations/join', {
      token: inv.token,
      email: 'eve@example.org',
      password: PASSWORD,
      name: 'Eve',
      create: true,
    });
    assert.equal(create.status, 403);
    assert.equal((await srv.services.store.userByEmail('eve@example.org')) === undefined, true);
    const preview = await new Client(srv.app).post('/api/invitations/preview', { token: inv.token });
    assert.deepEqual(preview.body, { workspace: 'Default', role: 'analyst', addressed: true });
    const ana = new Client(srv.app);
    const joined = await ana.post('/api/invitations/join', {
      token: inv.token,
      email: 'ana@example.org',
      password: PASSWORD,
      name: 'Ana',
      create: true,
    });
    assert.equal(joined.status, 200);
    assert.equal(joined.body.workspace.role, 'analyst');
    assert.equal((await ana.get(`/api/workspaces/${ws}/scenarios`)).status, 200);
    // Single use.
    const again = await new Client(srv.app).post('/api/invitations/preview', { token: inv.token });
    assert.equal(again.status, 404);
  });

  test('a link invitation is single use even when two people accept it at once; revoked ones are dead', async () => {
    const inv = await invite(owner, ws, 'viewer');
    const a = await member(srv.app, mallory, malloryWs, 'a@example.org', 'viewer');
    const b = await member(srv.app, mallory, malloryWs, 'b@example.org', 'viewer');
    const both = await Promise.all([
      a.post('/api/invitations/join', { token: inv.token }),
      b.post('/api/invitations/join', { token: inv.token }),
    ]);
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 404]);
    const members = (await owner.get(`/api/workspaces/${ws}/members`)).body.map(
      (m: { email: string }) => m.email,
    );
    assert.equal(members.filter((e: string) => e === 'a@example.org' || e === 'b@example.org').length, 1);
    const revoked = await invite(owner, ws, 'owner');
    assert.equal((await owner.delete(`/api/workspaces/${ws}/invitations/${revoked.id}`)).status, 204);
    assert.equal((await a.post('/api/invitations/join', { token: revoked.token })).status, 404);
    assert.equal((await owner.delete(`/api/workspaces/${ws}/invitations/${revoked.id}`)).status, 404);
  });

  test('joining with an existing account checks its password under the sign-in throttle', async () => {
    const inv = await invite(owner, ws, 'viewer');
    const r = await new Client(srv.app).post('/api/invitations/join', {
      token: inv.token,
      email: 'mallory@example.org',
      password: 'not her password',
    });
    assert.equal(r.status, 401);
    assert.equal(r.body.error.message, 'wrong email or password');
    const nobody = await new Client(srv.app).post('/api/invitations/join', {
      token: inv.token,
      email: 'nobody@example.org',
      password: 'not her password',
    });
    assert.deepEqual([nobody.status, nobody.body.error.message], [401, 'wrong email or password']);
    const throttled = await srv.services.store.security.throttle('acct:mallory@example.org');
    assert.equal(throttled?.failures, 1);
  });
});
