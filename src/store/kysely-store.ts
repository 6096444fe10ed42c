// The storage port implemented once over Kysely; the SQLite and PostgreSQL adapters (sqlite.ts,
// postgres.ts) only open the connection. Every query is portable: no dialect-specific SQL.
import { randomUUID } from 'node:crypto';
import { type Kysely, type Selectable, sql } from 'kysely';
import { manifestOf } from '../contract/runs.ts';
import { ExerciseQueries, type ExerciseTables } from './exercises.ts';
import { deleteWhere, selectMany, selectOne, updateWhere } from './rows.ts';
import { SecurityQueries, type SecurityTables } from './security.ts';
import { TalksQueries, type TalksTables } from './talks.ts';
import type {
  FileKind,
  NewScenario,
  Role,
  RunListing,
  RunManifest,
  RunRecord,
  RunStatus,
  ScenarioFilter,
  ScenarioRecord,
  ScenarioVersion,
  Session,
  Store,
  UpdateResult,
  User,
  UserWithHash,
  Workspace,
} from './types.ts';

export interface Tables {
  users: { id: string; email: string; name: string; password_hash: string; created_at: string };
  workspaces: { id: string; name: string; created_at: string };
  memberships: { workspace_id: string; user_id: string; role: string; created_at: string };
  sessions: {
    token_hash: string;
    user_id: string;
    csrf: string;
    kind: string;
    name: string | null;
    created_at: string;
    expires_at: string;
  };
  scenarios: {
    id: string;
    workspace_id: string;
    path: string;
    kind: string;
    title: string;
    yaml: string;
    version: number;
    tags: string;
    created_at: string;
    updated_at: string;
    updated_by: string | null;
  };
  scenario_versions: {
    scenario_id: string;
    version: number;
    yaml: string;
    created_at: string;
    created_by: string | null;
  };
  runs: {
    id: string;
    workspace_id: string;
    scenario_id: string;
    status: string;
    manifest: string;
    files: string;
    done_runs: number;
    checkpoint: string | null;
    report: string | null;
    error: string | null;
    created_by: string | null;
    created_at: string;
    started_at: string | null;
    finished_at: string | null;
  };
}

const now = () => new Date().toISOString();

const toUser = (r: Selectable<Tables['users']>): User => ({
  id: r.id,
  email: r.email,
  name: r.name,
  createdAt: r.created_at,
});

const toScenario = (r: Selectable<Tables['scenarios']>): ScenarioRecord => ({
  id: r.id,
  workspaceId: r.workspace_id,
  path: r.path,
  kind: r.kind as FileKind,
  title: r.title,
  yaml: r.yaml,
  version: Number(r.version),
  tags: JSON.parse(r.tags) as string[],
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  updatedBy: r.updated_by,
});

type RunRow = Selectable<Tables['runs']>;

