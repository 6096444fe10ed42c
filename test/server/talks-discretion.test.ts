// Discretion: positions, drafts and notes are sealed at rest with a per-dialogue key wrapped by a master
// key kept outside the database; the audit chain shows which row was edited; nothing confidential is
// logged; talks sessions expire and take browser sessions only; sign-in and invitations are rate-limited.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { createApp } from '../../src/server/app.ts';
import { prepareServices } from '../../src/server/index.ts';
import { auditHash, GENESIS, verifyChain } from '../../src/server/talks/audit.ts';
import { KeyError, Keyring, loadMasterKey } from '../../src/server/talks/crypto.ts';
import { Client, EXAMPLES, fileServer, member, PASSWORD, setupOwner } from './helpers.ts';
import { joinAs, ok, submitForm } from './talks-helpers.ts';

const MARKS = {
  label: 'Delegation Kestrel',
  other: 'Delegation Merlin',
  draft: 'Protocol Osprey: notify within 30 minutes',
  note: 'note Harrier: the red line',
  value: 0.613,
};

const server = fileServer;

describe('talks discretion on a SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brink-talks-'));
  const key = Buffer.alloc(32, 7);
  let srv: Awaited<ReturnType<typeof server>>;
  let host: Client;
  let dlg: string;
  const logged: string[] = [];
  const original = { log: console.log, error: console.error, warn: console.warn, info: console.info };

  before(async () => {
    for (const k of ['log', 'error', 'warn', 'info'] as const)
      console[k] = (...a: unknown[]) => {
        logged.push(a.map(String).join(' '));
      };
    srv = await server(dir, key);
    const { owner, ws } = await setupOwner(srv.app);
    host = await member(srv.app, owner, ws, 'host@example.org', 'analyst');
    const conv = await host.post(`/api/workspaces/${ws}/talks`, {
      codename: 'BLUE HERON',
      scenarios: ['korea-intercept.yaml'],
      delegations: [
        { label: MARKS.label, actor: 'US' },
        { label: MARKS.other, actor: 'PRC' },
      ],
      settings: { runs: 100, maxRuns: 100 },
    });
    await ok(conv, 201);
    dlg = conv.body.id;
    const ov = await host.get(`/api/talks/${dlg}`);
    const ids = ov.body.delegations.map((d: { id: string }) => d.id);
    const us = await joinAs(srv.app, host, dlg, ids[0], 'us@example.org');
    const prc = await joinAs(srv.app, host, dlg, ids[1], 'prc@example.org');
    await submitForm(us, dlg, (s) => {
      s['korea-intercept.yaml'].responses['DPRK.alert'] = { alert: MARKS.value, wait: 1 - MARKS.value };
    });
    await submitForm(prc, dlg);
    await ok(
      await host.post(`/api/talks/${dlg}/drafts`, {
        title: MARKS.draft,
        text: 'each side',
        parties: ids,
        mapping: { 'korea-intercept.yaml': { interventions: ['interception-notice'], set: {} } },
      }),
      201,
    );
    await ok(await host.put(`/api/talks/${dlg}/notes`, { text: MARKS.note }), 204);
    // An error on the way (a bad form) must not log its content either.
    await us.put(`/api/talks/${dlg}/positions`, {
      version: 1,
      submit: true,
      scenarios: {
        'korea-intercept.yaml': { responses: { 'DPRK.alert': { alert: 0.5 } }, expectations: {} },
      },
    });
    const an = await host.post(`/api/talks/${dlg}/analyses`, { kind: 'gaps' });
    await ok(an, 202);
    await srv.services.talks!.jobs.idle();
  });
  after(async () => {
    Object.assign(console, original);
    await srv.services.talks?.jobs.stop();
    await srv.services.jobs.stop();
    await srv.services.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the database files hold no position, label, draft or note in clear', () => {
    const bytes = readdirSync(dir)
      .filter((f) => f.startsWith('brink.db'))
      .map((f) => readFileSync(join(dir, f)).toString('latin1'))
      .join('\n');
    assert.ok(bytes.includes('BLUE HERON'), 'the codename is stored in clear (it is the cover name)');
    for (const m of [
      MARKS.label,
      MARKS.other,
      MARKS.draft,
      MARKS.note,
      String(MARKS.value),
      'Harrier',
      'Osprey',
    ])
      assert.ok(!bytes.includes(m), `${m} is in the database in clear`);
    const db = new Database(join(dir, 'brink.db'), { readonly: true });
    const row = db.prepare('select wrapped_key, sealed from talks_dialogues').get() as {
      wrapped_key: string;
      sealed: string;
    };
    db.close();
    assert.match(row.wrapped_key, /^v1\.[0-9a-f]{16}\./);
    assert.doesNotThrow(() => Buffer.from(row.sealed, 'base64'));
  });

  test('nothing confidential reaches the server log', () => {
    const all = logged.join('\n');
    for (const m of [
      MARKS.label,
      MARKS.other,
      MARKS.draft,
      MARKS.note,
      String(MARKS.value),
      'DPRK.alert',
      'limited-strike',
    ])
      assert.ok(!all.includes(m), `the log holds ${m}`);
  });

  test('GET /api/talks/:dlg/audit names the row edited directly in the database', async () => {
    const good = await host.get(`/api/talks/${dlg}/audit`);
    assert.equal(good.body.verification.ok, true);
    const n = good.body.entries.length;
    assert.ok(n > 10);
    const db = new Database(join(dir, 'brink.db'));
    db.prepare("update talks_audit set action = 'dialogue.open' where dialogue_id = ? and seq = 5").run(dlg);
    const bad = await host.get(`/api/talks/${dlg}/audit`);
    assert.equal(bad.body.verification.ok, false);
    assert.equal(bad.body.verification.row, 5);
    assert.match(bad.body.verification.problem, /row 5 was altered/);
    // Put it back, then delete the last row: the head on the dialogue row still links to it, so the next
    // entry appended shows the hole.
    const orig = good.body.entries.find((e: { seq: number }) => e.seq === 5).action;
    db.prepare('update talks_audit set action = ? where dialogue_id = ? and seq = 5').run(orig, dlg);
    const max = (
      db.prepare('select max(seq) m from talks_audit where dialogue_id = ?').get(dlg) as { m: number }
    ).m;
    db.prepare('delete from talks_audit where dialogue_id = ? and seq = ?').run(dlg, max);
    db.close();
    const cut = await host.get(`/api/talks/${dlg}/audit`);
    assert.equal(cut.body.verification.ok, false);
    assert.equal(cut.body.verification.row, max);
    assert.match(cut.body.verification.problem, new RegExp(`row ${max} is missing`));
  });

  test('a server with another master key cannot open the dialogue and says why', async () => {
    const other = await server(dir, Buffer.alloc(32, 9));
    try {
      const c = new Client(other.app);
      await ok(await c.post('/api/auth/login', { email: 'host@example.org', password: PASSWORD }));
      const r = await c.get(`/api/talks/${dlg}`);
      assert.equal(r.status, 503);
      assert.equal(r.body.error.code, 'talks_key');
      assert.match(r.body.error.message, /sealed with another master key/);
    } finally {
      await other.services.talks?.jobs.stop();
      await other.services.jobs.stop();
      await other.services.store.close();
    }
  });

  test('talks routes refuse old sessions and API tokens', async () => {
    const tok = await host.post('/api/auth/tokens', { name: 'script' });
    const script = new Client(srv.app);
    script.bearer = tok.body.token;
    const r = await script.get(`/api/talks/${dlg}`);
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'browser_session_needed');
    const db = new Database(join(dir, 'brink.db'));
    db.prepare("update sessions set created_at = '2000-01-01T00:00:00.000Z' where kind = 'cookie'").run();
    db.close();
    const old = await host.get(`/api/talks/${dlg}`);
    assert.equal(old.status, 401);
    assert.equal(old.body.error.code, 'session_expired');
    assert.match(old.body.error.message, /sign in again/);
  });
});

