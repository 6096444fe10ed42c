// Terminal tables of the analysis commands (cli-table3 and picocolors, as src/cli/report.ts).
import Table from 'cli-table3';
import type { BreakevenReport } from '../analysis/breakeven.ts';
import type { CompareReport, RareComparison } from '../analysis/compare.ts';
import type { RunReport } from '../analysis/ensemble.ts';
import {
  type EpistemicCompareReport,
  type EpistemicRunReport,
  INTERVAL_WORDS,
} from '../analysis/epistemic.ts';
import type { Attribution, Counterfactual } from '../analysis/paths.ts';
import type { RareResult } from '../analysis/rare.ts';
import { moreNote, REPORT_ROWS, shown } from '../analysis/report/rows.ts';
import type { SensitivityReport } from '../analysis/sensitivity.ts';
import type { SweepReport } from '../analysis/sweep.ts';
import { QUANTITY, type QuantityId, sobolScreeningNote } from '../analysis/vocabulary.ts';
import { pc } from './color.ts';
import { ci, pct } from './report.ts';

const plain = { head: [], border: [] };

function signed(p: number, digits = 2): string {
  return `${p > 0 ? '+' : ''}${pct(p, digits)}`;
}

function pValue(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : p.toPrecision(2);
}

function sci(x: number): string {
  return x === 0 ? '0' : x.toExponential(3);
}

function header(
  x: { scenario: { id: string; hash: string }; engine: string; seed: number },
  extra: string,
): string {
  return `${pc.bold(x.scenario.id)}  hash ${x.scenario.hash.slice(0, 12)}  engine ${x.engine}  seed ${x.seed}  ${extra}`;
}

export function renderCompare(r: CompareReport, file = 'FILE'): string {
  const lines = [
    header(r, `runs ${r.runs.toLocaleString('en-US')} per arm, paired on common random numbers`),
    '',
  ];
  const t = new Table({
    head: ['with', 'quantity', 'baseline', 'with', 'difference', '95% CI (Newcombe)', 'mid-p'],
    style: plain,
  });
  for (const c of r.comparisons) {
    for (const k of ['warOrWorse', 'war', 'nuclearUse', 'resolved']) {
      const d = c.delta[k];
      if (!d) continue;
      const diff =
        d.ci95[1] < 0 ? pc.green(signed(d.d, 3)) : d.ci95[0] > 0 ? pc.red(signed(d.d, 3)) : signed(d.d, 3);
      t.push([
        c.with,
        QUANTITY[k as QuantityId]?.label ?? k,
        pct(d.base, 3),
        pct(d.alt, 3),
        diff,
        `[${signed(d.ci95[0], 3)}, ${signed(d.ci95[1], 3)}]`,
        pValue(d.p),
      ]);
    }
  }
  lines.push(t.toString(), '');
  for (const c of r.comparisons) {
    lines.push(
      `${pc.bold(c.with)}: saves ${c.saved} runs from war or worse, pushes ${c.harmed} into it (of ${r.runs.toLocaleString('en-US')})` +
        (c.savedRuns.length
          ? `; replay a saved run: brink trace ${file} --with ${c.with} --run ${c.savedRuns[0]}`
          : ''),
    );
    for (const s of [...(c.mechanisms.saved?.sentences ?? []), ...(c.mechanisms.harmed?.sentences ?? [])])
      lines.push(`  - ${s}`);
  }
  lines.push('', pc.dim(`${r.method.interval}; ${r.method.test}. ${r.method.savedHarmed}.`));
  return `${lines.join('\n')}\n`;
}

