import { join } from 'node:path';
import Table from 'cli-table3';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ANALYSES } from '../../analyses.ts';
import { type Executor, runJob } from '../../analysis/kernel/executor.ts';
import type { BacktestOptionsSchema } from '../../analysis/options.ts';
import type { PreparedScenario, PrepareWith } from '../../analysis/registry.ts';
import { CALIBRATION_THRESHOLDS } from '../../calibration/backtest.ts';
import type { BacktestResult, CaseSummary } from '../../calibration/case-backtest.ts';
import { DEFAULT_FIT, type GenericFit } from '../../calibration/generic-fit.ts';
import { coefficientsOf, readFitMeta, readFolds } from '../../calibration/generic-library.ts';
import {
  backtestFolds,
  backtestTimeSplit,
  comparisonRows,
  type IcbBacktest,
  SCALE_IDS,
  SCALES,
  type ScaleResult,
} from '../../calibration/icb-backtest.ts';
import { ENGINE_VERSION } from '../../engine/model.ts';
import { type ExecutionOpts, executionOptions, loadModel, runAnalysis, userErrors } from '../analysis.ts';
import { schemaFlags } from '../analysis-command.ts';
import { absolute, type Io, UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import { positiveInt } from '../options.ts';
import { pct } from '../report.ts';
import {
  DEFAULT_CUTOFF,
  FIT_FILE,
  type FitCliOptions,
  FOLDS_FILE,
  fitOptionsOf,
  foldsHash,
  inputsHash,
  readIcbInputs,
  yearOption,
} from './fit.ts';

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
  const def = ANALYSES.backtest;
  const prepare = casesOnDisk(io, data);
  const fields = userErrors(() => def.manifest(prepare, o, ENGINE_VERSION));
  // The job's manifest as the server would store it; case files on disk have no library or stored version.
  const manifest = {
    ...fields,
    scenarioId: '',
    scenarioPath: '',
    scenarioVersion: 0,
    engine: ENGINE_VERSION,
    set: {},
  };
  const opened = def.open(prepare, manifest);
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

/** The committed fit, when it was made from this training set and these options. */
function cachedFit(io: Io, hash: string, file = FIT_FILE): GenericFit | undefined {
  const text = io.readFile(absolute(io, file));
  if (readFitMeta(text).inputs !== hash || text === undefined) return undefined;
  const doc = parseYaml(text) as { params?: Record<string, unknown> };
  const co = coefficientsOf(doc.params);
  if (!co) return undefined;
  return {
    coefficients: co.c,
    nuclearUse: co.nuclearUse,
    standoff: co.standoff,
    n: 0,
    logLik: Number.NaN,
    rounds: [],
    meanParams: {},
  };
}

export async function icbBacktest(
  io: Io,
  o: {
    data: string;
    cutoff: number;
    folds?: number | undefined;
    until?: number | undefined;
    fit?: string | undefined;
    runs: number;
    seed: number;
  },
  log: (m: string) => void,
  executor: Executor,
  onProgress?: (done: number, total: number) => void,
): Promise<IcbBacktest> {
  const inp = readIcbInputs(io, o.data);
  // The fit is always made with the defaults of `brink fit`, so the committed one serves when it matches.
  const cliOpts: FitCliOptions = {
    cutoff: o.cutoff,
    seed: DEFAULT_FIT.seed,
    runs: DEFAULT_FIT.runs,
    rounds: DEFAULT_FIT.rounds,
  };
  const def = fitOptionsOf(cliOpts);
  const opts = {
    runs: o.runs,
    seed: o.seed,
    fit: def,
    log,
    cached: () => cachedFit(io, inputsHash(inp, cliOpts), o.fit),
    until: o.until,
    executor,
    ...(onProgress ? { onProgress } : {}),
  };
  if (o.folds !== undefined) {
    // The fits of `brink fit --folds K` serve when they were made from the same inputs and folds.
    // `--fit FILE` names the saved fold fits (of `brink fit --folds K -o FILE`); by default FOLDS_FILE.
    const file = o.fit === undefined || o.fit === FIT_FILE ? FOLDS_FILE : o.fit;
    const hash = foldsHash(inp, { ...cliOpts, seed: o.seed }, o.folds, o.until);
    const saved = readFolds(io.readFile(absolute(io, file)), hash);
    if (!saved)
      log(
        `no saved fits of these ${o.folds} folds in ${file}: fitting each fold now (\`brink fit --folds ${o.folds}${o.until === undefined ? '' : ` --until ${o.until}`}${file === FOLDS_FILE ? '' : ` -o ${file}`}\` saves them)`,
      );
    // Fold fits take the backtest's seed, as `brink fit --folds K --seed S` does.
    const fit = fitOptionsOf({ ...cliOpts, seed: o.seed });
    return backtestFolds(inp.env, inp.crises, o.folds, { ...opts, fit, cached: () => undefined }, saved);
  }
  return backtestTimeSplit(inp.env, inp.crises, o.cutoff, opts);
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
    .option('--icb', 'score the generic crisis model on held-out ICB crises instead of case files')
    .option(
      '--cutoff <year>',
      '--icb: fit on crises triggered before this year, score the rest',
      yearOption,
      DEFAULT_CUTOFF,
    )
    .option(
      '--folds <k>',
      '--icb: k-fold cross-validation over all ICB crises instead of the time split',
      positiveInt,
    )
    .option(
      '--until <year>',
      '--icb: use only crises triggered before this year (choose a model inside the training set: --cutoff 1970 --until 1985)',
      yearOption,
    )
    .option(
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
  // Case files run on the analysis kernel: worker threads here or `brink worker`s (same numbers).
  executionOptions(cmd).action(
    async (
      files: string[],
      o: ExecutionOpts & {
        icb?: boolean;
        cutoff: number;
        folds?: number;
        until?: number;
        fit: string;
        runs?: number;
        seed: number;
        observed?: string;
        data: string;
        json?: boolean;
      },
    ) => {
      const { runs, seed } = optionsOf(o as unknown as Record<string, unknown>);
      if (o.icb) {
        if (files.length) throw new UserError('--icb scores ICB crises: give no case files with it');
        if (o.folds !== undefined && o.folds < 2) throw new UserError('--folds: expected 2 or more folds');
        if (o.until !== undefined && o.folds === undefined && o.until <= o.cutoff)
          throw new UserError(
            `--until ${o.until}: must be after --cutoff ${o.cutoff} (no crisis left to score)`,
          );
        // The held-out crises' forecasts run on the analysis kernel: worker threads here or `brink
        // worker`s (same numbers); a fold's fit, when none is saved, on this thread.
        const { result: r } = await runAnalysis(io, 'backtest --icb', o, (executor, tick) =>
          icbBacktest(
            io,
            {
              data: o.data,
              cutoff: o.cutoff,
              folds: o.folds,
              until: o.until,
              fit: o.fit,
              runs: o.runs === undefined ? 2000 : runs,
              seed,
            },
            (m) => io.err(`${m}\n`),
            executor,
            tick,
          ),
        );
        if (o.json) {
          const s = r.scales.icb;
          const summary = {
            logScore: s.brink.logScore,
            engine: s.engine.logScore,
            uniform: s.uniform.logScore,
            baseRate: s.baseRate.logScore,
            logit: s.logit.logScore,
            rps: s.brink.rps,
            n: s.n,
          };
          io.out(`${JSON.stringify({ summary, ...r }, null, 2)}\n`);
        } else io.out(renderIcb(r, o.fit));
        return;
      }
      if (!files.length) throw new UserError('give case files (cases/*.yaml), or --icb');
      const options = { ...optionsOf(o as unknown as Record<string, unknown>), cases: files };
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
