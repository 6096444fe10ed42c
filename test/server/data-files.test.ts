// The data on disk (issue 12, finding 6): the data folder 0700, the database, its WAL and shared-memory
// files and the key files 0600 whatever the umask; `brink keys rotate` re-encrypts every sealed record
// under a new master key in one transaction, so that a failure midway changes nothing, and a rotation
// cut between the database and the key file is finished at the next start.
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { fingerprint, KeyError, Keyring, parseKey } from '../../src/server/talks/crypto.ts';
import { pendingKeyFile, rotateMasterKey } from '../../src/server/talks/rotate.ts';
import { openSqlite } from '../../src/store/index.ts';
import { brink } from '../cli.ts';
import { Client, member, setupOwner, testServer } from './helpers.ts';
import { joinAs, ok, submitForm } from './talks-helpers.ts';

const mode = (f: string) => statSync(f).mode & 0o777;
const root = mkdtempSync(join(tmpdir(), 'brink-files-'));
const umask = process.umask(0o022);
after(() => {
  process.umask(umask);
  rmSync(root, { recursive: true, force: true });
});

const open = (database: string) => testServer(database);

/** Every sealed value in the database, by table. */
function sealedValues(db: string): string[] {
  const d = new Database(db, { readonly: true });
  try {
    const out: string[] = [];
    for (const t of [
      'talks_dialogues',
      'talks_positions',
      'talks_releases',
      'talks_drafts',
      'talks_notes',
      'talks_analyses',
    ])
      for (const r of d.prepare(`select sealed from ${t} where sealed is not null`).all() as {
        sealed: string;
      }[])
        out.push(r.sealed);
    return out;
  } finally {
    d.close();
  }
}

describe('data files and folders', () => {
  test('a new data folder is 0700; brink.db, -wal, -shm and the key file are 0600 under umask 022', async () => {
    const data = join(root, 'fresh', '.brink');
    const db = join(data, 'brink.db');
    const srv = await open(db);
    const { owner, ws } = await setupOwner(srv.app);
    const conv = await owner.post(`/api/workspaces/${ws}/talks`, {
      codename: 'KEY FILE',
      scenarios: ['korea-intercept.yaml'],
      delegations: [
        { label: 'A', actor: 'US' },
        { label: 'B', actor: 'PRC' },
      ],
    });
    await ok(conv, 201);
    assert.equal(mode(data), 0o700);
    const files = readdirSync(data).sort();
    assert.deepEqual(files, ['brink.db', 'brink.db-shm', 'brink.db-wal', 'talks-master.key']);
    for (const f of files) assert.equal(mode(join(data, f)), 0o600, f);
    await srv.close();
  });

  test('a database an older version left readable by others is tightened at start', async () => {
    const dir = join(root, 'old');
    const db = join(dir, 'brink.db');
    await (await openSqlite(db)).close();
    chmodSync(db, 0o644);
    const s = await openSqlite(db);
    assert.equal(mode(db), 0o600);
    await s.close();
  });
});

