// The result charts: exceedance with 95% interval bands, outcomes, misperception attribution (Plot),
// the escalation-path Sankey (d3-sankey, drawn as SVG). Each chart has a title, axis labels with units,
// a legend where colours carry meaning, and a data table for screen readers and exact values.
import * as Plot from '@observablehq/plot';
import { sankey, sankeyLinkHorizontal } from 'd3-sankey';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import type { RunReport } from '../api.ts';
import { DataTable } from './DataTable.tsx';
import { ScrollRegion } from './ScrollRegion.tsx';

const pct = (p: number, digits = 1) => `${(p * 100).toFixed(p > 0 && p < 0.001 ? 3 : digits)}%`;
export const fmtP = pct;

export function PlotBox({
  make,
  label,
}: {
  make: (width: number) => SVGElement | HTMLElement;
  label: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(Math.round(el.clientWidth)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  // Redraw when the data (the label says what is drawn) or the width changes.
  // biome-ignore lint/correctness/useExhaustiveDependencies: make is recreated each render; label carries the data
  useEffect(() => {
    if (!width) return;
    const el = make(width);
    markNames(el);
    ref.current?.replaceChildren(el);
    return () => el.remove();
  }, [label, width]);
  return <div className="plot" ref={ref} role="img" aria-label={label} />;
}

/**
 * Plot names its mark groups with aria-label; on a <g> without a role that attribute is prohibited
 * (axe: aria-prohibited-attr), and inside a role="img" nobody hears it. The names move to data-mark.
 */
export function markNames(el: Element): void {
  for (const g of el.querySelectorAll('[aria-label], [aria-description]')) {
    const name = g.getAttribute('aria-label');
    if (name !== null) g.setAttribute('data-mark', name);
    g.removeAttribute('aria-label');
    g.removeAttribute('aria-description');
  }
}

/** Rung labels of a narrow axis: every rung, rotated more; the phone width gets its own margins. */
export const narrow = (width: number) => width < 560;

/** Plot's text wraps at lineWidth ems; about 0.55 em a character at 12 px. */
export function wrapLines(label: string, widthPx: number, fontPx = 12): number {
  const perLine = Math.max(8, Math.floor(widthPx / (fontPx * 0.55)));
  return label.split('\n').reduce((n, part) => n + Math.max(1, Math.ceil(part.length / perLine)), 0);
}

export function Figure(props: {
  title: string;
  caption: ReactNode;
  children: ReactNode;
  table: ReactNode;
  id?: string;
}) {
  return (
    <figure className="chart" aria-labelledby={props.id ? `${props.id}-title` : undefined}>
      <h2 className="chart-title" id={props.id ? `${props.id}-title` : undefined}>
        {props.title}
      </h2>
      {props.children}
      <figcaption>{props.caption}</figcaption>
      <details>
        <summary>Data table</summary>
        {props.table}
      </details>
    </figure>
  );
}

export function ExceedanceChart({
  report,
  compareWith,
}: {
  report: RunReport;
  compareWith?: { label: string; report: RunReport };
}) {
  const floor = 0.5 / Math.max(report.runs, 1);
  const rows = (r: RunReport, series: string) =>
    r.exceedance.slice(1).map((e) => ({
      series,
      rung: e.id,
      order: e.rung,
      p: Math.max(e.p, floor),
      lo: Math.max(e.ci95[0], floor),
      hi: Math.max(e.ci95[1], floor),
    }));
  const base = report.interventions.length ? `with ${report.interventions.join(' + ')}` : 'baseline';
  const data = [...rows(report, base), ...(compareWith ? rows(compareWith.report, compareWith.label) : [])];
  const rungs = report.exceedance.slice(1).map((e) => e.id);
  const ticks = [1, 0.1, 0.01, 0.001, 0.0001, 0.00001].filter((t) => t >= floor);
  const make = (width: number) =>
    Plot.plot({
      width,
      height: narrow(width) ? 320 : 340,
      marginLeft: narrow(width) ? 52 : 64,
      marginBottom: narrow(width) ? 96 : 56,
      marginRight: narrow(width) ? 12 : 20,
      style: { fontSize: narrow(width) ? '11.5px' : '12.5px', background: 'transparent' },
      x: {
        label: narrow(width) ? 'rung reached (peak) →' : 'escalation ladder rung reached (peak of the run) →',
        labelAnchor: 'right',
        labelOffset: narrow(width) ? 92 : 52,
        domain: rungs,
        tickRotate: narrow(width) ? -55 : -15,
        padding: 0.3,
      },
      y: {
        type: 'log',
        label: narrow(width) ? '↑ P(peak ≥ rung), log' : '↑ P(peak ≥ rung), % of runs (log scale)',
        ticks: narrow(width) ? ticks.filter((_, i) => i % 2 === 0) : ticks,
        tickFormat: (d: number) => `${Number((d * 100).toPrecision(1))}%`,
        grid: true,
        domain: [floor, 1],
      },
      color: { legend: true, range: ['#1d4ed8', '#c2410c'] },
      marks: [
        Plot.areaY(data, {
          x: 'rung',
          y1: 'lo',
          y2: 'hi',
          fill: 'series',
          fillOpacity: 0.18,
          curve: 'linear',
        }),
        Plot.line(data, { x: 'rung', y: 'p', stroke: 'series', strokeWidth: 2 }),
        Plot.dot(data, {
          x: 'rung',
          y: 'p',
          fill: 'series',
          r: 3.5,
          tip: true,
          title: (d: { rung: string; p: number; lo: number; hi: number }) =>
            `P(peak ≥ ${d.rung}) = ${pct(d.p)}\n95% CI ${pct(d.lo)} – ${pct(d.hi)}`,
        }),
      ],
    });
  return (
    <Figure
      id="exceedance"
      title="Exceedance: how far crises climb"
      caption={
        <>
          Share of runs whose peak reached each rung or higher; shaded bands are Wilson 95% intervals.{' '}
          {report.runs.toLocaleString()} runs, seed {report.seed}.
        </>
      }
      table={
        <DataTable
          head={['rung', 'P(peak ≥ rung)', '95% interval']}
          rows={report.exceedance}
          rowKey={(e) => e.id}
          cells={(e) => [e.id, pct(e.p), `${pct(e.ci95[0])} – ${pct(e.ci95[1])}`]}
        />
      }
    >
      <PlotBox
        make={make}
        label={`Exceedance curve, ${base}: ${report.exceedance.map((e) => `${e.id} ${pct(e.p)}`).join(', ')}${compareWith ? `; ${compareWith.label}: ${compareWith.report.exceedance.map((e) => `${e.id} ${pct(e.p)}`).join(', ')}` : ''}`}
      />
    </Figure>
  );
}

const OUTCOME_LABEL: Record<string, string> = {
  resolved: 'Resolved',
  horizon: 'Unresolved at horizon',
  war: 'Ended in war',
  nuclearUse: 'Nuclear use',
};
const OUTCOME_COLOR: Record<string, string> = {
  resolved: '#15803d',
  horizon: '#64748b',
  war: '#b91c1c',
  nuclearUse: '#581c87',
};

export function OutcomesChart({ report }: { report: RunReport }) {
  const data = Object.entries(report.outcomes).map(([k, v]) => ({
    key: k,
    outcome: OUTCOME_LABEL[k] ?? k,
    p: v.p,
    lo: v.ci95[0],
    hi: v.ci95[1],
  }));
  const make = (width: number) =>
    Plot.plot({
      width,
      height: 200,
      marginLeft: narrow(width) ? 118 : 150,
      marginRight: 56,
      style: { fontSize: '12px', background: 'transparent' },
      x: {
        label: 'share of runs (%)',
        percent: true,
        grid: true,
        domain: [0, 100],
        ticks: narrow(width) ? 4 : 10,
      },
      y: { label: null, domain: data.map((d) => d.outcome) },
      marks: [
        Plot.barX(data, {
          y: 'outcome',
          x: 'p',
          fill: (d: { key: string }) => OUTCOME_COLOR[d.key] ?? '#334155',
          fillOpacity: 0.85,
        }),
        Plot.ruleY(data, { y: 'outcome', x1: 'lo', x2: 'hi', stroke: '#0f172a', strokeWidth: 1.5 }),
        Plot.text(data, {
          y: 'outcome',
          x: 'hi',
          text: (d: { p: number }) => pct(d.p),
          dx: 6,
          textAnchor: 'start',
          fill: '#0f172a',
        }),
        Plot.ruleX([0]),
      ],
    });
  return (
    <Figure
      id="outcomes"
      title="Outcomes"
      caption="How runs ended; the black line on each bar is the 95% interval."
      table={
        <DataTable
          head={['outcome', 'share', '95% interval']}
          rows={data}
          rowKey={(d) => d.key}
          cells={(d) => [d.outcome, pct(d.p), `${pct(d.lo)} – ${pct(d.hi)}`]}
        />
      }
    >
      <PlotBox make={make} label={`Outcomes: ${data.map((d) => `${d.outcome} ${pct(d.p)}`).join(', ')}`} />
    </Figure>
  );
}

export function MisperceptionChart({ report }: { report: RunReport }) {
  const m = report.misperception;
  const data = m.causes.slice(0, 8).map((c) => ({
    label: `${c.observer} ${c.kind === 'misread' ? `read ${c.act} as ${c.perceived}` : c.kind === 'false-alarm' ? `false alarm: ${c.act}` : `${c.kind} ${c.act}${c.perceived ? ` as ${c.perceived}` : ''}`}`,
    share: c.share,
    runs: c.runs,
  }));
  const make = (width: number) => {
    // The labels wrap inside the left margin rather than being cut (phones: about 45% of the width).
    const marginLeft = Math.round(width * (narrow(width) ? 0.46 : 0.42));
    const lines = Math.max(...data.map((d) => wrapLines(d.label, marginLeft - 10)));
    const band = Math.max(30, 15 * lines + 14);
    return Plot.plot({
      width,
      height: band * data.length + 50,
      marginLeft,
      marginRight: 56,
      style: { fontSize: '12px', background: 'transparent' },
      x: {
        label: `share of runs reaching ${m.threshold} (%)`,
        percent: true,
        grid: true,
        ticks: narrow(width) ? 3 : 6,
      },
      y: { label: null, domain: data.map((d) => d.label), tickSize: 0 },
      marks: [
        Plot.axisY({ lineWidth: (marginLeft - 18) / 12, tickSize: 0, label: null }),
        Plot.barX(data, { y: 'label', x: 'share', fill: '#b45309' }),
        Plot.text(data, {
          y: 'label',
          x: 'share',
          text: (d: { share: number }) => pct(d.share),
          dx: 6,
          textAnchor: 'start',
        }),
        Plot.ruleX([0]),
      ],
    });
  };
  return (
    <Figure
      id="misperception"
      title="Misperception attribution"
      caption={
        <>
          Of the {m.runs.toLocaleString()} runs that reached <b>{m.threshold}</b>, <b>{pct(m.share)}</b> (95%
          CI {pct(m.ci95[0])} – {pct(m.ci95[1])}) had a misperception in their causal chain; of the{' '}
          {m.war.runs.toLocaleString()} war runs, {pct(m.war.share)}. Bars: the misperception that began the
          chain.
        </>
      }
      table={
        <DataTable
          head={['first misperception', 'runs', 'share']}
          rows={m.causes}
          rowKey={(c) => `${c.kind}${c.observer}${c.act}${c.perceived}`}
          cells={(c) => [
            `${c.observer}: ${c.kind} ${c.act}${c.perceived ? ` as ${c.perceived}` : ''}`,
            c.runs,
            pct(c.share),
          ]}
        />
      }
    >
      {data.length ? (
        <PlotBox
          make={make}
          label={`Misperceptions that began the chains of runs reaching ${m.threshold}: ${data.map((d) => `${d.label} ${pct(d.share)}`).join('; ')}`}
        />
      ) : (
        <p className="muted">No run reached {m.threshold}.</p>
      )}
    </Figure>
  );
}

interface SNode {
  name: string;
  label: string;
  step: number;
}
interface SLink {
  source: number;
  target: number;
  value: number;
}

/** Escalation paths as flows: step k's act → step k+1's act, widths ∝ runs, ending in the peak. */
export function PathSankey({ report }: { report: RunReport }) {
  const box = useRef<HTMLElement>(null);
  const [boxWidth, setBoxWidth] = useState(900);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setBoxWidth(Math.round(el.clientWidth) || 900));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  // The acts every listed path starts with (the trigger) are the same for all runs: draw what follows.
  const listed = report.paths.filter((p) => p.events.length > 0);
  let prefix = 0;
  while (
    listed.length &&
    listed.every((p) => p.events.length > prefix && p.events[prefix] === listed[0]!.events[prefix])
  )
    prefix++;
  const trigger = listed[0]?.events.slice(0, prefix) ?? [];
  const quiet = report.paths.filter((p) => p.events.length <= prefix).reduce((n, p) => n + p.count, 0);
  const paths = listed
    .map((p) => ({
      ...p,
      events: [trigger.length ? `after ${trigger[trigger.length - 1]}` : 'start', ...p.events.slice(prefix)],
    }))
    .filter((p) => p.events.length > 1)
    .slice(0, 12);
  const nodes: SNode[] = [];
  const index = new Map<string, number>();
  const node = (step: number, label: string) => {
    const key = `${step}|${label}`;
    let i = index.get(key);
    if (i === undefined) {
      i = nodes.length;
      nodes.push({ name: key, label, step });
      index.set(key, i);
    }
    return i;
  };
  const linkMap = new Map<string, SLink>();
  for (const p of paths) {
    for (let k = 0; k + 1 < p.events.length; k++) {
      const s = node(k, p.events[k]!);
      const t = node(k + 1, p.events[k + 1]!);
      const key = `${s}>${t}`;
      const l = linkMap.get(key) ?? { source: s, target: t, value: 0 };
      l.value += p.count;
      linkMap.set(key, l);
    }
    if (p.events.length === 1) node(0, p.events[0]!);
  }
  const links = [...linkMap.values()];
  // Drawn at the width it is shown (text stays 12 px); below 640 px it scrolls inside its own region.
  const width = Math.max(640, Math.min(1200, boxWidth));
  const steps = Math.max(0, ...nodes.map((n) => n.step)) + 1;
  const height = Math.max(240, Math.min(560, nodes.length * 30)) + 22;
  const flows = links.map((l) => ({ from: nodes[l.source]!, to: nodes[l.target]!, runs: l.value }));
  const table = (
    <>
      <DataTable
        head={['path (acts that raised the peak)', 'runs', 'share']}
        rows={report.paths}
        rowKey={(p) => p.events.join('>')}
        cells={(p) => [p.events.join(' → ') || '(nothing escalated)', p.count, pct(p.share)]}
      />
      {flows.length ? (
        <DataTable
          caption="Flows drawn in the diagram (step k → step k+1)"
          head={['step', 'from', 'to', 'runs']}
          rows={flows}
          rowKey={(f) => `${f.from.name}>${f.to.name}`}
          cells={(f) => [`${f.from.step + 1} → ${f.to.step + 1}`, f.from.label, f.to.label, f.runs]}
        />
      ) : null}
    </>
  );
  if (!links.length)
    return (
      <Figure
        id="paths"
        title="Escalation paths"
        caption="No path had two or more escalating acts."
        table={table}
      >
        <p className="muted">Nothing to draw.</p>
      </Figure>
    );
  const layout = sankey<SNode, SLink>()
    .nodeWidth(12)
    .nodePadding(14)
    .nodeSort(null)
    .extent([
      [4, 30],
      [width - Math.min(230, width * 0.3), height - 8],
    ])({ nodes: nodes.map((n) => ({ ...n })), links: links.map((l) => ({ ...l })) });
  const linkPath = sankeyLinkHorizontal();
  // Each step its colour (every one at least 3:1 on white) and its column heading, so colour is not the
  // only thing that tells the steps apart.
  const palette = ['#1d4ed8', '#0e7490', '#a16207', '#c2410c', '#b91c1c', '#7e22ce'];
  const columns = Array.from({ length: steps }, (_, k) => {
    const at = layout.nodes.find((n) => n.step === k);
    return { k, x: at?.x0 ?? 0 };
  });
  const top = [...flows].sort((a, b) => b.runs - a.runs).slice(0, 6);
  return (
    <Figure
      id="paths"
      title="Escalation paths"
      caption={
        <>
          The {paths.length} most frequent sequences of acts that raised the crisis peak
          {trigger.length ? <> after the trigger ({trigger.join(' → ')})</> : null}; band width ∝ number of
          runs.
          {quiet ? (
            <>
              {' '}
              {pct(quiet / report.runs)} of the {report.runs.toLocaleString()} runs did not escalate further
              and are not drawn.
            </>
          ) : null}{' '}
          Columns (and colours): the steps of the sequence. Every flow is in the data table.
        </>
      }
      table={table}
    >
      <ScrollRegion
        ref={box}
        className="chart-scroll"
        label="Escalation paths diagram (scrolls sideways on a narrow screen)"
        focusable={boxWidth < 640}
      >
        <svg
          viewBox={`0 0 ${width} ${height}`}
          width={width}
          height={height}
          className="sankey"
          role="img"
          aria-label={`Sankey diagram of escalation paths in ${steps} steps; largest flows: ${top.map((f) => `${f.from.label} to ${f.to.label}, ${f.runs} runs`).join('; ')}`}
        >
          {columns.map((c) => (
            <text key={c.k} x={c.x} y={16} fontSize={12} fontWeight={600} fill="#334155">
              {c.k === 0 ? 'start' : `step ${c.k}`}
            </text>
          ))}
          <g fill="none" strokeOpacity={0.35}>
            {layout.links.map((l) => (
              <path
                key={`${(l.source as SNode).name}>${(l.target as SNode).name}`}
                d={linkPath(l) ?? ''}
                stroke={palette[(l.source as SNode).step % palette.length]}
                strokeWidth={Math.max(1, l.width ?? 1)}
              >
                <title>{`${(l.source as SNode).label} → ${(l.target as SNode).label}: ${l.value} runs`}</title>
              </path>
            ))}
          </g>
          {layout.nodes.map((n) => (
            <g key={n.name}>
              <rect
                x={n.x0}
                y={n.y0}
                width={(n.x1 ?? 0) - (n.x0 ?? 0)}
                height={Math.max(1, (n.y1 ?? 0) - (n.y0 ?? 0))}
                fill={palette[n.step % palette.length]}
              >
                <title>{`${n.label}: ${n.value} runs`}</title>
              </rect>
              <text
                x={(n.x1 ?? 0) + 6}
                y={((n.y0 ?? 0) + (n.y1 ?? 0)) / 2}
                dy="0.35em"
                fontSize={12}
                fill="#0f172a"
              >
                {n.label}
              </text>
            </g>
          ))}
        </svg>
      </ScrollRegion>
    </Figure>
  );
}
