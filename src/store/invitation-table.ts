// What every invitation table shares (talks delegations, exercise teams): a single-use token kept only
// as its hash, an expiry, revocation, and use inside the transaction that adds the member. One set of
// queries over any such table, so the rules (pending = not used, not revoked, not expired) are written
// once.
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';

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

/** Queries over one invitation table whose rows belong to a scope (`scope` column: dialogue_id, exercise_id). */
export class InvitationTable<R extends InvitationColumns> {
  private readonly db: Db;
  private readonly table: string;
  private readonly scope: string;

  constructor(db: Kysely<unknown>, table: string, scope: string) {
    this.db = db as unknown as Db;
    this.table = table;
    this.scope = scope;
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
   * Uses an invitation in `tx` and calls `seat` with it to add the member, atomically: false (nothing
   * written) when it was used, revoked or expired meanwhile, or `isMember` says the user is in already.
   */
  async use(
    id: string,
    userId: string,
    at: string,
    isMember: (tx: Transaction<Record<string, Row>>, inv: Row) => Promise<boolean>,
    seat: (tx: Transaction<Record<string, Row>>, inv: Row) => Promise<void>,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const inv = (await tx.selectFrom(this.table).selectAll().where('id', '=', id).executeTakeFirst()) as
        | Row
        | undefined;
      if (!inv || inv.used_at || inv.revoked_at || inv.expires_at < at) return false;
      if (await isMember(tx, inv)) return false;
      const r = await tx
        .updateTable(this.table)
        .set({ used_at: at, used_by: userId })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return false;
      await seat(tx, inv);
      return true;
    });
  }
}
