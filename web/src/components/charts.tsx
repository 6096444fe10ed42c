// The result charts: exceedance with 95% interval bands, outcomes, misperception attribution (Plot),
// the escalation-path Sankey (d3-sankey, drawn as SVG). Each chart has a title, axis labels with units,
// a legend where colours carry meaning, and a data table for screen readers and exact values.
import * as Plot from '@observablehq/plot';
import { sankey, sankeyLinkHorizontal } from 'd3-sankey';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import type { RunReport } from '../api.ts';

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
    ref.current?.replaceChildren(el);
    return () => el.remove();
  }, [label, width]);
  return <div className="plot" ref={ref} role="img" aria-label={label} />;
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
      <h3 id={props.id ? `${props.id}-title` : undefined}>{props.title}</h3>
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
      height: 340,
      marginLeft: 64,
      marginBottom: 56,
      marginRight: 20,
      style: { fontSize: '12.5px', background: 'transparent' },
      x: {
        label: 'escalation ladder rung reached (peak of the run) →',
        labelAnchor: 'right',
        labelOffset: 52,
        domain: rungs,
        tickRotate: -15,
        padding: 0.3,
      },
      y: {
        type: 'log',
        label: '↑ P(peak ≥ rung), % of runs (log scale)',
        ticks,
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
        <table>
          <thead>
            <tr>
              <th scope="col">rung</th>
              <th scope="col">P(peak ≥ rung)</th>
              <th scope="col">95% interval</th>
            </tr>
          </thead>
          <tbody>
            {report.exceedance.map((e) => (
              <tr key={e.id}>
                <td>{e.id}</td>
                <td>{pct(e.p)}</td>
                <td>
                  {pct(e.ci95[0])} – {pct(e.ci95[1])}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
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
  resolved: 'Resolved (quiet)',
  horizon: 'Unresolved at horizon',
  war: 'War',
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
      marginLeft: 150,
      marginRight: 56,
      style: { fontSize: '12px', background: 'transparent' },
      x: { label: 'share of runs (%)', percent: true, grid: true, domain: [0, 100] },
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
        <table>
          <thead>
            <tr>
              <th scope="col">outcome</th>
              <th scope="col">share</th>
              <th scope="col">95% interval</th>
            </tr>
          </thead>
          <tbody>
            {data.map((d) => (
              <tr key={d.key}>
                <td>{d.outcome}</td>
                <td>{pct(d.p)}</td>
                <td>
                  {pct(d.lo)} – {pct(d.hi)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <PlotBox make={make} label={`Outcomes: ${data.map((d) => `${d.outcome} ${pct(d.p)}`).join(', ')}`} />
    </Figure>
  );
}

export function MisperceptionChart({ report }: { report: RunReport }) {
  const m = report.misperception;
  const short = (t: string) => (t.length > 46 ? `${t.slice(0, 45)}…` : t);
  const data = m.causes.slice(0, 8).map((c) => ({
    label: short(
      `${c.observer} ${c.kind === 'misread' ? `read ${c.act} as ${c.perceived}` : c.kind === 'false-alarm' ? `false alarm: ${c.act}` : `${c.kind} ${c.act}${c.perceived ? ` as ${c.perceived}` : ''}`}`,
    ),
    share: c.share,
    runs: c.runs,
  }));
  const make = (width: number) =>
    Plot.plot({
      width,
      height: Math.max(120, 34 * data.length + 50),
      marginLeft: Math.min(340, Math.round(width * 0.48)),
      marginRight: 56,
      style: { fontSize: '12px', background: 'transparent' },
      x: { label: `share of runs reaching ${m.threshold} (%)`, percent: true, grid: true },
      y: { label: null, domain: data.map((d) => d.label) },
      marks: [
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
        <table>
          <thead>
            <tr>
              <th scope="col">first misperception</th>
              <th scope="col">runs</th>
              <th scope="col">share</th>
            </tr>
          </thead>
          <tbody>
            {m.causes.map((c) => (
              <tr key={`${c.kind}${c.observer}${c.act}${c.perceived}`}>
                <td>
                  {c.observer}: {c.kind} {c.act}
                  {c.perceived ? ` as ${c.perceived}` : ''}
                </td>
                <td>{c.runs}</td>
                <td>{pct(c.share)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      {data.length ? (
        <PlotBox make={make} label="Misperceptions that began lethal chains" />
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
  const width = 900;
  const height = Math.max(240, Math.min(560, nodes.length * 30));
  const table = (
    <table>
      <thead>
        <tr>
          <th scope="col">path (acts that raised the peak)</th>
          <th scope="col">runs</th>
          <th scope="col">share</th>
        </tr>
      </thead>
      <tbody>
        {report.paths.map((p) => (
          <tr key={p.events.join('>')}>
            <td>{p.events.join(' → ') || '(nothing escalated)'}</td>
            <td>{p.count}</td>
            <td>{pct(p.share)}</td>
          </tr>
        ))}
      </tbody>
    </table>
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
      [4, 8],
      [width - 230, height - 8],
    ])({ nodes: nodes.map((n) => ({ ...n })), links: links.map((l) => ({ ...l })) });
  const linkPath = sankeyLinkHorizontal();
  const palette = ['#1d4ed8', '#0891b2', '#ca8a04', '#c2410c', '#b91c1c', '#7e22ce'];
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
          Node colour: step in the sequence.
        </>
      }
      table={table}
    >
      <svg
        viewBox={`0 0 ${width} ${height}`}
        className="sankey"
        role="img"
        aria-label="Sankey diagram of escalation paths"
      >
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
              fontSize={11.5}
              fill="#0f172a"
            >
              {n.label}
            </text>
          </g>
        ))}
      </svg>
    </Figure>
  );
}
