// The storage port: what the workbench keeps (accounts, workspaces, scenarios with their history, runs
// with their manifests) and the operations on it. Adapters (SQLite, PostgreSQL) implement `Store`; the
// same contract suite runs against both (test/store/contract.ts).
import type { ExerciseStore } from './exercises.ts';
import type { SecurityStore } from './security.ts';
import type { TalksStore } from './talks.ts';

export type {
  ExerciseInvitationRow,
  ExerciseJobKind,
  ExerciseJobRow,
  ExerciseJobStatus,
  ExerciseMemberRow,
  ExerciseRole,
  ExerciseRow,
  ExerciseStore,
  LogRow,
} from './exercises.ts';
export type { AcceptResult, SecurityStore, Throttle, WorkspaceInvitation } from './security.ts';

export type Role = 'owner' | 'analyst' | 'viewer';
export const ROLES: readonly Role[] = ['viewer', 'analyst', 'owner'];

/** Whether `role` grants at least what `needed` grants (viewer < analyst < owner). */
export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export interface User {
  id: string;
  email: string;
  name: string;
  createdAt: string;
}

export interface UserWithHash extends User {
  passwordHash: string;
}

export interface Workspace {
  id: string;
  name: string;
  createdAt: string;
}

export interface Membership {
  workspaceId: string;
  userId: string;
  role: Role;
}

export interface Session {
  tokenHash: string;
  userId: string;
  csrf: string;
  /** `cookie` for a browser session (CSRF-checked), `token` for an API token sent as a Bearer header. */
  kind: 'cookie' | 'token';
  name: string | null;
  createdAt: string;
  expiresAt: string;
}

export type FileKind = 'scenario' | 'library';

/** A scenario file or a library file it extends, stored by its path in the workspace. */
export interface ScenarioRecord {
  id: string;
  workspaceId: string;
  path: string;
  kind: FileKind;
  title: string;
  yaml: string;
  version: number;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  updatedBy: string | null;
}

export interface ScenarioVersion {
  scenarioId: string;
  version: number;
  yaml: string;
  createdAt: string;
  createdBy: string | null;
}

export type {
  BreakevenSettings,
  CompareSettings,
  JobKind,
  ManifestOf,
  RareSettings,
  RunManifest,
  RunStatus,
  SensitivitySettings,
  SweepSettings,
} from '../contract/runs.ts';

import type { JobKind, RunManifest, RunStatus } from '../contract/runs.ts';

/** The kind of job a manifest describes. */
export const jobKind = (m: RunManifest): JobKind => m.kind;

export interface RunRecord {
  id: string;
  workspaceId: string;
  scenarioId: string;
  status: RunStatus;
  manifest: RunManifest;
  /** The text of every file the run read (entry first), so that a re-run is exact. */
  files: Record<string, string>;
  doneRuns: number;
  /** The integer aggregate after `doneRuns` runs (JSON), so an interrupted run resumes exactly. */
  checkpoint: string | null;
  /** The finished report (JSON), written once, together with the `done` status. */
  report: string | null;
  error: string | null;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A run as the run history lists it: everything but its files, checkpoint and report. */
export type RunListing = Omit<RunRecord, 'files' | 'checkpoint' | 'report'>;

export interface ScenarioFilter {
  q?: string;
  tag?: string;
  kind?: FileKind;
}

export type UpdateResult<T> =
  | { ok: true; value: T }
  | { ok: false; reason: 'missing' | 'conflict'; current?: T };

/** A scenario file to create: its workspace, path, kind, title, text, tags and author. */
export interface NewScenario {
  workspaceId: string;
  path: string;
  kind: FileKind;
  title: string;
  yaml: string;
  tags: string[];
  by: string | null;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
  /** Sign-in throttling, trusted devices and workspace invitations (src/store/security.ts). */
  readonly security: SecurityStore;
  /** The contingency-talks room's tables (src/store/talks.ts). */
  readonly talks: TalksStore;
  /** The tabletop exercises' tables (src/store/exercises.ts). */
  readonly exercises: ExerciseStore;

  countUsers(): Promise<number>;
  createUser(u: { email: string; name: string; passwordHash: string }): Promise<User>;
  userByEmail(email: string): Promise<UserWithHash | undefined>;
  /**
   * Replaces a user's password hash if it is still `from` (a hash made with older parameters, rehashed
   * at sign-in); false when it changed meanwhile or the user is gone.
   */
  replacePasswordHash(userId: string, from: string, to: string): Promise<boolean>;
  userById(id: string): Promise<User | undefined>;

  createWorkspace(name: string): Promise<Workspace>;
  listWorkspaces(): Promise<Workspace[]>;
  workspacesOf(userId: string): Promise<(Workspace & { role: Role })[]>;
  roleOf(userId: string, workspaceId: string): Promise<Role | undefined>;
  setMember(workspaceId: string, userId: string, role: Role): Promise<void>;
  removeMember(workspaceId: string, userId: string): Promise<boolean>;
  members(workspaceId: string): Promise<(User & { role: Role })[]>;

  createSession(s: Session): Promise<void>;
  sessionByHash(tokenHash: string): Promise<Session | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteExpiredSessions(now: string): Promise<number>;

  listScenarios(workspaceId: string, filter?: ScenarioFilter): Promise<ScenarioRecord[]>;
  getScenario(workspaceId: string, id: string): Promise<ScenarioRecord | undefined>;
  getScenarioByPath(workspaceId: string, path: string): Promise<ScenarioRecord | undefined>;
  /** Creates a file; undefined when the path is taken in that workspace. */
  createScenario(s: NewScenario): Promise<ScenarioRecord | undefined>;
  /** Changes a file if its version is still `expectedVersion` (optimistic concurrency). */
  updateScenario(
    workspaceId: string,
    id: string,
    expectedVersion: number,
    patch: { yaml?: string; title?: string; tags?: string[]; by: string | null },
  ): Promise<UpdateResult<ScenarioRecord>>;
  deleteScenario(workspaceId: string, id: string, expectedVersion: number): Promise<UpdateResult<null>>;
  scenarioVersions(workspaceId: string, id: string): Promise<ScenarioVersion[]>;
  scenarioVersion(workspaceId: string, id: string, version: number): Promise<ScenarioVersion | undefined>;

  createRun(r: {
    workspaceId: string;
    scenarioId: string;
    manifest: RunManifest;
    files: Record<string, string>;
    by: string | null;
  }): Promise<RunRecord>;
  getRun(workspaceId: string, id: string): Promise<RunRecord | undefined>;
  /**
   * Run history, newest first: each run without its files, checkpoint and report (the columns a listing
   * does not show, and the large ones: a query that does not read them, nothing parsed but the manifest).
   */
  listRuns(workspaceId: string, filter?: { scenarioId?: string; limit?: number }): Promise<RunListing[]>;
  /** Moves a queued or interrupted run to running; false when it is in another state. */
  startRun(id: string, now: string): Promise<boolean>;
  /** Records progress and the aggregate so far, atomically. */
  checkpointRun(id: string, doneRuns: number, checkpoint: string): Promise<void>;
  /** Writes the report and the `done` status in one statement: there is never a half-written result. */
  finishRun(id: string, report: string, now: string): Promise<void>;
  endRun(id: string, status: 'failed' | 'cancelled', error: string | null, now: string): Promise<void>;
  /** Marks every run left queued or running (by a server that died) as interrupted; returns their ids. */
  markInterrupted(): Promise<string[]>;
  /** How many jobs (runs, comparisons, sensitivity analyses) are in each status, over all workspaces. */
  countRunsByStatus(): Promise<Record<RunStatus, number>>;
}
