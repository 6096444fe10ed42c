// The store's security tables (migration 0003_security): sign-in throttling counters (by account and by
// client address, so that a restart does not clear them and several server processes share them),
// trusted devices (a browser that signed in to an account before is not locked out with it), and
// workspace invitations (single-use, accepted by the invitee). Tokens are kept only as SHA-256 hashes.
import { randomUUID } from 'node:crypto';
import { type Kysely, type Migration, sql } from 'kysely';
import { tablesMigration } from './ddl.ts';
import {
  INVITATION_COLUMNS,
  type InvitationColumns,
  type InvitationState,
  toInvitationState,
} from './invitation-table.ts';
import { deleteWhere, selectMany, selectOne, updateWhere } from './rows.ts';
import type { Role } from './types.ts';

export interface SecurityTables {
  auth_throttle: { key: string; failures: number; window_start: string; locked_until: string | null };
  auth_devices: { token_hash: string; user_id: string; created_at: string; expires_at: string };
  workspace_invitations: InvitationColumns & { workspace_id: string; role: string; email: string | null };
}

export const SECURITY_MIGRATION: Migration = tablesMigration(
  {
    auth_throttle: {
      columns: {
        key: 'text primary key',
        failures: 'integer not null',
        window_start: 'text not null',
        locked_until: 'text',
      },
    },
    auth_devices: {
      columns: {
        token_hash: 'text primary key',
        user_id: 'text not null -> users.id',
        created_at: 'text not null',
        expires_at: 'text not null',
      },
    },
    workspace_invitations: {
      columns: {
        id: 'text primary key',
        workspace_id: 'text not null -> workspaces.id',
        role: 'text not null',
        email: 'text',
        ...INVITATION_COLUMNS,
      },
    },
  },
  {
    workspace_invitations_ws: ['workspace_invitations', 'workspace_id'],
    workspace_invitations_email: ['workspace_invitations', 'email'],
  },
);

/** A throttling counter: failures since `windowStart`, and a lock until a time (or none). */
export interface Throttle {
  key: string;
  failures: number;
  windowStart: string;
  lockedUntil: string | null;
}

export interface WorkspaceInvitation extends InvitationState {
  id: string;
  workspaceId: string;
  role: Role;
  /** The invitee's email when the invitation is addressed (only that account may accept), else null. */
  email: string | null;
}

export type AcceptResult =
  | { ok: true; workspaceId: string; role: Role }
  | { ok: false; reason: 'invalid' | 'already_member' | 'wrong_account' };

const toThrottle = (r: SecurityTables['auth_throttle']): Throttle => ({
  key: r.key,
  failures: Number(r.failures),
  windowStart: r.window_start,
  lockedUntil: r.locked_until,
});

const toInvitation = (r: SecurityTables['workspace_invitations']): WorkspaceInvitation => ({
  id: r.id,
  workspaceId: r.workspace_id,
  role: r.role as Role,
  email: r.email,
  ...toInvitationState(r),
});

/** What the store offers for sign-in throttling, trusted devices and workspace invitations. */
export type SecurityStore = Pick<SecurityQueries, keyof SecurityQueries>;

/** The security tables' queries, shared by the SQLite and PostgreSQL adapters (KyselyStore). */
export class SecurityQueries {
  private readonly db: Kysely<SecurityTables>;

  constructor(db: Kysely<SecurityTables>) {
    this.db = db;
  }

  async throttle(key: string): Promise<Throttle | undefined> {
    const r = await selectOne(this.db, 'auth_throttle', { key });
    return r ? toThrottle(r) : undefined;
  }

  /**
   * Counts a failure for `key`, atomically: a window older than `windowMs` starts again at 1. A lock
   * outlives its window; it is kept as it is.
   */
  async recordFailure(key: string, at: string, windowMs: number): Promise<Throttle> {
    return this.db.transaction().execute(async (tx) => {
      const now = async () => toThrottle((await selectOne(tx, 'auth_throttle', { key }))!);
      const r = await selectOne(tx, 'auth_throttle', { key });
      if (!r) {
        const row = { key, failures: 1, window_start: at, locked_until: null };
        // Two first failures at once: the second insert loses and counts as an update below.
        await tx
          .insertInto('auth_throttle')
          .values(row)
          .onConflict((oc) => oc.column('key').doUpdateSet({ failures: sql`auth_throttle.failures + 1` }))
          .execute();
        return now();
      }
      const expired = Date.parse(r.window_start) + windowMs <= Date.parse(at);
      await tx
        .updateTable('auth_throttle')
        .set(expired ? { failures: 1, window_start: at } : { failures: sql`failures + 1` })
        .where('key', '=', key)
        .execute();
      return now();
    });
  }

  async lock(key: string, until: string, at: string): Promise<void> {
    if ((await updateWhere(this.db, 'auth_throttle', { locked_until: until }, { key })) === 0)
      await this.db
        .insertInto('auth_throttle')
        .values({ key, failures: 0, window_start: at, locked_until: until })
        .execute();
  }

