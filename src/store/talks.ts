// The talks room's storage: dialogues, memberships, invitations, positions, releases, drafts, notes,
// analyses, the audit log and notifications. Confidential content arrives here already sealed
// (src/server/talks/crypto.ts): columns named `sealed` hold ciphertext; every other column is
// non-confidential by design (ids, codenames, roles, times, hashes). One implementation over Kysely for
// SQLite and PostgreSQL, like the workbench store; its migration is `0002_talks` in migrations.ts.
import { randomUUID } from 'node:crypto';
import type { Kysely, Migration } from 'kysely';
import { tablesMigration } from './ddl.ts';
import {
  INVITATION_COLUMNS,
  type InvitationColumns,
  InvitationQueries,
  type InvitationState,
  toInvitationState,
} from './invitation-table.ts';
import { deleteWhere, selectMany, selectOne, updateWhere } from './rows.ts';

export interface TalksTables {
  talks_dialogues: {
    id: string;
    codename: string;
    host_id: string;
    workspace_id: string;
    status: string;
    wrapped_key: string;
    sealed: string;
    version: number;
    audit_seq: number;
    audit_head: string;
    created_at: string;
    updated_at: string;
  };
  talks_members: {
    dialogue_id: string;
    user_id: string;
    role: string;
    delegation_id: string | null;
    joined_at: string;
  };
  talks_invitations: InvitationColumns & { dialogue_id: string; delegation_id: string };
  talks_positions: {
    dialogue_id: string;
    delegation_id: string;
    sealed: string;
    version: number;
    submitted_at: string | null;
    updated_at: string;
    updated_by: string;
  };
  talks_releases: {
    id: string;
    dialogue_id: string;
    delegation_id: string;
    sealed: string;
    created_at: string;
  };
  talks_drafts: {
    id: string;
    dialogue_id: string;
    author: string;
    parties: string;
    agreed: string;
    released: number;
    sealed: string;
    version: number;
    created_at: string;
    updated_at: string;
  };
  talks_notes: { dialogue_id: string; sealed: string; updated_at: string };
  talks_analyses: {
    id: string;
    dialogue_id: string;
    kind: string;
    status: string;
    published: number;
    sealed: string | null;
    error: string | null;
    created_by: string;
    created_at: string;
    finished_at: string | null;
  };
  talks_audit: {
    dialogue_id: string;
    seq: number;
    at: string;
    user_id: string;
    role: string;
    delegation_id: string | null;
    action: string;
    target: string;
    outcome: string;
    prev_hash: string;
    hash: string;
  };
  talks_notifications: {
    id: string;
    user_id: string;
    dialogue_id: string;
    subject: string;
    created_at: string;
    read_at: string | null;
  };
}