export function renderRare(x: RareResult): string {
  const t = new Table({
    head: ['estimator', 'event', 'estimate', '95% CI', 'rel. error', 'ESS', 'work (events)', 'gain vs crude'],
    style: plain,
  });
  t.push([
    x.estimator,
    `peak >= ${x.target.id}`,
    sci(x.estimate),
    `[${sci(x.ci95[0])}, ${sci(x.ci95[1])}]`,
    x.relativeError.toFixed(4),
    Math.round(x.ess).toLocaleString('en-US'),
    x.work.events.toLocaleString('en-US'),
    `${x.gainVsCrude.toFixed(2)}x`,
  ]);
  const notes: string[] = [];
  if (x.ams)
    notes.push(
      `AMS: ${x.ams.replicates} replicates of ${x.ams.particles} particles, at least ${x.ams.kill} killed per level`,
    );
  if (x.is)
    notes.push(
      `IS: cross-entropy levels ${x.is.ceIterations.map((i) => i.level).join(' > ')}; ${x.is.runs} runs, ${x.is.hits} hits, Kish ESS ${x.is.kishEss}`,
    );
  notes.push('ESS: crude runs giving the same variance; gain: variance x work of crude over this estimator');
  return `${t.toString()}\n${pc.dim(notes.join('\n'))}\n`;
}

export function renderRareCompare(r: RareComparison): string {
  const t = new Table({ head: ['arm', 'estimate', '95% CI', 'difference', '95% CI'], style: plain });
  t.push([
    'baseline',
    sci(r.baseline.estimate),
    `[${sci(r.baseline.ci95[0])}, ${sci(r.baseline.ci95[1])}]`,
    '',
    '',
  ]);
  for (const c of r.comparisons)
    t.push([
      c.with,
      sci(c.result.estimate),
      `[${sci(c.result.ci95[0])}, ${sci(c.result.ci95[1])}]`,
      sci(c.d),
      `[${sci(c.ci95[0])}, ${sci(c.ci95[1])}]`,
    ]);
  return `${pc.bold(`P(peak >= ${r.target.id})`)} by ${r.estimator}, each arm estimated on its own\n${t.toString()}\n`;
}

export function renderAttribution(
  a: { warRuns: number; causes: Attribution[] },
  cf: Counterfactual | null,
): string {
  const lines = [
    `${pc.bold('Misperceptions behind war')}: share of the ${a.warRuns} war runs whose chain began with each`,
  ];
  const t = new Table({
    head: ['observer', 'misperception', 'war runs', 'share', '95% CI', 'avoided without it'],
    style: plain,
  });
  for (const c of a.causes) {
    const by = cf?.byCause.find(
      (x) => x.kind === c.kind && x.observer === c.observer && x.act === c.act && x.perceived === c.perceived,
    );
    t.push([
      c.observer,
      c.kind === 'misread' ? `${c.act} read as ${c.perceived}` : `${c.kind} ${c.act}`,
      String(c.runs),
      pct(c.share, 1),
      ci(c.ci95, 1),
      by ? `${by.avoided}/${by.runs} (${pct(by.share, 0)})` : '',
    ]);
  }
  lines.push(t.toString());
  if (cf)
    lines.push(
      `Counterfactual replay of ${cf.warRuns} war runs: ${pct(cf.avoidable.share, 1)} ${ci(cf.avoidable.ci95, 1)} no longer reach war without the misperception their chain began with (every other draw kept); ${pct(cf.perfectPerception.share, 1)} ${ci(cf.perfectPerception.ci95, 1)} without any misperception.`,
    );
  return `${lines.join('\n')}\n`;
}

