// The MSEL as CSV, in the columns of HSEEP's MSEL template (MSEL #, Designated Scenario Time, Event
// Synopsis, Responsible Controller, Intended Player, Expected Player Action, Objective / Core
// Capability, Notes) with three of Brink's: From, Trigger (time, after ACT, rung >= RUNG, manual) with
// its Delay (h), and the Engine Action the inject carries out. Import says which line and column is
// wrong and what would be valid; export then import gives the same MSEL.
import { parse } from 'csv-parse/sync';
import { ExerciseError } from './game.ts';
import { Inject, type Trigger } from './schema.ts';

export const MSEL_COLUMNS = [
  'MSEL #',
  'Designated Scenario Time',
  'Trigger',
  'Delay (h)',
  'Event Synopsis',
  'From',
  'Intended Player',
  'Engine Action',
  'Expected Player Action',
  'Objective / Core Capability',
  'Responsible Controller',
  'Notes',
] as const;

const REQUIRED = ['MSEL #', 'Designated Scenario Time', 'Event Synopsis', 'Intended Player'] as const;

const cell = (v: string) => (/[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
/** A cell that a spreadsheet would read as a formula is written with a leading apostrophe. */
const safe = (v: string) => (/^[=+\-@\t\r]/.test(v) && !/^\+?\d/.test(v) ? `'${v}` : v);

function triggerText(t: Trigger): { time: string; trigger: string; delay: string } {
  if ('atHours' in t) return { time: `H+${t.atHours}`, trigger: 'time', delay: '' };
  if ('manual' in t) return { time: '', trigger: 'manual', delay: '' };
  if ('afterAct' in t) return { time: '', trigger: `after ${t.afterAct}`, delay: String(t.delayHours) };
  return { time: '', trigger: `rung >= ${t.rungAtLeast}`, delay: String(t.delayHours) };
}

/** The MSEL as CSV (RFC 4180, CRLF), HSEEP's columns first. */
export function mselToCsv(msel: readonly Inject[]): string {
  const lines = [MSEL_COLUMNS.join(',')];
  for (const i of msel) {
    const t = triggerText(i.trigger);
    const row = [
      i.id,
      t.time,
      t.trigger,
      t.delay,
      i.synopsis,
      i.from,
      i.to.join('; '),
      i.action ?? '',
      i.expected,
      i.objective,
      i.controller,
      i.notes,
    ];
    lines.push(row.map((v) => cell(safe(v))).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

const unsafe = (v: string) => (v.startsWith("'") && /^'[=+\-@\t\r]/.test(v) ? v.slice(1) : v);

/** Parses an MSEL CSV; throws an ExerciseError naming `line:column` and what would be valid. */
export function mselFromCsv(text: string, file = 'msel.csv'): Inject[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      columns: true,
      bom: true,
      skip_empty_lines: true,
      info: true,
      trim: true,
    }) as never;
  } catch (e) {
    throw new ExerciseError(`${file}: not valid CSV (${e instanceof Error ? e.message : String(e)})`);
  }
  const header = records[0] ? Object.keys(records[0].record) : [];
  const missing = REQUIRED.filter((c) => !header.includes(c));
  if (records.length && missing.length)
    throw new ExerciseError(
      `${file}:1:1: missing column ${missing.join(', ')} (columns: ${MSEL_COLUMNS.join(', ')})`,
    );
  return records.map(({ record: r, info }) => {
    const at = (col: string) => `${file}:${info.lines}:${Math.max(1, header.indexOf(col) + 1)}`;
    const get = (col: string) => unsafe(r[col] ?? '');
    const time = get('Designated Scenario Time');
    const trig = get('Trigger').trim() || (time ? 'time' : '');
    const delayText = get('Delay (h)');
    const delay = delayText === '' ? 1 : Number(delayText);
    if (!Number.isFinite(delay) || delay < 0)
      throw new ExerciseError(`${at('Delay (h)')}: delay must be hours >= 0, not ${delayText}`);
    let trigger: Trigger;
    const after = /^after\s+(\S+)$/i.exec(trig);
    const rung = /^rung\s*>=\s*(\S+)$/i.exec(trig);
    if (trig === 'time') {
      const hm = /^(?:H\s*\+\s*)?(\d+(?:\.\d+)?)\s*h?$/i.exec(time);
      if (!hm)
        throw new ExerciseError(
          `${at('Designated Scenario Time')}: a scenario time is H+hours (e.g. H+12), not "${time}"`,
        );
      trigger = { atHours: Number(hm[1]) };
    } else if (trig === 'manual') trigger = { manual: true };
    else if (after) trigger = { afterAct: after[1]!, delayHours: delay };
    else if (rung) trigger = { rungAtLeast: rung[1]!, delayHours: delay };
    else
      throw new ExerciseError(
        `${at('Trigger')}: a trigger is "time" (with a Designated Scenario Time), "after ACTOR.action", "rung >= RUNG" or "manual", not "${trig}"`,
      );
    const action = get('Engine Action');
    const parsed = Inject.safeParse({
      id: get('MSEL #'),
      trigger,
      synopsis: get('Event Synopsis'),
      ...(action ? { action } : {}),
      to: get('Intended Player')
        .split(/[;,]/)
        .map((s) => s.trim())
        .filter(Boolean),
      from: get('From'),
      expected: get('Expected Player Action'),
      objective: get('Objective / Core Capability'),
      controller: get('Responsible Controller'),
      notes: get('Notes'),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const col =
        (
          {
            id: 'MSEL #',
            synopsis: 'Event Synopsis',
            action: 'Engine Action',
            to: 'Intended Player',
          } as Record<string, string>
        )[String(issue.path[0])] ?? 'MSEL #';
      throw new ExerciseError(`${at(col)}: ${col}: ${issue.message}`);
    }
    return parsed.data;
  });
}
