// The rows of the report's tables, shared by the HTML and Markdown renderings (each writes its own
// headers and markup): the same numbers, formatted once.
import type { BreakevenReport } from '../breakeven.ts';
import type { Comparison } from '../compare.ts';
import type { RunReport } from '../ensemble.ts';
import {
  type Band,
  type EpistemicComparison,
  type EpistemicRunReport,
  INTERVAL_WORDS,
} from '../epistemic.ts';
import type { Attribution } from '../paths.ts';
import type { SensitivityReport } from '../sensitivity.ts';
import type { SweepReport } from '../sweep.ts';
import { quantityLabel } from '../vocabulary.ts';

export type Row = (string | number)[];

export function fmtP(p: number): string {
  if (!Number.isFinite(p)) return String(p);
  if (p !== 0 && Math.abs(p) < 1e-4) return `${(p * 100).toExponential(2)}%`;
  return `${(p * 100).toFixed(Math.abs(p) < 0.01 ? 3 : 2)}%`;
}

export function fmtCi(c: [number, number]): string {
  return `[${fmtP(c[0])}, ${fmtP(c[1])}]`;
}

/** rung, id, P(peak ≥ rung), interval. */
export const exceedanceRows = (r: RunReport): Row[] =>
  r.exceedance.map((x) => [x.rung, x.id, fmtP(x.p), fmtCi(x.ci95)]);

/** The sweep's columns: each parameter, then each metric and its interval. */
export const sweepHead = (s: SweepReport): string[] => [
  ...s.params.map((p) => p.path),
  ...s.metrics.flatMap((m) => [m.label, '95% CI']),
];

export const sweepRows = (s: SweepReport): Row[] =>
  s.cells.map((c) => [
    ...c.values,
    ...s.metrics.flatMap((m) => [fmtP(c.metrics[m.id]!.p), fmtCi(c.metrics[m.id]!.ci95)]),
  ]);

/** Rows of the tornado and Sobol tables shown by default (the JSON and CSV keep every one). */
export const REPORT_ROWS = 20;

/** The first `rows` of a list (0: all). */
export const shown = <T>(list: readonly T[], rows = REPORT_ROWS): T[] =>
  rows > 0 ? list.slice(0, rows) : [...list];

/** What a table cut to `rows` leaves out, in words (empty when nothing is). */
export function moreNote(total: number, rows = REPORT_ROWS, hint = ''): string {
  const more = rows > 0 ? total - rows : 0;
  return more > 0
    ? `The ${rows} largest of ${total} parameters; ${more} more in the JSON and CSV${hint}.`
    : '';
}

/** parameter, low value, P at low, high value, P at high, high − low, interval (the first `rows`, 0: all). */
export const tornadoRows = (s: SensitivityReport, rows = REPORT_ROWS): Row[] =>
  shown(s.tornado.bars, rows).map((b) => [
    b.path,
    b.low.value,
    fmtP(b.low.p),
    b.high.value,
    fmtP(b.high.p),
    fmtP(b.d),
    fmtCi(b.ci95),
  ]);

/** parameter, first order, interval, total, interval (the first `rows`, 0: all). */
export const sobolRows = (s: SensitivityReport, rows = REPORT_ROWS): Row[] =>
  shown(s.sobol?.indices ?? [], rows).map((i) => [
    i.path,
    i.first,
    `[${i.firstCi95.join(', ')}]`,
    i.total,
    `[${i.totalCi95.join(', ')}]`,
  ]);

/** parameter value, baseline, with, difference, interval. */
export const breakevenRows = (b: BreakevenReport): Row[] =>
  b.points.map((p) => [p.x, fmtP(p.base), fmtP(p.alt), fmtP(p.d), fmtCi(p.ci95)]);

/** observer, misperception, war runs it began, share, interval. */
export const attributionRows = (causes: Attribution[]): Row[] =>
  causes.map((c) => [
    c.observer,
    c.kind === 'misread' ? `${c.act} read as ${c.perceived}` : `${c.kind} ${c.act}`,
    c.runs,
    fmtP(c.share),
    fmtCi(c.ci95),
  ]);

