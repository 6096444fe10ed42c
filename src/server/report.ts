// Reports of finished jobs: the stored report of a run (summary and what the HTML report draws), and
// the downloads of runs, comparisons and sensitivity analyses as self-contained HTML (the CLI's
// `--report`), JSON and CSV.

import type { BreakevenReport } from '../analysis/breakeven.ts';
import { type Aggregate, type RunReport, summarize } from '../analysis/ensemble.ts';
import { attributeMisperceptions, pathTree, sankeyFloor } from '../analysis/paths.ts';
import type { RareResult } from '../analysis/rare.ts';
import {
  csvReport,
  htmlReport,
  interventionInfo,
  type Manifest,
  type ReportData,
  scenarioAssumptions,
} from '../analysis/report/index.ts';
import type { SensitivityReport } from '../analysis/sensitivity.ts';
import type { SweepReport } from '../analysis/sweep.ts';
import { sobolParameters } from '../analysis/vocabulary.ts';
import { SAVED_FITS } from '../calibration/icb-analysis.ts';
import { ENGINE_VERSION, type Model } from '../engine/model.ts';
import { prepareFiles } from '../scenario/load.ts';
import type { Locations } from '../scenario/parse.ts';
import type { Scenario } from '../scenario/schema.ts';
import { jobKind, type RunManifest, type RunRecord } from '../store/index.ts';
import type { StoredCompareReport } from './analysis-jobs.ts';
import { HttpError } from './http.ts';