export const TALKS_MIGRATION: Migration = tablesMigration(
  {
    talks_dialogues: {
      columns: {
        id: 'text primary key',
        codename: 'text not null',
        host_id: 'text not null -> users.id',
        workspace_id: 'text not null',
        status: 'text not null',
        wrapped_key: 'text not null',
        sealed: 'text not null',
        version: 'integer not null',
        audit_seq: 'integer not null',
        audit_head: 'text not null',
        created_at: 'text not null',
        updated_at: 'text not null',
      },
    },
    talks_members: {
      columns: {
        dialogue_id: 'text not null -> talks_dialogues.id',
        user_id: 'text not null -> users.id',
        role: 'text not null',
        delegation_id: 'text',
        joined_at: 'text not null',
      },
      primaryKey: ['dialogue_id', 'user_id'],
    },
    talks_invitations: {
      columns: {
        id: 'text primary key',
        dialogue_id: 'text not null -> talks_dialogues.id',
        delegation_id: 'text not null',
        ...INVITATION_COLUMNS,
      },
    },
    talks_positions: {
      columns: {
        dialogue_id: 'text not null -> talks_dialogues.id',
        delegation_id: 'text not null',
        sealed: 'text not null',
        version: 'integer not null',
        submitted_at: 'text',
        updated_at: 'text not null',
        updated_by: 'text not null',
      },
      primaryKey: ['dialogue_id', 'delegation_id'],
    },
    talks_releases: {
      columns: {
        id: 'text primary key',
        dialogue_id: 'text not null -> talks_dialogues.id',
        delegation_id: 'text not null',
        sealed: 'text not null',
        created_at: 'text not null',
      },
    },
    talks_drafts: {
      columns: {
        id: 'text primary key',
        dialogue_id: 'text not null -> talks_dialogues.id',
        author: 'text not null',
        parties: 'text not null',
        agreed: 'text not null',
        released: 'integer not null',
        sealed: 'text not null',
        version: 'integer not null',
        created_at: 'text not null',
        updated_at: 'text not null',
      },
    },
    talks_notes: {
      columns: {
        dialogue_id: 'text primary key -> talks_dialogues.id',
        sealed: 'text not null',
        updated_at: 'text not null',
      },
    },
    talks_analyses: {
      columns: {
        id: 'text primary key',
        dialogue_id: 'text not null -> talks_dialogues.id',
        kind: 'text not null',
        status: 'text not null',
        published: 'integer not null',
        sealed: 'text',
        error: 'text',
        created_by: 'text not null',
        created_at: 'text not null',
        finished_at: 'text',
      },
    },
    talks_audit: {
      columns: {
        dialogue_id: 'text not null -> talks_dialogues.id',
        seq: 'integer not null',
        at: 'text not null',
        user_id: 'text not null',
        role: 'text not null',
        delegation_id: 'text',
        action: 'text not null',
        target: 'text not null',
        outcome: 'text not null',
        prev_hash: 'text not null',
        hash: 'text not null',
      },
      primaryKey: ['dialogue_id', 'seq'],
    },
    talks_notifications: {
      columns: {
        id: 'text primary key',
        user_id: 'text not null -> users.id',
        dialogue_id: 'text not null -> talks_dialogues.id',
        subject: 'text not null',
        created_at: 'text not null',
        read_at: 'text',
      },
    },
  },
  {
    talks_members_user: ['talks_members', 'user_id'],
    talks_notifications_user: ['talks_notifications', 'user_id', 'created_at'],
  },
);

export type TalksRole = 'host' | 'delegation' | 'observer';

export interface DialogueRow {
  id: string;
  codename: string;
  hostId: string;
  workspaceId: string;
  status: 'open' | 'closed';
  wrappedKey: string;
  sealed: string;
  version: number;
  auditSeq: number;
  auditHead: string;
  createdAt: string;
  updatedAt: string;
}

export interface MemberRow {
  dialogueId: string;
  userId: string;
  role: TalksRole;
  delegationId: string | null;
  joinedAt: string;
}

export interface InvitationRow extends InvitationState {
  id: string;
  dialogueId: string;
  delegationId: string;
}

export interface PositionsRow {
  delegationId: string;
  sealed: string;
  version: number;
  submittedAt: string | null;
  updatedAt: string;
  updatedBy: string;
}

