// Charts of the analyses: the forest plot of paired differences (comparisons), the tornado and the
// Sobol indices (sensitivity). Observable Plot, like the run charts: a title, axis labels with units, a
// legend where colours carry meaning, and a data table with the exact values.
import * as Plot from '@observablehq/plot';
import { QUANTITY, sobolScreeningNote } from '../../../src/analysis/vocabulary.ts';
import type { Comparison, SensitivityReport } from '../api.ts';
import { Figure, fmtP, narrow, PlotBox, wrapLines } from './charts.tsx';
import { DataTable } from './DataTable.tsx';
import { type Names, NO_NAMES } from './names.ts';
import { Term } from './Term.tsx';

/** A difference of probabilities in percentage points, signed: +0.12 pts. */
export function fmtPts(d: number, digits = 2): string {
  const v = d * 100;
  const s = Math.abs(v) < 0.005 && v !== 0 ? v.toExponential(1) : v.toFixed(digits);
  return `${v > 0 ? '+' : v < 0 ? '' : '±'}${s} pts`;
}

export const ARM_COLORS = ['#2563eb', '#d97706', '#059669', '#9333ea', '#dc2626', '#0891b2', '#4b5563'];

/** A shape per arm, so that the arms differ by more than their colour. */
export const ARM_SYMBOLS = ['circle', 'square', 'triangle', 'diamond', 'star', 'cross', 'wye'] as const;

export const QUANTITIES: { key: string; label: string }[] = (
  ['warOrWorse', 'war', 'nuclearUse', 'resolved'] as const
).map((key) => ({ key, label: QUANTITY[key].p }));

/** The arms' shapes as text, for tables and headings beside the chart. */
export const ARM_GLYPH = ['●', '■', '▲', '◆', '★', '✚', 'Y'];

/** Paired differences (intervention − baseline) per quantity and arm, with 95% intervals and a zero line. */
export function ForestPlot({ comparisons }: { comparisons: Comparison[] }) {
  const arms = comparisons.map((c) => c.with);
  const rows = QUANTITIES.flatMap((q) =>
    comparisons
      .filter((c) => c.delta[q.key])
      .map((c) => {
        const d = c.delta[q.key]!;
        return {
          q: q.label,
          arm: c.with,
          d: d.d,
          lo: d.ci95[0],
          hi: d.ci95[1],
          base: d.base,
          alt: d.alt,
          p: d.p,
        };
      }),
  );
  const span = Math.max(1e-4, ...rows.flatMap((r) => [Math.abs(r.lo), Math.abs(r.hi)]));
  const band = 26 + 16 * arms.length;
  const make = (width: number) => {
    const offset = (i: number) => (i - (arms.length - 1) / 2) * 15;
    const slim = narrow(width);
    return Plot.plot({
      width,
      height: QUANTITIES.length * band + 90,
      marginTop: 30,
      marginLeft: slim ? 84 : 128,
      marginRight: slim ? 12 : 24,
      marginBottom: 48,
      style: { fontSize: slim ? '11.5px' : '12.5px', background: 'transparent' },
      x: {
        label: slim
          ? 'difference (pts) →'
          : 'paired difference, intervention − baseline (percentage points) →',
        labelAnchor: 'center',
        labelOffset: 40,
        domain: [-span * 1.12, span * 1.12],
        grid: true,
        ticks: slim ? 4 : 8,
        tickFormat: (d: number) => `${d > 0 ? '+' : ''}${Number((d * 100).toPrecision(3))}`,
      },
      y: { label: null, domain: QUANTITIES.map((q) => q.label), inset: 22, tickSize: 0 },
      color: { domain: arms, range: ARM_COLORS },
      symbol: { legend: true, domain: arms, range: ARM_SYMBOLS },
      marks: [
        Plot.ruleX([0], { stroke: '#0f172a', strokeWidth: 1.5 }),
        Plot.axisY({ lineWidth: (slim ? 74 : 118) / 12, tickSize: 0, label: null }),
        Plot.text([{ x: -span * 1.1, label: slim ? '← lowers' : '← intervention lowers it' }], {
          x: 'x',
          frameAnchor: 'top',
          text: 'label',
          textAnchor: 'start',
          dy: -18,
          fill: '#64748b',
        }),
        Plot.text([{ x: span * 1.1, label: slim ? 'raises →' : 'raises it →' }], {
          x: 'x',
          frameAnchor: 'top',
          text: 'label',
          textAnchor: 'end',
          dy: -18,
          fill: '#64748b',
        }),
        ...arms.flatMap((arm, i) => {
          const data = rows.filter((r) => r.arm === arm);
          return [
            Plot.ruleY(data, { y: 'q', x1: 'lo', x2: 'hi', stroke: 'arm', strokeWidth: 2.5, dy: offset(i) }),
            Plot.dot(data, {
              y: 'q',
              x: 'd',
              fill: 'arm',
              symbol: 'arm',
              stroke: 'white',
              r: 5.5,
              dy: offset(i),
              tip: true,
              title: (r: (typeof rows)[number]) =>
                `${r.arm}: ${r.q}\n${fmtP(r.base)} → ${fmtP(r.alt)}\ndifference ${fmtPts(r.d)}\n95% CI ${fmtPts(r.lo)} to ${fmtPts(r.hi)}\nMcNemar mid-p ${r.p}`,
            }),
          ];
        }),
      ],
    });
  };
  return (
    <Figure
      id="forest"
      title="Paired differences with 95% intervals"
      caption={
        <>
          Each mark is the change an intervention makes to a probability, in{' '}
          <Term id="pts">percentage points</Term>, on the same random worlds as the baseline (
          <Term id="crn">common random numbers</Term>); its line is the <Term id="newcombe">Newcombe</Term>{' '}
          95% interval. Each arm has its own colour and shape. An interval that does not cross the zero line
          is a difference the runs resolve; <Term id="mcnemar">McNemar mid-p</Term> in the table.
        </>
      }
      table={
        <DataTable
          head={['arm', 'quantity', 'baseline', 'with', 'difference', '95% interval', 'McNemar mid-p']}
          rows={rows}
          rowKey={(r) => `${r.arm}|${r.q}`}
          cells={(r) => [
            `${ARM_GLYPH[arms.indexOf(r.arm) % ARM_GLYPH.length]} ${r.arm}`,
            r.q,
            fmtP(r.base),
            fmtP(r.alt),
            fmtPts(r.d),
            `${fmtPts(r.lo)} to ${fmtPts(r.hi)}`,
            r.p,
          ]}
        />
      }
    >
      <PlotBox
        make={make}
        label={`Forest plot: ${rows.map((r) => `${r.arm} ${r.q} ${fmtPts(r.d)} (${fmtPts(r.lo)} to ${fmtPts(r.hi)})`).join('; ')}`}
      />
    </Figure>
  );
}

