// docs/validation.md: the held-out ICB backtest of the generic crisis model against its baselines, the
// hand-written cases, the generic families against ICB's base rates, and the sanity panel of the Korea
// scenarios, each from the command shown (seed 1). The PIT histogram is written to
// docs/img/validation-pit.svg; the region carries its hash, so a stale picture fails like stale text.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pitChart } from '../../src/analysis/report/charts.ts';
import type { BacktestResult } from '../../src/calibration/case-backtest.ts';
import type { IcbBacktest, ScaleResult } from '../../src/calibration/icb-backtest.ts';
import { comparisonRows, SCALE_IDS, SCALES } from '../../src/calibration/icb-backtest.ts';
import { bestWeight, meanCurve, type PoolPoint } from '../../src/calibration/pooling.ts';
import { brinkJson, brinkText, ROOT, shell } from './lib.ts';

export const doc = 'docs/validation.md';

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '-');
const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');
const pct = (x: number, d = 1) => `${(x * 100).toFixed(d)}%`;
const iv = (x: { mean: number; lo: number; hi: number }) =>
  `${x.mean >= 0 ? '+' : ''}${f3(x.mean)} (${f3(x.lo)} to ${f3(x.hi)})`;

function scaleTable(s: ScaleResult): string {
  return [
    '| forecast | mean log score | mean RPS | Brink minus it, log score (95% CI) | it minus Brink, RPS (95% CI) |',
    '| --- | --- | --- | --- | --- |',
    ...comparisonRows(s).map((r) =>
      r.vs
        ? `| ${r.name} | ${f3(r.scores.logScore)} | ${f3(r.scores.rps)} | ${iv(r.vs.logScore)} | ${iv(r.vs.rps)} |`
        : `| **${r.name}** | **${f3(r.scores.logScore)}** | ${f3(r.scores.rps)} | | |`,
    ),
  ].join('\n');
}

function reliability(s: ScaleResult): string {
  return [
    '| Brink P(class >= k) | pairs | mean forecast | observed frequency |',
    '| --- | --- | --- | --- |',
    ...s.calibration
      .filter((b) => b.n > 0)
      .map(
        (b) => `| ${f2(b.lo)}-${f2(b.hi)} | ${b.n} | ${f2(b.meanForecast)} | ${f2(b.observedFrequency)} |`,
      ),
  ].join('\n');
}

async function icbRegion(): Promise<string> {
  const args = ['backtest', '--icb'];
  const r = await brinkJson<IcbBacktest>(args);
  const out = [
    `\`${shell(args)}\` (${r.runs} runs per crisis, seed ${r.seed}; add \`--json\` for every crisis's forecasts):`,
    `fit on the ${r.train} ICB crises triggered before ${r.split.kind === 'time' ? r.split.cutoff : ''} (the committed`,
    '`scenarios/lib/generic-fit.yaml`), scored on the',
    `${r.test} held out.`,
  ];
  for (const s of SCALE_IDS) {
    const x = r.scales[s];
    out.push(
      '',
      `**${SCALES[s].name[0]!.toUpperCase()}${SCALES[s].name.slice(1)}** (${SCALES[s].classes.join(' / ')}; ${x.n} crises):`,
      '',
      scaleTable(x),
      '',
      `Observed class below 1% of the engine's runs (before smoothing and pooling): ${x.floor.count} of ${x.n} (${pct(x.floor.share)})${x.floor.ids.length ? `: ${x.floor.ids.join(', ')}` : ''}. PIT histogram (10 bins): ${x.pitHistogram.join(' ')}.`,
    );
    if (s !== 'duration') out.push('', reliability(x));
  }
  const svg = pitChart(
    r.scales.icb.pitHistogram,
    'randomised PIT of the observed ICB class (held-out crises)',
  );
  const path = join(ROOT, 'docs', 'img', 'validation-pit.svg');
  let old: string | undefined;
  try {
    old = readFileSync(path, 'utf8');
  } catch {
    old = undefined;
  }
  if (old !== `${svg}\n`) writeFileSync(path, `${svg}\n`);
  const hash = createHash('sha256').update(`${svg}\n`).digest('hex').slice(0, 16);
  out.push(
    '',
    `![PIT histogram of the held-out crises on ICB's scale; the dashed line is what a calibrated forecast gives](img/validation-pit.svg)`,
    `<!-- img/validation-pit.svg sha256 ${hash} -->`,
  );
  return out.join('\n');
}

async function foldsRegion(): Promise<string> {
  const args = ['backtest', '--icb', '--folds', '5'];
  const r = await brinkJson<IcbBacktest>(args);
  const cached = r.fits.every((f) => f.fromCache);
  const out = [
    `\`${shell(args)}\` (${r.runs} runs per crisis, seed ${r.seed}): every one of the ${r.test} ICB crises scored by a fit on`,
    `the other four fifths (about ${Math.round(r.train)} crises each; the five fits are ${cached ? 'the ones saved by `npx brink fit --folds 5` in `scenarios/lib/generic-fit-folds.yaml`' : 'made now'}).`,
  ];
  for (const s of SCALE_IDS) {
    const x = r.scales[s];
    out.push(
      '',
      `**${SCALES[s].name[0]!.toUpperCase()}${SCALES[s].name.slice(1)}** (${x.n} crises):`,
      '',
      scaleTable(x),
      '',
      `Observed class below 1% of the engine's runs (before smoothing and pooling): ${x.floor.count} of ${x.n} (${pct(x.floor.share)}). PIT histogram (10 bins): ${x.pitHistogram.join(' ')}.`,
    );
  }
  return out.join('\n');
}

