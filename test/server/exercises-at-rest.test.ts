// Exercise content at rest, attacked on a SQLite file: the set-up (teams, MSEL, scenario), every log
// entry (moves, a team's message text) and the review's result are sealed with the exercise's data key,
// wrapped by the talks room's master key (one keyring, src/server/talks/crypto.ts). The raw database
// files hold none of it in clear; an entry moved to another place in the log does not open; a server with
// another master key says why it cannot open the exercise; a master-key rotation carries the exercise over.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { prepareServices } from '../../src/server/index.ts';
import { rotateMasterKey } from '../../src/server/talks/rotate.ts';
import { joinTeam } from './exercises-helpers.ts';
import { Client, EXAMPLES, fileServer, member, PASSWORD, setupOwner } from './helpers.ts';
import { ok } from './talks-helpers.ts';

const MARKS = {
  message: 'secret-at-rest-91f: the carrier group turns back at dawn',
  team: 'Team Kestrel',
  inject: 'Inject Osprey: a fishing boat reports a splash',
  expected: 'Controller note Harrier',
};

const server = fileServer;

async function close(srv: Awaited<ReturnType<typeof server>>) {
  srv.services.exercises.stopClock();
  await srv.services.exerciseJobs.stop();
  await srv.services.talks?.jobs.stop();
  await srv.services.jobs.stop();
  await srv.services.store.close();
}

/** The facilitator's view of the exercise from a fresh server with `masterKey` (reads the rows afresh). */
async function viewWith(dir: string, masterKey: Buffer, ex: string) {
  const other = await server(dir, masterKey);
  try {
    const c = new Client(other.app);
    await ok(await c.post('/api/auth/login', { email: 'fac@example.org', password: PASSWORD }));
    return await c.get(`/api/exercises/${ex}/view`);
  } finally {
    await close(other);
  }
}

/** Every byte of the database files (the database, its write-ahead log and shared memory). */
const dbBytes = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith('brink.db'))
    .map((f) => readFileSync(join(dir, f)).toString('latin1'))
    .join('\n');