export interface DraftRow {
  id: string;
  dialogueId: string;
  author: string;
  parties: string[];
  agreed: string[];
  released: boolean;
  sealed: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface AnalysisRow {
  id: string;
  dialogueId: string;
  kind: 'gaps' | 'protocols';
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';
  published: boolean;
  sealed: string | null;
  error: string | null;
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
}

export interface AuditRow {
  seq: number;
  at: string;
  userId: string;
  role: string;
  delegationId: string | null;
  action: string;
  target: string;
  outcome: 'ok' | 'denied';
  prevHash: string;
  hash: string;
}

const now = () => new Date().toISOString();

/** The tables of sealed records besides the dialogue's own: what each seal is bound to (kind, id). */
const SEALED_RECORDS = [
  { table: 'talks_positions', kind: 'positions', idColumn: 'delegation_id' },
  { table: 'talks_releases', kind: 'release', idColumn: 'id' },
  { table: 'talks_drafts', kind: 'draft', idColumn: 'id' },
  { table: 'talks_notes', kind: 'notes', idColumn: 'dialogue_id' },
  { table: 'talks_analyses', kind: 'analysis', idColumn: 'id' },
] as const;

/** What the store offers the talks room (`Store.talks`); the store contract suite runs it on every adapter. */
export type TalksStore = Pick<TalksQueries, keyof TalksQueries>;

/** A dialogue's keys as a master-key rotation rewrites them (see `TalksQueries.rewrap`). */
export interface Rewrap {
  /** The dialogue's data key wrapped by the new master key. */
  wrappedKey: string;
  /** A sealed record (kind: config, positions, release, draft, notes, analysis; id) sealed again. */
  reseal(kind: string, id: string, sealed: string): string;
}

/** The talks tables' queries over the workbench's Kysely connection (SQLite or PostgreSQL). */
export class TalksQueries extends InvitationQueries<
  TalksTables['talks_invitations'],
  InvitationRow,
  { dialogueId: string; delegationId: string }
> {
  private readonly db: Kysely<TalksTables>;

  constructor(db: Kysely<TalksTables>) {
    super(
      db as Kysely<unknown>,
      'talks_invitations',
      { table: 'talks_members', scope: 'dialogue_id', seat: 'delegation_id' },
      toInvitation,
      (i) => ({ dialogue_id: i.dialogueId, delegation_id: i.delegationId }),
    );
    this.db = db;
  }

  // Dialogues -----------------------------------------------------------------------------------

  async createDialogue(
    d: Omit<DialogueRow, 'createdAt' | 'updatedAt' | 'version' | 'auditSeq' | 'auditHead'>,
  ): Promise<void> {
    const t = now();
    await this.db
      .insertInto('talks_dialogues')
      .values({
        id: d.id,
        codename: d.codename,
        host_id: d.hostId,
        workspace_id: d.workspaceId,
        status: d.status,
        wrapped_key: d.wrappedKey,
        sealed: d.sealed,
        version: 1,
        audit_seq: 0,
        audit_head: '0'.repeat(64),
        created_at: t,
        updated_at: t,
      })
      .execute();
    await this.db
      .insertInto('talks_members')
      .values({ dialogue_id: d.id, user_id: d.hostId, role: 'host', delegation_id: null, joined_at: t })
      .execute();
  }

  async dialogue(id: string): Promise<DialogueRow | undefined> {
    const r = await selectOne(this.db, 'talks_dialogues', { id });
    return r
      ? {
          id: r.id,
          codename: r.codename,
          hostId: r.host_id,
          workspaceId: r.workspace_id,
          status: r.status as DialogueRow['status'],
          wrappedKey: r.wrapped_key,
          sealed: r.sealed,
          version: Number(r.version),
          auditSeq: Number(r.audit_seq),
          auditHead: r.audit_head,
          createdAt: r.created_at,
          updatedAt: r.updated_at,
        }
      : undefined;
  }

  /** Replaces the sealed configuration if the version is still `expected`; false on a conflict. */
  async updateDialogue(
    id: string,
    expected: number,
    patch: { sealed?: string; status?: string },
  ): Promise<boolean> {
    const values = { ...patch, version: expected + 1, updated_at: now() };
    return (await updateWhere(this.db, 'talks_dialogues', values, { id, version: expected })) === 1;
  }

  async dialoguesOf(
    userId: string,
  ): Promise<(MemberRow & { codename: string; status: string; createdAt: string })[]> {
    const rows = await this.db
      .selectFrom('talks_members as m')
      .innerJoin('talks_dialogues as d', 'd.id', 'm.dialogue_id')
      .select([
        'm.dialogue_id',
        'm.user_id',
        'm.role',
        'm.delegation_id',
        'm.joined_at',
        'd.codename',
        'd.status',
        'd.created_at',
      ])
      .where('m.user_id', '=', userId)
      .orderBy('d.created_at', 'desc')
      .execute();
    return rows.map((r) => ({
      ...toMember(r),
      codename: r.codename,
      status: r.status,
      createdAt: r.created_at,
    }));
  }

  // Members -------------------------------------------------------------------------------------

  async member(dialogueId: string, userId: string): Promise<MemberRow | undefined> {
    const r = await selectOne(this.db, 'talks_members', { dialogue_id: dialogueId, user_id: userId });
    return r ? toMember(r) : undefined;
  }

  async members(dialogueId: string): Promise<(MemberRow & { name: string; email: string })[]> {
    const rows = await (
      this.db as unknown as Kysely<TalksTables & { users: { id: string; name: string; email: string } }>
    )
      .selectFrom('talks_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.dialogue_id', 'm.user_id', 'm.role', 'm.delegation_id', 'm.joined_at', 'u.name', 'u.email'])
      .where('m.dialogue_id', '=', dialogueId)
      .orderBy('m.joined_at')
      .execute();
    return rows.map((r) => ({
      ...toMember(r),
      name: r.name,
      email: r.email,
    }));
  }