/** Files of the fits made inside the training period, from which the base rate's weight is chosen. */
export const INNER_FOLDS_FILE = 'scenarios/lib/generic-fit-folds-1985.yaml';
export const INNER_SPLIT_FILE = 'scenarios/lib/generic-fit-1970.yaml';

async function poolRegion(): Promise<string> {
  const foldArgs = ['backtest', '--icb', '--folds', '5', '--until', '1985', '--fit', INNER_FOLDS_FILE];
  const splitArgs = ['backtest', '--icb', '--cutoff', '1970', '--until', '1985', '--fit', INNER_SPLIT_FILE];
  const folds = await brinkJson<IcbBacktest>(foldArgs);
  const split = await brinkJson<IcbBacktest>(splitArgs);
  const mean = Object.fromEntries(
    SCALE_IDS.map((sc) => [sc, meanCurve([folds.scales[sc].pool.curve, split.scales[sc].pool.curve])]),
  ) as Record<(typeof SCALE_IDS)[number], PoolPoint[]>;
  const cell = (curve: readonly PoolPoint[], i: number) => {
    const v = f3(curve[i]!.logScore);
    return curve[i]!.weight === bestWeight(curve).weight ? `**${v}**` : v;
  };
  const rows = folds.scales.icb.pool.curve.map(
    (p, i) =>
      `| ${p.weight.toFixed(2)} | ${SCALE_IDS.map((sc) => [folds.scales[sc].pool.curve, split.scales[sc].pool.curve, mean[sc]].map((c) => cell(c, i)).join(' | ')).join(' | ')} |`,
  );
  const inUse = SCALE_IDS.map((sc) => `${SCALES[sc].name} ${folds.scales[sc].pool.weight.toFixed(2)}`);
  const out = [
    `Mean log score of the pooled forecast by the base rate's weight (0: the engine alone, 1: the base rate`,
    `alone; the best of each column in bold), on the crises before 1985 only: \`${shell(foldArgs)}\``,
    `(5-fold cross-validation over the ${folds.test} training crises; the five fits are saved in \`${INNER_FOLDS_FILE}\``,
    `by \`npx brink fit --folds 5 --until 1985 -o ${INNER_FOLDS_FILE}\`) and \`${shell(splitArgs)}\``,
    `(fit on the ${split.train} crises before 1970, saved by \`npx brink fit --cutoff 1970 -o ${INNER_SPLIT_FILE}\`, scored on the ${split.test} of 1970-1984).`,
    '',
    `| weight | ${SCALE_IDS.map((sc) => [`5-fold`, `1970 split`, `mean`].map((d) => `${sc}: ${d}`).join(' | ')).join(' | ')} |`,
    `| --- |${' --- |'.repeat(9)}`,
    ...rows,
    '',
    `Weights in use (the best of the mean of the two designs, each scale): ${inUse.join('; ')}.`,
    '',
    `The pooled forecast at these weights in the same 5-fold cross-validation, **peak on ICB's violence scale** (${folds.scales.icb.n} crises before 1985):`,
    '',
    scaleTable(folds.scales.icb),
    '',
    `And on the 1970 split (${split.scales.icb.n} crises of 1970-1984):`,
    '',
    scaleTable(split.scales.icb),
  ];
  return out.join('\n');
}

async function casesRegion(): Promise<string> {
  const files = [
    'able-archer-1983',
    'cheonan-2010',
    'kargil-1999',
    'land-mine-2015',
    'nuclear-vii-2017',
    'poplar-tree-1976',
    'pueblo-1968',
    'submarine-1996',
    'taiwan-strait-ii-1958',
    'ussuri-1969',
    'yeonpyeong-2010-korea-lib',
    'yeonpyeong-2010',
  ].map((c) => `cases/${c}.yaml`);
  const r = await brinkJson<BacktestResult>(['backtest', ...files]);
  const rows = r.cases.map(
    (c) =>
      `| ${c.id} | ${c.inSample ? 'in' : 'out'} | ${c.observed} | ${pct(c.p, 2)} | ${pct(c.pBelow)} | ${pct(c.pAbove)} | ${f2(c.logScore)} | ${c.baseRate === null ? '-' : pct(c.baseRate, 2)} | ${f2(c.pit)} |`,
  );
  const sum = (label: string, s: BacktestResult['summary']) =>
    `${label} (${s.n}): Brink ${f2(s.logScore)}, ICB trigger-type base rate ${f2(s.baseRate)}, uniform ${f2(s.uniform)}; mean RPS ${f2(s.rps)}; outcome type ${f2(s.outcomeLogScore)}`;
  return [
    `\`npx brink backtest cases/*.yaml\` (${r.runs} runs per case, seed ${r.seed}; base rates from the ICB crises before ${r.cutoff}):`,
    '',
    '| case | set | observed peak | P(observed) | P(below) | P(above) | log score | base rate P(observed) | PIT |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Mean log score on the peak rung, ${sum('out of sample', r.summary)}.`,
    `${sum('In sample', r.inSample)}.`,
    '',
    'In sample because:',
    ...r.cases.filter((c) => c.inSample).map((c) => `- ${c.id}: ${c.inSampleWhy}`),
  ].join('\n');
}

async function baseRatesRegion(): Promise<string> {
  const args = [
    'base-rates',
    'scenarios/generic/military-act.yaml',
    'scenarios/generic/violent-act.yaml',
    '--runs',
    '20000',
  ];
  const text = await brinkText(args);
  return [`\`${shell(args)}\`:`, '', '```', text.trimEnd(), '```'].join('\n');
}

export async function regions(): Promise<Record<string, string>> {
  return {
    'icb-backtest': await icbRegion(),
    'icb-folds': await foldsRegion(),
    'icb-pool': await poolRegion(),
    cases: await casesRegion(),
    'base-rates': await baseRatesRegion(),
  };
}
