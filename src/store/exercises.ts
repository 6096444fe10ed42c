// The tabletop exercises' storage: exercises, members (the facilitator and one user per team seat),
// single-use team invitations (a token kept only as its hash, as in the talks room), and the exercise
// log, append-only: an entry is written at the next sequence number only if the head is still the one
// the writer read (a stale writer gets false and reads again). One implementation over Kysely for SQLite
// and PostgreSQL; its migration is `0004_exercises` in migrations.ts.
import { type Kysely, type Migration, sql } from 'kysely';
import {
  addInvitationColumns,
  type InvitationColumns,
  InvitationQueries,
  type InvitationState,
  toInvitationState,
} from './invitation-table.ts';

export interface ExerciseTables {
  exercises: {
    id: string;
    workspace_id: string;
    title: string;
    facilitator_id: string;
    head: number;
    created_at: string;
    updated_at: string;
    /** The exercise's data key wrapped by the master key (null: an exercise from before 0005, in clear). */
    wrapped_key: string | null;
  };
  exercise_members: {
    exercise_id: string;
    user_id: string;
    role: string;
    team_id: string | null;
    joined_at: string;
  };
  exercise_invitations: InvitationColumns & { exercise_id: string; team_id: string };
  exercise_log: {
    exercise_id: string;
    seq: number;
    at: string;
    user_id: string;
    entry: string;
  };
  exercise_jobs: {
    id: string;
    exercise_id: string;
    kind: string;
    head: number;
    options: string;
    status: string;
    done: number;
    total: number;
    sealed: string | null;
    error: string | null;
    created_at: string;
    finished_at: string | null;
  };
}

