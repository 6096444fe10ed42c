// Human-readable rendering of reports for the terminal.
import Table from 'cli-table3';
import type { RunReport } from '../analysis/ensemble.ts';
import { QUANTITY, type QuantityId } from '../analysis/vocabulary.ts';
import type { Comparison, SanityPanel } from '../calibration/violence.ts';
import { pc } from './color.ts';

const plain = { head: [], border: [] };

export function pct(p: number, digits = 2): string {
  if (p > 0 && p < 10 ** -(digits + 2)) return `${(p * 100).toExponential(1)}%`;
  return `${(p * 100).toFixed(digits)}%`;
}

export function ci(c: [number, number], digits = 2): string {
  return `[${pct(c[0], digits)}, ${pct(c[1], digits)}]`;
}

export function renderRunReport(r: RunReport, timing?: { seconds: number }): string {
  const lines: string[] = [];
  lines.push(
    pc.bold(`${r.scenario.id}`) +
      `  hash ${r.scenario.hash.slice(0, 12)}  engine ${r.engine}  seed ${r.seed}  runs ${r.runs.toLocaleString('en-US')}` +
      `  interventions: ${r.interventions.length ? r.interventions.join(', ') : 'none'}`,
  );
  lines.push('');
  const t = new Table({ head: ['rung', 'id', 'P(peak >= rung)', '95% CI (Wilson)'], style: plain });
  for (const e of r.exceedance) t.push([String(e.rung), e.id, pct(e.p), ci(e.ci95)]);
  lines.push(t.toString());
  lines.push('');
  const o = new Table({ head: ['outcome', 'share', '95% CI'], style: plain });
  for (const [k, v] of Object.entries(r.outcomes))
    o.push([QUANTITY[k as QuantityId]?.label ?? k, pct(v.p), ci(v.ci95)]);
  lines.push(o.toString());
  lines.push('');
  lines.push(
    `${pc.bold('Most frequent escalation paths')} (acts that raised the peak rung, and lethal exchanges)`,
  );
  for (const p of r.paths) {
    lines.push(
      `  ${pct(p.share).padStart(8)}  ${p.events.length ? p.events.join(' -> ') : '(nothing escalated)'}`,
    );
  }
  lines.push('');
  const m = r.misperception;
  lines.push(
    pc.bold('Misperception') +
      `: ${m.runs ? `${pct(m.share, 1)} ${ci(m.ci95, 1)}` : 'n/a'} of the ${m.runs.toLocaleString('en-US')} runs reaching ${m.threshold} had a misperception in their chain` +
      (m.war.runs
        ? `; ${pct(m.war.share, 1)} ${ci(m.war.ci95, 1)} of the ${m.war.runs.toLocaleString('en-US')} war runs`
        : ''),
  );
  for (const c of m.causes.slice(0, 5)) {
    const what =
      c.kind === 'missed'
        ? `missed ${c.act}`
        : c.kind === 'disbelieved'
          ? `disbelieved ${c.act}`
          : c.kind === 'false-alarm'
            ? `false alarm of ${c.act}`
            : `${c.act} read as ${c.perceived}`;
    lines.push(`  ${pct(c.share, 1).padStart(7)}  ${c.observer}: ${what}`);
  }
  lines.push('');
  lines.push(
    pc.dim(
      `per run: ${r.perRun.decisions.toFixed(2)} decisions, ${r.perRun.events.toFixed(2)} acts, ${r.perRun.misperceptions.toFixed(2)} misperceptions, ${r.perRun.hours.toFixed(0)} h simulated` +
        (timing ? `; ${timing.seconds.toFixed(2)} s wall` : ''),
    ),
  );
  return `${lines.join('\n')}\n`;
}

const MEASURES: Record<Comparison['measure'], string> = {
  violence: 'any violence',
  serious: 'serious clashes or war',
  war: 'war',
};

/** The ICB comparison table (sanity panel and `brink base-rates`). */
export function renderComparisons(cs: readonly Comparison[]): string {
  const t = new Table({
    head: ['ICB measure', 'this scenario', '95% CI', 'ICB', 'ICB 95%', 'verdict'],
    style: plain,
  });
  for (const c of cs) {
    const v =
      c.verdict === 'within'
        ? c.verdict
        : c.verdict.startsWith('far')
          ? pc.red(c.verdict)
          : pc.yellow(c.verdict);
    t.push([
      MEASURES[c.measure],
      pct(c.p, 1),
      ci(c.ci95, 1),
      pct(c.icb.mean, 1),
      ci([c.icb.lo, c.icb.hi], 1),
      v,
    ]);
  }
  return t.toString();
}

export function renderSanity(s: SanityPanel): string {
  const how =
    s.trigger.how === 'declared'
      ? `trigger ${s.trigger.type} (declared)`
      : s.trigger.how === 'inferred'
        ? `trigger ${s.trigger.type} (inferred from inject ${s.trigger.inject} at ${s.trigger.rung})`
        : 'no trigger type';
  const lines = ['', `${pc.bold('Sanity')} against ICB v15 base rates: ${how}`];
  if (s.comparisons.length) lines.push(renderComparisons(s.comparisons));
  lines.push(`${s.flagged ? pc.red('FLAG') : 'ok'}: ${s.note}`);
  return `${lines.join('\n')}\n`;
}
