// Versioned schema migrations, in order. The same statements run on SQLite and PostgreSQL: ids are
// text (UUIDs), times are ISO strings written by the application, JSON is text. Never edit a migration
// that has shipped: add the next one.
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { tablesMigration } from './ddl.ts';
import { EXERCISE_JOBS_MIGRATION, EXERCISES_MIGRATION } from './exercises.ts';
import { SECURITY_MIGRATION } from './security.ts';
import { TALKS_MIGRATION } from './talks.ts';

export const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': tablesMigration(
    {
      users: {
        columns: {
          id: 'text primary key',
          email: 'text not null unique',
          name: 'text not null',
          password_hash: 'text not null',
          created_at: 'text not null',
        },
      },
      workspaces: {
        columns: { id: 'text primary key', name: 'text not null', created_at: 'text not null' },
      },
      memberships: {
        columns: {
          workspace_id: 'text not null -> workspaces.id',
          user_id: 'text not null -> users.id',
          role: 'text not null',
          created_at: 'text not null',
        },
        primaryKey: ['workspace_id', 'user_id'],
      },
      sessions: {
        columns: {
          token_hash: 'text primary key',
          user_id: 'text not null -> users.id',
          csrf: 'text not null',
          kind: 'text not null',
          name: 'text',
          created_at: 'text not null',
          expires_at: 'text not null',
        },
      },
      scenarios: {
        columns: {
          id: 'text primary key',
          workspace_id: 'text not null -> workspaces.id',
          path: 'text not null',
          kind: 'text not null',
          title: 'text not null',
          yaml: 'text not null',
          version: 'integer not null',
          tags: 'text not null',
          created_at: 'text not null',
          updated_at: 'text not null',
          updated_by: 'text',
        },
        unique: { name: 'scenarios_path_unique', columns: ['workspace_id', 'path'] },
      },
      scenario_versions: {
        columns: {
          scenario_id: 'text not null -> scenarios.id',
          version: 'integer not null',
          yaml: 'text not null',
          created_at: 'text not null',
          created_by: 'text',
        },
        primaryKey: ['scenario_id', 'version'],
      },
      runs: {
        columns: {
          id: 'text primary key',
          workspace_id: 'text not null -> workspaces.id',
          scenario_id: 'text not null',
          status: 'text not null',
          manifest: 'text not null',
          files: 'text not null',
          done_runs: 'integer not null',
          checkpoint: 'text',
          report: 'text',
          error: 'text',
          created_by: 'text',
          created_at: 'text not null',
          started_at: 'text',
          finished_at: 'text',
        },
      },
    },
    {
      runs_workspace: ['runs', 'workspace_id', 'created_at'],
      runs_status: ['runs', 'status'],
      scenarios_workspace: ['scenarios', 'workspace_id'],
    },
  ),
  // The contingency-talks room (src/store/talks.ts).
  '0002_talks': TALKS_MIGRATION,
  // Sign-in throttling, trusted devices, workspace invitations (src/store/security.ts).
  '0003_security': SECURITY_MIGRATION,
  // Tabletop exercises (src/store/exercises.ts).
  '0004_exercises': EXERCISES_MIGRATION,
  // Exercise content sealed at rest; the exercises' background jobs (src/store/exercises.ts).
  '0005_exercise_jobs': EXERCISE_JOBS_MIGRATION,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Brings the database to the latest schema; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'brink_migrations',
    migrationLockTableName: 'brink_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${why}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
