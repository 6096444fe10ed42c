// The audit log's hash chain: each entry's hash covers its fields and the previous entry's hash, and the
// dialogue row keeps the head (last sequence number and hash). Editing, removing or inserting a row
// anywhere, or cutting the end, breaks the chain at a row that verification names.
import { createHash } from 'node:crypto';
import type { AuditRow } from '../../store/talks.ts';

/** An entry's fields that its hash covers. */
export type AuditFields = Omit<AuditRow, 'prevHash' | 'hash'>;

export type AuditEntry = AuditRow;

export const GENESIS = '0'.repeat(64);

/** The hash of an entry given the previous entry's hash. */
export function auditHash(prevHash: string, e: AuditFields): string {
  const fields = [
    prevHash,
    String(e.seq),
    e.at,
    e.userId,
    e.role,
    e.delegationId ?? '',
    e.action,
    e.target,
    e.outcome,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

export type Verification =
  | { ok: true; entries: number; head: string }
  | { ok: false; row: number; problem: string };

/** Checks a dialogue's chain from the first entry to the recorded head. */
export function verifyChain(
  entries: readonly AuditEntry[],
  head: { seq: number; hash: string },
): Verification {
  let prev = GENESIS;
  const sorted = [...entries].sort((a, b) => a.seq - b.seq);
  for (let k = 0; k < sorted.length; k++) {
    const e = sorted[k]!;
    if (e.seq !== k + 1)
      return { ok: false, row: k + 1, problem: `row ${k + 1} is missing (the next row is ${e.seq})` };
    if (e.prevHash !== prev)
      return {
        ok: false,
        row: e.seq,
        problem: `row ${e.seq} does not follow row ${e.seq - 1}: its link to the previous row is broken`,
      };
    if (auditHash(prev, e) !== e.hash)
      return {
        ok: false,
        row: e.seq,
        problem: `row ${e.seq} was altered: its content does not match its hash`,
      };
    prev = e.hash;
  }
  const last = sorted.length;
  if (last !== head.seq || (last > 0 && prev !== head.hash) || (last === 0 && head.seq !== 0))
    return {
      ok: false,
      row: Math.min(last, head.seq) + 1,
      problem: `the log ends at row ${last} but the dialogue records ${head.seq} rows: rows were removed or added at the end`,
    };
  return { ok: true, entries: last, head: prev };
}