const cell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  // Quote, and neutralise spreadsheet formulas (=, +, -, @ at the start of a text cell).
  const safe = /^[=+\-@]/.test(s) && Number.isNaN(Number(s)) ? `'${s}` : s;
  return /[",\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** The report as CSV: section, item, value, ci95 low, ci95 high. */
export function reportCsv(m: RunManifest, r: RunReport): string {
  const rows: unknown[][] = [['section', 'item', 'value', 'ci95_low', 'ci95_high']];
  rows.push(['manifest', 'scenario', m.scenarioPath, '', '']);
  rows.push(['manifest', 'scenario_version', m.scenarioVersion, '', '']);
  rows.push(['manifest', 'hash', m.hash, '', '']);
  rows.push(['manifest', 'engine', m.engine, '', '']);
  rows.push(['manifest', 'seed', m.seed, '', '']);
  rows.push(['manifest', 'runs', m.runs, '', '']);
  rows.push(['manifest', 'interventions', m.interventions.join('+'), '', '']);
  for (const [k, v] of Object.entries(m.set)) rows.push(['manifest', `set ${k}`, v, '', '']);
  for (const e of r.exceedance) rows.push(['P(peak >= rung)', e.id, e.p, e.ci95[0], e.ci95[1]]);
  for (const [k, v] of Object.entries(r.outcomes)) rows.push(['outcome', k, v.p, v.ci95[0], v.ci95[1]]);
  rows.push([
    'misperception',
    `share of runs reaching ${r.misperception.threshold}`,
    r.misperception.share,
    ...r.misperception.ci95,
  ]);
  rows.push(['misperception', 'share of war runs', r.misperception.war.share, ...r.misperception.war.ci95]);
  for (const c of r.misperception.causes)
    rows.push([
      'misperception cause',
      `${c.kind} ${c.observer} ${c.act}${c.perceived ? ` as ${c.perceived}` : ''}`,
      c.share,
      '',
      '',
    ]);
  for (const p of r.paths)
    rows.push(['path', p.events.join(' > ') || '(nothing escalated)', p.share, '', '']);
  return `${rows.map((row) => row.map(cell).join(',')).join('\n')}\n`;
}

/** A run's stored report: `brink run --json`'s summary and what the HTML report draws besides it. */
export function runReport(model: Model, agg: Aggregate, seed: number): RunReport & { extras: ReportExtras } {
  return {
    ...summarize(model, agg, { seed, engine: ENGINE_VERSION, topPaths: 12 }),
    extras: reportExtras(model, agg),
  };
}

/** What a report needs besides the summary: the Sankey's path tree and the misperceptions behind war. */
export function reportExtras(m: Model, agg: Aggregate) {
  return {
    pathTree: pathTree(m, agg, { minPeak: sankeyFloor(m, agg), minShare: 0.01 }),
    attribution: attributeMisperceptions(m, agg),
  };
}

export type ReportExtras = ReturnType<typeof reportExtras>;

const quote = (a: string) => (/^[\w./@:=+,-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);

/** The `brink` command that computes the same numbers from the scenario file. */
export function equivalentCommand(m: RunManifest): string {
  const args: (string | number)[] = [];
  const withs = (xs: string[]) => xs.flatMap((x) => ['--with', x]);
  switch (m.kind) {
    case 'compare':
      args.push('compare', m.scenarioPath, ...withs(m.compare.arms), '--runs', m.runs, '--seed', m.seed);
      if (m.compare.traceRuns !== 200) args.push('--trace', m.compare.traceRuns);
      break;
    case 'sensitivity': {
      const o = m.sensitivity;
      args.push('sensitivity', m.scenarioPath, ...withs(m.interventions), '--seed', m.seed);
      args.push('--metric', o.metric, '--tornado-runs', o.tornadoRuns, '--low', o.low, '--high', o.high);
      args.push('--samples', o.samples, '--runs', o.runsPerPoint, '--bootstrap', o.bootstrap);
      for (const p of o.only) args.push('--only', p);
      args.push('--sobol-top', o.sobolTop ?? 0);
      break;
    }
    case 'sweep': {
      const o = m.sweep;
      args.push('sweep', m.scenarioPath, ...withs(m.interventions));
      for (const p of o.params) args.push('--param', `${p.path}=${p.lo}..${p.hi}:${p.steps}`);
      args.push('--runs', o.runsPerCell, '--seed', m.seed);
      for (const x of o.metrics) args.push('--metric', x);
      break;
    }
    case 'breakeven': {
      const o = m.breakeven;
      args.push('breakeven', m.scenarioPath, '--with', o.with, '--param', o.param);
      if (o.range) args.push('--range', `${o.range[0]}..${o.range[1]}`);
      args.push('--runs', o.runsPerPoint, '--seed', m.seed, '--grid', o.grid, '--bisect', o.bisect);
      args.push('--metric', o.metric);
      break;
    }
    case 'rare': {
      const o = m.rare;
      args.push(
        'run',
        m.scenarioPath,
        ...withs(m.interventions),
        '--seed',
        m.seed,
        '--estimator',
        o.estimator,
      );
      if (o.target !== null) args.push('--target', o.target);
      if (o.estimator === 'crude') args.push('--runs', o.runs);
      if (o.estimator === 'ams') args.push('--particles', o.particles, '--replicates', o.replicates);
      if (o.estimator === 'is') args.push('--ce-runs', o.ceRuns, '--is-runs', o.isRuns);
      break;
    }
    case 'backtest': {
      const o = m.backtest;
      // From the repository's root, where the cases' `extends: ../scenarios/…` find the library.
      args.push('backtest', ...o.cases, '--runs', o.runsPerCase, '--seed', m.seed);
      if (o.observed !== 'cases/observed.json') args.push('--observed', o.observed);
      break;
    }
    case 'backtest-icb': {
      const o = m['backtest-icb'];
      args.push('backtest', '--icb');
      if (o.split === 'folds') args.push('--folds', o.folds!);
      else args.push('--cutoff', o.cutoff);
      if (o.until !== null) args.push('--until', o.until);
      args.push('--runs', o.runsPerCrisis, '--seed', m.seed);
      // The CLI takes the saved fit it is given (by default generic-fit.yaml, or the folds' file).
      if (o.fit !== null && o.fit !== SAVED_FITS[o.split][0]) args.push('--fit', o.fit);
      break;
    }
    case 'run':
      args.push('run', m.scenarioPath, ...withs(m.interventions), '--runs', m.runs, '--seed', m.seed);
      for (const [k, v] of Object.entries(m.set)) args.push('--set', `${k}=${String(v)}`);
  }
  return `brink ${args.map((a) => quote(String(a))).join(' ')}`;
}

/** The scenario document as the job ran it (interventions and overrides applied), with source positions. */
function documentOf(r: RunRecord, interventions: string[]): { doc: Scenario; locations: Locations } {
  const m = r.manifest;
  const { doc, locations } = prepareFiles(r.files, m.scenarioPath, { interventions, set: m.set });
  if (!doc || !locations) throw new HttpError(422, 'not_runnable', "the run's scenario no longer loads");
  return { doc, locations };
}

/** The data of a finished job's report (as the CLI's `--report` builds it), from its record. */
export function reportData(r: RunRecord): ReportData {
  if (!r.report) throw new HttpError(409, 'not_finished', `the job is ${r.status}: no report yet`);
  const m = r.manifest;
  const kind = jobKind(m);
  const stored = JSON.parse(r.report) as Record<string, unknown>;
  const arms = m.kind === 'compare' ? m.compare.arms : [];
  const { doc, locations } = documentOf(r, m.interventions);
  const settings: Record<string, string | number> = {
    'workbench job': r.id,
    'scenario version': m.scenarioVersion,
    finished: r.finishedAt ?? '',
  };
  const manifest: Manifest = {
    command: equivalentCommand(m),
    scenario: { id: doc.id, title: doc.title, file: m.scenarioPath, hash: m.hash },
    engine: m.engine,
    brink: ENGINE_VERSION,
    seed: m.seed,
    runs: kind === 'sensitivity' || kind === 'sweep' || kind === 'breakeven' ? null : m.runs,
    interventions: kind === 'compare' ? arms : m.interventions,
    settings,
  };
  const extras = stored.extras as ReportExtras | undefined;
  const common = {
    assumptions: scenarioAssumptions(doc, {
      locations,
      readText: (f: string) => (Object.hasOwn(r.files, f) ? r.files[f] : undefined),
    }),
    interventions: interventionInfo(doc, kind === 'compare' ? arms : m.interventions),
  };
  const draws =
    m.kind === 'run'
      ? m.epistemic
      : m.kind === 'compare'
        ? m.compare.epistemic
        : m.kind === 'sweep'
          ? m.sweep.epistemic
          : m.kind === 'breakeven'
            ? m.breakeven.epistemic
            : undefined;
  if (draws) settings['parameter draws'] = draws;
  if (m.kind === 'compare') {
    const report = stored as unknown as StoredCompareReport;
    settings.pairing = 'common random numbers';
    settings['saved/harmed runs traced per arm'] = m.compare.traceRuns;
    return {
      kind: 'compare',
      title: `Interventions compared: ${doc.title}`,
      manifest,
      run: report,
      paths: report.extras.pathTree,
      attribution: report.extras.attribution,
      compare: report,
      ...common,
    };
  }
  if (m.kind === 'sensitivity') {
    const report = stored as unknown as SensitivityReport;
    const o = m.sensitivity;
    Object.assign(settings, {
      metric: report.metric.id,
      'tornado runs per end': o.tornadoRuns,
      'Sobol N': o.samples,
      'Sobol parameters': sobolParameters(o.sobolTop ?? 0, o.parameters),
      'runs per design point': o.runsPerPoint,
      'engine runs in all': m.runs,
    });
    return {
      kind: 'sensitivity',
      title: `Sensitivity: ${doc.title}`,
      manifest,
      sensitivity: report,
      ...common,
    };
  }
  if (m.kind === 'sweep') {
    settings['runs per cell'] = m.sweep.runsPerCell;
    return {
      kind: 'sweep',
      title: `Sweep: ${doc.title}`,
      manifest,
      sweep: stored as unknown as SweepReport,
      ...common,
    };
  }
  if (m.kind === 'breakeven') {
    settings['runs per point'] = m.breakeven.runsPerPoint;
    return {
      kind: 'breakeven',
      title: `Break-even of ${m.breakeven.with}: ${doc.title}`,
      manifest: { ...manifest, interventions: [m.breakeven.with] },
      breakeven: stored as unknown as BreakevenReport,
      ...common,
      interventions: interventionInfo(doc, [m.breakeven.with]),
    };
  }
  if (m.kind === 'rare') {
    settings.estimator = m.rare.estimator;
    return {
      kind: 'run',
      title: `Rare-event estimate: ${doc.title}`,
      manifest,
      rare: stored as unknown as RareResult,
      ...common,
    };
  }
  const report = stored as unknown as RunReport;
  return {
    kind: 'run',
    title: `Ensemble: ${doc.title}`,
    manifest,
    run: report,
    ...(extras ? { paths: extras.pathTree, attribution: extras.attribution } : {}),
    ...common,
  };
}

/** A finished job's report as a download: HTML (self-contained), JSON (report + manifest) or CSV. */
export function reportDownload(
  r: RunRecord,
  format: 'html' | 'json' | 'csv',
): { body: string; type: string; filename: string } {
  if (!r.report) throw new HttpError(409, 'not_finished', `the job is ${r.status}: no report yet`);
  const m = r.manifest;
  const kind = jobKind(m);
  const stem = m.scenarioPath.replace(/\.ya?ml$/, '').replace(/[^A-Za-z0-9_-]+/g, '-');
  const label = kind === 'run' ? '' : `-${kind}`;
  const base = `${stem}${label}-seed${m.seed}`;

  if (format === 'html')
    return { body: htmlReport(reportData(r)), type: 'text/html; charset=utf-8', filename: `${base}.html` };
  if (format === 'json') {
    const report = JSON.parse(r.report) as Record<string, unknown>;
    return {
      body: JSON.stringify({ manifest: m, report }),
      type: 'application/json; charset=utf-8',
      filename: `${base}.json`,
    };
  }
  const body =
    kind === 'run' ? reportCsv(m, JSON.parse(r.report) as RunReport) : analysisCsv(m, reportData(r));
  return { body, type: 'text/csv; charset=utf-8', filename: `${base}.csv` };
}

/** A comparison or sensitivity report as CSV: the manifest rows, then `brink … --format csv`'s table. */
function analysisCsv(m: RunManifest, d: ReportData): string {
  const head: unknown[][] = [
    ['manifest', 'command', '', equivalentCommand(m), '', ''],
    ['manifest', 'scenario', '', m.scenarioPath, '', ''],
    ['manifest', 'scenario_version', '', m.scenarioVersion, '', ''],
    ['manifest', 'hash', '', m.hash, '', ''],
    ['manifest', 'engine', '', m.engine, '', ''],
    ['manifest', 'seed', '', m.seed, '', ''],
    ['manifest', 'runs', '', m.runs, '', ''],
  ];
  const [header, ...rest] = csvReport(d).trimEnd().split('\n');
  return `${[header, ...head.map((row) => row.map(cell).join(',')), ...rest].join('\n')}\n`;
}