export const EXERCISES_MIGRATION: Migration = {
  async up(db: Kysely<unknown>) {
    const s = db.schema;
    await s
      .createTable('exercises')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('facilitator_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('head', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await s
      .createTable('exercise_members')
      .addColumn('exercise_id', 'text', (c) => c.notNull().references('exercises.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('team_id', 'text')
      .addColumn('joined_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('exercise_members_pk', ['exercise_id', 'user_id'])
      .execute();
    await s
      .createTable('exercise_invitations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('exercise_id', 'text', (c) => c.notNull().references('exercises.id').onDelete('cascade'))
      .addColumn('team_id', 'text', (c) => c.notNull())
      .$call(addInvitationColumns)
      .execute();
    await s
      .createTable('exercise_log')
      .addColumn('exercise_id', 'text', (c) => c.notNull().references('exercises.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('entry', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('exercise_log_pk', ['exercise_id', 'seq'])
      .execute();
    await s.createIndex('exercise_members_user').on('exercise_members').column('user_id').execute();
    await sql`select 1`.execute(db);
  },
};

/**
 * Exercise content sealed at rest (a data key per exercise, wrapped by the talks room's master key) and
 * the exercises' background jobs (the coach's look-ahead, the after-action review).
 */
export const EXERCISE_JOBS_MIGRATION: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('exercises').addColumn('wrapped_key', 'text').execute();
    await db.schema
      .createTable('exercise_jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('exercise_id', 'text', (c) => c.notNull().references('exercises.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('head', 'integer', (c) => c.notNull())
      .addColumn('options', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('done', 'integer', (c) => c.notNull())
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('sealed', 'text')
      .addColumn('error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('finished_at', 'text')
      .execute();
    await db.schema.createIndex('exercise_jobs_exercise').on('exercise_jobs').column('exercise_id').execute();
  },
};

export type ExerciseRole = 'facilitator' | 'team';

export type ExerciseJobKind = 'review' | 'lookahead';
export type ExerciseJobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

/** A background job of an exercise: its result sealed with the exercise's key. */
export interface ExerciseJobRow {
  id: string;
  exerciseId: string;
  kind: ExerciseJobKind;
  /** The log's head the job computes on. */
  head: number;
  /** Its settings as JSON (runs, days: nothing confidential). */
  options: string;
  status: ExerciseJobStatus;
  done: number;
  total: number;
  sealed: string | null;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

const toJob = (r: ExerciseTables['exercise_jobs']): ExerciseJobRow => ({
  id: r.id,
  exerciseId: r.exercise_id,
  kind: r.kind as ExerciseJobKind,
  head: Number(r.head),
  options: r.options,
  status: r.status as ExerciseJobStatus,
  done: Number(r.done),
  total: Number(r.total),
  sealed: r.sealed,
  error: r.error,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

/** An exercise's keys as a master-key rotation rewrites them (see `ExerciseQueries.rewrap`). */
export interface ExerciseRewrap {
  wrappedKey: string;
  /** A sealed record (kind: log, job; id) sealed again. */
  reseal(kind: string, id: string, sealed: string): string;
}

export interface ExerciseRow {
  id: string;
  workspaceId: string;
  title: string;
  facilitatorId: string;
  head: number;
  createdAt: string;
  updatedAt: string;
  wrappedKey: string | null;
}

export interface ExerciseMemberRow {
  exerciseId: string;
  userId: string;
  role: ExerciseRole;
  teamId: string | null;
  joinedAt: string;
}

export interface ExerciseInvitationRow extends InvitationState {
  id: string;
  exerciseId: string;
  teamId: string;
}

export interface LogRow {
  seq: number;
  at: string;
  userId: string;
  /** The entry as JSON (validated by src/exercise/schema.ts when read). */
  entry: string;
}

const now = () => new Date().toISOString();

const toExercise = (r: ExerciseTables['exercises']): ExerciseRow => ({
  id: r.id,
  workspaceId: r.workspace_id,
  title: r.title,
  facilitatorId: r.facilitator_id,
  head: Number(r.head),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  wrappedKey: r.wrapped_key,
});

const toMember = (r: ExerciseTables['exercise_members']): ExerciseMemberRow => ({
  exerciseId: r.exercise_id,
  userId: r.user_id,
  role: r.role as ExerciseRole,
  teamId: r.team_id,
  joinedAt: r.joined_at,
});

const toInvitation = (r: ExerciseTables['exercise_invitations']): ExerciseInvitationRow => ({
  id: r.id,
  exerciseId: r.exercise_id,
  teamId: r.team_id,
  ...toInvitationState(r),
});

/** The exercise tables' queries over the workbench's Kysely connection. */
export class ExerciseQueries extends InvitationQueries<
  ExerciseTables['exercise_invitations'],
  ExerciseInvitationRow,
  { exerciseId: string; teamId: string }
> {
  private readonly db: Kysely<ExerciseTables>;

  constructor(db: Kysely<ExerciseTables>) {
    super(
      db as Kysely<unknown>,
      'exercise_invitations',
      { table: 'exercise_members', scope: 'exercise_id', seat: 'team_id' },
      toInvitation,
      (i) => ({ exercise_id: i.exerciseId, team_id: i.teamId }),
    );
    this.db = db;
  }

  /** Creates an exercise with its facilitator and its log's first entry (the set-up), at once. */
  async createExercise(e: {
    id: string;
    workspaceId: string;
    title: string;
    facilitatorId: string;
    /** The data key, wrapped (the log's entries are sealed with it). */
    wrappedKey: string | null;
    /** The set-up entry as stored (sealed when there is a key). */
    setup: string;
  }): Promise<void> {
    const t = now();
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('exercises')
        .values({
          id: e.id,
          workspace_id: e.workspaceId,
          title: e.title,
          facilitator_id: e.facilitatorId,
          head: 0,
          created_at: t,
          updated_at: t,
          wrapped_key: e.wrappedKey,
        })
        .execute();
      await tx
        .insertInto('exercise_members')
        .values({
          exercise_id: e.id,
          user_id: e.facilitatorId,
          role: 'facilitator',
          team_id: null,
          joined_at: t,
        })
        .execute();
      await tx
        .insertInto('exercise_log')
        .values({ exercise_id: e.id, seq: 0, at: t, user_id: e.facilitatorId, entry: e.setup })
        .execute();
    });
  }

  async exercise(id: string): Promise<ExerciseRow | undefined> {
    const r = await this.db.selectFrom('exercises').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toExercise(r) : undefined;
  }

  /** The exercises a user is a member of, newest first, with the user's role and team. */
  async exercisesOf(
    userId: string,
  ): Promise<(ExerciseRow & { role: ExerciseRole; teamId: string | null })[]> {
    const rows = await this.db
      .selectFrom('exercise_members as m')
      .innerJoin('exercises as e', 'e.id', 'm.exercise_id')
      .selectAll('e')
      .select(['m.role', 'm.team_id'])
      .where('m.user_id', '=', userId)
      .orderBy('e.created_at', 'desc')
      .execute();
    return rows.map((r) => ({ ...toExercise(r), role: r.role as ExerciseRole, teamId: r.team_id }));
  }

  async member(exerciseId: string, userId: string): Promise<ExerciseMemberRow | undefined> {
    const r = await this.db
      .selectFrom('exercise_members')
      .selectAll()
      .where('exercise_id', '=', exerciseId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return r ? toMember(r) : undefined;
  }

  async members(exerciseId: string): Promise<(ExerciseMemberRow & { name: string })[]> {
    const rows = await (
      this.db as unknown as Kysely<ExerciseTables & { users: { id: string; name: string } }>
    )
      .selectFrom('exercise_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .selectAll('m')
      .select('u.name')
      .where('m.exercise_id', '=', exerciseId)
      .orderBy('m.role')
      .orderBy('m.joined_at')
      .execute();
    return rows.map((r) => ({ ...toMember(r), name: r.name }));
  }

  /**
   * Uses an invitation and seats the user in its team, atomically: false when the invitation was used,
   * revoked or expired meanwhile, or the user is already in the exercise.
   */
  async acceptInvitation(id: string, userId: string, at: string): Promise<boolean> {
    return this.invitationTable.use(id, userId, 'team', at);
  }

  /**
   * Appends entries after `head` (the last seq the writer read): false, and nothing written, when
   * another entry was appended meanwhile.
   */
  async append(
    exerciseId: string,
    head: number,
    entries: { userId: string; entry: string }[],
  ): Promise<boolean> {
    if (entries.length === 0) return true;
    const at = now();
    try {
      return await this.db.transaction().execute(async (tx) => {
        const r = await tx
          .updateTable('exercises')
          .set({ head: head + entries.length, updated_at: at })
          .where('id', '=', exerciseId)
          .where('head', '=', head)
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return false;
        await tx
          .insertInto('exercise_log')
          .values(
            entries.map((e, k) => ({
              exercise_id: exerciseId,
              seq: head + 1 + k,
              at,
              user_id: e.userId,
              entry: e.entry,
            })),
          )
          .execute();
        return true;
      });
    } catch {
      // Two writers at the same head: the primary key refused the second.
      return false;
    }
  }

  async log(exerciseId: string): Promise<LogRow[]> {
    const rows = await this.db
      .selectFrom('exercise_log')
      .select(['seq', 'at', 'user_id', 'entry'])
      .where('exercise_id', '=', exerciseId)
      .orderBy('seq')
      .execute();
    return rows.map((r) => ({ seq: Number(r.seq), at: r.at, userId: r.user_id, entry: r.entry }));
  }

  // Background jobs ---------------------------------------------------------------------------

  async createJob(j: Omit<ExerciseJobRow, 'createdAt' | 'finishedAt' | 'sealed' | 'error'>): Promise<void> {
    await this.db
      .insertInto('exercise_jobs')
      .values({
        id: j.id,
        exercise_id: j.exerciseId,
        kind: j.kind,
        head: j.head,
        options: j.options,
        status: j.status,
        done: j.done,
        total: j.total,
        sealed: null,
        error: null,
        created_at: now(),
        finished_at: null,
      })
      .execute();
  }

  async job(exerciseId: string, id: string): Promise<ExerciseJobRow | undefined> {
    const r = await this.db
      .selectFrom('exercise_jobs')
      .selectAll()
      .where('exercise_id', '=', exerciseId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r ? toJob(r) : undefined;
  }

  /** An exercise's jobs, newest first. */
  async jobs(exerciseId: string): Promise<ExerciseJobRow[]> {
    const rows = await this.db
      .selectFrom('exercise_jobs')
      .selectAll()
      .where('exercise_id', '=', exerciseId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toJob);
  }

  async setJob(
    id: string,
    patch: Partial<Pick<ExerciseJobRow, 'status' | 'done' | 'total' | 'sealed' | 'error' | 'finishedAt'>>,
  ): Promise<void> {
    await this.db
      .updateTable('exercise_jobs')
      .set({
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.done !== undefined ? { done: patch.done } : {}),
        ...(patch.total !== undefined ? { total: patch.total } : {}),
        ...(patch.sealed !== undefined ? { sealed: patch.sealed } : {}),
        ...(patch.error !== undefined ? { error: patch.error } : {}),
        ...(patch.finishedAt !== undefined ? { finished_at: patch.finishedAt } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Jobs a stopped server left queued or running become `interrupted` (they are asked for again). */
  async markInterruptedJobs(): Promise<number> {
    const r = await this.db
      .updateTable('exercise_jobs')
      .set({ status: 'interrupted', finished_at: now() })
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  // Keys ------------------------------------------------------------------------------------------

  /** The wrapped data keys of the exercises that have one. */
  async wrappedKeys(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('exercises')
      .select('wrapped_key')
      .where('wrapped_key', 'is not', null)
      .execute();
    return rows.map((r) => r.wrapped_key!);
  }

  /**
   * Rewrites every sealed exercise's data key, log entries and job results with what `each` gives, on
   * `tx` (the rotation's one transaction, shared with the talks room's records).
   */
  async rewrap(
    tx: Kysely<unknown>,
    each: (e: { id: string; wrappedKey: string }) => ExerciseRewrap,
  ): Promise<number> {
    const db = tx as Kysely<ExerciseTables>;
    const all = await db
      .selectFrom('exercises')
      .select(['id', 'wrapped_key'])
      .where('wrapped_key', 'is not', null)
      .execute();
    for (const e of all) {
      const w = each({ id: e.id, wrappedKey: e.wrapped_key! });
      await db.updateTable('exercises').set({ wrapped_key: w.wrappedKey }).where('id', '=', e.id).execute();
      for (const r of await db
        .selectFrom('exercise_log')
        .select(['seq', 'entry'])
        .where('exercise_id', '=', e.id)
        .execute())
        await db
          .updateTable('exercise_log')
          .set({ entry: w.reseal('log', String(r.seq), r.entry) })
          .where('exercise_id', '=', e.id)
          .where('seq', '=', r.seq)
          .execute();
      for (const r of await db
        .selectFrom('exercise_jobs')
        .select(['id', 'sealed'])
        .where('exercise_id', '=', e.id)
        .execute())
        if (r.sealed !== null)
          await db
            .updateTable('exercise_jobs')
            .set({ sealed: w.reseal('job', r.id, r.sealed) })
            .where('id', '=', r.id)
            .execute();
    }
    return all.length;
  }
}

/** What the store offers the exercises (`Store.exercises`); the store contract suite runs it on every adapter. */
export type ExerciseStore = Pick<ExerciseQueries, keyof ExerciseQueries>;
