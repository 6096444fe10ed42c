// CSV input of the calibration: csv-parse (RFC 4180 quoting, BOM) and a check of the columns needed.
import { parse } from 'csv-parse/sync';

export type Row = Record<string, string>;

/** A data file that cannot be used: names the file and what is wrong. */
export class DataError extends Error {}

/** Parses CSV text with a header row; throws a DataError naming `file` when a needed column is missing. */
export function parseCsv(text: string, file: string, needed: readonly string[]): Row[] {
  let rows: Row[];
  try {
    rows = parse(text, { columns: true, bom: true, skip_empty_lines: true, trim: false }) as Row[];
  } catch (e) {
    throw new DataError(`${file}: not valid CSV (${e instanceof Error ? e.message : String(e)})`);
  }
  const have = rows.length ? Object.keys(rows[0]!) : [];
  const missing = needed.filter((c) => !have.includes(c));
  if (rows.length === 0) throw new DataError(`${file}: no data rows`);
  if (missing.length) {
    throw new DataError(`${file}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  }
  return rows;
}

/** An integer cell; NaN when empty or not a number. */
export function int(v: string | undefined): number {
  if (v === undefined || v.trim() === '') return Number.NaN;
  const n = Number(v);
  return Number.isInteger(n) ? n : Number.NaN;
}