describe('brink keys rotate', () => {
  const dir = join(root, 'rotate');
  const db = join(dir, 'brink.db');
  const keyFile = join(dir, 'talks-master.key');
  let dlg = '';
  let prcId = '';
  let before_: { positions: string; notes: string; analysis: string };

  /** What the host reads back: the PRC's positions, the notes, the latest analysis's result. */
  async function readBack(): Promise<typeof before_> {
    const srv = await open(db);
    try {
      const host = new Client(srv.app);
      await ok(
        await host.post('/api/auth/login', { email: 'host@example.org', password: 'correct horse battery' }),
      );
      const p = await host.get(`/api/talks/${dlg}/delegations/${prcId}/positions`);
      await ok(p);
      const n = await host.get(`/api/talks/${dlg}/notes`);
      await ok(n);
      const list = await host.get(`/api/talks/${dlg}/analyses`);
      const a = await host.get(`/api/talks/${dlg}/analyses/${list.body[0].id}`);
      await ok(a);
      const { result } = a.body;
      // Keyed identifiers in manifests change with the key: compare the numbers.
      return {
        positions: JSON.stringify(p.body.scenarios),
        notes: n.body.text,
        analysis: JSON.stringify(
          result.results.map((r: { base: { war: number; lethal: number } }) => r.base.war),
        ),
      };
    } finally {
      await srv.close();
    }
  }

  before(async () => {
    const srv = await open(db);
    const { owner, ws } = await setupOwner(srv.app);
    const host = await member(srv.app, owner, ws, 'host@example.org', 'analyst');
    const conv = await host.post(`/api/workspaces/${ws}/talks`, {
      codename: 'ROTATE',
      scenarios: ['korea-intercept.yaml'],
      delegations: [
        { label: 'US delegation', actor: 'US' },
        { label: 'PRC delegation', actor: 'PRC' },
      ],
      settings: { runs: 100 },
    });
    await ok(conv, 201);
    dlg = conv.body.id;
    const ov = await host.get(`/api/talks/${dlg}`);
    const id = (l: string) => ov.body.delegations.find((d: { label: string }) => d.label === l).id;
    prcId = id('PRC delegation');
    const us = await joinAs(srv.app, host, dlg, id('US delegation'), 'us@example.org');
    const prc = await joinAs(srv.app, host, dlg, prcId, 'prc@example.org');
    await submitForm(us, dlg);
    await submitForm(prc, dlg, (s) => {
      s['korea-intercept.yaml'].responses['US.intercept'] = { protest: 0.61, wait: 0.39 };
    });
    await ok(
      await prc.post(`/api/talks/${dlg}/releases`, {
        kind: 'gap',
        scenario: 'korea-intercept.yaml',
        trigger: '*',
        to: id('US delegation'),
      }),
      201,
    );
    await ok(
      await host.post(`/api/talks/${dlg}/drafts`, {
        title: 'Notify',
        text: 'within 30 minutes',
        parties: [id('US delegation'), prcId],
        mapping: { 'korea-intercept.yaml': { interventions: ['interception-notice'], set: {} } },
      }),
      201,
    );
    await ok(await host.put(`/api/talks/${dlg}/notes`, { text: 'note Harrier' }), 204);
    await ok(await host.post(`/api/talks/${dlg}/analyses`, { kind: 'gaps' }), 202);
    await srv.services.talks!.jobs.idle();
    await srv.close();
    before_ = await readBack();
    assert.match(before_.positions, /0\.61/);
  });

  test('a failure midway changes nothing: the old key still opens every record', async () => {
    const sealed = sealedValues(db);
    const old = parseKey(readFileSync(keyFile, 'utf8'), keyFile);
    const store = await openSqlite(db);
    await assert.rejects(
      rotateMasterKey(store, old, Buffer.alloc(32, 9), (n) => {
        if (n === 4) throw new Error('disk full (simulated)');
      }),
      /disk full/,
    );
    await store.close();
    assert.deepEqual(sealedValues(db), sealed, 'not one record changed');
    assert.deepEqual(await readBack(), before_);
  });

  test('the command re-encrypts every record under a new key, keeps the old key apart, and everything reads back', async () => {
    const sealed = sealedValues(db);
    const oldText = readFileSync(keyFile, 'utf8');
    const old = parseKey(oldText, keyFile);
    const r = await brink(['keys', 'rotate', '--database', db]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Re-encrypted 1 dialogue\(s\), \d+ exercise\(s\), \d+ record\(s\)/);
    const next = parseKey(readFileSync(keyFile, 'utf8'), keyFile);
    assert.notEqual(fingerprint(next), fingerprint(old));
    assert.equal(mode(keyFile), 0o600);
    const retired = join(dir, `talks-master.key.${fingerprint(old)}.retired`);
    assert.equal(readFileSync(retired, 'utf8'), oldText);
    assert.equal(mode(retired), 0o600);
    assert.ok(!existsSync(pendingKeyFile(keyFile)));
    const now = sealedValues(db);
    assert.equal(now.length, sealed.length);
    for (const v of now) assert.ok(!sealed.includes(v), 'every record is sealed anew');
    assert.deepEqual(await readBack(), before_);
    // The old master key opens nothing any more.
    const d = new Database(db, { readonly: true });
    const row = d.prepare('select id, wrapped_key, sealed from talks_dialogues').get() as {
      id: string;
      wrapped_key: string;
      sealed: string;
    };
    d.close();
    assert.throws(
      () => new Keyring(old).open(row.id, row.wrapped_key, 'config', row.id, row.sealed),
      KeyError,
    );
  });

  test('a rotation cut between the database and the key file is finished at the next start', async () => {
    const old = parseKey(readFileSync(keyFile, 'utf8'), keyFile);
    const next = Buffer.alloc(32, 11);
    writeFileSync(pendingKeyFile(keyFile), `${next.toString('base64')}\n`, { mode: 0o600 });
    const store = await openSqlite(db);
    await rotateMasterKey(store, old, next);
    await store.close();
    // The key file still holds the old key here; the server's start resolves it.
    assert.deepEqual(await readBack(), before_);
    assert.equal(fingerprint(parseKey(readFileSync(keyFile, 'utf8'), keyFile)), fingerprint(next));
    assert.ok(!existsSync(pendingKeyFile(keyFile)));
  });
});