/** The two intervals in words, under every table that shows a parameter-uncertainty band. */
export const BAND_NOTE = `${INTERVAL_WORDS.monteCarlo}. ${INTERVAL_WORDS.band[0]!.toUpperCase()}${INTERVAL_WORDS.band.slice(1)}.`;

const fmtBand = (b: Band) => `${fmtP(b.median)} ${fmtCi(b.band90)}`;

/** How a design of parameter draws is described under its tables. */
export const drawsNote = (e: { draws: number; parameters: number; design: string; runsPerDraw: number }) =>
  `${e.draws} draws of ${e.parameters} uncertain parameters (${e.design}), ${e.runsPerDraw.toLocaleString('en-US')} runs each on common random numbers.`;

export const epistemicRunHead = [
  'outcome',
  'nominal',
  'Monte Carlo interval (95%)',
  'median across draws',
  'parameter-uncertainty band (5–95%)',
];

/** outcome, nominal share, Monte Carlo interval, median across draws, parameter-uncertainty band. */
export const epistemicRunRows = (e: EpistemicRunReport, r?: RunReport): Row[] =>
  Object.entries(e.outcomes).map(([k, v]) => {
    const nominal = r?.outcomes[k as keyof RunReport['outcomes']];
    return [
      quantityLabel(k),
      nominal ? fmtP(nominal.p) : '',
      nominal ? fmtCi(nominal.ci95) : '',
      fmtP(v.median),
      fmtCi(v.band90),
    ];
  });

export const epistemicCompareHead = [
  'with',
  'quantity',
  'P(it lowers the quantity) across draws',
  '95% CI (Wilson, over draws)',
  'difference: median across draws',
  'parameter-uncertainty band (5–95%)',
];

/** Per arm: P(helps) with its interval, and the band of the paired difference. */
export const epistemicCompareRows = (comparisons: readonly Comparison[]): Row[] =>
  comparisons.flatMap((c) => {
    const e = c.epistemic;
    if (!e) return [];
    const d = e.d[e.metric.id]!;
    return [
      [c.with, e.metric.label, fmtP(e.pHelps.p), fmtCi(e.pHelps.ci95), fmtP(d.median), fmtCi(d.band90)],
    ];
  });

export const importanceHead = [
  'parameter',
  'EVPPI (points of probability)',
  'first-order share of the difference',
];

/** The parameters most important to the decision: EVPPI and first-order share. */
export const importanceRows = (e: EpistemicComparison, top = 10): Row[] =>
  e.parameters.slice(0, top).map((p) => [p.path, (p.importance * 100).toFixed(3), p.firstOrder.toFixed(2)]);

/** Sweep cells with each metric's parameter-uncertainty band. */
export const sweepBandHead = (s: SweepReport): string[] => [
  ...s.params.map((p) => p.path),
  ...s.metrics.map((m) => `${m.label}: median [5–95% band]`),
];

export const sweepBandRows = (s: SweepReport): Row[] =>
  s.cells.map((c) => [
    ...c.values,
    ...s.metrics.map((m) => (c.epistemic ? fmtBand(c.epistemic[m.id]!) : '')),
  ]);

/** Sentences on a break-even across parameter draws. */
export function breakevenBandLines(b: BreakevenReport): string[] {
  const e = b.epistemic;
  if (!e) return [];
  return [
    `At ${e.draws} draws of the ${e.parameters} other uncertain parameters (${e.design}), ${e.runsPerDraw.toLocaleString('en-US')} paired runs per grid point: the difference crosses zero inside the range in ${fmtP(e.verdicts.crosses)} of the draws, the intervention pays over the whole range in ${fmtP(e.verdicts.pays)} and never in ${fmtP(e.verdicts.never)}.`,
    e.crossing
      ? `Where it crosses, the break-even lies at ${e.crossing.median} (median), parameter-uncertainty band ${e.crossing.band90[0]} to ${e.crossing.band90[1]} (5–95% of those draws).`
      : 'No draw crosses inside the range.',
  ];
}
