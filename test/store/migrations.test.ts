// Migrations that have shipped are frozen: the statements each one issues, compiled for SQLite and for
// PostgreSQL, must stay those recorded in fixtures/migrations.json (a database migrated before a change
// and one migrated after must have the same schema). A new migration is recorded once with
// `node --import tsx test/store/migrations.test.ts --write`, which never rewrites a recorded one.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  DummyDriver,
  Kysely,
  type Migration,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { MIGRATIONS } from '../../src/store/migrations.ts';

type Recorded = Record<string, { sqlite: string[]; postgres: string[] }>;
const FIXTURE = new URL('./fixtures/migrations.json', import.meta.url);

/** The statements `m` issues on a database of `dialect` (compiled, not run). */
async function statements(m: Migration, dialect: 'sqlite' | 'postgres'): Promise<string[]> {
  const out: string[] = [];
  const sqlite = dialect === 'sqlite';
  const db = new Kysely<unknown>({
    dialect: {
      createAdapter: () => (sqlite ? new SqliteAdapter() : new PostgresAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => (sqlite ? new SqliteIntrospector(k) : new PostgresIntrospector(k)),
      createQueryCompiler: () => (sqlite ? new SqliteQueryCompiler() : new PostgresQueryCompiler()),
    },
    log: (e) => {
      out.push(e.query.sql);
    },
  });
  await m.up(db);
  return out;
}

async function compiled(): Promise<Recorded> {
  const out: Recorded = {};
  for (const [name, m] of Object.entries(MIGRATIONS))
    out[name] = { sqlite: await statements(m, 'sqlite'), postgres: await statements(m, 'postgres') };
  return out;
}

const recorded = (): Recorded => JSON.parse(readFileSync(FIXTURE, 'utf8')) as Recorded;

if (process.argv.includes('--write')) {
  const now = await compiled();
  let known: Recorded = {};
  try {
    known = recorded();
  } catch {}
  writeFileSync(FIXTURE, `${JSON.stringify({ ...now, ...known }, null, 2)}\n`);
} else {
  test('every migration issues the statements recorded when it shipped, on SQLite and PostgreSQL', async () => {
    const now = await compiled();
    const known = recorded();
    for (const name of Object.keys(now))
      assert.ok(
        name in known,
        `${name} is not recorded: node --import tsx test/store/migrations.test.ts --write`,
      );
    for (const [name, r] of Object.entries(known)) assert.deepEqual(now[name], r, `${name} changed`);
  });
}