/** A parameter in words, then its dotted path. */
function ParamName({ path, names }: { path: string; names: Names }) {
  return (
    <>
      {names.param(path)} <code>{path}</code>
    </>
  );
}

/** The parameter in words and, on a second line, where the number comes from. */
function paramLabel(path: string, params: Map<string, { source: string | null }>, names: Names): string {
  const src = params.get(path)?.source ?? 'none given';
  return `${names.param(path)}\nsource: ${src.length > 44 ? `${src.slice(0, 43)}…` : src}`;
}

/** The left margin for these labels (wrapped inside it on a narrow chart) and the height of a row. */
function labelLayout(labels: string[], width: number, minBand: number): { margin: number; band: number } {
  const longest = Math.max(10, ...labels.flatMap((l) => l.split('\n').map((x) => x.length)));
  const margin = narrow(width)
    ? Math.round(width * 0.46)
    : Math.min(Math.round(width * 0.45), Math.ceil(16 + 6.7 * longest));
  const lines = Math.max(...labels.map((l) => wrapLines(l, margin - 10)));
  return { margin, band: Math.max(minBand, 15 * lines + 12) };
}

/** The frame of a chart of horizontal bars: its size, the labels' margin, and the type. */
function barFrame(width: number, margin: number, height: number) {
  return {
    width,
    height,
    marginLeft: margin,
    marginRight: narrow(width) ? 12 : 30,
    marginBottom: 44,
    style: { fontSize: '12px', background: 'transparent' },
  };
}

/** A sensitivity chart's report, how many parameters it shows, and their names in words. */
interface SensitivityChartProps {
  report: SensitivityReport;
  top?: number;
  names?: Names;
}

