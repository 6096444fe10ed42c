// One self-contained HTML file per report: inline CSS and inline SVG charts, no script and nothing
// fetched, so it opens anywhere (and prints) without a network.
import type { PairedDelta } from '../compare.ts';
import { GLOSSARY, QUANTITY, type QuantityId, quantityLabel, sobolScreeningNote } from '../vocabulary.ts';
import {
  attributionChart,
  breakevenChart,
  exceedanceChart,
  forestChart,
  outcomeChart,
  sankeyChart,
  sobolChart,
  sweepChart,
  tornadoChart,
} from './charts.ts';
import type { ReportData } from './data.ts';
import {
  attributionRows,
  BAND_NOTE,
  breakevenBandLines,
  breakevenRows,
  drawsNote,
  epistemicCompareHead,
  epistemicCompareRows,
  epistemicRunHead,
  epistemicRunRows,
  exceedanceRows,
  fmtCi,
  fmtP,
  importanceHead,
  importanceRows,
  moreNote,
  REPORT_ROWS,
  type Row,
  shown,
  sobolRows,
  sweepBandHead,
  sweepBandRows,
  sweepHead,
  sweepRows,
  tornadoRows,
} from './rows.ts';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const e = escapeHtml;

/** The glossary entries a report defines at its end. */
const REPORT_TERMS = [
  'peak',
  'war-or-worse',
  'ended-in-war',
  'nuclear-use-outcome',
  'resolved',
  'horizon',
  'ci',
  'wilson',
  'newcombe',
  'mcnemar',
  'crn',
  'saved-harmed',
  'mechanism',
  'tornado',
  'sobol',
  'nominal',
  'bootstrap',
  'parameter-band',
  'p-helps',
  'evppi',
];

