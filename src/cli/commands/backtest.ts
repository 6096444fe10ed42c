import { join } from 'node:path';
import Table from 'cli-table3';
import type { z } from 'zod';
import { ANALYSES } from '../../analyses.ts';
import { type Executor, runJob } from '../../analysis/kernel/executor.ts';
import { type BacktestOptionsSchema, IcbBacktestOptionsSchema } from '../../analysis/options.ts';
import type { AnalysisDefinition, PreparedScenario, PrepareWith } from '../../analysis/registry.ts';
import { CALIBRATION_THRESHOLDS } from '../../calibration/backtest.ts';
import type { BacktestResult, CaseSummary } from '../../calibration/case-backtest.ts';
import { type IcbBacktestReport, icbBacktestAnalysis } from '../../calibration/icb-analysis.ts';
import {
  comparisonRows,
  type IcbBacktest,
  SCALE_IDS,
  SCALES,
  type ScaleResult,
} from '../../calibration/icb-backtest.ts';
import type { ManifestOf } from '../../contract/runs.ts';
import { ENGINE_VERSION } from '../../engine/model.ts';
import { type ExecutionOpts, executionOptions, loadModel, runAnalysis, userErrors } from '../analysis.ts';
import { schemaFlags } from '../analysis-command.ts';
import { absolute, type Io, UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import { pct } from '../report.ts';
import { FIT_FILE, FOLDS_FILE, yearOption } from './fit.ts';

/** The case files' tree as the backtest reads it: files by path from here, `data/…` from `--data`. */
function casesOnDisk(io: Io, data: string): PrepareWith {
  const loaded = new Map<string, PreparedScenario>();
  const at = (file: string) => {
    let p = loaded.get(file);
    if (!p) {
      const { model, doc, source } = loadModel(io, file, [], {});
      p = { model, doc, source, hash: model.hash };
      loaded.set(file, p);
    }
    return p;
  };
  const read = (path: string) =>
    io.readFile(absolute(io, path.startsWith('data/') ? join(data, path.slice('data/'.length)) : path));
  const scenario = (): PreparedScenario => {
    throw new Error('a backtest prepares its cases (at), not one scenario');
  };
  return Object.assign(scenario, { at, read });
}

/**
 * A backtest's definition opened on the files on disk (from here, `data/…` from `--data`): its manifest
 * as the server would store it (files on disk have no library or stored version) and its job.
 */
function openOnDisk<K extends 'backtest' | 'backtest-icb', S extends z.ZodType, R>(
  io: Io,
  def: AnalysisDefinition<K, S, R>,
  o: z.output<S>,
  data: string,
) {
  const prepare = casesOnDisk(io, data);
  const fields = userErrors(() => def.manifest(prepare, o, ENGINE_VERSION));
  const manifest = {
    ...fields,
    scenarioId: '',
    scenarioPath: '',
    scenarioVersion: 0,
    engine: ENGINE_VERSION,
    set: {},
  } as ManifestOf<K>;
  return { manifest, opened: def.open(prepare, manifest) };
}

/**
 * Scores case files against their observed peaks: the registry's backtest (src/calibration/case-backtest.ts),
 * each case's ensemble on `executor` (the kernel's), with its progress.
 */
export async function backtest(
  io: Io,
  o: BacktestOptions,
  data: string,
  executor: Executor,
  onProgress?: (done: number, total: number) => void,
): Promise<BacktestResult> {
  if (!o.cases.length) throw new UserError('no case files');
  const { opened } = openOnDisk(io, ANALYSES.backtest, o, data);
  await runJob(opened.job, executor, { onProgress });
  return await opened.finish(async () => {});
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const plain = { head: [], border: [] };

function summaryLine(label: string, s: CaseSummary): string {
  if (!s.n) return `${label}: none`;
  return `${label} (${s.n}): mean log score ${f2(s.logScore)}; ICB trigger-type base rate ${f2(s.baseRate)}; uniform ${f2(s.uniform)}; mean RPS ${f2(s.rps)}; outcome type ${f2(s.outcomeLogScore)}`;
}

type BacktestOptions = z.output<typeof BacktestOptionsSchema>;

export function renderBacktest(r: BacktestResult, rungIds: string[]): string {
  const t = new Table({
    head: [
      'case',
      'set',
      'observed peak',
      'P(obs)',
      'P(below)',
      'P(above)',
      'mode',
      'log',
      'base rate',
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
      c.inSample ? 'in' : 'out',
      c.observed,
      pct(c.p, 1),
      pct(c.pBelow, 1),
      pct(c.pAbove, 1),
      rungIds[mode] ?? String(mode),
      f2(c.logScore),
      c.baseRate === null ? '-' : pct(c.baseRate, 1),
      f2(c.pit),
      c.outcome,
      pct(c.pOutcome, 1),
    ]);
  }
  const cal = new Table({
    head: ['forecast P(peak >= rung)', 'pairs', 'mean forecast', 'observed frequency'],
    style: plain,
  });
  for (const b of r.summary.calibration) {
    cal.push([
      `${f2(b.lo)}-${f2(b.hi)}`,
      String(b.n),
      b.n ? f2(b.meanForecast) : '-',
      b.n ? f2(b.observedFrequency) : '-',
    ]);
  }
  const why = r.cases.filter((c) => c.inSample).map((c) => `  ${c.id}: ${c.inSampleWhy}`);
  return [
    `backtest: ${r.cases.length} cases, ${r.runs} runs each, seed ${r.seed}; base rates from ICB crises before ${r.cutoff}`,
    t.toString(),
    summaryLine('out of sample', r.summary),
    summaryLine('in sample', r.inSample),
    ...(why.length ? ['in sample because:', ...why] : []),
    `PIT (out of sample, randomised with a draw seeded from each case's id): ${r.summary.pit.map(f2).join(' ')}`,
    `calibration (out of sample; events: peak >= ${CALIBRATION_THRESHOLDS.join(', ')}):`,
    cal.toString(),
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// brink backtest --icb

/**
 * The backtest on ICB crises (the registry's definition, src/calibration/icb-analysis.ts) with the CLI's
 * fits: `--fit FILE` (with `--folds`: the saved fold fits, by default FOLDS_FILE), else fitted now on
 * this thread, its progress on stderr. Its forecasts run on `executor` (the kernel's).
 */
export async function icbBacktest(
  io: Io,
  o: z.output<typeof IcbBacktestOptionsSchema> & { data: string; fit: string },
  executor: Executor,
  onProgress?: (done: number, total: number) => void,
): Promise<{ report: IcbBacktestReport; fit: string | null }> {
  const file = (split: 'time' | 'folds') => (split === 'folds' && o.fit === FIT_FILE ? FOLDS_FILE : o.fit);
  const def = icbBacktestAnalysis({
    saved: (split) => [file(split)],
    fitNow: { log: (m) => io.err(`${m}\n`) },
  });
  const { manifest, opened } = openOnDisk(io, def, o, o.data);
  await runJob(opened.job, executor, { onProgress });
  return { report: await opened.finish(async () => {}), fit: manifest['backtest-icb'].fit };
}

const iv = (x: { mean: number; lo: number; hi: number }) =>
  `${x.mean >= 0 ? '+' : ''}${f2(x.mean)} (${f2(x.lo)} to ${f2(x.hi)})`;

export function renderScale(s: ScaleResult): string {
  const t = new Table({
    head: [
      'forecast',
      'mean log score',
      'mean RPS',
      'Brink minus it: log score (95% CI)',
      'it minus Brink: RPS (95% CI)',
    ],
    style: plain,
  });
  for (const row of comparisonRows(s)) {
    t.push([
      row.name,
      f2(row.scores.logScore),
      f2(row.scores.rps),
      row.vs ? iv(row.vs.logScore) : '',
      row.vs ? iv(row.vs.rps) : '',
    ]);
  }
  return t.toString();
}

export function renderIcb(r: IcbBacktest, fitFile = FIT_FILE): string {
  const split =
    r.split.kind === 'time'
      ? `fit on the ${r.train} ICB crises triggered before ${r.split.cutoff}${r.fits[0]?.fromCache ? ` (the saved ${fitFile})` : ' (fitted now)'}, scored on the ${r.test} from ${r.split.cutoff} on`
      : `${r.split.folds}-fold cross-validation over ${r.test} ICB crises (each fold scored by a fit on the others)`;
  const inside = r.split.until === undefined ? '' : `; only crises triggered before ${r.split.until} used`;
  const out = [`backtest --icb: ${split}${inside}; ${r.runs} runs per crisis, seed ${r.seed}`];
  for (const s of SCALE_IDS) {
    const x = r.scales[s];
    out.push(
      '',
      `${SCALES[s].name} (${SCALES[s].classes.join(' / ')}), ${x.n} crises:`,
      renderScale(x),
      `observed class below 1% of the engine's runs: ${x.floor.count} of ${x.n} (${pct(x.floor.share, 1)})`,
      `PIT histogram (10 bins): ${x.pitHistogram.join(' ')}`,
    );
    // Inside a training set (--until) the backtest is where the base rate's weight is chosen: show the curve.
    if (r.split.until !== undefined)
      out.push(
        `pooling with the base rate, mean log score by weight: ${x.pool.curve.map((p) => `${p.weight.toFixed(2)}: ${p.logScore.toFixed(3)}`).join(', ')}; best ${x.pool.best.weight.toFixed(2)} (${x.pool.best.logScore.toFixed(3)}), in use ${x.pool.weight.toFixed(2)}`,
      );
  }
  out.push('');
  return out.join('\n');
}

export const registerBacktest: Registrar = (program, io) => {
  const cmd = program
    .command('backtest')
    .description(
      'score forecasts against history: hand-written cases (FILES, against cases/observed.json), or with --icb the generic crisis model on ICB crises held out from its fit (time split or k folds), against the trigger-type base rate, a multinomial logit and uniform',
    )
    .argument('[cases...]', 'case scenario files (cases/*.yaml)')
    .option('--icb', 'score the generic crisis model on held-out ICB crises instead of case files');
  // The split, runs and seed of --icb are the ICB backtest's options (the API's body too): --runs and
  // --seed are declared once, below, for both modes; each mode checks them with its own schema.
  const icbOptionsOf = schemaFlags(cmd, IcbBacktestOptionsSchema, {
    cutoff: {
      flags: '--cutoff <year>',
      help: '--icb: fit on crises triggered before this year, score the rest',
      parse: yearOption,
    },
    folds: {
      flags: '--folds <k>',
      help: '--icb: k-fold cross-validation over all ICB crises instead of the time split',
    },
    until: {
      flags: '--until <year>',
      help: '--icb: use only crises triggered before this year (choose a model inside the training set: --cutoff 1970 --until 1985)',
      parse: yearOption,
    },
    runs: { flags: '-n, --runs <n>', help: '', declared: true },
    seed: { flags: '-s, --seed <seed>', help: '', declared: true },
  });
  cmd.option(
    '--fit <file>',
    `--icb: a fit to use when it was made from the same training set (with --folds: the saved fold fits, default ${FOLDS_FILE})`,
    FIT_FILE,
  );
  // Runs, seed and the observed outcomes are the backtest's options (the API's body too); --runs has no
  // default here, since --icb's differs (2000 runs per crisis).
  const optionsOf = schemaFlags(cmd, ANALYSES.backtest.options, {
    runs: {
      flags: '-n, --runs <n>',
      help: 'runs per case (default 20000) or per held-out ICB crisis (default 2000)',
      default: null,
    },
    seed: { flags: '-s, --seed <seed>', help: 'seed' },
    observed: {
      flags: '--observed <file>',
      help: 'observed outcomes (default: observed.json beside the first case)',
    },
  });
  cmd
    .option('--data <dir>', 'data directory (ICB, MID)', 'data')
    .option('--json', 'print every score as JSON');
  // Both modes run on the analysis kernel: worker threads here or `brink worker`s (same numbers).
  executionOptions(cmd).action(
    async (
      files: string[],
      o: ExecutionOpts & { icb?: boolean; fit: string; data: string; json?: boolean },
    ) => {
      const flags = o as unknown as Record<string, unknown>;
      if (o.icb) {
        if (files.length) throw new UserError('--icb scores ICB crises: give no case files with it');
        const options = { ...icbOptionsOf(flags), data: o.data, fit: o.fit };
        // A fold's fit, when none is saved, runs on this thread.
        const { result: r } = await runAnalysis(io, 'backtest --icb', o, (executor, tick) =>
          icbBacktest(io, options, executor, tick),
        );
        if (o.json) io.out(`${JSON.stringify(r.report, null, 2)}\n`);
        else io.out(renderIcb(r.report, r.fit ?? o.fit));
        return;
      }
      if (!files.length) throw new UserError('give case files (cases/*.yaml), or --icb');
      const options = { ...optionsOf(flags), cases: files };
      const { result: r } = await runAnalysis(io, 'backtest', o, (executor, tick) =>
        backtest(io, options, o.data, executor, tick),
      );
      if (o.json) io.out(`${JSON.stringify(r, null, 2)}\n`);
      else {
        const { model } = loadModel(io, files[0]!, [], {});
        io.out(renderBacktest(r, model.rungIds));
      }
    },
  );
};