export function renderSweep(r: SweepReport): string {
  const lines = [
    header(
      r,
      `runs ${r.runs.toLocaleString('en-US')} per cell (common random numbers)${r.interventions.length ? `  with ${r.interventions.join(', ')}` : ''}`,
    ),
    '',
  ];
  const t = new Table({
    head: [...r.params.map((p) => p.path), ...r.metrics.flatMap((m) => [m.label, '95% CI'])],
    style: plain,
  });
  for (const c of r.cells)
    t.push([
      ...c.values.map(String),
      ...r.metrics.flatMap((m) => [pct(c.metrics[m.id]!.p, 3), ci(c.metrics[m.id]!.ci95, 3)]),
    ]);
  lines.push(t.toString());
  if (r.epistemic) {
    const e = r.epistemic;
    const b = new Table({
      head: [...r.params.map((p) => p.path), ...r.metrics.map((m) => `${m.label} median [5-95% band]`)],
      style: plain,
    });
    for (const c of r.cells)
      b.push([...c.values.map(String), ...r.metrics.map((m) => band(c.epistemic![m.id]!, 3))]);
    lines.push(
      '',
      pc.bold('Parameter uncertainty') +
        `  ${e.draws} draws of the ${e.parameters} other uncertain parameters (${e.design}) per cell, ${e.runsPerDraw.toLocaleString('en-US')} runs each`,
      b.toString(),
      '',
      pc.dim(TWO_INTERVALS),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The sensitivity report as text: the first `rows` of the tornado and of the Sobol indices (0: all). */
export function renderSensitivity(r: SensitivityReport, rows = REPORT_ROWS): string {
  const lines = [
    header(
      r,
      `metric ${r.metric.label}, nominal ${pct(r.nominal.p, 3)}${r.interventions.length ? `  with ${r.interventions.join(', ')}` : ''}`,
    ),
    '',
    pc.bold(
      `One at a time (quantiles ${r.tornado.quantiles.join(' and ')}, ${r.tornado.runs} paired runs per end)`,
    ),
  ];
  const t = new Table({
    head: ['parameter', 'low', 'P(low)', 'high', 'P(high)', 'high - low', '95% CI'],
    style: plain,
  });
  for (const b of shown(r.tornado.bars, rows))
    t.push([
      b.path,
      String(b.low.value),
      pct(b.low.p, 3),
      String(b.high.value),
      pct(b.high.p, 3),
      signed(b.d, 3),
      `[${signed(b.ci95[0], 3)}, ${signed(b.ci95[1], 3)}]`,
    ]);
  lines.push(t.toString());
  const more = moreNote(r.tornado.bars.length, rows, ' (--top 0 shows all)');
  if (more) lines.push(pc.dim(more));
  if (r.sobol) {
    const s = r.sobol;
    lines.push(
      '',
      pc.bold(
        `Sobol indices (Saltelli 2010 design, N = ${s.samples}, ${s.runsPerPoint} runs per point, ${s.designPoints} points; bootstrap ${s.bootstrap})`,
      ),
    );
    if (s.screening) lines.push(sobolScreeningNote(s.screening));
    const u = new Table({ head: ['parameter', 'first order', '95% CI', 'total', '95% CI'], style: plain });
    for (const i of shown(s.indices, rows))
      u.push([
        i.path,
        i.first.toFixed(3),
        `[${i.firstCi95.map((x) => x.toFixed(3)).join(', ')}]`,
        i.total.toFixed(3),
        `[${i.totalCi95.map((x) => x.toFixed(3)).join(', ')}]`,
      ]);
    lines.push(u.toString());
    const moreSobol = moreNote(s.indices.length, rows, ' (--top 0 shows all)');
    if (moreSobol) lines.push(pc.dim(moreSobol));
    lines.push(
      pc.dim(
        `variance of the metric over the design ${s.varianceY}; binomial noise of one design point at most ${s.noiseVariance}`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function renderBreakeven(r: BreakevenReport): string {
  const lines = [header(r, `runs ${r.runs.toLocaleString('en-US')} per point, paired`), ''];
  const t = new Table({
    head: [r.param.path, 'baseline', `with ${r.with}`, 'difference', '95% CI'],
    style: plain,
  });
  for (const p of r.points)
    t.push([
      String(p.x),
      pct(p.base, 3),
      pct(p.alt, 3),
      signed(p.d, 3),
      `[${signed(p.ci95[0], 3)}, ${signed(p.ci95[1], 3)}]`,
    ]);
  lines.push(t.toString(), '');
  if (r.crossing)
    lines.push(
      pc.bold(
        `${r.with} ${r.crossing.direction === 'stops-paying' ? 'stops paying' : 'starts paying'} at ${r.param.path} = ${r.crossing.x} (95% CI ${r.crossing.ci95[0]} to ${r.crossing.ci95[1]})`,
      ) +
        pc.dim(
          `  [${r.metric.label}; bootstrap replicates without a crossing in the range: ${pct(r.crossing.unresolved, 1)}]`,
        ),
    );
  else
    lines.push(
      pc.bold(
        r.verdict === 'pays'
          ? `${r.with} lowers ${r.metric.label} over the whole range`
          : `${r.with} does not lower ${r.metric.label} anywhere in the range`,
      ),
    );
  if (r.epistemic) {
    const e = r.epistemic;
    lines.push(
      '',
      pc.bold('Parameter uncertainty') +
        `  the grid at ${e.draws} draws of the ${e.parameters} other uncertain parameters (${e.design}), ${e.runsPerDraw.toLocaleString('en-US')} paired runs per point`,
      `  draws where it crosses: ${pct(e.verdicts.crosses, 0)}; pays over the whole range: ${pct(e.verdicts.pays, 0)}; never pays: ${pct(e.verdicts.never, 0)}`,
      e.crossing
        ? `  crossing across those draws: median ${e.crossing.median}, band 5-95% ${e.crossing.band90[0]} to ${e.crossing.band90[1]}`
        : '  no draw crosses inside the range',
      pc.dim(
        `  ${INTERVAL_WORDS.band}; the 95% CI above is the bootstrap interval over runs at nominal values.`,
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The two intervals of every probability, in words (the foot of each table that shows both). */
const TWO_INTERVALS = `${INTERVAL_WORDS.monteCarlo}; ${INTERVAL_WORDS.band}.`;

function band(b: { median: number; band90: [number, number] }, digits = 2): string {
  return `${pct(b.median, digits)} ${ci(b.band90, digits)}`;
}

export function renderEpistemicRun(r: RunReport, e: EpistemicRunReport): string {
  const lines = [
    pc.bold('Parameter uncertainty') +
      `  ${e.draws} draws of ${e.parameters} uncertain parameters (${e.design}), ${e.runsPerDraw.toLocaleString('en-US')} runs each on common random numbers`,
    '',
  ];
  const t = new Table({
    head: ['outcome', 'nominal', 'Monte Carlo 95%', 'median across draws', 'band 5-95%', 'run noise share'],
    style: plain,
  });
  for (const [k, v] of Object.entries(e.outcomes)) {
    const nominal = r.outcomes[k as keyof RunReport['outcomes']];
    t.push([
      QUANTITY[k as QuantityId]?.label ?? k,
      nominal ? pct(nominal.p) : '',
      nominal ? ci(nominal.ci95) : '',
      pct(v.median),
      ci(v.band90),
      pct(v.noiseShare, 0),
    ]);
  }
  lines.push(t.toString(), '', pc.dim(TWO_INTERVALS));
  return `${lines.join('\n')}\n`;
}

export function renderEpistemicCompare(e: EpistemicCompareReport, top = 8): string {
  const lines = [
    pc.bold('Parameter uncertainty') +
      `  ${e.draws} draws of ${e.parameters} uncertain parameters (${e.design}), ${e.runsPerDraw.toLocaleString('en-US')} runs per arm and draw, paired`,
    '',
  ];
  for (const c of e.comparisons) {
    const d = c.d[c.metric.id]!;
    lines.push(
      `${pc.bold(c.with)}: lowers ${c.metric.label} in ${pct(c.pHelps.p, 0)} of the draws ${ci(c.pHelps.ci95, 0)}; difference across draws ${signed(d.median, 3)} [${signed(d.band90[0], 3)}, ${signed(d.band90[1], 3)}]`,
    );
    const t = new Table({ head: ['parameter', 'EVPPI (pts)', 'first-order share'], style: plain });
    for (const x of c.parameters.slice(0, top))
      t.push([x.path, (x.importance * 100).toFixed(3), x.firstOrder.toFixed(2)]);
    lines.push(t.toString(), '');
  }
  lines.push(
    pc.dim(
      `${INTERVAL_WORDS.band}. EVPPI: how much lower, in points, ${e.comparisons[0]?.metric.label ?? 'the metric'} would be on average if the parameter were known before deciding.`,
    ),
  );
  return `${lines.join('\n')}\n`;
}
