// The rows of the report's tables, shared by the HTML and Markdown renderings (each writes its own
// headers and markup): the same numbers, formatted once.
import type { BreakevenReport } from '../breakeven.ts';
import type { RunReport } from '../ensemble.ts';
import type { Attribution } from '../paths.ts';
import type { SensitivityReport } from '../sensitivity.ts';
import type { SweepReport } from '../sweep.ts';

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

/** parameter, low value, P at low, high value, P at high, high − low, interval. */
export const tornadoRows = (s: SensitivityReport): Row[] =>
  s.tornado.bars.map((b) => [
    b.path,
    b.low.value,
    fmtP(b.low.p),
    b.high.value,
    fmtP(b.high.p),
    fmtP(b.d),
    fmtCi(b.ci95),
  ]);

/** parameter, first order, interval, total, interval. */
export const sobolRows = (s: SensitivityReport): Row[] =>
  (s.sobol?.indices ?? []).map((i) => [
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
