// What every invitation table shares (talks delegations, exercise teams): a single-use token kept only
// as its hash, an expiry, revocation, and use inside the transaction that adds the member. One set of
// queries over any such table, so the rules (pending = not used, not revoked, not expired) are written
// once.
import { randomUUID } from 'node:crypto';
import type { CreateTableBuilder, Kysely } from 'kysely';
import { addColumns, type Columns } from './ddl.ts';

/** The columns of an invitation table besides its scope (the dialogue or exercise) and its seat. */
export interface InvitationColumns {
  id: string;
  token_hash: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  used_by: string | null;
  revoked_at: string | null;
}

type Row = InvitationColumns & Record<string, string | null>;
type Db = Kysely<Record<string, Row>>;

/** The columns an invitation table has after its id, scope and seat (see ddl.ts). */
export const INVITATION_COLUMNS = {
  token_hash: 'text not null unique',
  created_by: 'text not null',
  created_at: 'text not null',
  expires_at: 'text not null',
  used_at: 'text',
  used_by: 'text',
  revoked_at: 'text',
} as const satisfies Columns;

/** The invitation columns on a table being created (`.$call(addInvitationColumns)`). */
export function addInvitationColumns<T extends string, C extends string>(
  t: CreateTableBuilder<T, C>,
): CreateTableBuilder<T, C | Exclude<keyof InvitationColumns, 'id'>> {
  return addColumns(t, INVITATION_COLUMNS);
}

/** An invitation's state as the stores return it (after its id, scope and seat). */
export interface InvitationState {
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  usedBy: string | null;
  revokedAt: string | null;
}

export const toInvitationState = (r: InvitationColumns): InvitationState => ({
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
  usedBy: r.used_by,
  revokedAt: r.revoked_at,
});

/**
 * Where an invitation seats its user: the members table (keyed by the scope column and user_id), the
 * invitation's seat column (copied to the member row, e.g. delegation_id, team_id) and the role given.
 */
export interface Seating {
  table: string;
  scope: string;
  seat: string;
}

/** Queries over one invitation table whose rows belong to a scope (`scope` column: dialogue_id, exercise_id). */
export class InvitationTable<R extends InvitationColumns> {
  private readonly db: Db;
  private readonly table: string;
  private readonly scope: string;
  private readonly members: Seating;

  constructor(db: Kysely<unknown>, table: string, members: Seating) {
    this.db = db as unknown as Db;
    this.table = table;
    this.scope = members.scope;
    this.members = members;
  }

  /** Inserts a fresh invitation (its own columns: scope, seat, token hash, creator, expiry). */
  async create(values: Record<string, string>): Promise<R> {
    const row: Row = {
      ...values,
      id: randomUUID(),
      token_hash: values.token_hash!,
      created_by: values.created_by!,
      created_at: new Date().toISOString(),
      expires_at: values.expires_at!,
      used_at: null,
      used_by: null,
      revoked_at: null,
    };
    await this.db.insertInto(this.table).values(row).execute();
    return row as unknown as R;
  }

  async list(scopeId: string): Promise<R[]> {
    return this.db
      .selectFrom(this.table)
      .selectAll()
      .where(this.scope, '=', scopeId)
      .orderBy('created_at')
      .execute() as unknown as Promise<R[]>;
  }

  async byHash(tokenHash: string): Promise<R | undefined> {
    return this.db
      .selectFrom(this.table)
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst() as unknown as Promise<R | undefined>;
  }

  /** Revokes a pending invitation of the scope; false when it was not pending. */
  async revoke(scopeId: string, id: string): Promise<boolean> {
    const r = await this.db
      .updateTable(this.table)
      .set({ revoked_at: new Date().toISOString() })
      .where(this.scope, '=', scopeId)
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /**
   * Uses an invitation and seats the user (with `role`, in the invitation's seat), atomically: false
   * (nothing written) when it was used, revoked or expired meanwhile, or the user is in the scope already.
   */
  async use(id: string, userId: string, role: string, at: string): Promise<boolean> {
    const { table: members, scope, seat } = this.members;
    return this.db.transaction().execute(async (tx) => {
      const inv = (await tx.selectFrom(this.table).selectAll().where('id', '=', id).executeTakeFirst()) as
        | Row
        | undefined;
      if (!inv || inv.used_at || inv.revoked_at || inv.expires_at < at) return false;
      const already = await tx
        .selectFrom(members)
        .select('user_id')
        .where(scope, '=', inv[scope]!)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      if (already) return false;
      const r = await tx
        .updateTable(this.table)
        .set({ used_at: at, used_by: userId })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      const member: Record<string, string> = { user_id: userId, role, joined_at: at };
      member[scope] = inv[scope]!;
      member[seat] = inv[seat]!;
      await tx
        .insertInto(members)
        .values(member as unknown as Row)
        .execute();
      return true;
    });
  }
}

/**
 * The invitation queries a store offers (talks, exercises), over one InvitationTable: `toRow` maps a
 * row to what the store returns, `seatColumns` maps the new invitation's scope and seat to its columns.
 */
export class InvitationQueries<R extends InvitationColumns, Invitation, Seat> {
  protected readonly invitationTable: InvitationTable<R>;
  private readonly toRow: (r: R) => Invitation;
  private readonly seatColumns: (s: Seat) => Record<string, string>;

  constructor(
    db: Kysely<unknown>,
    table: string,
    seating: Seating,
    toRow: (r: R) => Invitation,
    seatColumns: (s: Seat) => Record<string, string>,
  ) {
    this.invitationTable = new InvitationTable(db, table, seating);
    this.toRow = toRow;
    this.seatColumns = seatColumns;
  }

  async createInvitation(
    i: Seat & { tokenHash: string; createdBy: string; expiresAt: string },
  ): Promise<Invitation> {
    const row = await this.invitationTable.create({
      ...this.seatColumns(i),
      token_hash: i.tokenHash,
      created_by: i.createdBy,
      expires_at: i.expiresAt,
    });
    return this.toRow(row);
  }

  async invitations(scopeId: string): Promise<Invitation[]> {
    return (await this.invitationTable.list(scopeId)).map(this.toRow);
  }

  async invitationByHash(tokenHash: string): Promise<Invitation | undefined> {
    const r = await this.invitationTable.byHash(tokenHash);
    return r ? this.toRow(r) : undefined;
  }

  /** Revokes a pending invitation of the scope (dialogue, exercise); false when it was not pending. */
  async revokeInvitation(scopeId: string, id: string): Promise<boolean> {
    return this.invitationTable.revoke(scopeId, id);
  }
}