/** A table in a region that scrolls sideways on a narrow screen (focusable, so the keyboard can scroll it). */
function table(head: string[], rows: Row[], cls = '', label = head.slice(0, 3).join(', ')): string {
  return `<div class="scroll" role="region" tabindex="0" aria-label="${e(`Table: ${label}`)}"><table class="${cls}"><thead><tr>${head
    .map((h) => `<th scope="col">${e(h)}</th>`)
    .join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${e(String(c))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

/**
 * A chart: its title, the SVG named by `label` (which carries the numbers, for screen readers), in a
 * region that scrolls sideways on a phone rather than shrinking its text.
 */
function figure(id: string, title: string, svg: string, note: string | undefined, label: string): string {
  const named = svg.replace(/^<svg/, `<svg role="img" aria-label="${e(label)}"`);
  return `<figure class="chart" id="${id}"><figcaption>${e(title)}</figcaption><div class="scroll" role="region" tabindex="0" aria-label="${e(`Chart: ${title}`)}">${named}</div>${note ? `<p class="note">${e(note)}</p>` : ''}</figure>`;
}

const pcts = (xs: { name: string; p: number }[]) => xs.map((x) => `${x.name} ${fmtP(x.p)}`).join(', ');

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;max-width:1000px;margin:24px auto;padding:0 20px}
.scroll{overflow-x:auto;max-width:100%}.scroll:focus-visible{outline:2px solid #2458c6}
figure.chart svg{max-width:100%;height:auto;min-width:min(560px,100%)}
dl.terms dt{font-weight:600;margin-top:6px}dl.terms dd{margin:0 0 4px}
@media (max-width:600px){body{margin:12px auto;padding:0 12px}figure.chart svg{min-width:560px}h1{font-size:19px}}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:32px 0 8px;border-bottom:1px solid #dde2ea;padding-bottom:4px}
h3{font-size:15px;margin:20px 0 6px}.sub{color:#5a6578;margin:0 0 16px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:12.5px}th,td{border:1px solid #dde2ea;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f3f5f9}td:nth-child(n+2){font-variant-numeric:tabular-nums}
figure.chart{margin:12px 0 20px}figcaption{font-weight:600;margin-bottom:4px}.note{color:#5a6578;font-size:12.5px;margin:4px 0}
table.assumptions td:nth-child(5){min-width:280px}table.assumptions td:nth-child(4){max-width:260px}
code{background:#f3f5f9;padding:1px 4px;border-radius:3px}ul{margin:4px 0 12px}
`;

function deltaRows(d: Record<string, PairedDelta>): (string | number)[][] {
  return Object.entries(d).map(([k, v]) => [
    quantityLabel(k),
    fmtP(v.base),
    fmtP(v.alt),
    fmtP(v.d),
    fmtCi(v.ci95),
    v.p,
    v.baseOnly,
    v.altOnly,
  ]);
}

function runSections(d: ReportData): string[] {
  const out: string[] = [];
  const r = d.run;
  if (r) {
    out.push('<h2>Escalation</h2>');
    out.push(
      figure(
        'exceedance',
        'Exceedance: P(peak rung ≥ r) with 95% Wilson intervals',
        exceedanceChart(r),
        `${r.runs.toLocaleString('en-US')} runs; log scale; rungs no run reached are not drawn.`,
        `Exceedance curve, P(peak ≥ rung): ${pcts(r.exceedance.map((x) => ({ name: x.id, p: x.p })))}`,
      ),
    );
    out.push(
      figure(
        'outcomes',
        'How runs end (95% Wilson intervals)',
        outcomeChart(r),
        undefined,
        `Outcomes: ${pcts(Object.entries(r.outcomes).map(([k, v]) => ({ name: QUANTITY[k as QuantityId]?.label ?? k, p: v.p })))}`,
      ),
    );
    out.push(table(['rung', 'id', 'P(peak ≥ rung)', '95% CI'], exceedanceRows(r)));
    out.push(
      table(
        ['outcome', 'share', '95% CI (Wilson)'],
        Object.entries(r.outcomes).map(([k, v]) => [
          QUANTITY[k as QuantityId]?.label ?? k,
          fmtP(v.p),
          fmtCi(v.ci95),
        ]),
      ),
    );
  }
  if (d.paths) {
    out.push(
      figure(
        'sankey',
        d.paths.minPeak.rung > 0
          ? `Escalation paths of the ${d.paths.runs} runs that reached ${d.paths.minPeak.id} or above: the acts that raised the peak rung, and how the runs ended`
          : 'Escalation paths: the acts that raised the peak rung, and how runs ended',
        sankeyChart(d.paths),
        'Shares are of the runs in the diagram; branches taken by fewer than 1% of them are grouped as "other". Every flow is in the table below.',
        `Escalation paths of ${d.paths.runs} runs, as flows from act to act and to how the runs ended; the table below lists every flow`,
      ),
    );
    const label = new Map(d.paths.nodes.map((n) => [n.id, n.label]));
    out.push(
      table(
        ['from', 'to', 'runs', 'share of the runs drawn'],
        d.paths.links.map((l) => [
          label.get(l.source) ?? l.source,
          label.get(l.target) ?? l.target,
          l.runs,
          fmtP(l.runs / d.paths!.runs),
        ]),
      ),
    );
  }
  if (d.attribution?.causes.length) {
    const cf = d.counterfactual;
    out.push('<h2>Misperceptions behind war</h2>');
    out.push(
      figure(
        'attribution',
        `Share of the ${d.attribution.warRuns} war runs whose escalation chain began with each misperception`,
        attributionChart(d.attribution.causes, cf?.byCause),
        cf
          ? 'Diamonds: share of those runs that no longer reach war when that misperception is removed and every other draw is kept.'
          : undefined,
        `Misperceptions that began the chains of war runs: ${d.attribution.causes
          .slice(0, 12)
          .map(
            (c) =>
              `${c.observer} ${c.kind} ${c.act}${c.perceived ? ` as ${c.perceived}` : ''} ${fmtP(c.share)}`,
          )
          .join('; ')}`,
      ),
    );
    out.push(
      table(
        ['observer', 'misperception', 'war runs it began', 'share', '95% CI'],
        attributionRows(d.attribution.causes),
      ),
    );
    if (cf) {
      out.push(
        `<p>Counterfactual replay of ${cf.warRuns} war runs: removing the misperception each chain began with avoids war in <b>${fmtP(cf.avoidable.share)}</b> ${e(fmtCi(cf.avoidable.ci95))} of them ("avoidable with better ISR"); removing every misperception of the run avoids it in ${fmtP(cf.perfectPerception.share)} ${e(fmtCi(cf.perfectPerception.ci95))}.</p>`,
      );
      out.push(
        table(
          ['observer', 'misperception', 'war runs it began', 'no longer war without it', 'share'],
          cf.byCause.map((c) => [
            c.observer,
            c.kind === 'misread' ? `${c.act} read as ${c.perceived}` : `${c.kind} ${c.act}`,
            c.runs,
            c.avoided,
            fmtP(c.share),
          ]),
        ),
      );
    }
  }
  if (d.rare) {
    const x = d.rare;
    out.push('<h2>Rare-event estimate</h2>');
    out.push(
      table(
        [
          'estimator',
          'event',
          'estimate',
          '95% CI',
          'relative error',
          'effective sample size',
          'work (engine events)',
          'gain per unit work vs crude',
        ],
        [
          [
            x.estimator,
            `peak ≥ ${x.target.id}`,
            x.estimate.toExponential(3),
            `[${x.ci95[0].toExponential(3)}, ${x.ci95[1].toExponential(3)}]`,
            x.relativeError,
            x.ess,
            x.work.events,
            x.gainVsCrude,
          ],
        ],
      ),
    );
  }
  return out;
}

/** The parameter-uncertainty band of a run, beside each outcome's Monte Carlo interval. */
function bandSections(d: ReportData): string[] {
  const x = d.epistemic ?? d.run?.epistemic;
  if (!x) return [];
  return [
    '<h2 id="parameter-uncertainty">Parameter uncertainty</h2>',
    `<p class="note">${e(drawsNote(x))} ${e(BAND_NOTE)}</p>`,
    table(epistemicRunHead, epistemicRunRows(x, d.run), '', 'Parameter-uncertainty band per outcome'),
  ];
}

function compareSections(d: ReportData): string[] {
  const c = d.compare;
  const out: string[] = [];
  if (c) {
    out.push('<h2>Interventions against the baseline (common random numbers)</h2>');
    out.push(
      figure(
        'forest',
        'Paired differences in probability with 95% intervals (negative: the intervention lowers it)',
        forestChart(c.comparisons, ['warOrWorse', 'war', 'nuclearUse', 'resolved']),
        `${c.method.interval}; test: ${c.method.test}.`,
        `Forest plot of paired differences: ${c.comparisons
          .flatMap((x) =>
            ['warOrWorse', 'war', 'nuclearUse', 'resolved']
              .filter((k) => x.delta[k])
              .map((k) => `${x.with} ${quantityLabel(k)} ${fmtP(x.delta[k]!.d)} ${fmtCi(x.delta[k]!.ci95)}`),
          )
          .join('; ')}`,
      ),
    );
    if (c.parameterDraws) {
      out.push(
        '<h3 id="parameter-uncertainty">Parameter uncertainty: does it help whatever the parameters?</h3>',
        `<p class="note">${e(drawsNote(c.parameterDraws))} ${e(BAND_NOTE)}</p>`,
        table(
          epistemicCompareHead,
          epistemicCompareRows(c.comparisons),
          '',
          'P(helps) across parameter draws',
        ),
      );
    }
    for (const x of c.comparisons) {
      out.push(`<h3>${e(x.with)}</h3>`);
      if (x.epistemic)
        out.push(
          `<p>Across parameter draws it lowers ${e(x.epistemic.metric.label)} in <b>${fmtP(x.epistemic.pHelps.p)}</b> of them ${fmtCi(x.epistemic.pHelps.ci95)}. What matters most to that decision (EVPPI: how much lower the probability would be on average if the parameter were known before deciding):</p>`,
          table(importanceHead, importanceRows(x.epistemic), '', `Parameters that matter to ${x.with}`),
        );
      out.push(
        `<p>Saved from war or worse: <b>${x.saved}</b> runs (${fmtP(x.savedShare)}); pushed into it: <b>${x.harmed}</b> (${fmtP(x.harmedShare)}). ${e(c.method.savedHarmed)}.</p>`,
      );
      out.push(
        table(
          [
            'quantity',
            'baseline',
            'with',
            'difference',
            '95% CI',
            'McNemar mid-p',
            'baseline only',
            'with only',
          ],
          deltaRows(x.delta),
        ),
      );
      const ms = [...(x.mechanisms.saved?.sentences ?? []), ...(x.mechanisms.harmed?.sentences ?? [])];
      if (ms.length)
        out.push(`<p>Mechanisms (traced runs):</p><ul>${ms.map((s) => `<li>${e(s)}</li>`).join('')}</ul>`);
      out.push(
        table(
          ['rung', 'baseline', 'with', 'difference', '95% CI', 'mid-p'],
          x.exceedance.map((r) => [r.id, fmtP(r.base), fmtP(r.alt), fmtP(r.d), fmtCi(r.ci95), r.p]),
        ),
      );
    }
  }
  if (d.rareCompare) {
    const rc = d.rareCompare;
    out.push(`<h2>Rare-event comparison (${e(rc.estimator)}, peak ≥ ${e(rc.target.id)})</h2>`);
    out.push(
      table(
        ['arm', 'estimate', '95% CI', 'difference', '95% CI (independent arms)'],
        [
          ['baseline', rc.baseline.estimate.toExponential(3), fmtCi(rc.baseline.ci95), '', ''],
          ...rc.comparisons.map((x) => [
            x.with,
            x.result.estimate.toExponential(3),
            fmtCi(x.result.ci95),
            fmtP(x.d),
            fmtCi(x.ci95),
          ]),
        ],
      ),
    );
  }
  return out;
}

function sweepSections(d: ReportData): string[] {
  const s = d.sweep;
  if (!s) return [];
  const out = ['<h2>Sweep</h2>'];
  if (s.params.length <= 2) {
    for (const m of s.metrics)
      out.push(
        figure(
          `sweep-${m.id}`,
          `${m.label} over the grid (95% Wilson bands)`,
          sweepChart(s, m.id),
          undefined,
          `${m.label} over the grid: ${s.cells.map((c) => `${c.values.join(', ')}: ${fmtP(c.metrics[m.id]!.p)}`).join('; ')}`,
        ),
      );
  }
  out.push(table(sweepHead(s), sweepRows(s)));
  if (s.epistemic)
    out.push(
      '<h3 id="parameter-uncertainty">Parameter uncertainty per cell</h3>',
      `<p class="note">${e(drawsNote(s.epistemic))} The swept parameters are not drawn. ${e(BAND_NOTE)}</p>`,
      table(sweepBandHead(s), sweepBandRows(s), '', 'Parameter-uncertainty band per cell'),
    );
  return out;
}

function sensitivitySections(d: ReportData): string[] {
  const s = d.sensitivity;
  if (!s) return [];
  const rows = d.rows ?? REPORT_ROWS;
  const out = ['<h2>Sensitivity</h2>'];
  const more = moreNote(s.tornado.bars.length, rows);
  out.push(
    figure(
      'tornado',
      `One at a time: ${s.metric.label} with each parameter at its ${s.tornado.quantiles[0]} and ${s.tornado.quantiles[1]} quantiles`,
      tornadoChart(s, rows),
      `Dashed line: nominal ${fmtP(s.nominal.p)}. ${s.tornado.runs} paired runs per end.${more ? ` ${more}` : ''}`,
      `Tornado of ${s.metric.label}, nominal ${fmtP(s.nominal.p)}: ${shown(s.tornado.bars, rows)
        .map((b) => `${b.path} ${fmtP(b.low.p)} to ${fmtP(b.high.p)}`)
        .join('; ')}`,
    ),
  );
  out.push(
    table(
      ['parameter', 'low', 'P at low', 'high', 'P at high', 'high − low', '95% CI'],
      tornadoRows(s, rows),
    ),
  );
  if (s.sobol) {
    const screening = s.sobol.screening ? ` ${sobolScreeningNote(s.sobol.screening)}` : '';
    const moreSobol = moreNote(s.sobol.indices.length, rows);
    out.push(
      figure(
        'sobol',
        'Variance-based (Sobol) indices with bootstrap 95% intervals',
        sobolChart(s, rows),
        `Saltelli 2010 design, N = ${s.sobol.samples}, ${s.sobol.runsPerPoint} runs per design point (${s.sobol.designPoints} points).${screening} Variance of the metric over the design ${s.sobol.varianceY}; Monte Carlo noise per point at most ${s.sobol.noiseVariance}. First order: solid bar; total: outlined bar.${moreSobol ? ` ${moreSobol}` : ''}`,
        `Sobol indices: ${shown(s.sobol.indices, rows)
          .map((i) => `${i.path} first order ${i.first}, total ${i.total}`)
          .join('; ')}`,
      ),
    );
    out.push(table(['parameter', 'first order', '95% CI', 'total', '95% CI'], sobolRows(s, rows)));
  }
  return out;
}

function breakevenSections(d: ReportData): string[] {
  const b = d.breakeven;
  if (!b) return [];
  const verdict =
    b.verdict === 'crosses' && b.crossing
      ? `The intervention ${b.crossing.direction === 'stops-paying' ? 'stops paying' : 'starts paying'} at ${b.param.path} = ${b.crossing.x} (95% CI ${b.crossing.ci95[0]} to ${b.crossing.ci95[1]}).`
      : b.verdict === 'pays'
        ? 'The intervention lowers the metric over the whole range.'
        : 'The intervention does not lower the metric anywhere in the range.';
  return [
    '<h2>Break-even</h2>',
    `<p><b>${e(verdict)}</b></p>`,
    figure(
      'breakeven',
      `Paired difference in ${b.metric.label} against ${b.param.path}`,
      breakevenChart(b),
      undefined,
      `Paired difference against ${b.param.path}: ${b.points.map((p) => `${p.x}: ${fmtP(p.d)}`).join('; ')}`,
    ),
    table([b.param.path, 'baseline', `with ${b.with}`, 'difference', '95% CI'], breakevenRows(b)),
    ...(b.epistemic
      ? [
          '<h3 id="parameter-uncertainty">Parameter uncertainty</h3>',
          ...breakevenBandLines(b).map((l) => `<p>${e(l)}</p>`),
          `<p class="note">${e(BAND_NOTE)}</p>`,
        ]
      : []),
  ];
}

/** Renders a report as one self-contained HTML document. */
export function htmlReport(d: ReportData): string {
  const m = d.manifest;
  const parts = [
    ...runSections(d),
    ...bandSections(d),
    ...compareSections(d),
    ...sweepSections(d),
    ...sensitivitySections(d),
    ...breakevenSections(d),
  ];
  const assumptions = table(
    ['parameter', 'value', 'distribution', 'source', 'note', 'where'],
    d.assumptions.map((a) => [
      a.path,
      a.value,
      a.distribution ?? '',
      a.citation ? `${a.source}: ${a.citation.replace(/\s+https?:\S+$/, '')}` : (a.source ?? ''),
      a.comment ?? '',
      a.where ?? '',
    ]),
    'assumptions',
  );
  const ivs = d.interventions.length
    ? `<h3>Interventions</h3>${table(
        ['id', 'title', 'description', 'sources'],
        d.interventions.map((i) => [i.id, i.title, i.description ?? '', i.sources.join('; ')]),
      )}`
    : '';
  const manifest = table(
    ['field', 'value'],
    [
      ['command', m.command],
      ['scenario', `${m.scenario.id} (${m.scenario.file})`],
      ['scenario hash (sha256)', m.scenario.hash],
      ['engine', m.engine],
      ['brink', m.brink],
      ['seed', m.seed],
      ['runs', m.runs ?? ''],
      ['interventions', m.interventions.join(', ') || 'none'],
      ...Object.entries(m.settings).map(([k, v]) => [k, v] as [string, string | number]),
    ],
    'manifest',
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(d.title)}</title><style>${CSS}</style></head>
<body>
<h1>${e(d.title)}</h1>
<p class="sub">Terms such as “war or worse”, “peak” and the interval types are defined under <a href="#terms">Terms</a> at the end.</p>
<p class="sub">${e(m.scenario.title)} · scenario ${e(m.scenario.id)} · hash ${e(m.scenario.hash.slice(0, 12))} · seed ${m.seed}${m.runs ? ` · ${m.runs.toLocaleString('en-US')} runs` : ''}${m.interventions.length ? ` · with ${e(m.interventions.join(', '))}` : ''}</p>
${parts.join('\n')}
<h2>Assumptions</h2>
<p class="note">Every uncertain parameter of the scenario as run: its nominal value (what a plain run uses), its distribution, and where it comes from. "judgement" marks a number with no public calibration.</p>
${assumptions}
${ivs}
<h2>Run manifest</h2>
<p class="note">The same command on the same scenario file (same hash) and engine version reproduces every number in this report.</p>
${manifest}
<h2 id="terms">Terms</h2>
<dl class="terms">${GLOSSARY.filter((g) => REPORT_TERMS.includes(g.id))
    .map((g) => `<dt id="${g.id}">${e(g.term)}</dt><dd>${e(g.definition)}</dd>`)
    .join('')}</dl>
</body></html>
`;
}