  async removeMember(dialogueId: string, userId: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('talks_members')
      .where('dialogue_id', '=', dialogueId)
      .where('user_id', '=', userId)
      .where('role', '!=', 'host')
      .executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  // Invitations ---------------------------------------------------------------------------------
  // Creating, listing, finding by hash and revoking come from InvitationQueries.

  /**
   * Uses an invitation and adds the member, atomically: false when the invitation was used, revoked or
   * expired meanwhile, or the user is already in the dialogue.
   */
  async acceptInvitation(id: string, userId: string, role: TalksRole, at: string): Promise<boolean> {
    return this.invitationTable.use(id, userId, role, at);
  }

  // Positions -----------------------------------------------------------------------------------

  async positions(dialogueId: string, delegationId: string): Promise<PositionsRow | undefined> {
    const r = await selectOne(this.db, 'talks_positions', {
      dialogue_id: dialogueId,
      delegation_id: delegationId,
    });
    return r ? toPositions(r) : undefined;
  }

  async allPositions(dialogueId: string): Promise<PositionsRow[]> {
    return (await selectMany(this.db, 'talks_positions', { dialogue_id: dialogueId })).map(toPositions);
  }

  /** Writes positions if their version is still `expected` (0: none yet); false on a conflict. */
  async savePositions(
    dialogueId: string,
    delegationId: string,
    expected: number,
    p: { sealed: string; submitted: boolean; by: string },
  ): Promise<boolean> {
    const t = now();
    if (expected === 0) {
      try {
        await this.db
          .insertInto('talks_positions')
          .values({
            dialogue_id: dialogueId,
            delegation_id: delegationId,
            sealed: p.sealed,
            version: 1,
            submitted_at: p.submitted ? t : null,
            updated_at: t,
            updated_by: p.by,
          })
          .execute();
        return true;
      } catch {
        return false;
      }
    }
    const values = {
      sealed: p.sealed,
      version: expected + 1,
      submitted_at: p.submitted ? t : null,
      updated_at: t,
      updated_by: p.by,
    };
    const match = { dialogue_id: dialogueId, delegation_id: delegationId, version: expected };
    return (await updateWhere(this.db, 'talks_positions', values, match)) === 1;
  }

  // Releases ------------------------------------------------------------------------------------

  async addRelease(dialogueId: string, delegationId: string, id: string, sealed: string): Promise<void> {
    await this.db
      .insertInto('talks_releases')
      .values({ id, dialogue_id: dialogueId, delegation_id: delegationId, sealed, created_at: now() })
      .execute();
  }

  async releases(
    dialogueId: string,
  ): Promise<{ id: string; delegationId: string; sealed: string; createdAt: string }[]> {
    const rows = await selectMany(
      this.db,
      'talks_releases',
      { dialogue_id: dialogueId },
      { by: ['created_at'] },
    );
    return rows.map((r) => ({
      id: r.id,
      delegationId: r.delegation_id,
      sealed: r.sealed,
      createdAt: r.created_at,
    }));
  }

  async removeRelease(dialogueId: string, delegationId: string, id: string): Promise<boolean> {
    const match = { dialogue_id: dialogueId, delegation_id: delegationId, id };
    return (await deleteWhere(this.db, 'talks_releases', match)) === 1;
  }

  // Drafts --------------------------------------------------------------------------------------

  async createDraft(d: Omit<DraftRow, 'createdAt' | 'updatedAt' | 'version'>): Promise<void> {
    const t = now();
    await this.db
      .insertInto('talks_drafts')
      .values({
        id: d.id,
        dialogue_id: d.dialogueId,
        author: d.author,
        parties: JSON.stringify(d.parties),
        agreed: JSON.stringify(d.agreed),
        released: d.released ? 1 : 0,
        sealed: d.sealed,
        version: 1,
        created_at: t,
        updated_at: t,
      })
      .execute();
  }

  async drafts(dialogueId: string): Promise<DraftRow[]> {
    const rows = await selectMany(
      this.db,
      'talks_drafts',
      { dialogue_id: dialogueId },
      { by: ['created_at'] },
    );
    return rows.map(toDraft);
  }

  async draft(dialogueId: string, id: string): Promise<DraftRow | undefined> {
    const r = await selectOne(this.db, 'talks_drafts', { dialogue_id: dialogueId, id });
    return r ? toDraft(r) : undefined;
  }

  async updateDraft(
    dialogueId: string,
    id: string,
    expected: number,
    patch: { sealed?: string; parties?: string[]; agreed?: string[]; released?: boolean },
  ): Promise<boolean> {
    const values = {
      ...(patch.sealed !== undefined ? { sealed: patch.sealed } : {}),
      ...(patch.parties ? { parties: JSON.stringify(patch.parties) } : {}),
      ...(patch.agreed ? { agreed: JSON.stringify(patch.agreed) } : {}),
      ...(patch.released !== undefined ? { released: patch.released ? 1 : 0 } : {}),
      version: expected + 1,
      updated_at: now(),
    };
    const match = { dialogue_id: dialogueId, id, version: expected };
    return (await updateWhere(this.db, 'talks_drafts', values, match)) === 1;
  }

  async deleteDraft(dialogueId: string, id: string): Promise<boolean> {
    return (await deleteWhere(this.db, 'talks_drafts', { dialogue_id: dialogueId, id })) === 1;
  }

  // Notes ---------------------------------------------------------------------------------------

  async notes(dialogueId: string): Promise<string | undefined> {
    const r = await this.db
      .selectFrom('talks_notes')
      .select('sealed')
      .where('dialogue_id', '=', dialogueId)
      .executeTakeFirst();
    return r?.sealed;
  }

  async saveNotes(dialogueId: string, sealed: string): Promise<void> {
    const t = now();
    const updated = await updateWhere(
      this.db,
      'talks_notes',
      { sealed, updated_at: t },
      { dialogue_id: dialogueId },
    );
    if (updated === 0)
      await this.db
        .insertInto('talks_notes')
        .values({ dialogue_id: dialogueId, sealed, updated_at: t })
        .execute();
  }

  // Analyses ------------------------------------------------------------------------------------

  async createAnalysis(a: {
    id: string;
    dialogueId: string;
    kind: AnalysisRow['kind'];
    createdBy: string;
  }): Promise<void> {
    await this.db
      .insertInto('talks_analyses')
      .values({
        id: a.id,
        dialogue_id: a.dialogueId,
        kind: a.kind,
        status: 'queued',
        published: 0,
        sealed: null,
        error: null,
        created_by: a.createdBy,
        created_at: now(),
        finished_at: null,
      })
      .execute();
  }

  async analysis(dialogueId: string, id: string): Promise<AnalysisRow | undefined> {
    const r = await selectOne(this.db, 'talks_analyses', { dialogue_id: dialogueId, id });
    return r ? toAnalysis(r) : undefined;
  }

  async analyses(dialogueId: string): Promise<AnalysisRow[]> {
    const order = { by: ['created_at'], desc: true } as const;
    return (await selectMany(this.db, 'talks_analyses', { dialogue_id: dialogueId }, order)).map(toAnalysis);
  }

  async setAnalysis(
    id: string,
    patch: {
      status?: AnalysisRow['status'];
      sealed?: string;
      error?: string | null;
      published?: boolean;
      finishedAt?: string;
    },
  ): Promise<void> {
    await this.db
      .updateTable('talks_analyses')
      .set({
        ...(patch.status ? { status: patch.status } : {}),
        ...(patch.sealed !== undefined ? { sealed: patch.sealed } : {}),
        ...(patch.error !== undefined ? { error: patch.error } : {}),
        ...(patch.published !== undefined ? { published: patch.published ? 1 : 0 } : {}),
        ...(patch.finishedAt ? { finished_at: patch.finishedAt } : {}),
      })
      .where('id', '=', id)
      .execute();
  }

  /** Marks analyses a stopped server left queued or running as interrupted. */
  async markInterrupted(): Promise<number> {
    const r = await this.db
      .updateTable('talks_analyses')
      .set({ status: 'interrupted', finished_at: now() })
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  // Audit ---------------------------------------------------------------------------------------

  /** Appends an entry and moves the dialogue's head, in one transaction; false if the head moved meanwhile. */
  async appendAudit(dialogueId: string, e: AuditRow, expectedSeq: number): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable('talks_dialogues')
        .set({ audit_seq: e.seq, audit_head: e.hash })
        .where('id', '=', dialogueId)
        .where('audit_seq', '=', expectedSeq)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      await tx
        .insertInto('talks_audit')
        .values({
          dialogue_id: dialogueId,
          seq: e.seq,
          at: e.at,
          user_id: e.userId,
          role: e.role,
          delegation_id: e.delegationId,
          action: e.action,
          target: e.target,
          outcome: e.outcome,
          prev_hash: e.prevHash,
          hash: e.hash,
        })
        .execute();
      return true;
    });
  }

  async auditHead(dialogueId: string): Promise<{ seq: number; hash: string } | undefined> {
    const r = await this.db
      .selectFrom('talks_dialogues')
      .select(['audit_seq', 'audit_head'])
      .where('id', '=', dialogueId)
      .executeTakeFirst();
    return r ? { seq: Number(r.audit_seq), hash: r.audit_head } : undefined;
  }

  async audit(dialogueId: string): Promise<AuditRow[]> {
    const rows = await selectMany(this.db, 'talks_audit', { dialogue_id: dialogueId }, { by: ['seq'] });
    return rows.map((r) => ({
      seq: Number(r.seq),
      at: r.at,
      userId: r.user_id,
      role: r.role,
      delegationId: r.delegation_id,
      action: r.action,
      target: r.target,
      outcome: r.outcome as AuditRow['outcome'],
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  }

  // Notifications -------------------------------------------------------------------------------

  async notify(dialogueId: string, userIds: readonly string[], subject: string): Promise<void> {
    const t = now();
    for (const u of new Set(userIds))
      await this.db
        .insertInto('talks_notifications')
        .values({
          id: randomUUID(),
          user_id: u,
          dialogue_id: dialogueId,
          subject,
          created_at: t,
          read_at: null,
        })
        .execute();
  }

  async notifications(
    userId: string,
    limit = 50,
  ): Promise<{ id: string; dialogueId: string; subject: string; createdAt: string; read: boolean }[]> {
    const order = { by: ['created_at'], desc: true, limit } as const;
    const rows = await selectMany(this.db, 'talks_notifications', { user_id: userId }, order);
    return rows.map((r) => ({
      id: r.id,
      dialogueId: r.dialogue_id,
      subject: r.subject,
      createdAt: r.created_at,
      read: r.read_at !== null,
    }));
  }

  async markRead(userId: string): Promise<void> {
    await this.db
      .updateTable('talks_notifications')
      .set({ read_at: now() })
      .where('user_id', '=', userId)
      .where('read_at', 'is', null)
      .execute();
  }

  // Master-key rotation -------------------------------------------------------------------------

  /** The wrapped data keys of every dialogue (their second dot-separated part names the master key). */
  async wrappedKeys(): Promise<string[]> {
    const rows = await this.db.selectFrom('talks_dialogues').select('wrapped_key').execute();
    return rows.map((r) => r.wrapped_key);
  }

  /**
   * Rewrites every dialogue's data key and every sealed record with what `each` gives for the dialogue,
   * in one transaction: when `each` or a `reseal` throws, nothing changes. Returns the dialogues done.
   * `more` rewrites other records sealed with the same master key (the exercises') in the same transaction.
   */
  async rewrap(
    each: (d: { id: string; wrappedKey: string }) => Rewrap,
    more?: (tx: Kysely<unknown>) => Promise<void>,
  ): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const all = await tx.selectFrom('talks_dialogues').select(['id', 'wrapped_key', 'sealed']).execute();
      // The sealed tables read alike: text columns, the record's id in `idColumn`.
      const rows = tx as unknown as Kysely<Record<string, Record<string, string | null>>>;
      for (const d of all) {
        const w = each({ id: d.id, wrappedKey: d.wrapped_key });
        await tx
          .updateTable('talks_dialogues')
          .set({ wrapped_key: w.wrappedKey, sealed: w.reseal('config', d.id, d.sealed) })
          .where('id', '=', d.id)
          .execute();
        for (const { table, kind, idColumn } of SEALED_RECORDS)
          for (const r of await rows
            .selectFrom(table)
            .select([idColumn, 'sealed'])
            .where('dialogue_id', '=', d.id)
            .execute()) {
            const id = r[idColumn]!;
            if (r.sealed === null || r.sealed === undefined) continue;
            await rows
              .updateTable(table)
              .set({ sealed: w.reseal(kind, id, r.sealed) })
              .where('dialogue_id', '=', d.id)
              .where(idColumn, '=', id)
              .execute();
          }
      }
      await more?.(tx as unknown as Kysely<unknown>);
      return all.length;
    });
  }
}