const toRunListing = (r: Omit<RunRow, 'files' | 'checkpoint' | 'report'>): RunListing => ({
  id: r.id,
  workspaceId: r.workspace_id,
  scenarioId: r.scenario_id,
  status: r.status as RunStatus,
  manifest: manifestOf(JSON.parse(r.manifest)),
  doneRuns: Number(r.done_runs),
  error: r.error,
  createdBy: r.created_by,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

const toRun = (r: RunRow): RunRecord => ({
  ...toRunListing(r),
  files: JSON.parse(r.files) as Record<string, string>,
  checkpoint: r.checkpoint,
  report: r.report,
});

export class KyselyStore implements Store {
  readonly db: Kysely<Tables>;
  readonly dialect: 'sqlite' | 'postgres';
  readonly security: SecurityQueries;
  readonly talks: TalksQueries;
  readonly exercises: ExerciseQueries;

  constructor(db: Kysely<Tables>, dialect: 'sqlite' | 'postgres') {
    this.db = db;
    this.dialect = dialect;
    this.security = new SecurityQueries(db as unknown as Kysely<SecurityTables>);
    this.talks = new TalksQueries(db as unknown as Kysely<TalksTables>);
    this.exercises = new ExerciseQueries(db as unknown as Kysely<ExerciseTables>);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }

  // -- users

  async countUsers(): Promise<number> {
    const r = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async createUser(u: { email: string; name: string; passwordHash: string }): Promise<User> {
    const row = {
      id: randomUUID(),
      email: u.email.toLowerCase(),
      name: u.name,
      password_hash: u.passwordHash,
      created_at: now(),
    };
    await this.db.insertInto('users').values(row).execute();
    return toUser(row);
  }

  async userByEmail(email: string): Promise<UserWithHash | undefined> {
    const r = await selectOne(this.db, 'users', { email: email.toLowerCase() });
    return r ? { ...toUser(r), passwordHash: r.password_hash } : undefined;
  }

  async replacePasswordHash(userId: string, from: string, to: string): Promise<boolean> {
    const r = await this.db
      .updateTable('users')
      .set({ password_hash: to })
      .where('id', '=', userId)
      .where('password_hash', '=', from)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async userById(id: string): Promise<User | undefined> {
    const r = await selectOne(this.db, 'users', { id });
    return r ? toUser(r) : undefined;
  }

  // -- workspaces and roles

  async createWorkspace(name: string): Promise<Workspace> {
    const row = { id: randomUUID(), name, created_at: now() };
    await this.db.insertInto('workspaces').values(row).execute();
    return { id: row.id, name, createdAt: row.created_at };
  }

  async listWorkspaces(): Promise<Workspace[]> {
    const rows = await selectMany(this.db, 'workspaces', {}, { by: ['created_at', 'id'] });
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at }));
  }

  async workspacesOf(userId: string): Promise<(Workspace & { role: Role })[]> {
    const rows = await this.db
      .selectFrom('memberships as m')
      .innerJoin('workspaces as w', 'w.id', 'm.workspace_id')
      .select(['w.id', 'w.name', 'w.created_at', 'm.role'])
      .where('m.user_id', '=', userId)
      .orderBy('w.created_at')
      .orderBy('w.id')
      .execute();
    return rows.map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, role: r.role as Role }));
  }

  async roleOf(userId: string, workspaceId: string): Promise<Role | undefined> {
    const r = await this.db
      .selectFrom('memberships')
      .select('role')
      .where('user_id', '=', userId)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    return r?.role as Role | undefined;
  }

  async setMember(workspaceId: string, userId: string, role: Role): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const match = { workspace_id: workspaceId, user_id: userId };
      if ((await updateWhere(tx, 'memberships', { role }, match)) === 0) {
        await tx
          .insertInto('memberships')
          .values({ workspace_id: workspaceId, user_id: userId, role, created_at: now() })
          .execute();
      }
    });
  }

  async removeMember(workspaceId: string, userId: string): Promise<boolean> {
    return (await deleteWhere(this.db, 'memberships', { workspace_id: workspaceId, user_id: userId })) > 0;
  }

  async members(workspaceId: string): Promise<(User & { role: Role })[]> {
    const rows = await this.db
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['u.id', 'u.email', 'u.name', 'u.created_at', 'm.role'])
      .where('m.workspace_id', '=', workspaceId)
      .orderBy('u.email')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      email: r.email,
      name: r.name,
      createdAt: r.created_at,
      role: r.role as Role,
    }));
  }

  // -- sessions

  async createSession(s: Session): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        token_hash: s.tokenHash,
        user_id: s.userId,
        csrf: s.csrf,
        kind: s.kind,
        name: s.name,
        created_at: s.createdAt,
        expires_at: s.expiresAt,
      })
      .execute();
  }

  async sessionByHash(tokenHash: string): Promise<Session | undefined> {
    const r = await selectOne(this.db, 'sessions', { token_hash: tokenHash });
    if (!r) return undefined;
    return {
      tokenHash: r.token_hash,
      userId: r.user_id,
      csrf: r.csrf,
      kind: r.kind as Session['kind'],
      name: r.name,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
    };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
  }

  async deleteExpiredSessions(at: string): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('expires_at', '<', at).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  // -- scenarios

  async listScenarios(workspaceId: string, filter: ScenarioFilter = {}): Promise<ScenarioRecord[]> {
    let q = this.db.selectFrom('scenarios').selectAll().where('workspace_id', '=', workspaceId);
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.q) {
      const like = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      // An explicit ESCAPE: SQLite has no default escape character, PostgreSQL's is the backslash.
      q = q.where(
        sql<boolean>`(lower(path) like ${like} escape '\\' or lower(title) like ${like} escape '\\' or lower(tags) like ${like} escape '\\')`,
      );
    }
    const rows = await q.orderBy('path').execute();
    const out = rows.map(toScenario);
    return filter.tag ? out.filter((s) => s.tags.includes(filter.tag!)) : out;
  }

  async getScenario(workspaceId: string, id: string): Promise<ScenarioRecord | undefined> {
    const r = await selectOne(this.db, 'scenarios', { workspace_id: workspaceId, id });
    return r ? toScenario(r) : undefined;
  }

  async getScenarioByPath(workspaceId: string, path: string): Promise<ScenarioRecord | undefined> {
    const r = await selectOne(this.db, 'scenarios', { workspace_id: workspaceId, path });
    return r ? toScenario(r) : undefined;
  }

  async createScenario(s: NewScenario): Promise<ScenarioRecord | undefined> {
    const t = now();
    const row = {
      id: randomUUID(),
      workspace_id: s.workspaceId,
      path: s.path,
      kind: s.kind,
      title: s.title,
      yaml: s.yaml,
      version: 1,
      tags: JSON.stringify(s.tags),
      created_at: t,
      updated_at: t,
      updated_by: s.by,
    };
    try {
      await this.db.transaction().execute(async (tx) => {
        await tx.insertInto('scenarios').values(row).execute();
        await tx
          .insertInto('scenario_versions')
          .values({ scenario_id: row.id, version: 1, yaml: s.yaml, created_at: t, created_by: s.by })
          .execute();
      });
    } catch (e) {
      if (await this.getScenarioByPath(s.workspaceId, s.path)) return undefined;
      throw e;
    }
    return toScenario(row);
  }

  async updateScenario(
    workspaceId: string,
    id: string,
    expectedVersion: number,
    patch: { yaml?: string; title?: string; tags?: string[]; by: string | null },
  ): Promise<UpdateResult<ScenarioRecord>> {
    const t = now();
    const changed = await this.db.transaction().execute(async (tx) => {
      const set: Partial<Tables['scenarios']> = {
        version: expectedVersion + 1,
        updated_at: t,
        updated_by: patch.by,
      };
      if (patch.yaml !== undefined) set.yaml = patch.yaml;
      if (patch.title !== undefined) set.title = patch.title;
      if (patch.tags !== undefined) set.tags = JSON.stringify(patch.tags);
      // The version check and the write are one statement: of two concurrent saves, one wins.
      const r = await tx
        .updateTable('scenarios')
        .set(set)
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      const row = await tx
        .selectFrom('scenarios')
        .select('yaml')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('scenario_versions')
        .values({
          scenario_id: id,
          version: expectedVersion + 1,
          yaml: row.yaml,
          created_at: t,
          created_by: patch.by,
        })
        .execute();
      return true;
    });
    const current = await this.getScenario(workspaceId, id);
    if (!current) return { ok: false, reason: 'missing' };
    if (!changed) return { ok: false, reason: 'conflict', current };
    return { ok: true, value: current };
  }

  async deleteScenario(
    workspaceId: string,
    id: string,
    expectedVersion: number,
  ): Promise<UpdateResult<null>> {
    const match = { workspace_id: workspaceId, id, version: expectedVersion };
    if ((await deleteWhere(this.db, 'scenarios', match)) > 0) {
      await this.db.deleteFrom('scenario_versions').where('scenario_id', '=', id).execute();
      return { ok: true, value: null };
    }
    return { ok: false, reason: (await this.getScenario(workspaceId, id)) ? 'conflict' : 'missing' };
  }

  async scenarioVersions(workspaceId: string, id: string): Promise<ScenarioVersion[]> {
    const rows = await this.db
      .selectFrom('scenario_versions as v')
      .innerJoin('scenarios as s', 's.id', 'v.scenario_id')
      .select(['v.scenario_id', 'v.version', 'v.yaml', 'v.created_at', 'v.created_by'])
      .where('s.workspace_id', '=', workspaceId)
      .where('s.id', '=', id)
      .orderBy('v.version', 'desc')
      .execute();
    return rows.map((r) => ({
      scenarioId: r.scenario_id,
      version: Number(r.version),
      yaml: r.yaml,
      createdAt: r.created_at,
      createdBy: r.created_by,
    }));
  }

  async scenarioVersion(
    workspaceId: string,
    id: string,
    version: number,
  ): Promise<ScenarioVersion | undefined> {
    return (await this.scenarioVersions(workspaceId, id)).find((v) => v.version === version);
  }

  // -- runs

  async createRun(r: {
    workspaceId: string;
    scenarioId: string;
    manifest: RunManifest;
    files: Record<string, string>;
    by: string | null;
  }): Promise<RunRecord> {
    const row = {
      id: randomUUID(),
      workspace_id: r.workspaceId,
      scenario_id: r.scenarioId,
      status: 'queued',
      manifest: JSON.stringify(r.manifest),
      files: JSON.stringify(r.files),
      done_runs: 0,
      checkpoint: null,
      report: null,
      error: null,
      created_by: r.by,
      created_at: now(),
      started_at: null,
      finished_at: null,
    };
    await this.db.insertInto('runs').values(row).execute();
    return toRun(row);
  }

  async getRun(workspaceId: string, id: string): Promise<RunRecord | undefined> {
    const r = await selectOne(this.db, 'runs', { workspace_id: workspaceId, id });
    return r ? toRun(r) : undefined;
  }

  async listRuns(
    workspaceId: string,
    filter: { scenarioId?: string; limit?: number } = {},
  ): Promise<RunListing[]> {
    let q = this.db
      .selectFrom('runs')
      .select([
        'id',
        'workspace_id',
        'scenario_id',
        'status',
        'manifest',
        'done_runs',
        'error',
        'created_by',
        'created_at',
        'started_at',
        'finished_at',
      ])
      .where('workspace_id', '=', workspaceId);
    if (filter.scenarioId) q = q.where('scenario_id', '=', filter.scenarioId);
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(filter.limit ?? 200)
      .execute();
    return rows.map(toRunListing);
  }

  async startRun(id: string, at: string): Promise<boolean> {
    const r = await this.db
      .updateTable('runs')
      .set({ status: 'running', started_at: at, error: null })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'interrupted'])
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async checkpointRun(id: string, doneRuns: number, checkpoint: string): Promise<void> {
    await updateWhere(this.db, 'runs', { done_runs: doneRuns, checkpoint }, { id, status: 'running' });
  }

  async finishRun(id: string, report: string, at: string): Promise<void> {
    const r = await this.db
      .selectFrom('runs')
      .select('manifest')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const total = (JSON.parse(r.manifest) as RunManifest).runs;
    const values = { status: 'done', report, done_runs: total, checkpoint: null, finished_at: at };
    await updateWhere(this.db, 'runs', values, { id, status: 'running' });
  }

  async endRun(id: string, status: 'failed' | 'cancelled', error: string | null, at: string): Promise<void> {
    await this.db
      .updateTable('runs')
      .set({ status, error, finished_at: at })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'running', 'interrupted'])
      .execute();
  }

  async countRunsByStatus(): Promise<Record<RunStatus, number>> {
    const rows = await this.db
      .selectFrom('runs')
      .select(['status', (eb) => eb.fn.countAll().as('n')])
      .groupBy('status')
      .execute();
    const out: Record<RunStatus, number> = {
      queued: 0,
      running: 0,
      done: 0,
      failed: 0,
      cancelled: 0,
      interrupted: 0,
    };
    for (const r of rows) out[r.status as RunStatus] = Number(r.n);
    return out;
  }

  async markInterrupted(): Promise<string[]> {
    return this.db.transaction().execute(async (tx) => {
      const rows = await tx
        .selectFrom('runs')
        .select('id')
        .where('status', 'in', ['queued', 'running'])
        .execute();
      if (rows.length) {
        await tx
          .updateTable('runs')
          .set({ status: 'interrupted' })
          .where('status', 'in', ['queued', 'running'])
          .execute();
      }
      return rows.map((r) => r.id);
    });
  }
}