/** One at a time: the metric with each parameter at its low and its high quantile, the others nominal. */
export function TornadoChart({ report, top = 15, names = NO_NAMES }: SensitivityChartProps) {
  const params = new Map(report.params.map((p) => [p.path, p]));
  const [qLo, qHi] = report.tornado.quantiles;
  const bars = report.tornado.bars.slice(0, top);
  const data = bars.map((b) => ({
    label: paramLabel(b.path, params, names),
    path: b.path,
    x1: Math.min(b.low.p, b.high.p),
    x2: Math.max(b.low.p, b.high.p),
    dir: b.d > 0 ? 'higher value raises it' : b.d < 0 ? 'higher value lowers it' : 'no effect',
    b,
  }));
  const ends = bars.flatMap((b) => [
    {
      label: paramLabel(b.path, params, names),
      p: b.low.p,
      end: `low end (${qLo} quantile)`,
      v: b.low.value,
    },
    {
      label: paramLabel(b.path, params, names),
      p: b.high.p,
      end: `high end (${qHi} quantile)`,
      v: b.high.value,
    },
  ]);
  const max = Math.max(report.nominal.p, ...bars.flatMap((b) => [b.low.p, b.high.p]));
  const make = (width: number) => {
    const { margin, band } = labelLayout(
      data.map((d) => d.label),
      width,
      40,
    );
    return Plot.plot({
      ...barFrame(width, margin, band * data.length + 90),
      x: {
        label: `${report.metric.label}, % of runs →`,
        labelAnchor: 'center',
        labelOffset: 36,
        domain: [0, max * 1.08 || 0.01],
        grid: true,
        ticks: narrow(width) ? 3 : 8,
        tickFormat: (d: number) => `${Number((d * 100).toPrecision(3))}%`,
      },
      y: { label: null, domain: data.map((d) => d.label), padding: 0.3, tickSize: 0 },
      color: {
        legend: true,
        domain: ['higher value raises it', 'higher value lowers it', 'no effect'],
        range: ['#dc2626', '#2563eb', '#94a3b8'],
      },
      symbol: { legend: true, domain: ends.slice(0, 2).map((e) => e.end), range: ['circle', 'diamond'] },
      marks: [
        Plot.axisY({ lineWidth: (margin - 18) / 12, tickSize: 0, label: null }),
        Plot.barX(data, { y: 'label', x1: 'x1', x2: 'x2', fill: 'dir', fillOpacity: 0.75 }),
        Plot.dot(ends, {
          y: 'label',
          x: 'p',
          symbol: 'end',
          fill: 'white',
          stroke: '#0f172a',
          r: 4.5,
          tip: true,
          title: (e: (typeof ends)[number]) =>
            `${e.end}: value ${e.v}\n${report.metric.label} = ${fmtP(e.p)}`,
        }),
        Plot.ruleX([report.nominal.p], { stroke: '#0f172a', strokeDasharray: '5,4' }),
        Plot.text([{ x: report.nominal.p }], {
          x: 'x',
          frameAnchor: 'top',
          text: () => `nominal ${fmtP(report.nominal.p)}`,
          dy: -4,
          textAnchor: 'start',
          dx: 4,
          fill: '#0f172a',
        }),
      ],
    });
  };
  return (
    <Figure
      id="tornado"
      title={`One at a time: ${report.metric.label} at each parameter's ${qLo} and ${qHi} quantiles`}
      caption={
        <>
          Each bar spans the metric with one uncertain parameter at its low (circle) and high (diamond)
          quantile, every other parameter at its nominal value; dashed line: the nominal{' '}
          {fmtP(report.nominal.p)}. {report.tornado.runs.toLocaleString()} paired runs at each end (common
          random numbers). The {bars.length} largest of {report.tornado.bars.length} parameters.
        </>
      }
      table={
        <DataTable
          head={[
            'parameter',
            'source',
            'low value',
            'at low',
            'high value',
            'at high',
            'high − low',
            '95% interval',
          ]}
          rows={report.tornado.bars}
          rowKey={(b) => b.path}
          cells={(b) => [
            <ParamName key="p" path={b.path} names={names} />,
            params.get(b.path)?.source ?? '–',
            b.low.value,
            fmtP(b.low.p),
            b.high.value,
            fmtP(b.high.p),
            fmtPts(b.d),
            `${fmtPts(b.ci95[0])} to ${fmtPts(b.ci95[1])}`,
          ]}
        />
      }
    >
      <PlotBox
        make={make}
        label={`Tornado of ${report.metric.label}, nominal ${fmtP(report.nominal.p)}: ${bars.map((b) => `${names.param(b.path)} ${fmtP(b.low.p)} to ${fmtP(b.high.p)}`).join('; ')}`}
      />
    </Figure>
  );
}

/**
 * Sobol first-order and total indices per parameter, with bootstrap 95% intervals. First order is a
 * solid bar, total an outlined one, and each carries its number and kind as text: colour is not needed
 * to tell them apart.
 */
