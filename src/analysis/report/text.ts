// Markdown and CSV renderings of a report (`--format md|csv`).
import { QUANTITY, type QuantityId, quantityLabel, sobolScreeningNote } from '../vocabulary.ts';
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
  sobolRows,
  sweepBandHead,
  sweepBandRows,
  sweepHead,
  sweepRows,
  tornadoRows,
} from './rows.ts';

function mdTable(head: string[], rows: Row[]): string {
  const esc = (x: string | number) => String(x).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${head.map(esc).join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

/** The report as Markdown (tables and sentences; no charts). */
export function markdownReport(d: ReportData): string {
  const m = d.manifest;
  const out: string[] = [
    `# ${d.title}`,
    '',
    `${m.scenario.title} (\`${m.scenario.id}\`, hash \`${m.scenario.hash.slice(0, 12)}\`), seed ${m.seed}${m.runs ? `, ${m.runs} runs` : ''}${m.interventions.length ? `, with ${m.interventions.join(', ')}` : ''}.`,
    '',
  ];
  if (d.run) {
    out.push(
      '## Exceedance',
      '',
      mdTable(['rung', 'id', 'P(peak >= rung)', '95% CI'], exceedanceRows(d.run)),
      '',
    );
    out.push(
      '## Outcomes',
      '',
      mdTable(
        ['outcome', 'share', '95% CI'],
        Object.entries(d.run.outcomes).map(([k, v]) => [
          QUANTITY[k as QuantityId]?.label ?? k,
          fmtP(v.p),
          fmtCi(v.ci95),
        ]),
      ),
      '',
    );
    out.push(
      '## Escalation paths',
      '',
      mdTable(
        ['share', 'path'],
        d.run.paths.map((p) => [fmtP(p.share), p.events.join(' > ') || '(none)']),
      ),
      '',
    );
  }
  if (d.attribution?.causes.length) {
    out.push(
      '## Misperceptions behind war',
      '',
      mdTable(
        ['observer', 'misperception', 'war runs', 'share', '95% CI'],
        attributionRows(d.attribution.causes),
      ),
      '',
    );
  }
  if (d.counterfactual) {
    const cf = d.counterfactual;
    out.push(
      `Counterfactual replay of ${cf.warRuns} war runs: without the misperception each chain began with, ${fmtP(cf.avoidable.share)} ${fmtCi(cf.avoidable.ci95)} no longer reach war; without any misperception, ${fmtP(cf.perfectPerception.share)} ${fmtCi(cf.perfectPerception.ci95)}.`,
      '',
    );
  }
  if (d.rare) {
    const x = d.rare;
    out.push(
      '## Rare-event estimate',
      '',
      mdTable(
        [
          'estimator',
          'event',
          'estimate',
          '95% CI',
          'relative error',
          'ESS',
          'work (events)',
          'gain vs crude',
        ],
        [
          [
            x.estimator,
            `peak >= ${x.target.id}`,
            x.estimate.toExponential(3),
            `[${x.ci95[0].toExponential(3)}, ${x.ci95[1].toExponential(3)}]`,
            x.relativeError,
            x.ess,
            x.work.events,
            x.gainVsCrude,
          ],
        ],
      ),
      '',
    );
  }
  const band = d.epistemic ?? d.run?.epistemic;
  if (band)
    out.push(
      '## Parameter uncertainty',
      '',
      mdTable(epistemicRunHead, epistemicRunRows(band, d.run)),
      '',
      `${drawsNote(band)} ${BAND_NOTE}`,
      '',
    );
  if (d.compare?.parameterDraws)
    out.push(
      '## Parameter uncertainty',
      '',
      mdTable(epistemicCompareHead, epistemicCompareRows(d.compare.comparisons)),
      '',
      `${drawsNote(d.compare.parameterDraws)} ${BAND_NOTE}`,
      '',
    );
  if (d.compare) {
    for (const c of d.compare.comparisons) {
      out.push(`## With ${c.with}`, '', `Saved ${c.saved} runs, harmed ${c.harmed}.`, '');
      out.push(
        mdTable(
          ['quantity', 'baseline', 'with', 'difference', '95% CI', 'mid-p'],
          Object.entries(c.delta).map(([k, v]) => [
            quantityLabel(k),
            fmtP(v.base),
            fmtP(v.alt),
            fmtP(v.d),
            fmtCi(v.ci95),
            v.p,
          ]),
        ),
        '',
      );
      for (const s of [...(c.mechanisms.saved?.sentences ?? []), ...(c.mechanisms.harmed?.sentences ?? [])])
        out.push(`- ${s}`);
      out.push('');
      if (c.epistemic) out.push(mdTable(importanceHead, importanceRows(c.epistemic)), '');
    }
  }
  if (d.sweep) {
    const s = d.sweep;
    out.push('## Sweep', '', mdTable(sweepHead(s), sweepRows(s)), '');
    if (s.epistemic)
      out.push(
        '## Parameter uncertainty per cell',
        '',
        mdTable(sweepBandHead(s), sweepBandRows(s)),
        '',
        `${drawsNote(s.epistemic)} ${BAND_NOTE}`,
        '',
      );
  }
  if (d.sensitivity) {
    const s = d.sensitivity;
    const rows = d.rows ?? REPORT_ROWS;
    const more = moreNote(s.tornado.bars.length, rows);
    out.push(
      '## Tornado',
      '',
      mdTable(
        ['parameter', 'low', 'P(low)', 'high', 'P(high)', 'high - low', '95% CI'],
        tornadoRows(s, rows),
      ),
      '',
      ...(more ? [more, ''] : []),
    );
    if (s.sobol) {
      const moreSobol = moreNote(s.sobol.indices.length, rows);
      out.push(
        '## Sobol indices',
        '',
        ...(s.sobol.screening ? [sobolScreeningNote(s.sobol.screening), ''] : []),
        mdTable(['parameter', 'first order', '95% CI', 'total', '95% CI'], sobolRows(s, rows)),
        '',
        ...(moreSobol ? [moreSobol, ''] : []),
      );
    }
  }
  if (d.breakeven) {
    const b = d.breakeven;
    out.push(
      '## Break-even',
      '',
      b.crossing
        ? `Crossing at ${b.param.path} = ${b.crossing.x} (95% CI ${b.crossing.ci95[0]} to ${b.crossing.ci95[1]}), ${b.crossing.direction}.`
        : `No crossing in ${b.range.join('..')}: ${b.verdict}.`,
      '',
    );
    out.push(mdTable([b.param.path, 'baseline', 'with', 'difference', '95% CI'], breakevenRows(b)), '');
    if (b.epistemic) out.push(...breakevenBandLines(b), '', BAND_NOTE, '');
  }
  out.push(
    '## Assumptions',
    '',
    mdTable(
      ['parameter', 'value', 'distribution', 'source', 'note'],
      d.assumptions.map((a) => [
        a.path,
        a.value,
        a.distribution ?? '',
        a.citation ? `${a.source}: ${a.citation}` : (a.source ?? ''),
        a.comment ?? '',
      ]),
    ),
    '',
  );
  out.push(
    '## Manifest',
    '',
    mdTable(
      ['field', 'value'],
      [
        ['command', `\`${m.command}\``],
        ['scenario hash', m.scenario.hash],
        ['engine', m.engine],
        ['brink', m.brink],
        ['seed', m.seed],
        ['runs', m.runs ?? ''],
        ['interventions', m.interventions.join(', ') || 'none'],
        ...Object.entries(m.settings).map(([k, v]) => [k, v] as [string, string | number]),
      ],
    ),
    '',
  );
  return `${out.join('\n')}\n`;
}

function csvCell(x: string | number | null | undefined): string {
  const s = x === null || x === undefined ? '' : String(x);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The report as one long CSV table: section, item, quantity, value, lo, hi. */
export function csvReport(d: ReportData): string {
  const rows: (string | number | null)[][] = [['section', 'item', 'quantity', 'value', 'lo', 'hi']];
  const add = (section: string, item: string | number, q: string, v: number | string, c?: [number, number]) =>
    rows.push([section, item, q, v, c?.[0] ?? null, c?.[1] ?? null]);
  if (d.run) {
    for (const x of d.run.exceedance) add('exceedance', x.id, 'P(peak>=rung)', x.p, x.ci95);
    for (const [k, v] of Object.entries(d.run.outcomes)) add('outcome', k, 'share', v.p, v.ci95);
    for (const p of d.run.paths) add('path', p.events.join(' > '), 'share', p.share);
  }
  // The parameter-uncertainty band: median across draws, 5th and 95th percentiles.
  for (const [k, v] of Object.entries((d.epistemic ?? d.run?.epistemic)?.outcomes ?? {}))
    add('parameter-band', k, 'median across draws', v.median, v.band90);
  for (const c of d.compare?.comparisons ?? [])
    if (c.epistemic)
      add('parameter-band', c.with, 'P(helps) across draws', c.epistemic.pHelps.p, c.epistemic.pHelps.ci95);
  for (const c of d.attribution?.causes ?? [])
    add(
      'misperception',
      `${c.observer}: ${c.kind} ${c.act}${c.perceived && c.perceived !== c.act ? ` as ${c.perceived}` : ''}`,
      'share of war runs',
      c.share,
      c.ci95,
    );
  if (d.counterfactual) {
    add(
      'counterfactual',
      'root misperception removed',
      'share of war runs avoided',
      d.counterfactual.avoidable.share,
      d.counterfactual.avoidable.ci95,
    );
    add(
      'counterfactual',
      'all misperceptions removed',
      'share of war runs avoided',
      d.counterfactual.perfectPerception.share,
      d.counterfactual.perfectPerception.ci95,
    );
  }
  if (d.rare) add('rare', `peak>=${d.rare.target.id}`, d.rare.estimator, d.rare.estimate, d.rare.ci95);
  for (const c of d.compare?.comparisons ?? []) {
    for (const [k, v] of Object.entries(c.delta)) add('delta', c.with, k, v.d, v.ci95);
    for (const x of c.exceedance) add('delta', c.with, `peak>=${x.id}`, x.d, x.ci95);
    add('saved', c.with, 'runs', c.saved);
    add('harmed', c.with, 'runs', c.harmed);
  }
  if (d.sweep) {
    for (const c of d.sweep.cells) {
      const at = d.sweep.params.map((p, k) => `${p.path}=${c.values[k]}`).join(';');
      for (const [k, v] of Object.entries(c.metrics)) add('sweep', at, k, v.p, v.ci95);
    }
  }
  if (d.sensitivity) {
    for (const b of d.sensitivity.tornado.bars) add('tornado', b.path, 'high-low', b.d, b.ci95);
    for (const i of d.sensitivity.sobol?.indices ?? []) {
      add('sobol', i.path, 'first', i.first, i.firstCi95);
      add('sobol', i.path, 'total', i.total, i.totalCi95);
    }
  }
  if (d.breakeven) {
    for (const p of d.breakeven.points) add('breakeven', p.x, 'difference', p.d, p.ci95);
    if (d.breakeven.crossing)
      add('breakeven', d.breakeven.param.path, 'crossing', d.breakeven.crossing.x, d.breakeven.crossing.ci95);
  }
  return `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}
