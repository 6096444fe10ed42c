import { runRange } from '../../analysis/ensemble.ts';
import { bundledBaseRates } from '../../calibration/bundled.ts';
import {
  addCounts,
  type Comparison,
  compareWithIcb,
  triggerOf,
  type ViolenceCounts,
  violenceCounts,
} from '../../calibration/violence.ts';
import { loadModel } from '../analysis.ts';
import { type Io, UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import { nonNegativeInt, positiveInt } from '../options.ts';
import { pct, renderComparisons } from '../report.ts';

export interface FamilyRow {
  file: string;
  variant: string;
  trigger: string;
  counts: ViolenceCounts;
  comparisons: Comparison[];
}

/** Runs a scenario and each of its interventions (the family's variants) and compares each with ICB. */
export function familyRows(io: Io, file: string, runs: number, seed: number): FamilyRow[] {
  const rates = bundledBaseRates();
  const base = loadModel(io, file, [], {});
  const variants = ['baseline', ...Object.keys(base.doc?.interventions ?? {})];
  const rows: FamilyRow[] = [];
  let pooled: ViolenceCounts | undefined;
  let trigger: string | undefined;
  for (const v of variants) {
    const l = v === 'baseline' ? base : loadModel(io, file, [v], {});
    const t = triggerOf(l.model, l.doc?.trigger);
    if (!t.type) throw new UserError(`${file}: no trigger type (declare \`trigger:\`)`);
    const r = rates[t.type];
    if (!r) throw new UserError(`no ICB base rate for trigger type ${t.type}: run brink calibrate`);
    const counts = violenceCounts(l.model, runRange(l.model, seed, 0, runs));
    rows.push({ file, variant: v, trigger: t.type, counts, comparisons: compareWithIcb(counts, r) });
    pooled = pooled ? addCounts(pooled, counts) : counts;
    trigger ??= t.type;
  }
  if (variants.length > 1 && pooled && trigger) {
    const r = rates[trigger as keyof typeof rates]!;
    rows.push({
      file,
      variant: 'family (pooled)',
      trigger,
      counts: pooled,
      comparisons: compareWithIcb(pooled, r),
    });
  }
  return rows;
}

export const registerBaseRates: Registrar = (program, io, setExit) => {
  program
    .command('base-rates')
    .description(
      "run scenarios and their variants (interventions) and compare their shares of violence, serious clashes and war with ICB v15's base rates for their trigger type",
    )
    .argument('<files...>', 'scenario files that declare (or start with) a trigger')
    .option('-n, --runs <n>', 'runs per variant', positiveInt, 20000)
    .option('-s, --seed <seed>', 'seed', nonNegativeInt, 1)
    .option('--strict', 'exit 1 when a pooled family share is outside ICB 95% interval')
    .option('--json', 'print the rows as JSON')
    .action((files: string[], o: { runs: number; seed: number; strict?: boolean; json?: boolean }) => {
      const rows = files.flatMap((f) => familyRows(io, f, o.runs, o.seed));
      if (o.json) io.out(`${JSON.stringify({ runs: o.runs, seed: o.seed, rows }, null, 2)}\n`);
      else {
        for (const r of rows) {
          const c = r.counts.counts;
          io.out(
            `${r.file} [${r.variant}] trigger ${r.trigger}, ${r.counts.runs} runs: none ${pct(c[0] / r.counts.runs, 1)}, minor ${pct(c[1] / r.counts.runs, 1)}, serious ${pct(c[2] / r.counts.runs, 1)}, war ${pct(c[3] / r.counts.runs, 1)}\n`,
          );
          io.out(`${renderComparisons(r.comparisons)}\n`);
        }
      }
      const last = new Map<string, FamilyRow>();
      for (const r of rows) last.set(r.file, r);
      if (o.strict && [...last.values()].some((r) => r.comparisons.some((c) => c.verdict !== 'within')))
        setExit(1);
    });
};
