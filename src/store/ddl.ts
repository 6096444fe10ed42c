// The migrations' tables as data: a table is its columns, each written as its type and constraints in
// words, built with Kysely's schema builder for SQLite and PostgreSQL alike. What a migration issues is
// frozen by test/store/migrations.test.ts.
import {
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  type Kysely,
  type Migration,
  sql,
} from 'kysely';

/**
 * Columns in order, each `type [primary key] [not null] [unique] [-> table.column]`; a reference
 * deletes the row with the row it points to (`on delete cascade`).
 */
export type Columns = Readonly<Record<string, string>>;

export interface Table {
  readonly columns: Columns;
  /** A primary key over several columns, named `<table>_pk`. */
  readonly primaryKey?: readonly string[];
  /** A named unique constraint over several columns. */
  readonly unique?: { readonly name: string; readonly columns: readonly string[] };
}

function column(spec: string): (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return (c) => {
    let out = c;
    if (spec.includes(' primary key')) out = out.primaryKey();
    if (spec.includes(' not null')) out = out.notNull();
    if (spec.includes(' unique')) out = out.unique();
    const ref = / -> (\S+)/.exec(spec)?.[1];
    if (ref) out = out.references(ref).onDelete('cascade');
    return out;
  };
}

/** Adds `columns` to a table being created, in their order. */
export function addColumns<T extends string, C extends string>(
  t: CreateTableBuilder<T, C>,
  columns: Columns,
): CreateTableBuilder<T, string> {
  let out = t as CreateTableBuilder<T, string>;
  for (const [name, spec] of Object.entries(columns)) {
    const type = spec.split(' ')[0] as 'text' | 'integer';
    out = spec === type ? out.addColumn(name, type) : out.addColumn(name, type, column(spec));
  }
  return out;
}

/**
 * Creates `tables` in their order, then `indexes` (name: table and columns) in theirs.
 */
export async function createTables(
  db: Kysely<unknown>,
  tables: Readonly<Record<string, Table>>,
  indexes: Readonly<Record<string, readonly [table: string, ...columns: string[]]>> = {},
): Promise<void> {
  for (const [name, t] of Object.entries(tables)) {
    let q = addColumns(db.schema.createTable(name), t.columns);
    if (t.primaryKey) q = q.addPrimaryKeyConstraint(`${name}_pk`, [...t.primaryKey]);
    if (t.unique) q = q.addUniqueConstraint(t.unique.name, [...t.unique.columns]);
    await q.execute();
  }
  for (const [name, [table, ...columns]] of Object.entries(indexes))
    await db.schema.createIndex(name).on(table).columns(columns).execute();
}

/** A migration that creates `tables`, then `indexes` (see `createTables`). */
export function tablesMigration(
  tables: Readonly<Record<string, Table>>,
  indexes: Readonly<Record<string, readonly [table: string, ...columns: string[]]>> = {},
): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await createTables(db, tables, indexes);
      // Each migration has ended with this statement since it shipped (frozen in the migrations test).
      await sql`select 1`.execute(db);
    },
  };
}