export function SobolChart({ report, top = 15, names = NO_NAMES }: SensitivityChartProps) {
  const sobol = report.sobol;
  if (!sobol) return null;
  const params = new Map(report.params.map((p) => [p.path, p]));
  const indices = sobol.indices.slice(0, top);
  const rows = indices.flatMap((i) => [
    {
      label: paramLabel(i.path, params, names),
      kind: 'first order',
      v: i.first,
      lo: i.firstCi95[0],
      hi: i.firstCi95[1],
    },
    {
      label: paramLabel(i.path, params, names),
      kind: 'total',
      v: i.total,
      lo: i.totalCi95[0],
      hi: i.totalCi95[1],
    },
  ]);
  // Indices lie in [0, 1]; estimates and their intervals can stray outside with few samples (clipped).
  const lo = Math.max(-0.5, Math.min(0, ...rows.map((r) => r.lo)));
  const hi = Math.min(1.5, Math.max(1, ...rows.map((r) => r.hi)));
  const make = (width: number) => {
    const { margin, band } = labelLayout(
      rows.map((r) => r.label),
      width,
      44,
    );
    const first = rows.filter((r) => r.kind === 'first order');
    const total = rows.filter((r) => r.kind === 'total');
    const short = (r: (typeof rows)[number]) =>
      `${r.kind === 'total' ? 'total' : 'first'} ${Number(r.v.toPrecision(2))}`;
    return Plot.plot({
      ...barFrame(width, margin, band * indices.length + 80),
      x: {
        label: narrow(width)
          ? 'share of variance →'
          : 'share of the variance of the metric over the design →',
        labelAnchor: 'center',
        labelOffset: 36,
        domain: [lo, hi],
        grid: true,
        ticks: narrow(width) ? 3 : 8,
      },
      y: {
        label: null,
        domain: indices.map((i) => paramLabel(i.path, params, names)),
        padding: 0.2,
        tickSize: 0,
      },
      color: { legend: true, domain: ['first order', 'total'], range: ['#0f766e', '#6d28d9'] },
      marks: [
        Plot.axisY({ lineWidth: (margin - 18) / 12, tickSize: 0, label: null }),
        Plot.barX(first, { y: 'label', x: 'v', fill: 'kind', insetBottom: band * 0.42, clip: true }),
        Plot.barX(total, {
          y: 'label',
          x: 'v',
          fill: 'white',
          stroke: 'kind',
          strokeWidth: 2,
          insetTop: band * 0.42,
          clip: true,
        }),
        Plot.ruleY(first, { y: 'label', x1: 'lo', x2: 'hi', stroke: '#0f172a', dy: -band * 0.2, clip: true }),
        Plot.ruleY(total, { y: 'label', x1: 'lo', x2: 'hi', stroke: '#0f172a', dy: band * 0.2, clip: true }),
        Plot.text(first, {
          y: 'label',
          x: (r: (typeof rows)[number]) => Math.max(0, r.hi, r.v),
          text: short,
          dy: -band * 0.2,
          dx: 4,
          textAnchor: 'start',
          fill: '#0f172a',
          clip: true,
        }),
        Plot.text(total, {
          y: 'label',
          x: (r: (typeof rows)[number]) => Math.max(0, r.hi, r.v),
          text: short,
          dy: band * 0.2,
          dx: 4,
          textAnchor: 'start',
          fill: '#0f172a',
          clip: true,
        }),
        Plot.ruleX([0], { stroke: '#0f172a' }),
        Plot.tip(
          rows,
          Plot.pointerY({
            y: 'label',
            x: 'v',
            title: (r: (typeof rows)[number]) => `${r.kind} ${r.v} (95% CI ${r.lo} to ${r.hi})`,
          }),
        ),
      ],
    });
  };
  const noisy = sobol.noiseVariance > 0.25 * sobol.varianceY;
  return (
    <Figure
      id="sobol"
      title="Variance-based (Sobol) indices with bootstrap 95% intervals"
      caption={
        <>
          <Term id="sobol">First order</Term> (solid bar): the share of the metric's variance due to the
          parameter alone; total (outlined bar): including its interactions with the others. Lines:{' '}
          <Term id="bootstrap">bootstrap</Term> 95% intervals. Saltelli 2010 design, N = {sobol.samples},{' '}
          {sobol.runsPerPoint.toLocaleString()} runs at each of {sobol.designPoints.toLocaleString()} design
          points; variance of the metric over the design {sobol.varianceY}, Monte Carlo noise of one point at
          most {sobol.noiseVariance}.
          {sobol.screening ? (
            <span data-testid="sobol-screening"> {sobolScreeningNote(sobol.screening)}</span>
          ) : null}
          {noisy ? (
            <strong className="warn-text">
              {' '}
              The noise is not small against the variance: raise the runs per design point before reading
              these indices.
            </strong>
          ) : null}
        </>
      }
      table={
        <DataTable
          head={['parameter', 'source', 'first order', '95% interval', 'total', '95% interval']}
          rows={sobol.indices}
          rowKey={(i) => i.path}
          cells={(i) => [
            <ParamName key="p" path={i.path} names={names} />,
            params.get(i.path)?.source ?? '–',
            i.first,
            `${i.firstCi95[0]} to ${i.firstCi95[1]}`,
            i.total,
            `${i.totalCi95[0]} to ${i.totalCi95[1]}`,
          ]}
        />
      }
    >
      <PlotBox
        make={make}
        label={`Sobol indices: ${indices.map((i) => `${names.param(i.path)} first order ${i.first}, total ${i.total}`).join('; ')}`}
      />
    </Figure>
  );
}