describe('exercise content on a SQLite file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brink-exercise-'));
  const key = Buffer.alloc(32, 5);
  let srv: Awaited<ReturnType<typeof server>>;
  let fac: Client;
  let ex = '';
  let blueView = '';

  before(async () => {
    srv = await server(dir, key);
    const { owner, ws } = await setupOwner(srv.app);
    fac = await member(srv.app, owner, ws, 'fac@example.org', 'analyst');
    const r = await fac.post(`/api/workspaces/${ws}/exercises`, {
      title: 'Drill NIGHTJAR',
      scenario: 'korea-intercept.yaml',
      seed: 11,
      teams: [
        { id: 'blue', label: MARKS.team, actor: 'US' },
        { id: 'red', label: 'Team Red', actor: 'DPRK' },
      ],
      msel: [
        { id: '1', trigger: { atHours: 2 }, synopsis: MARKS.inject, to: ['US'], expected: MARKS.expected },
      ],
      coach: { runs: 100, windowDays: 7 },
    });
    await ok(r, 201);
    ex = r.body.id;
    const blue = await joinTeam(srv.app, fac, ex, 'blue', 'blue@example.org');
    await joinTeam(srv.app, fac, ex, 'red', 'red@example.org');
    await ok(await fac.post(`/api/exercises/${ex}/clock`, {}));
    // Washington decides whatever waits for it, then writes to Pyongyang with the secret.
    for (let k = 0; k < 10; k++) {
      const p = (await fac.get(`/api/exercises/${ex}/view`)).body.pending;
      if (!p) break;
      await ok(await blue.post(`/api/exercises/${ex}/decisions`, { key: p.key, action: p.options[0].act }));
    }
    const hotline = (await blue.get(`/api/exercises/${ex}/view`)).body.messages.find(
      (m: { to: string }) => m.to === 'DPRK',
    );
    await ok(await blue.post(`/api/exercises/${ex}/messages`, { action: hotline.act, text: MARKS.message }));
    // The next turn: the engine carries the message out (and Washington sees its own words).
    await ok(await fac.post(`/api/exercises/${ex}/clock`, {}));
    const review = await fac.post(`/api/exercises/${ex}/review`, {});
    assert.equal(review.status, 202);
    await srv.services.exerciseJobs.idle();
    blueView = (await blue.get(`/api/exercises/${ex}/view`)).text;
    // The marks are in what the members receive (else their absence below proves nothing).
    const aar = (await fac.get(`/api/exercises/${ex}/aar`)).text;
    for (const m of [MARKS.team, MARKS.inject]) assert.ok(aar.includes(m), `the AAR holds ${m}`);
    assert.ok(blueView.includes(MARKS.message));
  });

  after(async () => {
    await close(srv).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  test("the database files hold no team's message, team label, inject or log entry in clear", () => {
    const bytes = dbBytes(dir);
    assert.ok(bytes.includes('Drill NIGHTJAR'), 'the title is stored in clear (a cover name, as a codename)');
    for (const m of [
      ...Object.values(MARKS),
      'secret-at-rest-91f',
      'Kestrel',
      'Osprey',
      // The log's entries as JSON (the scenario's files themselves are the workspace's, in clear there).
      '"kind":"choose"',
      '"kind":"act"',
      '"kind":"setup"',
    ])
      assert.ok(!bytes.includes(m), `${m} is in the database in clear`);
    const db = new Database(join(dir, 'brink.db'), { readonly: true });
    const e = db.prepare('select wrapped_key from exercises where id = ?').get(ex) as { wrapped_key: string };
    const rows = db.prepare('select entry from exercise_log where exercise_id = ?').all(ex) as {
      entry: string;
    }[];
    const jobs = db.prepare('select sealed from exercise_jobs where exercise_id = ?').all(ex) as {
      sealed: string;
    }[];
    db.close();
    assert.match(e.wrapped_key, /^v1\.[0-9a-f]{16}\./);
    assert.ok(rows.length > 3);
    for (const r of [...rows.map((x) => x.entry), ...jobs.map((x) => x.sealed)]) {
      assert.ok(!r.startsWith('{'), 'a record is JSON in clear');
      assert.match(r, /^[A-Za-z0-9+/]+=*$/);
    }
  });

  test('an entry moved to another place in the log does not open', async () => {
    const db = new Database(join(dir, 'brink.db'));
    const get = db.prepare('select entry from exercise_log where exercise_id = ? and seq = ?');
    const [one, two] = [1, 2].map((s) => (get.get(ex, s) as { entry: string }).entry);
    const put = db.prepare('update exercise_log set entry = ? where exercise_id = ? and seq = ?');
    put.run(two, ex, 1);
    put.run(one, ex, 2);
    try {
      const r = await viewWith(dir, key, ex);
      assert.equal(r.status, 503);
      assert.equal(r.body.error.code, 'exercise_key');
      assert.match(r.body.error.message, /does not decrypt: wrong key, or the record was altered or moved/);
    } finally {
      put.run(one, ex, 1);
      put.run(two, ex, 2);
      db.close();
    }
  });

  test('an entry moved after this server opened it is opened again at the next replay, and refused', async () => {
    // The running server has opened every entry (it keeps them opened); two are swapped under it.
    await ok(await fac.get(`/api/exercises/${ex}/view`));
    const db = new Database(join(dir, 'brink.db'));
    const get = db.prepare('select entry from exercise_log where exercise_id = ? and seq = ?');
    const [one, two] = [1, 2].map((s) => (get.get(ex, s) as { entry: string }).entry);
    const put = db.prepare('update exercise_log set entry = ? where exercise_id = ? and seq = ?');
    put.run(two, ex, 1);
    put.run(one, ex, 2);
    try {
      // A move replays the game at its new head: the moved rows do not open, as on a fresh server.
      const r = await fac.post(`/api/exercises/${ex}/clock`, {});
      assert.equal(r.status, 503);
      assert.equal(r.body.error.code, 'exercise_key');
    } finally {
      put.run(one, ex, 1);
      put.run(two, ex, 2);
      db.close();
    }
    await ok(await fac.get(`/api/exercises/${ex}/view`));
  });

  test('a server with another master key cannot open the exercise and says why', async () => {
    const r = await viewWith(dir, Buffer.alloc(32, 9), ex);
    assert.equal(r.status, 503);
    assert.equal(r.body.error.code, 'exercise_key');
    assert.match(r.body.error.message, /sealed with another master key/);
    assert.ok(!r.text.includes(MARKS.message));
  });

  test('a master-key rotation re-seals the exercise: the new key opens it to the same views', async () => {
    const next = Buffer.alloc(32, 6);
    const before = (await fac.get(`/api/exercises/${ex}/truth`)).text;
    await close(srv);
    const plain = await prepareServices({
      database: join(dir, 'brink.db'),
      examplesDir: EXAMPLES,
      setupToken: undefined,
      secureCookies: false,
      talks: { masterKey: key },
    });
    const report = await rotateMasterKey(plain.store, key, next);
    plain.exercises.stopClock();
    await plain.jobs.stop();
    await plain.store.close();
    assert.equal(report.exercises, 1);
    assert.ok(report.records > 5);
    srv = await server(dir, next);
    const c = new Client(srv.app);
    await ok(await c.post('/api/auth/login', { email: 'fac@example.org', password: PASSWORD }));
    const after = await c.get(`/api/exercises/${ex}/truth`);
    await ok(after);
    assert.equal(after.text, before);
    assert.ok((await c.get(`/api/exercises/${ex}/aar`)).text.includes(MARKS.inject));
    // The old key no longer opens it.
    assert.equal((await viewWith(dir, key, ex)).status, 503);
  });
});
