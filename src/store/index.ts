// Opening the store: SQLite (embedded, the default) or PostgreSQL (DATABASE_URL=postgres://...).
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { KyselyStore, type Tables } from './kysely-store.ts';
import { migrateToLatest } from './migrations.ts';
import { prepareDatabaseFile } from './private-files.ts';
import type { Store } from './types.ts';

export * from './types.ts';

/** The SQLite adapter: one file (or `:memory:`, mode 0600 in a 0700 folder), WAL journal, foreign keys on, migrated. */
export async function openSqlite(file: string): Promise<Store> {
  if (file !== ':memory:') prepareDatabaseFile(file, dirname(file));
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database }) });
  await migrateToLatest(db as Kysely<unknown>);
  return new KyselyStore(db, 'sqlite');
}

/** The PostgreSQL adapter: a connection pool on `url`, migrated. */
export async function openPostgres(url: string): Promise<Store> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  await migrateToLatest(db as Kysely<unknown>);
  return new KyselyStore(db, 'postgres');
}

/** Opens the store named by a URL: `postgres://` or `postgresql://` for PostgreSQL, else a SQLite file path. */
export async function openStore(urlOrFile: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(urlOrFile)) return openPostgres(urlOrFile);
  return openSqlite(urlOrFile.replace(/^sqlite:(\/\/)?/, ''));
}