describe('talks keys and limits', () => {
  test('loadMasterKey makes a 0600 key file, refuses one others can read, and takes BRINK_MASTER_KEY', () => {
    const dir = mkdtempSync(join(tmpdir(), 'brink-key-'));
    try {
      const file = join(dir, 'sub', 'talks-master.key');
      const k = loadMasterKey({ env: undefined, keyFile: file });
      assert.equal(k.length, 32);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.deepEqual(loadMasterKey({ env: undefined, keyFile: file }), k);
      const open = join(dir, 'open.key');
      writeFileSync(open, `${Buffer.alloc(32, 1).toString('base64')}\n`, { mode: 0o644 });
      assert.throws(
        () => loadMasterKey({ env: undefined, keyFile: open }),
        /readable by others .* chmod 600/,
      );
      assert.deepEqual(loadMasterKey({ env: 'ab'.repeat(32), keyFile: open }), Buffer.alloc(32, 0xab));
      assert.throws(() => loadMasterKey({ env: 'short', keyFile: open }), /32 random bytes/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Keyring.open refuses a record moved to another row or altered', () => {
    const ring = new Keyring(Buffer.alloc(32, 3));
    const wrapped = ring.newDataKey('d1');
    const sealed = ring.seal('d1', wrapped, 'positions', 'a', { x: 1 });
    assert.deepEqual(ring.open('d1', wrapped, 'positions', 'a', sealed), { x: 1 });
    assert.throws(() => ring.open('d1', wrapped, 'positions', 'b', sealed), KeyError);
    const raw = Buffer.from(sealed, 'base64');
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
    assert.throws(
      () => ring.open('d1', wrapped, 'positions', 'a', raw.toString('base64')),
      /does not decrypt/,
    );
    // A fresh keyring with the same master key unwraps the stored data key.
    assert.deepEqual(new Keyring(Buffer.alloc(32, 3)).open('d1', wrapped, 'positions', 'a', sealed), {
      x: 1,
    });
  });

  test('verifyChain finds an inserted row and a broken link', () => {
    const rows = [1, 2, 3].reduce<
      {
        seq: number;
        at: string;
        userId: string;
        role: string;
        delegationId: null;
        action: string;
        target: string;
        outcome: 'ok';
        prevHash: string;
        hash: string;
      }[]
    >((acc, seq) => {
      const prevHash = acc.at(-1)?.hash ?? GENESIS;
      const f = {
        seq,
        at: `t${seq}`,
        userId: 'u',
        role: 'host',
        delegationId: null,
        action: 'a',
        target: '',
        outcome: 'ok' as const,
      };
      acc.push({ ...f, prevHash, hash: auditHash(prevHash, f) });
      return acc;
    }, []);
    assert.deepEqual(verifyChain(rows, { seq: 3, hash: rows[2]!.hash }), {
      ok: true,
      entries: 3,
      head: rows[2]!.hash,
    });
    const relinked = rows.map((r) => (r.seq === 2 ? { ...r, prevHash: GENESIS } : r));
    const v = verifyChain(relinked, { seq: 3, hash: rows[2]!.hash });
    assert.equal(v.ok, false);
    assert.equal(!v.ok && v.row, 2);
    const gap = verifyChain([rows[0]!, rows[2]!], { seq: 3, hash: rows[2]!.hash });
    assert.equal(!gap.ok && gap.problem, 'row 2 is missing (the next row is 3)');
    const cut = verifyChain(rows.slice(0, 2), { seq: 3, hash: rows[2]!.hash });
    assert.equal(
      !cut.ok && cut.problem,
      'the log ends at row 2 but the dialogue records 3 rows: rows were removed or added at the end',
    );
  });

  test('POST /api/talks/join answers 429 with Retry-After after 5 tries per account or 10 per address', async () => {
    const services = await prepareServices({
      database: ':memory:',
      examplesDir: EXAMPLES,
      setupToken: undefined,
      secureCookies: false,
    });
    try {
      const app = createApp(services);
      const c = new Client(app);
      const tryJoin = (email: string) =>
        c.post('/api/talks/join', { token: 'x'.repeat(43), email, password: 'wrong password!' });
      // Per account: 5 tries, then 429.
      const codes: number[] = [];
      for (let k = 0; k < 6; k++) codes.push((await tryJoin('a@example.org')).status);
      assert.deepEqual(codes, [404, 404, 404, 404, 404, 429]);
      // Per address: 10 tries whatever the account, then 429 with Retry-After.
      const more: number[] = [];
      for (let k = 0; k < 5; k++) more.push((await tryJoin(`b${k}@example.org`)).status);
      assert.deepEqual(more, [404, 404, 404, 404, 429]);
      const r = await c.post('/api/talks/join', { token: 'x'.repeat(43) });
      assert.equal(r.status, 429);
      assert.ok(Number(r.headers.get('retry-after')) > 0);
      assert.match(r.body.error.message, /too many attempts to join/);
      // The workbench's own sign-in limit stands beside it (10 failures per account, then 429).
      await setupOwner(app);
      const login: number[] = [];
      for (let k = 0; k < 11; k++)
        login.push(
          (
            await new Client(app).post('/api/auth/login', {
              email: 'owner@example.org',
              password: 'wrong password!',
            })
          ).status,
        );
      assert.equal(login.at(-1), 429);
    } finally {
      await services.talks?.jobs.stop();
      await services.jobs.stop();
      await services.store.close();
    }
  });
});
