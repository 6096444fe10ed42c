// Charts of the reports: Observable Plot marks rendered to SVG markup on a linkedom document (no
// browser needed). Each function takes plain report data and returns the chart's outer HTML.
import * as Plot from '@observablehq/plot';
import { sankey, sankeyJustify } from 'd3-sankey';
import { parseHTML } from 'linkedom';
import type { BreakevenReport } from '../breakeven.ts';
import type { Comparison } from '../compare.ts';
import type { RunReport } from '../ensemble.ts';
import type { Attribution, PathTree } from '../paths.ts';
import type { SensitivityReport } from '../sensitivity.ts';
import type { SweepReport } from '../sweep.ts';
import { QUANTITY, type QuantityId, quantityLabel } from '../vocabulary.ts';
import { REPORT_ROWS, shown } from './rows.ts';

const WIDTH = 760;
const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif';

function render(opts: Record<string, unknown>): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const el = Plot.plot({
    document,
    width: WIDTH,
    style: { background: 'white', fontFamily: FONT, fontSize: '11px', overflow: 'visible' },
    ...opts,
  } as Plot.PlotOptions) as unknown as {
    outerHTML: string;
    tagName: string;
    setAttribute(k: string, v: string): void;
  };
  if (el.tagName.toLowerCase() === 'svg') el.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  return accessible(el.outerHTML);
}

/**
 * Plot names its mark groups with aria-label; on a <g> without a role that is prohibited (axe:
 * aria-prohibited-attr). The names move to data-mark; the chart's name is its figure's (html.ts).
 */
