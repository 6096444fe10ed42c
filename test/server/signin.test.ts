// Sign-in throttling (issue 12, finding 5): password spraying from one address gets 429 with
// Retry-After; ten wrong passwords lock the account for browsers that never signed in to it, not for
// the real user's own browser; an owner or the operator clears a lock; the counters live in the store
// and survive a restart. And the session cookie is Secure behind a TLS proxy (finding 6).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import argon2 from 'argon2';
import { hashPassword } from '../../src/server/auth.ts';
import { ACCOUNT_FAILURES, ADDRESS_FAILURES } from '../../src/server/signin.ts';
import { brink } from '../cli.ts';
import { Client, member, PASSWORD, setupOwner, testServer } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'brink-signin-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const server = (database: string, opts: { trustProxy?: number; publicUrl?: string } = {}) =>
  testServer(database, undefined, opts);

const login = (c: Client, email: string, password: string, headers: Record<string, string> = {}) =>
  c.post('/api/auth/login', { email, password }, headers);

describe('sign-in throttling', () => {
  test('password spraying from one address: 401 up to the limit, then 429 with Retry-After, across a restart', async () => {
    const db = join(dir, 'spray.db');
    let srv = await server(db, { trustProxy: 1 });
    await setupOwner(srv.app);
    const from = { 'x-forwarded-for': '203.0.113.7' };
    const codes: number[] = [];
    let last: Awaited<ReturnType<typeof login>> | undefined;
    for (let k = 0; k < 30; k++) {
      last = await login(new Client(srv.app), `user${k}@example.org`, 'Summer2030!', from);
      codes.push(last.status);
    }
    assert.deepEqual(codes, [
      ...Array(ADDRESS_FAILURES).fill(401),
      ...Array(30 - ADDRESS_FAILURES).fill(429),
    ]);
    assert.ok(Number(last!.headers.get('retry-after')) > 0);
    assert.match(last!.body.error.message, /from your address/);
    // Even the right password is refused from that address for now; another address signs in.
    assert.equal((await login(new Client(srv.app), 'owner@example.org', PASSWORD, from)).status, 429);
    assert.equal(
      (await login(new Client(srv.app), 'owner@example.org', PASSWORD, { 'x-forwarded-for': '198.51.100.1' }))
        .status,
      200,
    );
    // A restart does not clear the counters.
    await srv.close();
    srv = await server(db, { trustProxy: 1 });
    assert.equal((await login(new Client(srv.app), 'user0@example.org', 'x', from)).status, 429);
    await srv.close();
  });

  test('without a trusted proxy, X-Forwarded-For is ignored: the socket address counts', async () => {
    const srv = await server(':memory:');
    for (let k = 0; k < ADDRESS_FAILURES; k++)
      await login(new Client(srv.app), `p${k}@example.org`, 'x', { 'x-forwarded-for': `10.0.0.${k}` });
    const r = await login(new Client(srv.app), 'q@example.org', 'x', { 'x-forwarded-for': '10.9.9.9' });
    assert.equal(r.status, 429, 'a spoofed header does not get round the limit');
    await srv.close();
  });

  test("guessing one account locks it for other browsers, not for the user's own; an owner or the operator clears it", async () => {
    const db = join(dir, 'lock.db');
    let srv = await server(db, { trustProxy: 1 });
    const { owner, ws } = await setupOwner(srv.app);
    const ana = await member(srv.app, owner, ws, 'ana@example.org', 'analyst');
    const anaDevice = ana.device;
    assert.ok(anaDevice, 'her browser is trusted after signing in');
    // The attacker, from several addresses, never gets near the address limit.
    for (let k = 0; k < ACCOUNT_FAILURES; k++) {
      const r = await login(new Client(srv.app), 'ana@example.org', `guess ${k}`, {
        'x-forwarded-for': `192.0.2.${k}`,
      });
      assert.equal(r.status, 401);
    }
    const fresh = () => new Client(srv.app);
    const locked = await login(fresh(), 'ana@example.org', PASSWORD, { 'x-forwarded-for': '192.0.2.99' });
    assert.equal(locked.status, 429, 'locked even with the right password from an unknown browser');
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    assert.match(locked.body.error.message, /brink users unlock/);
    // The same answer for an email without an account (no enumeration through the lock).
    for (let k = 0; k < ACCOUNT_FAILURES; k++)
      await login(fresh(), 'ghost@example.org', `guess ${k}`, { 'x-forwarded-for': `192.0.2.${k}` });
    const ghost = await login(fresh(), 'ghost@example.org', PASSWORD, { 'x-forwarded-for': '192.0.2.98' });
    assert.deepEqual([ghost.status, ghost.body.error.code], [locked.status, locked.body.error.code]);
    // Ana's own browser still signs in.
    const own = new Client(srv.app);
    own.device = anaDevice;
    assert.equal(
      (await login(own, 'ana@example.org', PASSWORD, { 'x-forwarded-for': '198.51.100.2' })).status,
      200,
    );
    // The lock survives a restart; the owner sees it and clears it.
    await srv.close();
    srv = await server(db, { trustProxy: 1 });
    assert.equal(
      (await login(fresh(), 'ana@example.org', PASSWORD, { 'x-forwarded-for': '192.0.2.97' })).status,
      429,
    );
    const ownerAgain = new Client(srv.app);
    ownerAgain.device = owner.device;
    const again = await login(ownerAgain, 'owner@example.org', PASSWORD);
    assert.equal(again.status, 200, again.text);
    const list = await ownerAgain.get(`/api/workspaces/${ws}/members`);
    const row = list.body.find((m: { email: string }) => m.email === 'ana@example.org');
    assert.ok(row, list.text);
    assert.equal(row.signInLocked, true);
    const anaNow = new Client(srv.app);
    anaNow.device = anaDevice;
    assert.equal(
      (await login(anaNow, 'ana@example.org', PASSWORD)).status,
      200,
      'her browser, after a restart',
    );
    const viewerList = await anaNow.get(`/api/workspaces/${ws}/members`);
    assert.equal(viewerList.status, 200, viewerList.text);
    assert.equal(viewerList.body[0].signInLocked, undefined, 'only owners see locks');
    assert.equal((await ownerAgain.post(`/api/workspaces/${ws}/members/${row.id}/unlock`)).status, 204);
    assert.equal(
      (await login(fresh(), 'ana@example.org', PASSWORD, { 'x-forwarded-for': '192.0.2.96' })).status,
      200,
    );
    // The operator's way: brink users unlock EMAIL.
    for (let k = 0; k < ACCOUNT_FAILURES; k++)
      await login(fresh(), 'ana@example.org', `again ${k}`, { 'x-forwarded-for': `192.0.2.${k}` });
    assert.equal(
      (await login(fresh(), 'ana@example.org', PASSWORD, { 'x-forwarded-for': '192.0.2.95' })).status,
      429,
    );
    await srv.close();
    const cli = await brink(['users', 'unlock', 'ana@example.org', '--database', db]);
    assert.deepEqual([cli.code, cli.out], [0, 'Cleared the sign-in lock of ana@example.org.\n']);
    srv = await server(db, { trustProxy: 1 });
    assert.equal(
      (await login(fresh(), 'ana@example.org', PASSWORD, { 'x-forwarded-for': '192.0.2.94' })).status,
      200,
    );
    await srv.close();
    const none = await brink(['users', 'unlock', 'ana@example.org', '--database', db]);
    assert.equal(none.out, 'ana@example.org had no sign-in lock.\n');
    const missing = await brink(['users', 'unlock', 'a@example.org', '--database', join(dir, 'none.db')]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no database at/);
  });

  test('passwords are hashed with argon2id, 19 MiB, 2 passes, 1 lane (as docs/security.md states)', async () => {
    const h = await hashPassword('a long password');
    assert.match(h, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  });

  test('a hash made with the parameters of Brink 1.0 still signs in, and is replaced by one with the current parameters', async () => {
    const srv = await server(':memory:');
    const { owner } = await setupOwner(srv.app);
    assert.equal((await owner.get('/api/auth/me')).status, 200);
    const old = await argon2.hash(PASSWORD, {
      type: argon2.argon2id,
      memoryCost: 65536,
      timeCost: 3,
      parallelism: 4,
    });
    const store = srv.services.store;
    const u = (await store.userByEmail('owner@example.org'))!;
    assert.ok(await store.replacePasswordHash(u.id, u.passwordHash, old));
    // A wrong password changes nothing.
    assert.equal(
      (await login(new Client(srv.app), 'owner@example.org', 'not the password at all')).status,
      401,
    );
    assert.equal((await store.userByEmail('owner@example.org'))?.passwordHash, old);
    const ok = await login(new Client(srv.app), 'owner@example.org', PASSWORD);
    assert.equal(ok.status, 200, ok.text);
    const now = (await store.userByEmail('owner@example.org'))!.passwordHash;
    assert.match(now, /^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    assert.ok(await argon2.verify(now, PASSWORD));
    // And the next sign-in uses it as it is.
    assert.equal((await login(new Client(srv.app), 'owner@example.org', PASSWORD)).status, 200);
    assert.equal((await store.userByEmail('owner@example.org'))?.passwordHash, now);
    await srv.close();
  });
});

describe('the session cookie behind a TLS proxy', () => {
  const cookieOf = (r: { headers: Headers }) =>
    r.headers.getSetCookie().find((c) => c.startsWith('brink_session=')) ?? '';

  test('Secure with BRINK_PUBLIC_URL=https://…, or with a trusted proxy saying https; not otherwise', async () => {
    const plain = await server(':memory:');
    await setupOwner(plain.app);
    const r1 = await login(new Client(plain.app), 'owner@example.org', PASSWORD, {
      'x-forwarded-proto': 'https',
    });
    assert.doesNotMatch(cookieOf(r1), /Secure/, 'an untrusted X-Forwarded-Proto changes nothing');
    await plain.close();

    const proxied = await server(':memory:', { trustProxy: 1 });
    await setupOwner(proxied.app);
    const r2 = await login(new Client(proxied.app), 'owner@example.org', PASSWORD, {
      'x-forwarded-proto': 'https',
    });
    assert.match(cookieOf(r2), /; Secure/);
    assert.match(cookieOf(r2), /HttpOnly/);
    const r3 = await login(new Client(proxied.app), 'owner@example.org', PASSWORD, {
      'x-forwarded-proto': 'http',
    });
    assert.doesNotMatch(cookieOf(r3), /Secure/);
    await proxied.close();

    const pub = await server(':memory:', { publicUrl: 'https://brink.example.org' });
    const s = new Client(pub.app);
    const setup = await s.post('/api/setup', { email: 'o@example.org', name: 'O', password: PASSWORD });
    assert.match(cookieOf(setup), /; Secure/);
    const r4 = await login(new Client(pub.app), 'o@example.org', PASSWORD);
    assert.match(cookieOf(r4), /; Secure/);
    for (const c of r4.headers.getSetCookie()) assert.match(c, /; Secure/, c.split('=')[0]);
    // Writes from the public origin pass the Origin check even when the proxy rewrote Host.
    const w = await s.post(
      '/api/workspaces',
      { name: 'X', examples: false },
      { origin: 'https://brink.example.org' },
    );
    assert.equal(w.status, 201);
    const x = await s.post(
      '/api/workspaces',
      { name: 'Y', examples: false },
      { origin: 'https://evil.example' },
    );
    assert.equal(x.status, 403);
    await pub.close();
  });
});
