import { dirname, join } from 'node:path';
import Table from 'cli-table3';
import { parse as parseYaml } from 'yaml';
import { EnsembleJob } from '../../analysis/ensemble.ts';
import { type Executor, execute } from '../../analysis/kernel/executor.ts';
import {
  CALIBRATION_THRESHOLDS,
  type CalibrationBin,
  calibrationTable,
  type Observed,
} from '../../calibration/backtest.ts';
import { ladderBaseRate, readMidDisputes } from '../../calibration/case-baseline.ts';
import { DEFAULT_FIT, type GenericFit } from '../../calibration/generic-fit.ts';
import { CUTOFF_PARAM, coefficientsOf, readFitMeta, readFolds } from '../../calibration/generic-library.ts';
import {
  backtestFolds,
  backtestTimeSplit,
  comparisonRows,
  type IcbBacktest,
  SCALE_IDS,
  SCALES,
  type ScaleResult,
} from '../../calibration/icb-backtest.ts';
import type { CrisisRecord } from '../../calibration/icb-crises.ts';
import { logScore, mean, pit, pitDraw, rps, smooth } from '../../calibration/scores.ts';
import { triggerOf } from '../../calibration/violence.ts';
import { ENGINE_VERSION } from '../../engine/model.ts';
import { OUTCOMES } from '../../engine/run.ts';
import { TRIGGER_TYPES } from '../../scenario/schema.ts';
import { type ExecutionOpts, executionOptions, loadModel, runAnalysis } from '../analysis.ts';
import { absolute, type Io, UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import { nonNegativeInt, positiveInt } from '../options.ts';
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

/** Reads the observed outcomes; every entry must name a rung and an outcome type. */
export function readObserved(
  io: Io,
  path: string,
  shown: string,
): Record<string, Observed & { inSample?: boolean }> {
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
  for (const [id, o] of Object.entries(cases as Record<string, Partial<Observed> & { inSample?: unknown }>)) {
    if (typeof o?.peak !== 'string') throw new UserError(`${shown}: cases.${id}.peak must be a rung id`);
    if (!OUTCOMES.includes(o.outcome as (typeof OUTCOMES)[number])) {
      throw new UserError(`${shown}: cases.${id}.outcome must be one of ${OUTCOMES.join(', ')}`);
    }
    if (o.inSample !== undefined && typeof o.inSample !== 'boolean')
      throw new UserError(`${shown}: cases.${id}.inSample must be true or false`);
  }
  return cases as Record<string, Observed & { inSample?: boolean }>;
}

export interface CaseRow {
  id: string;
  file: string;
  /** Observed peak rung (id) and its index on the ladder. */
  observed: string;
  observedIndex: number;
  /** Brink's smoothed P(observed peak), P(below), P(above). */
  p: number;
  pBelow: number;
  pAbove: number;
  logScore: number;
  rps: number;
  /** Randomised PIT; its uniform draw is seeded from the case's id. */
  pit: number;
  /** P(observed peak) under ICB's base rate for the case's trigger type (null: no trigger type or a custom ladder). */
  baseRate: number | null;
  /** The ICB trigger type the case maps to. */
  trigger: string | null;
  /** Whether the case was used to write or fit a library it runs on (scored apart), and why. */
  inSample: boolean;
  inSampleWhy?: string;
  peakP: number[];
  outcome: string;
  pOutcome: number;
}

export interface CaseSummary {
  n: number;
  logScore: number;
  /** Mean log score of the uniform forecast over the ladder's rungs. */
  uniform: number;
  /** Mean log score of ICB's trigger-type base rate (over the cases that have one). */
  baseRate: number;
  rps: number;
  outcomeLogScore: number;
  pit: number[];
  calibration: CalibrationBin[];
}

export interface BacktestResult {
  runs: number;
  seed: number;
  /** The ICB training set the base rates come from: crises triggered before this year. */
  cutoff: number;
  cases: CaseRow[];
  /** Out-of-sample cases. */
  summary: CaseSummary;
  /** Cases marked in-sample, scored apart. */
  inSample: CaseSummary;
}

function summariseCases(rows: readonly CaseRow[], rungs: number, thresholds: number[]): CaseSummary {
  const withBase = rows.filter((r) => r.baseRate !== null);
  return {
    n: rows.length,
    logScore: mean(rows.map((r) => r.logScore)),
    uniform: Math.log(1 / rungs),
    baseRate: mean(withBase.map((r) => Math.log(r.baseRate!))),
    rps: mean(rows.map((r) => r.rps)),
    outcomeLogScore: mean(rows.map((r) => Math.log(r.pOutcome))),
    pit: rows.map((r) => r.pit).sort((a, b) => a - b),
    calibration: calibrationTable(
      rows.map((r) => ({ peakP: r.peakP, observedPeak: r.observedIndex })),
      thresholds,
    ),
  };
}

/** The ICB crises and MID disputes before the fit's cut-off, for the base rates of the cases. */
function caseTraining(
  io: Io,
  data: string,
  cutoff: number,
): { train: CrisisRecord[]; all: CrisisRecord[]; mid: ReturnType<typeof readMidDisputes> } {
  const inp = readIcbInputs(io, data);
  const midPath = join(absolute(io, data), 'cow-mid-5.0', 'mida-disputes.csv');
  const midText = io.readFile(midPath);
  if (midText === undefined)
    throw new UserError(
      `cannot read ${join(data, 'cow-mid-5.0/mida-disputes.csv')}: COW MID 5.0 disputes (--data)`,
    );
  const mid = readMidDisputes(midText, join(data, 'cow-mid-5.0/mida-disputes.csv')).filter(
    (d) => d.year < cutoff,
  );
  return { train: inp.crises.filter((c) => c.year < cutoff), all: inp.crises, mid };
}

/** Scores case files against their observed peaks; each case's ensemble runs on `executor` (the kernel's). */
export async function backtest(
  io: Io,
  files: string[],
  opts: { runs: number; seed: number; observed?: string; data?: string },
  executor: Executor,
): Promise<BacktestResult> {
  if (!files.length) throw new UserError('no case files');
  const shownObs = opts.observed ?? join(dirname(files[0]!), 'observed.json');
  const observed = readObserved(io, absolute(io, shownObs), shownObs);
  const cutoff = readFitMeta(io.readFile(absolute(io, FIT_FILE))).cutoff ?? DEFAULT_CUTOFF;
  const training = caseTraining(io, opts.data ?? 'data', cutoff);
  const rows: CaseRow[] = [];
  let thresholds: number[] = [];
  let rungs = 10;
  for (const file of files) {
    const { model, doc, source } = loadModel(io, file, [], {});
    const o = observed[model.id];
    if (!o) throw new UserError(`${file}: no entry "${model.id}" in ${shownObs}`);
    const peak = model.rungIds.indexOf(o.peak);
    if (peak < 0)
      throw new UserError(`${shownObs}: cases.${model.id}.peak: no rung "${o.peak}" on its ladder`);
    const job = new EnsembleJob(source, model, { seed: opts.seed, runs: opts.runs, engine: ENGINE_VERSION });
    const agg = await execute(job, executor);
    const peakP = smooth(agg.peak);
    const outcomeP = smooth(agg.outcomes);
    const below = peakP.slice(0, peak).reduce((s, x) => s + x, 0);
    const at = peakP[peak]!;
    thresholds = CALIBRATION_THRESHOLDS.map((t) => model.rungIds.indexOf(t)).filter((t) => t >= 0);
    rungs = model.rungIds.length;
    const trig = doc?.trigger ?? triggerOf(model, undefined).type;
    const base = ladderBaseRate(training.train, training.mid, model.rungIds);
    const baseP = trig && base ? base(TRIGGER_TYPES.indexOf(trig) + 1)[peak]! : null;
    let inSample = o.inSample === true;
    let why = inSample ? `marked inSample in ${shownObs}` : undefined;
    const fitCutoff = doc?.params?.[CUTOFF_PARAM];
    const crisis = o.icb ? training.all.find((c) => c.crisno === o.icb!.crisno) : undefined;
    if (!inSample && typeof fitCutoff === 'number' && crisis && crisis.year < fitCutoff) {
      inSample = true;
      why = `its ICB crisis (${crisis.crisno}, ${crisis.year}) is a training crisis of the generic fit (before ${fitCutoff})`;
    }
    const row: CaseRow = {
      id: model.id,
      file,
      observed: o.peak,
      observedIndex: peak,
      p: at,
      pBelow: below,
      pAbove: Math.max(0, 1 - below - at),
      logScore: logScore(peakP, peak),
      rps: rps(peakP, peak),
      pit: pit(peakP, peak, pitDraw(opts.seed, model.id)),
      baseRate: baseP,
      trigger: trig ?? null,
      inSample,
      peakP,
      outcome: o.outcome,
      pOutcome: outcomeP[OUTCOMES.indexOf(o.outcome)]!,
    };
    if (why) row.inSampleWhy = why;
    rows.push(row);
  }
  const out = rows.filter((r) => !r.inSample);
  const ins = rows.filter((r) => r.inSample);
  return {
    runs: opts.runs,
    seed: opts.seed,
    cutoff,
    cases: rows,
    summary: summariseCases(out, rungs, thresholds),
    inSample: summariseCases(ins, rungs, thresholds),
  };
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const plain = { head: [], border: [] };

function summaryLine(label: string, s: CaseSummary): string {
  if (!s.n) return `${label}: none`;
  return `${label} (${s.n}): mean log score ${f2(s.logScore)}; ICB trigger-type base rate ${f2(s.baseRate)}; uniform ${f2(s.uniform)}; mean RPS ${f2(s.rps)}; outcome type ${f2(s.outcomeLogScore)}`;
}

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

export function icbBacktest(
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
): IcbBacktest {
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
    )
    .option(
      '-n, --runs <n>',
      'runs per case (default 20000) or per held-out ICB crisis (default 2000)',
      positiveInt,
    )
    .option('-s, --seed <seed>', 'seed', nonNegativeInt, 1)
    .option('--observed <file>', 'observed outcomes (default: observed.json beside the first case)')
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
      if (o.icb) {
        if (files.length) throw new UserError('--icb scores ICB crises: give no case files with it');
        if (o.folds !== undefined && o.folds < 2) throw new UserError('--folds: expected 2 or more folds');
        if (o.until !== undefined && o.folds === undefined && o.until <= o.cutoff)
          throw new UserError(
            `--until ${o.until}: must be after --cutoff ${o.cutoff} (no crisis left to score)`,
          );
        const r = icbBacktest(
          io,
          {
            data: o.data,
            cutoff: o.cutoff,
            folds: o.folds,
            until: o.until,
            fit: o.fit,
            runs: o.runs ?? 2000,
            seed: o.seed,
          },
          (m) => io.err(`${m}\n`),
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
      const opts: { runs: number; seed: number; observed?: string; data: string } = {
        runs: o.runs ?? 20000,
        seed: o.seed,
        data: o.data,
      };
      if (o.observed) opts.observed = o.observed;
      const { result: r } = await runAnalysis(io, 'backtest', o, (executor) =>
        backtest(io, files, opts, executor),
      );
      if (o.json) io.out(`${JSON.stringify(r, null, 2)}\n`);
      else {
        const { model } = loadModel(io, files[0]!, [], {});
        io.out(renderBacktest(r, model.rungIds));
      }
    },
  );
};