function toInvitation(r: TalksTables['talks_invitations']): InvitationRow {
  return {
    id: r.id,
    dialogueId: r.dialogue_id,
    delegationId: r.delegation_id,
    ...toInvitationState(r),
  };
}

function toMember(r: TalksTables['talks_members']): MemberRow {
  return {
    dialogueId: r.dialogue_id,
    userId: r.user_id,
    role: r.role as TalksRole,
    delegationId: r.delegation_id,
    joinedAt: r.joined_at,
  };
}

function toPositions(r: TalksTables['talks_positions']): PositionsRow {
  return {
    delegationId: r.delegation_id,
    sealed: r.sealed,
    version: Number(r.version),
    submittedAt: r.submitted_at,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  };
}

function toDraft(r: TalksTables['talks_drafts']): DraftRow {
  return {
    id: r.id,
    dialogueId: r.dialogue_id,
    author: r.author,
    parties: JSON.parse(r.parties) as string[],
    agreed: JSON.parse(r.agreed) as string[],
    released: Number(r.released) === 1,
    sealed: r.sealed,
    version: Number(r.version),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toAnalysis(r: TalksTables['talks_analyses']): AnalysisRow {
  return {
    id: r.id,
    dialogueId: r.dialogue_id,
    kind: r.kind as AnalysisRow['kind'],
    status: r.status as AnalysisRow['status'],
    published: Number(r.published) === 1,
    sealed: r.sealed,
    error: r.error,
    createdBy: r.created_by,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}
