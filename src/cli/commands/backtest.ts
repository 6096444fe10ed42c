import { dirname, join } from 'node:path';
import Table from 'cli-table3';
import { runRange } from '../../analysis/ensemble.ts';
import {
  type BacktestSummary,
  CALIBRATION_THRESHOLDS,
  type CaseForecast,
  type CaseScore,
  type Observed,
  scoreCase,
  summarizeBacktest,
} from '../../calibration/backtest.ts';
import { randomStream } from '../../engine/rng.ts';
import { OUTCOMES } from '../../engine/run.ts';
import { absolute, type Io, UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import { loadModel, nonNegativeInt, positiveInt } from '../options.ts';
import { pct } from '../report.ts';

/** Reads the observed outcomes; every entry must name a rung and an outcome type. */
export function readObserved(io: Io, path: string, shown: string): Record<string, Observed> {
  const text = io.readFile(path);
  if (text === undefined)
    throw new UserError(`cannot read ${shown}: the observed outcomes of the cases (--observed)`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${shown}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const cases = (data as { cases?: unknown })?.cases;
  if (typeof cases !== 'object' || cases === null)
    throw new UserError(`${shown}: expected {"cases": {ID: {...}}}`);
  for (const [id, o] of Object.entries(cases as Record<string, Partial<Observed>>)) {
    if (typeof o?.peak !== 'string') throw new UserError(`${shown}: case ${id}: "peak" must be a rung id`);
    if (!OUTCOMES.includes(o.outcome as (typeof OUTCOMES)[number])) {
      throw new UserError(`${shown}: case ${id}: "outcome" must be one of ${OUTCOMES.join(', ')}`);
    }
  }
  return cases as Record<string, Observed>;
}

export interface BacktestResult {
  runs: number;
  seed: number;
  cases: (CaseScore & { file: string; observed: Observed; trigger?: string })[];
  summary: BacktestSummary;
}

export function backtest(
  io: Io,
  files: string[],
  opts: { runs: number; seed: number; observed?: string },
): BacktestResult {
  if (!files.length) throw new UserError('no case files');
  const obsPath = absolute(io, opts.observed ?? join(dirname(files[0]!), 'observed.json'));
  const observed = readObserved(io, obsPath, opts.observed ?? join(dirname(files[0]!), 'observed.json'));
  const forecasts: CaseForecast[] = [];
  const scores: BacktestResult['cases'] = [];
  let thresholds: number[] = [];
  files.forEach((file, i) => {
    const { model, doc } = loadModel(io, file, [], {});
    const o = observed[model.id];
    if (!o) throw new UserError(`${file}: no entry "${model.id}" in the observed outcomes`);
    const peak = model.rungIds.indexOf(o.peak);
    if (peak < 0) throw new UserError(`observed outcome of ${model.id}: no rung "${o.peak}" on its ladder`);
    const agg = runRange(model, opts.seed, 0, opts.runs);
    const f: CaseForecast = {
      id: model.id,
      runs: agg.runs,
      peak: agg.peak,
      outcomes: agg.outcomes,
      observedPeak: peak,
      observedOutcome: OUTCOMES.indexOf(o.outcome),
    };
    thresholds = CALIBRATION_THRESHOLDS.map((t) => model.rungIds.indexOf(t)).filter((t) => t >= 0);
    forecasts.push(f);
    // The PIT's uniform draw: its own stream, keyed by the case's position.
    const u = randomStream(opts.seed, 0x9e3779b9, i)();
    const s = scoreCase(f, u);
    const row: BacktestResult['cases'][number] = { ...s, file, observed: o };
    if (doc?.trigger) row.trigger = doc.trigger;
    scores.push(row);
  });
  return {
    runs: opts.runs,
    seed: opts.seed,
    cases: scores,
    summary: summarizeBacktest(scores, forecasts, thresholds),
  };
}

const f2 = (x: number) => x.toFixed(2);
const plain = { head: [], border: [] };

export function renderBacktest(r: BacktestResult, rungIds: string[]): string {
  const t = new Table({
    head: [
      'case',
      'observed peak',
      'P(obs)',
      'P(below)',
      'P(above)',
      'mode',
      'log',
      'Brier',
      'PIT',
      'outcome',
      'P(outcome)',
    ],
    style: plain,
  });
  for (const c of r.cases) {
    const mode = c.peakP.indexOf(Math.max(...c.peakP));
    t.push([
      c.id,
      c.observed.peak,
      pct(c.at, 1),
      pct(c.below, 1),
      pct(c.above, 1),
      rungIds[mode] ?? String(mode),
      f2(c.logScore),
      f2(c.brier),
      f2(c.pit),
      c.observed.outcome,
      pct(Math.exp(c.outcomeLogScore), 1),
    ]);
  }
  const s = r.summary;
  const cal = new Table({
    head: ['forecast P(peak >= rung)', 'pairs', 'mean forecast', 'observed frequency'],
    style: plain,
  });
  for (const b of s.calibration) {
    cal.push([
      `${f2(b.lo)}-${f2(b.hi)}`,
      String(b.n),
      b.n ? f2(b.meanForecast) : '-',
      b.n ? f2(b.observedFrequency) : '-',
    ]);
  }
  return [
    `backtest: ${r.cases.length} cases, ${r.runs} runs each, seed ${r.seed}`,
    t.toString(),
    `peak rung: mean log score ${f2(s.meanLogScore)} (uniform over ${rungIds.length} rungs: ${f2(s.uniformLogScore)}), mean Brier ${f2(s.meanBrier)}, mean RPS ${f2(s.meanRps)}`,
    `outcome type: mean log score ${f2(s.meanOutcomeLogScore)} (uniform over ${OUTCOMES.length}: ${f2(Math.log(1 / OUTCOMES.length))}), mean Brier ${f2(s.meanOutcomeBrier)}`,
    `PIT (randomised): ${s.pit.map(f2).join(' ')}; thirds ${s.pitThirds.join(' / ')} (a calibrated model spreads them evenly)`,
    `observed above the forecast's 90th percentile: ${s.underForecast.join(', ') || 'none'}; below its 10th: ${s.overForecast.join(', ') || 'none'}`,
    `calibration (events: peak >= ${CALIBRATION_THRESHOLDS.join(', ')}, pooled over cases):`,
    cal.toString(),
    '',
  ].join('\n');
}

export const registerBacktest: Registrar = (program, io) => {
  program
    .command('backtest')
    .description(
      'score scenarios of historical crises (written from what was known before the trigger) against what happened: log and Brier scores of the peak rung and outcome, PIT, calibration table',
    )
    .argument('<cases...>', 'case scenario files (cases/*.yaml)')
    .option('-n, --runs <n>', 'runs per case', positiveInt, 20000)
    .option('-s, --seed <seed>', 'seed', nonNegativeInt, 1)
    .option('--observed <file>', 'observed outcomes (default: observed.json beside the first case)')
    .option('--json', 'print every score as JSON')
    .action((files: string[], o: { runs: number; seed: number; observed?: string; json?: boolean }) => {
      const opts: { runs: number; seed: number; observed?: string } = { runs: o.runs, seed: o.seed };
      if (o.observed) opts.observed = o.observed;
      const r = backtest(io, files, opts);
      if (o.json) io.out(`${JSON.stringify(r, null, 2)}\n`);
      else {
        const { model } = loadModel(io, files[0]!, [], {});
        io.out(renderBacktest(r, model.rungIds));
      }
    });
};
