// The CSV download of a run: one table, one row per figure, with its interval and the manifest up top.
import type { RunReport } from '../analysis/ensemble.ts';
import type { RunManifest } from '../store/index.ts';

const cell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  // Quote, and neutralise spreadsheet formulas (=, +, -, @ at the start of a text cell).
  const safe = /^[=+\-@]/.test(s) && Number.isNaN(Number(s)) ? `'${s}` : s;
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** The report as CSV: section, item, value, ci95 low, ci95 high. */
export function reportCsv(m: RunManifest, r: RunReport): string {
  const rows: unknown[][] = [['section', 'item', 'value', 'ci95_low', 'ci95_high']];
  rows.push(['manifest', 'scenario', m.scenarioPath, '', '']);
  rows.push(['manifest', 'scenario_version', m.scenarioVersion, '', '']);
  rows.push(['manifest', 'hash', m.hash, '', '']);
  rows.push(['manifest', 'engine', m.engine, '', '']);
  rows.push(['manifest', 'seed', m.seed, '', '']);
  rows.push(['manifest', 'runs', m.runs, '', '']);
  rows.push(['manifest', 'interventions', m.interventions.join('+'), '', '']);
  for (const [k, v] of Object.entries(m.set)) rows.push(['manifest', `set ${k}`, v, '', '']);
  for (const e of r.exceedance) rows.push(['P(peak >= rung)', e.id, e.p, e.ci95[0], e.ci95[1]]);
  for (const [k, v] of Object.entries(r.outcomes)) rows.push(['outcome', k, v.p, v.ci95[0], v.ci95[1]]);
  rows.push([
    'misperception',
    `share of runs reaching ${r.misperception.threshold}`,
    r.misperception.share,
    ...r.misperception.ci95,
  ]);
  rows.push(['misperception', 'share of war runs', r.misperception.war.share, ...r.misperception.war.ci95]);
  for (const c of r.misperception.causes)
    rows.push([
      'misperception cause',
      `${c.kind} ${c.observer} ${c.act}${c.perceived ? ` as ${c.perceived}` : ''}`,
      c.share,
      '',
      '',
    ]);
  for (const p of r.paths)
    rows.push(['path', p.events.join(' > ') || '(nothing escalated)', p.share, '', '']);
  return `${rows.map((row) => row.map(cell).join(',')).join('\n')}\n`;
}
