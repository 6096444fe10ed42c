// Charts of the analyses: the forest plot of paired differences (comparisons), the tornado and the
// Sobol indices (sensitivity). Observable Plot, like the run charts: a title, axis labels with units, a
// legend where colours carry meaning, and a data table with the exact values.
import * as Plot from '@observablehq/plot';
import type { Comparison, SensitivityReport } from '../api.ts';
import { Figure, fmtP, PlotBox } from './charts.tsx';

/** A difference of probabilities in percentage points, signed: +0.12 pts. */
export function fmtPts(d: number, digits = 2): string {
  const v = d * 100;
  const s = Math.abs(v) < 0.005 && v !== 0 ? v.toExponential(1) : v.toFixed(digits);
  return `${v > 0 ? '+' : v < 0 ? '' : '±'}${s} pts`;
}

export const ARM_COLORS = ['#2563eb', '#d97706', '#059669', '#9333ea', '#dc2626', '#0891b2', '#4b5563'];

export const QUANTITIES: { key: string; label: string }[] = [
  { key: 'warOrWorse', label: 'P(war or worse)' },
  { key: 'war', label: 'P(war)' },
  { key: 'nuclearUse', label: 'P(nuclear use)' },
  { key: 'resolved', label: 'P(resolved)' },
];

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
    return Plot.plot({
      width,
      height: QUANTITIES.length * band + 90,
      marginTop: 30,
      marginLeft: 128,
      marginRight: 24,
      marginBottom: 48,
      style: { fontSize: '12.5px', background: 'transparent' },
      x: {
        label: 'paired difference, intervention − baseline (percentage points) →',
        labelAnchor: 'center',
        labelOffset: 40,
        domain: [-span * 1.12, span * 1.12],
        grid: true,
        tickFormat: (d: number) => `${d > 0 ? '+' : ''}${Number((d * 100).toPrecision(3))}`,
      },
      y: { label: null, domain: QUANTITIES.map((q) => q.label), inset: 22 },
      color: { legend: true, domain: arms, range: ARM_COLORS },
      marks: [
        Plot.ruleX([0], { stroke: '#0f172a', strokeWidth: 1.5 }),
        Plot.text([{ x: -span * 1.1, label: '← intervention lowers it' }], {
          x: 'x',
          frameAnchor: 'top',
          text: 'label',
          textAnchor: 'start',
          dy: -18,
          fill: '#64748b',
        }),
        Plot.text([{ x: span * 1.1, label: 'raises it →' }], {
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
              stroke: 'white',
              r: 5,
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
          Each dot is the change an intervention makes to a probability, on the same random worlds as the
          baseline (common random numbers); the line is its 95% interval (Newcombe). An interval that does not
          cross the zero line is a difference the runs resolve.
        </>
      }
      table={
        <table>
          <thead>
            <tr>
              <th scope="col">arm</th>
              <th scope="col">quantity</th>
              <th scope="col">baseline</th>
              <th scope="col">with</th>
              <th scope="col">difference</th>
              <th scope="col">95% interval</th>
              <th scope="col">mid-p</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.arm}|${r.q}`}>
                <td>{r.arm}</td>
                <td>{r.q}</td>
                <td>{fmtP(r.base)}</td>
                <td>{fmtP(r.alt)}</td>
                <td>{fmtPts(r.d)}</td>
                <td>
                  {fmtPts(r.lo)} to {fmtPts(r.hi)}
                </td>
                <td>{r.p}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <PlotBox
        make={make}
        label={`Forest plot: ${rows.map((r) => `${r.arm} ${r.q} ${fmtPts(r.d)} (${fmtPts(r.lo)} to ${fmtPts(r.hi)})`).join('; ')}`}
      />
    </Figure>
  );
}

/** "path" and, on a second line, where the number comes from. */
function paramLabel(path: string, params: Map<string, { source: string | null }>): string {
  const src = params.get(path)?.source ?? 'none given';
  return `${path}\nsource: ${src.length > 44 ? `${src.slice(0, 43)}…` : src}`;
}

function labelMargin(labels: string[], width: number): number {
  const longest = Math.max(10, ...labels.flatMap((l) => l.split('\n').map((x) => x.length)));
  return Math.min(Math.round(width * 0.52), Math.ceil(16 + 6.7 * longest));
}

/** One at a time: the metric with each parameter at its low and its high quantile, the others nominal. */
export function TornadoChart({ report, top = 15 }: { report: SensitivityReport; top?: number }) {
  const params = new Map(report.params.map((p) => [p.path, p]));
  const [qLo, qHi] = report.tornado.quantiles;
  const bars = report.tornado.bars.slice(0, top);
  const data = bars.map((b) => ({
    label: paramLabel(b.path, params),
    path: b.path,
    x1: Math.min(b.low.p, b.high.p),
    x2: Math.max(b.low.p, b.high.p),
    dir: b.d > 0 ? 'higher value raises it' : b.d < 0 ? 'higher value lowers it' : 'no effect',
    b,
  }));
  const ends = bars.flatMap((b) => [
    { label: paramLabel(b.path, params), p: b.low.p, end: `low end (${qLo} quantile)`, v: b.low.value },
    { label: paramLabel(b.path, params), p: b.high.p, end: `high end (${qHi} quantile)`, v: b.high.value },
  ]);
  const max = Math.max(report.nominal.p, ...bars.flatMap((b) => [b.low.p, b.high.p]));
  const make = (width: number) =>
    Plot.plot({
      width,
      height: 40 * data.length + 70,
      marginLeft: labelMargin(
        data.map((d) => d.label),
        width,
      ),
      marginRight: 30,
      marginBottom: 44,
      style: { fontSize: '12px', background: 'transparent' },
      x: {
        label: `${report.metric.label}, % of runs →`,
        labelAnchor: 'center',
        labelOffset: 36,
        domain: [0, max * 1.08 || 0.01],
        grid: true,
        tickFormat: (d: number) => `${Number((d * 100).toPrecision(3))}%`,
      },
      y: { label: null, domain: data.map((d) => d.label), padding: 0.3 },
      color: {
        legend: true,
        domain: ['higher value raises it', 'higher value lowers it', 'no effect'],
        range: ['#dc2626', '#2563eb', '#94a3b8'],
      },
      symbol: { legend: true, domain: ends.slice(0, 2).map((e) => e.end), range: ['circle', 'diamond'] },
      marks: [
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
        <table>
          <thead>
            <tr>
              <th scope="col">parameter</th>
              <th scope="col">source</th>
              <th scope="col">low value</th>
              <th scope="col">at low</th>
              <th scope="col">high value</th>
              <th scope="col">at high</th>
              <th scope="col">high − low</th>
              <th scope="col">95% interval</th>
            </tr>
          </thead>
          <tbody>
            {report.tornado.bars.map((b) => (
              <tr key={b.path}>
                <td>
                  <code>{b.path}</code>
                </td>
                <td>{params.get(b.path)?.source ?? '–'}</td>
                <td>{b.low.value}</td>
                <td>{fmtP(b.low.p)}</td>
                <td>{b.high.value}</td>
                <td>{fmtP(b.high.p)}</td>
                <td>{fmtPts(b.d)}</td>
                <td>
                  {fmtPts(b.ci95[0])} to {fmtPts(b.ci95[1])}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <PlotBox
        make={make}
        label={`Tornado: ${bars.map((b) => `${b.path} ${fmtP(b.low.p)} to ${fmtP(b.high.p)}`).join('; ')}`}
      />
    </Figure>
  );
}

/** Sobol first-order and total indices per parameter, with bootstrap 95% intervals. */
export function SobolChart({ report, top = 15 }: { report: SensitivityReport; top?: number }) {
  const sobol = report.sobol;
  if (!sobol) return null;
  const params = new Map(report.params.map((p) => [p.path, p]));
  const indices = sobol.indices.slice(0, top);
  const rows = indices.flatMap((i) => [
    {
      label: paramLabel(i.path, params),
      kind: 'first order',
      v: i.first,
      lo: i.firstCi95[0],
      hi: i.firstCi95[1],
    },
    { label: paramLabel(i.path, params), kind: 'total', v: i.total, lo: i.totalCi95[0], hi: i.totalCi95[1] },
  ]);
  // Indices lie in [0, 1]; estimates and their intervals can stray outside with few samples (clipped).
  const lo = Math.max(-0.5, Math.min(0, ...rows.map((r) => r.lo)));
  const hi = Math.min(1.5, Math.max(1, ...rows.map((r) => r.hi)));
  const band = 40;
  const make = (width: number) =>
    Plot.plot({
      width,
      height: band * indices.length + 70,
      marginLeft: labelMargin(
        rows.map((r) => r.label),
        width,
      ),
      marginRight: 30,
      marginBottom: 44,
      style: { fontSize: '12px', background: 'transparent' },
      x: {
        label: 'share of the variance of the metric over the design →',
        labelAnchor: 'center',
        labelOffset: 36,
        domain: [lo, hi],
        grid: true,
      },
      y: { label: null, domain: indices.map((i) => paramLabel(i.path, params)), padding: 0.2 },
      color: { legend: true, domain: ['first order', 'total'], range: ['#0d9488', '#7c3aed'] },
      marks: [
        Plot.barX(
          rows.filter((r) => r.kind === 'first order'),
          { y: 'label', x: 'v', fill: 'kind', insetBottom: band * 0.4, clip: true },
        ),
        Plot.barX(
          rows.filter((r) => r.kind === 'total'),
          { y: 'label', x: 'v', fill: 'kind', insetTop: band * 0.4, clip: true },
        ),
        Plot.ruleY(
          rows.filter((r) => r.kind === 'first order'),
          { y: 'label', x1: 'lo', x2: 'hi', stroke: '#0f172a', dy: -band * 0.2, clip: true },
        ),
        Plot.ruleY(
          rows.filter((r) => r.kind === 'total'),
          { y: 'label', x1: 'lo', x2: 'hi', stroke: '#0f172a', dy: band * 0.2, clip: true },
        ),
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
  const noisy = sobol.noiseVariance > 0.25 * sobol.varianceY;
  return (
    <Figure
      id="sobol"
      title="Variance-based (Sobol) indices with bootstrap 95% intervals"
      caption={
        <>
          First order: the share of the metric's variance due to the parameter alone; total: including its
          interactions with the others. Saltelli 2010 design, N = {sobol.samples},{' '}
          {sobol.runsPerPoint.toLocaleString()} runs at each of {sobol.designPoints.toLocaleString()} design
          points; variance of the metric over the design {sobol.varianceY}, Monte Carlo noise of one point at
          most {sobol.noiseVariance}.
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
        <table>
          <thead>
            <tr>
              <th scope="col">parameter</th>
              <th scope="col">source</th>
              <th scope="col">first order</th>
              <th scope="col">95% interval</th>
              <th scope="col">total</th>
              <th scope="col">95% interval</th>
            </tr>
          </thead>
          <tbody>
            {sobol.indices.map((i) => (
              <tr key={i.path}>
                <td>
                  <code>{i.path}</code>
                </td>
                <td>{params.get(i.path)?.source ?? '–'}</td>
                <td>{i.first}</td>
                <td>
                  {i.firstCi95[0]} to {i.firstCi95[1]}
                </td>
                <td>{i.total}</td>
                <td>
                  {i.totalCi95[0]} to {i.totalCi95[1]}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <PlotBox
        make={make}
        label={`Sobol indices: ${indices.map((i) => `${i.path} first ${i.first}, total ${i.total}`).join('; ')}`}
      />
    </Figure>
  );
}