  /** Forgets a counter and its lock; true if there was one. */
  async clearThrottle(key: string): Promise<boolean> {
    return (await deleteWhere(this.db, 'auth_throttle', { key })) > 0;
  }

  /** Drops counters whose window and lock are both over. */
  async deleteStaleThrottles(before: string): Promise<number> {
    const r = await this.db
      .deleteFrom('auth_throttle')
      .where('window_start', '<', before)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', before)]))
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async addDevice(d: {
    tokenHash: string;
    userId: string;
    createdAt: string;
    expiresAt: string;
  }): Promise<void> {
    await this.db
      .insertInto('auth_devices')
      .values({
        token_hash: d.tokenHash,
        user_id: d.userId,
        created_at: d.createdAt,
        expires_at: d.expiresAt,
      })
      .execute();
  }

  /** The account a device token belongs to, if it has not expired at `at`. */
  async deviceUser(tokenHash: string, at: string): Promise<string | undefined> {
    const r = await this.db
      .selectFrom('auth_devices')
      .select(['user_id', 'expires_at'])
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return r && r.expires_at > at ? r.user_id : undefined;
  }

  async createWorkspaceInvitation(i: {
    workspaceId: string;
    role: Role;
    email: string | null;
    tokenHash: string;
    createdBy: string;
    expiresAt: string;
  }): Promise<WorkspaceInvitation> {
    const row = {
      id: randomUUID(),
      workspace_id: i.workspaceId,
      role: i.role,
      email: i.email?.toLowerCase() ?? null,
      token_hash: i.tokenHash,
      created_by: i.createdBy,
      created_at: new Date().toISOString(),
      expires_at: i.expiresAt,
      used_at: null,
      used_by: null,
      revoked_at: null,
    };
    await this.db.insertInto('workspace_invitations').values(row).execute();
    return toInvitation(row);
  }

  async workspaceInvitations(workspaceId: string): Promise<WorkspaceInvitation[]> {
    const order = { by: ['created_at', 'id'] } as const;
    return (await selectMany(this.db, 'workspace_invitations', { workspace_id: workspaceId }, order)).map(
      toInvitation,
    );
  }

  async workspaceInvitationByHash(tokenHash: string): Promise<WorkspaceInvitation | undefined> {
    const r = await selectOne(this.db, 'workspace_invitations', { token_hash: tokenHash });
    return r ? toInvitation(r) : undefined;
  }

  async workspaceInvitation(id: string): Promise<WorkspaceInvitation | undefined> {
    const r = await selectOne(this.db, 'workspace_invitations', { id });
    return r ? toInvitation(r) : undefined;
  }

  /** Invitations addressed to `email` that can still be accepted at `at`. */
  async pendingInvitationsFor(email: string, at: string): Promise<WorkspaceInvitation[]> {
    const rows = await this.db
      .selectFrom('workspace_invitations')
      .selectAll()
      .where('email', '=', email.toLowerCase())
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', at)
      .orderBy('created_at')
      .execute();
    return rows.map(toInvitation);
  }

  /** Revokes (or, for the invitee, declines) a pending invitation; false if it was not pending. */
  async revokeWorkspaceInvitation(id: string, at: string, workspaceId?: string): Promise<boolean> {
    let q = this.db
      .updateTable('workspace_invitations')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null);
    if (workspaceId) q = q.where('workspace_id', '=', workspaceId);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Uses an invitation and makes the user a member, atomically. Refused when the invitation was used,
   * revoked or has expired, when it is addressed to another email, or when the user is already a
   * member (the invitation then stays pending).
   */
  async acceptWorkspaceInvitation(
    id: string,
    user: { id: string; email: string },
    at: string,
  ): Promise<AcceptResult> {
    const db = this.db as unknown as Kysely<
      SecurityTables & {
        memberships: { workspace_id: string; user_id: string; role: string; created_at: string };
      }
    >;
    return db.transaction().execute(async (tx) => {
      const inv = await selectOne(tx, 'workspace_invitations', { id });
      if (!inv || inv.used_at || inv.revoked_at || inv.expires_at <= at)
        return { ok: false, reason: 'invalid' };
      if (inv.email && inv.email !== user.email.toLowerCase()) return { ok: false, reason: 'wrong_account' };
      const already = await tx
        .selectFrom('memberships')
        .select('role')
        .where('workspace_id', '=', inv.workspace_id)
        .where('user_id', '=', user.id)
        .executeTakeFirst();
      if (already) return { ok: false, reason: 'already_member' };
      const r = await tx
        .updateTable('workspace_invitations')
        .set({ used_at: at, used_by: user.id })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return { ok: false, reason: 'invalid' };
      await tx
        .insertInto('memberships')
        .values({ workspace_id: inv.workspace_id, user_id: user.id, role: inv.role, created_at: at })
        .execute();
      return { ok: true, workspaceId: inv.workspace_id, role: inv.role as Role };
    });
  }
}
