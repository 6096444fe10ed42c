// The store's most common queries, once for every table and both dialects (SQLite and PostgreSQL):
// the row or rows whose columns equal given values, and deleting or updating them. Each condition is a
// `column = value` in the order the match object lists them, as the hand-written queries were.
import type { Kysely, Selectable, Updateable } from 'kysely';

/** Columns and the values they must equal (all of them). */
export type Match<Row> = { readonly [C in keyof Row]?: Row[C] };

/** How rows are ordered and cut: columns (`desc` where named), then a limit. */
export interface Order<Row> {
  readonly by: readonly (keyof Row & string)[];
  readonly desc?: boolean;
  readonly limit?: number;
}

// The tables are read alike whatever their columns: the typed signatures below keep callers checked.
interface Query {
  selectAll(): Query;
  set(values: object): Query;
  where(column: string, op: '=', value: unknown): Query;
  orderBy(column: string, direction?: 'desc'): Query;
  limit(n: number): Query;
  execute(): Promise<unknown[]>;
  executeTakeFirst(): Promise<unknown>;
}
interface Loose {
  selectFrom(table: string): Query;
  deleteFrom(table: string): Query;
  updateTable(table: string): Query;
}

function matching(q: Query, match: object): Query {
  let out = q;
  for (const [column, value] of Object.entries(match)) out = out.where(column, '=', value);
  return out;
}

/** The first row of `table` matching `match`, or undefined. */
export function selectOne<DB, T extends keyof DB & string>(
  db: Kysely<DB>,
  table: T,
  match: Match<DB[T]>,
): Promise<Selectable<DB[T]> | undefined> {
  const q = (db as unknown as Loose).selectFrom(table).selectAll();
  return matching(q, match).executeTakeFirst() as Promise<Selectable<DB[T]> | undefined>;
}

/** The rows of `table` matching `match`, in `order`. */
export function selectMany<DB, T extends keyof DB & string>(
  db: Kysely<DB>,
  table: T,
  match: Match<DB[T]>,
  order?: Order<DB[T]>,
): Promise<Selectable<DB[T]>[]> {
  let q = matching((db as unknown as Loose).selectFrom(table).selectAll(), match);
  for (const c of order?.by ?? []) q = order?.desc ? q.orderBy(c, 'desc') : q.orderBy(c);
  if (order?.limit !== undefined) q = q.limit(order.limit);
  return q.execute() as Promise<Selectable<DB[T]>[]>;
}

/** Deletes the rows of `table` matching `match`; how many. */
export async function deleteWhere<DB, T extends keyof DB & string>(
  db: Kysely<DB>,
  table: T,
  match: Match<DB[T]>,
): Promise<number> {
  const r = (await matching((db as unknown as Loose).deleteFrom(table), match).executeTakeFirst()) as {
    numDeletedRows: bigint;
  };
  return Number(r.numDeletedRows);
}

/** Sets `values` on the rows of `table` matching `match`; how many. */
export async function updateWhere<DB, T extends keyof DB & string>(
  db: Kysely<DB>,
  table: T,
  values: Updateable<DB[T]>,
  match: Match<DB[T]>,
): Promise<number> {
  const u = (db as unknown as Loose).updateTable(table).set(values);
  const r = (await matching(u, match).executeTakeFirst()) as { numUpdatedRows: bigint };
  return Number(r.numUpdatedRows);
}