export function accessible(svg: string): string {
  return svg
    .replace(/<g([^>]*?) aria-label="/g, '<g$1 data-mark="')
    .replace(/ aria-description="[^"]*"/g, '');
}

const pct = (x: number) => `${(x * 100).toPrecision(3)}%`;

/** Left margin and width for a chart whose y axis carries these labels (about 6.3 px a character). */
function labelled(labels: string[]): { marginLeft: number; width: number } {
  const longest = labels.reduce((a, l) => Math.max(a, l.length), 0);
  const marginLeft = Math.min(520, Math.max(90, Math.ceil(12 + 6.3 * longest)));
  return { marginLeft, width: Math.max(WIDTH, marginLeft + 420) };
}

/** P(peak >= rung) per rung with its 95% band, on a log scale (rungs with p = 0 are left out). */
export function exceedanceChart(r: RunReport): string {
  const floor = 0.5 / Math.max(1, r.runs);
  const data = r.exceedance
    .filter((e) => e.p > 0)
    .map((e) => ({ rung: e.rung, id: e.id, p: e.p, lo: Math.max(floor, e.ci95[0]), hi: e.ci95[1] }));
  return render({
    height: 320,
    marginLeft: 60,
    marginBottom: 70,
    x: {
      label: 'rung',
      ticks: r.ladder.map((l) => l.rung),
      tickFormat: (d: number) => r.ladder[d]?.id ?? String(d),
      tickRotate: -30,
      domain: [0, r.ladder.length - 1],
    },
    y: { type: 'log', label: 'P(peak ≥ rung)', grid: true, tickFormat: '~%' },
    marks: [
      Plot.areaY(data, { x: 'rung', y1: 'lo', y2: 'hi', fill: '#4c78a8', fillOpacity: 0.2, curve: 'linear' }),
      Plot.lineY(data, { x: 'rung', y: 'p', stroke: '#4c78a8', strokeWidth: 2 }),
      Plot.dot(data, {
        x: 'rung',
        y: 'p',
        fill: '#4c78a8',
        r: 3.5,
        title: (d: { id: string; p: number; lo: number; hi: number }) =>
          `${d.id}: ${pct(d.p)} [${pct(d.lo)}, ${pct(d.hi)}]`,
      }),
    ],
  });
}

/** Outcome shares with their 95% intervals. */
export function outcomeChart(r: RunReport): string {
  const data = Object.entries(r.outcomes).map(([k, v]) => ({
    outcome: QUANTITY[k as QuantityId]?.label ?? k,
    p: v.p,
    lo: v.ci95[0],
    hi: v.ci95[1],
  }));
  return render({
    height: 40 + 34 * data.length,
    marginLeft: 150,
    x: { label: 'share of runs', tickFormat: '~%', grid: true, domain: [0, 1] },
    y: { label: null, domain: data.map((d) => d.outcome) },
    marks: [
      Plot.barX(data, { x: 'p', y: 'outcome', fill: 'outcome', fillOpacity: 0.85 }),
      Plot.ruleY(data, { y: 'outcome', x1: 'lo', x2: 'hi', stroke: 'black', strokeWidth: 1.5 }),
      Plot.text(data, { x: 'p', y: 'outcome', text: (d: { p: number }) => pct(d.p), dx: 24, fill: 'black' }),
      Plot.ruleX([0]),
    ],
    color: { scheme: 'tableau10' },
  });
}

/** The escalation-path tree as a Sankey diagram (d3-sankey layout, drawn with Plot marks). */
export function sankeyChart(tree: PathTree): string {
  const height = Math.max(260, Math.min(640, 26 * tree.nodes.filter((n) => n.kind !== 'outcome').length));
  const index = new Map(tree.nodes.map((n, i) => [n.id, i]));
  type N = { id: string; label: string; kind: string; runs: number };
  type L = { source: number; target: number; value: number };
  const layout = sankey<N, L>()
    .nodeWidth(12)
    .nodePadding(10)
    .nodeAlign(sankeyJustify)
    .extent([
      [4, 10],
      [WIDTH - 170, height - 10],
    ]);
  const g = layout({
    nodes: tree.nodes.map((n) => ({ id: n.id, label: n.label, kind: n.kind, runs: n.runs })),
    links: tree.links.map((l) => ({
      source: index.get(l.source)!,
      target: index.get(l.target)!,
      value: l.runs,
    })),
  });
  const nodes = g.nodes.map((n) => ({
    x0: n.x0!,
    x1: n.x1!,
    y0: n.y0!,
    y1: n.y1!,
    label: n.label,
    kind: n.kind,
    share: n.runs / tree.runs,
  }));
  const links = g.links.map((l) => {
    const s = l.source as unknown as { x1: number; label: string };
    const t = l.target as unknown as { x0: number; label: string; kind: string };
    return {
      x1: s.x1,
      x2: t.x0,
      y1: l.y0!,
      y2: l.y1!,
      w: Math.max(1, l.width!),
      runs: l.value,
      to: t.kind === 'outcome' ? t.label : 'act',
      s: s.label,
      t: t.label,
    };
  });
  const colour = (k: string) =>
    k === 'war'
      ? '#d62728'
      : k === 'nuclearUse'
        ? '#7b1fa2'
        : k === 'resolved'
          ? '#2ca02c'
          : k === 'horizon'
            ? '#ff7f0e'
            : '#9aa7b8';
  return render({
    height,
    marginLeft: 0,
    marginRight: 0,
    marginTop: 0,
    marginBottom: 0,
    x: { type: 'identity', axis: null },
    y: { type: 'identity', axis: null },
    marks: [
      Plot.link(links, {
        x1: 'x1',
        y1: 'y1',
        x2: 'x2',
        y2: 'y2',
        curve: 'bump-x',
        strokeWidth: 'w',
        stroke: (d: { to: string }) => colour(d.to),
        strokeOpacity: 0.35,
        title: (d: { s: string; t: string; runs: number }) => `${d.s} → ${d.t}: ${d.runs} runs`,
      }),
      Plot.rect(nodes, {
        x1: 'x0',
        x2: 'x1',
        y1: 'y0',
        y2: 'y1',
        fill: (d: { kind: string; label: string }) => (d.kind === 'outcome' ? colour(d.label) : '#4c78a8'),
      }),
      Plot.text(nodes, {
        x: 'x1',
        y: (d: { y0: number; y1: number }) => (d.y0 + d.y1) / 2,
        text: (d: { label: string; share: number }) => `${d.label} ${pct(d.share)}`,
        textAnchor: 'start',
        dx: 4,
        fill: 'black',
      }),
    ],
  });
}

/** Share of war runs whose chain began with each misperception (with the counterfactual avoidable share). */
export function attributionChart(
  causes: Attribution[],
  avoidable?: { observer: string; act: string; perceived: string | null; kind: string; share: number }[],
): string {
  const label = (c: { kind: string; observer: string; act: string; perceived: string | null }) =>
    c.kind === 'misread'
      ? `${c.observer}: ${c.act} read as ${c.perceived}`
      : c.kind === 'false-alarm'
        ? `${c.observer}: false alarm ${c.act}`
        : `${c.observer}: ${c.kind === 'disbelieved' ? 'disbelieved' : 'missed'} ${c.act}`;
  const data = causes.slice(0, 12).map((c) => ({ what: label(c), p: c.share, lo: c.ci95[0], hi: c.ci95[1] }));
  const avoid = (avoidable ?? [])
    .map((a) => ({ what: label(a), p: a.share }))
    .filter((a) => data.some((d) => d.what === a.what));
  return render({
    height: 50 + 30 * Math.max(1, data.length),
    ...labelled(data.map((d) => d.what)),
    x: { label: 'share of war runs whose chain began with it', tickFormat: '~%', grid: true, domain: [0, 1] },
    y: { label: null, domain: data.map((d) => d.what) },
    marks: [
      Plot.barX(data, { x: 'p', y: 'what', fill: '#e45756', fillOpacity: 0.8 }),
      Plot.ruleY(data, { y: 'what', x1: 'lo', x2: 'hi', stroke: 'black' }),
      Plot.dot(avoid, {
        x: 'p',
        y: 'what',
        symbol: 'diamond',
        fill: 'black',
        r: 4,
        title: (d: { p: number }) => `avoidable without it: ${pct(d.p)}`,
      }),
      Plot.ruleX([0]),
    ],
  });
}

/** Forest plot of paired differences (intervention - baseline) with 95% intervals. */
export function forestChart(comparisons: Comparison[], keys: string[]): string {
  const data = comparisons.flatMap((c) =>
    keys
      .filter((k) => c.delta[k])
      .map((k) => ({
        row: `${c.with} · ${quantityLabel(k)}`,
        d: c.delta[k]!.d,
        lo: c.delta[k]!.ci95[0],
        hi: c.delta[k]!.ci95[1],
        k,
      })),
  );
  return render({
    height: 50 + 26 * data.length,
    ...labelled(data.map((d) => d.row)),
    x: {
      label: 'paired difference in probability (intervention − baseline)',
      tickFormat: '+.2~%',
      grid: true,
    },
    y: { label: null, domain: data.map((d) => d.row) },
    color: { legend: true, scheme: 'tableau10' },
    marks: [
      Plot.ruleX([0], { stroke: '#555', strokeDasharray: '4,3' }),
      Plot.ruleY(data, { y: 'row', x1: 'lo', x2: 'hi', stroke: 'k', strokeWidth: 2 }),
      Plot.dot(data, {
        x: 'd',
        y: 'row',
        fill: 'k',
        r: 4.5,
        title: (d: { d: number; lo: number; hi: number }) => `${pct(d.d)} [${pct(d.lo)}, ${pct(d.hi)}]`,
      }),
    ],
  });
}

/** Tornado: the metric at each parameter's low and high quantile (the others nominal); the first `rows` bars. */
export function tornadoChart(s: SensitivityReport, rows = REPORT_ROWS): string {
  const bars = shown(s.tornado.bars, rows);
  const data = bars.map((b) => ({
    path: b.path,
    x1: Math.min(b.low.p, b.high.p),
    x2: Math.max(b.low.p, b.high.p),
    up: b.high.p >= b.low.p ? 'higher value raises it' : 'higher value lowers it',
  }));
  const ends = bars.flatMap((b) => [
    { path: b.path, p: b.low.p, end: `low (q${s.tornado.quantiles[0]})` },
    { path: b.path, p: b.high.p, end: `high (q${s.tornado.quantiles[1]})` },
  ]);
  return render({
    height: 60 + 26 * data.length,
    ...labelled(data.map((d) => d.path)),
    x: { label: s.metric.label, tickFormat: '.2~%', grid: true },
    y: { label: null, domain: data.map((d) => d.path) },
    color: {
      legend: true,
      domain: ['higher value raises it', 'higher value lowers it'],
      range: ['#e45756', '#4c78a8'],
    },
    symbol: { legend: true },
    marks: [
      Plot.barX(data, { x1: 'x1', x2: 'x2', y: 'path', fill: 'up', fillOpacity: 0.75 }),
      Plot.dot(ends, { x: 'p', y: 'path', symbol: 'end', fill: 'black', r: 3 }),
      Plot.ruleX([s.nominal.p], { stroke: 'black', strokeDasharray: '4,3' }),
    ],
  });
}

/** Sobol first-order and total indices with bootstrap 95% intervals; the first `rows` parameters. */
export function sobolChart(s: SensitivityReport, rows = REPORT_ROWS): string {
  const idx = shown(s.sobol?.indices ?? [], rows);
  const data = idx.flatMap((i) => [
    { path: i.path, index: 'first order', v: i.first, lo: i.firstCi95[0], hi: i.firstCi95[1] },
    { path: i.path, index: 'total', v: i.total, lo: i.totalCi95[0], hi: i.totalCi95[1] },
  ]);
  return render({
    height: 60 + 40 * idx.length,
    ...labelled(idx.map((i) => i.path)),
    x: { label: 'Sobol index (share of the variance of the metric)', grid: true },
    y: { label: null, domain: ['first order', 'total'], axis: null },
    fy: { label: null, domain: idx.map((i) => i.path) },
    color: { legend: true, domain: ['first order', 'total'], range: ['#72b7b2', '#f58518'] },
    marks: [
      Plot.barX(data, { x: 'v', y: 'index', fy: 'path', fill: 'index' }),
      Plot.ruleY(data, { y: 'index', fy: 'path', x1: 'lo', x2: 'hi', stroke: 'black' }),
      // Each bar says which index it is: colour is not the only cue.
      Plot.text(data, {
        x: (d: { v: number; hi: number }) => Math.max(0, d.v, d.hi),
        y: 'index',
        fy: 'path',
        text: (d: { index: string; v: number }) =>
          `${d.index === 'total' ? 'total' : 'first'} ${Number(d.v.toPrecision(2))}`,
        textAnchor: 'start',
        dx: 4,
        fill: 'black',
      }),
      Plot.ruleX([0]),
    ],
  });
}

/** A sweep: each metric against the first parameter (one line per value of the second), with bands. */
export function sweepChart(s: SweepReport, metricId: string): string {
  const p0 = s.params[0]!;
  const p1 = s.params[1];
  const data = s.cells.map((c) => ({
    x: c.values[0]!,
    series: p1 ? `${p1.path} = ${c.values[1]}` : metricId,
    p: c.metrics[metricId]!.p,
    lo: c.metrics[metricId]!.ci95[0],
    hi: c.metrics[metricId]!.ci95[1],
  }));
  return render({
    height: 320,
    marginLeft: 60,
    x: { label: p0.path, grid: true },
    y: { label: s.metrics.find((m) => m.id === metricId)?.label ?? metricId, tickFormat: '.2~%', grid: true },
    color: p1 ? { legend: true, type: 'ordinal', scheme: 'viridis' } : { range: ['#4c78a8'] },
    marks: [
      Plot.areaY(data, { x: 'x', y1: 'lo', y2: 'hi', fill: 'series', fillOpacity: 0.15 }),
      Plot.lineY(data, { x: 'x', y: 'p', stroke: 'series', strokeWidth: 2 }),
      Plot.dot(data, { x: 'x', y: 'p', fill: 'series', r: 3 }),
    ],
  });
}

/** Break-even: the paired difference against the parameter, its band, zero and the crossing. */
export function breakevenChart(b: BreakevenReport): string {
  const data = b.points.map((p) => ({ x: p.x, d: p.d, lo: p.ci95[0], hi: p.ci95[1] }));
  const cross = b.crossing ? [b.crossing] : [];
  return render({
    height: 320,
    marginLeft: 70,
    x: { label: b.param.path, grid: true },
    y: { label: `${b.metric.label}: with ${b.with} − baseline`, tickFormat: '+.2~%', grid: true },
    marks: [
      Plot.rectX(cross, {
        x1: (c: { ci95: [number, number] }) => c.ci95[0],
        x2: (c: { ci95: [number, number] }) => c.ci95[1],
        fill: '#f58518',
        fillOpacity: 0.15,
      }),
      Plot.areaY(data, { x: 'x', y1: 'lo', y2: 'hi', fill: '#4c78a8', fillOpacity: 0.2 }),
      Plot.lineY(data, { x: 'x', y: 'd', stroke: '#4c78a8', strokeWidth: 2 }),
      Plot.dot(data, { x: 'x', y: 'd', fill: '#4c78a8', r: 3 }),
      Plot.ruleY([0], { stroke: 'black' }),
      Plot.ruleX(cross, { x: 'x', stroke: '#f58518', strokeWidth: 2 }),
    ],
  });
}

/** A PIT histogram: counts in equal bins of [0, 1] against the count a calibrated forecast expects. */
export function pitChart(bins: readonly number[], label: string): string {
  const n = bins.reduce((a, b) => a + b, 0);
  const k = bins.length;
  const data = bins.map((c, i) => ({ lo: i / k, hi: (i + 1) / k, c }));
  return render({
    width: 520,
    height: 240,
    marginLeft: 50,
    marginBottom: 40,
    x: { label, domain: [0, 1] },
    y: { label: 'crises', grid: true },
    marks: [
      Plot.rectY(data, { x1: 'lo', x2: 'hi', y: 'c', fill: '#4c78a8', inset: 1 }),
      Plot.ruleY([n / k], { stroke: '#d62728', strokeDasharray: '4,3' }),
      Plot.ruleY([0]),
    ],
  });
}
