// The backtest of hand-written cases as an analysis (`brink backtest FILES`, and the workbench's backtest
// of a library): each case's ensemble is an EnsembleJob on the analysis kernel, the cases one after
// another in a JobSeries, so it runs on any executor (this thread, worker threads, the Redis queue) to
// the same numbers; its report scores each case against what happened (cases/observed.json) and
// against ICB's trigger-type base rate, out-of-sample and in-sample cases apart.
// It reads the job's file tree through the edge's `prepare` (the CLI's working directory, or the
// workbench's files under `scenarios/` beside the cases shipped with Brink under `cases/`).
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { EnsembleJob } from '../analysis/ensemble.ts';
import { JobSeries } from '../analysis/kernel/executor.ts';
import { BacktestOptionsSchema } from '../analysis/options.ts';
import { define, type PreparedScenario, type PrepareWith } from '../analysis/registry.ts';
import type { Model } from '../engine/model.ts';
import { OUTCOMES } from '../engine/run.ts';
import { contentHash, resolveRelative } from '../scenario/load.ts';
import { type Scenario, TRIGGER_TYPES } from '../scenario/schema.ts';
import {
  type BacktestResult,
  CALIBRATION_THRESHOLDS,
  type CaseRow,
  type CaseSummary,
  calibrationTable,
  type Observed,
} from './backtest.ts';

export type { BacktestResult, CaseRow, CaseSummary } from './backtest.ts';

import { ladderBaseRate, type MidRow, readMidDisputes } from './case-baseline.ts';
import { DataError } from './csv.ts';
import { CUTOFF_PARAM, readFitMeta } from './generic-library.ts';
import { type CrisisRecord, readCrisisRecords } from './icb-crises.ts';
import { logScore, mean, pit, pitDraw, rps, smooth } from './scores.ts';
import { triggerOf } from './violence.ts';

/** The generic fit whose cut-off splits ICB's crises into training and the rest (a path of the tree). */
export const FIT_FILE = 'scenarios/lib/generic-fit.yaml';
/** The fit's default training cut-off (when the fit file does not say). */
export const DEFAULT_CUTOFF = 1985;
/** ICB's crisis and actor files, and COW MID's disputes, under the data folder (`data/` of the tree). */
export const ICB_FILES = { crises: 'icb-v15/icb1-crises.csv', actors: 'icb-v15/icb2-actors.csv' };
const MID_FILE = 'cow-mid-5.0/mida-disputes.csv';

type ObservedCases = Record<string, Observed & { inSample?: boolean }>;

/** The observed outcomes (`shown`: the file as the user named it); every entry names a rung and an outcome type. */
export function readObserved(text: string | undefined, shown: string): ObservedCases {
  if (text === undefined)
    throw new RangeError(`cannot read ${shown}: the observed outcomes of the cases (--observed)`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new RangeError(`${shown}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const cases = (data as { cases?: unknown })?.cases;
  if (typeof cases !== 'object' || cases === null)
    throw new RangeError(`${shown}: expected {"cases": {ID: {...}}}`);
  for (const [id, o] of Object.entries(cases as Record<string, Partial<Observed> & { inSample?: unknown }>)) {
    if (typeof o?.peak !== 'string') throw new RangeError(`${shown}: cases.${id}.peak must be a rung id`);
    if (!OUTCOMES.includes(o.outcome as (typeof OUTCOMES)[number])) {
      throw new RangeError(`${shown}: cases.${id}.outcome must be one of ${OUTCOMES.join(', ')}`);
    }
    if (o.inSample !== undefined && typeof o.inSample !== 'boolean')
      throw new RangeError(`${shown}: cases.${id}.inSample must be true or false`);
  }
  return cases as ObservedCases;
}

/** ICB crises (all, and those before the cut-off) and MID disputes before it: the cases' base rates. */
export interface CaseTraining {
  train: CrisisRecord[];
  all: CrisisRecord[];
  mid: MidRow[];
}

/** Reads the training data of the base rates from the tree's `data/` folder. */
export function caseTraining(read: (path: string) => string | undefined, cutoff: number): CaseTraining {
  const need = (rel: string, what: string) => {
    const path = posix.join('data', rel);
    const t = read(path);
    if (t === undefined) throw new RangeError(`cannot read ${path}: ${what} (--data)`);
    return t;
  };
  const crises = need(ICB_FILES.crises, 'ICB v15 crisis data');
  const actors = need(ICB_FILES.actors, 'ICB v15 actor data');
  const midText = need(MID_FILE, 'COW MID 5.0 disputes');
  try {
    const all = readCrisisRecords(crises, actors, {
      crises: posix.join('data', ICB_FILES.crises),
      actors: posix.join('data', ICB_FILES.actors),
    });
    const mid = readMidDisputes(midText, posix.join('data', MID_FILE)).filter((d) => d.year < cutoff);
    return { train: all.filter((c) => c.year < cutoff), all, mid };
  } catch (e) {
    if (e instanceof DataError) throw new RangeError(e.message);
    throw e;
  }
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

/** A case to score: its file, compiled model and document, and the peak and outcome counts of its ensemble. */
export interface RanCase {
  file: string;
  model: Model;
  doc: Scenario;
  peak: readonly number[];
  outcomes: readonly number[];
}

/** Scores the cases' ensembles against what happened and against ICB's base rate. Pure. */
export function scoreCases(
  cases: readonly RanCase[],
  o: { runs: number; seed: number; cutoff: number; observed: ObservedCases; shownObs: string },
  training: CaseTraining,
): BacktestResult {
  const rows: CaseRow[] = [];
  let thresholds: number[] = [];
  let rungs = 10;
  for (const c of cases) {
    const { model, doc } = c;
    const obs = observedOf(o.observed, model, c.file, o.shownObs);
    const peak = obs.peak;
    const peakP = smooth(c.peak);
    const outcomeP = smooth(c.outcomes);
    const below = peakP.slice(0, peak).reduce((s, x) => s + x, 0);
    const at = peakP[peak]!;
    thresholds = CALIBRATION_THRESHOLDS.map((t) => model.rungIds.indexOf(t)).filter((t) => t >= 0);
    rungs = model.rungIds.length;
    const trig = doc.trigger ?? triggerOf(model, undefined).type;
    const base = ladderBaseRate(training.train, training.mid, model.rungIds);
    const baseP = trig && base ? base(TRIGGER_TYPES.indexOf(trig) + 1)[peak]! : null;
    const ob = obs.entry;
    let inSample = ob.inSample === true;
    let why = inSample ? `marked inSample in ${o.shownObs}` : undefined;
    const fitCutoff = doc.params?.[CUTOFF_PARAM];
    const crisis = ob.icb ? training.all.find((x) => x.crisno === ob.icb!.crisno) : undefined;
    if (!inSample && typeof fitCutoff === 'number' && crisis && crisis.year < fitCutoff) {
      inSample = true;
      why = `its ICB crisis (${crisis.crisno}, ${crisis.year}) is a training crisis of the generic fit (before ${fitCutoff})`;
    }
    const row: CaseRow = {
      id: model.id,
      file: c.file,
      observed: ob.peak,
      observedIndex: peak,
      p: at,
      pBelow: below,
      pAbove: Math.max(0, 1 - below - at),
      logScore: logScore(peakP, peak),
      rps: rps(peakP, peak),
      pit: pit(peakP, peak, pitDraw(o.seed, model.id)),
      baseRate: baseP,
      trigger: trig ?? null,
      inSample,
      peakP,
      outcome: ob.outcome,
      pOutcome: outcomeP[OUTCOMES.indexOf(ob.outcome)]!,
    };
    if (why) row.inSampleWhy = why;
    rows.push(row);
  }
  const out = rows.filter((r) => !r.inSample);
  const ins = rows.filter((r) => r.inSample);
  return {
    runs: o.runs,
    seed: o.seed,
    cutoff: o.cutoff,
    cases: rows,
    summary: summariseCases(out, rungs, thresholds),
    inSample: summariseCases(ins, rungs, thresholds),
  };
}

/** A case's observed entry and the index of its observed peak on the case's ladder. */
function observedOf(observed: ObservedCases, model: Model, file: string, shownObs: string) {
  const entry = observed[model.id];
  if (!entry) throw new RangeError(`${file}: no entry "${model.id}" in ${shownObs}`);
  const peak = model.rungIds.indexOf(entry.peak);
  if (peak < 0)
    throw new RangeError(`${shownObs}: cases.${model.id}.peak: no rung "${entry.peak}" on its ladder`);
  return { entry, peak };
}

/** The edge's file tree, as `prepare` gives it (the backtest needs both parts). */
function treeOf(prepare: PrepareWith) {
  const { at, read } = prepare;
  if (!at || !read) throw new Error('a backtest needs the edge to prepare and read files of its tree');
  return { at, read };
}

const casesHash = (cases: readonly PreparedScenario[]) => contentHash(cases.map((c) => c.model.hash));

/** The backtest of case files: one definition for the CLI (`brink backtest FILES`) and the workbench. */
export const backtest = define({
  kind: 'backtest',
  summary:
    "Scores a library's hand-written historical cases against what happened: each case's ensemble, log score, RPS and PIT against the observed peak, beside ICB's trigger-type base rate, held-out and in-sample cases apart (as `brink backtest FILES`)",
  options: BacktestOptionsSchema,
  manifest(prepare, o) {
    const { at, read } = treeOf(prepare);
    if (!o.cases.length) throw new RangeError('no case files');
    const shownObs = o.observed ?? posix.join(posix.dirname(o.cases[0]!), 'observed.json');
    const observed = readObserved(read(shownObs), shownObs);
    const cutoff = readFitMeta(read(FIT_FILE)).cutoff ?? DEFAULT_CUTOFF;
    caseTraining(read, cutoff);
    const cases = o.cases.map((file) => {
      const p = at(file);
      observedOf(observed, p.model, file, shownObs);
      return p;
    });
    return {
      kind: 'backtest',
      hash: casesHash(cases),
      seed: o.seed,
      runs: o.cases.length * o.runs,
      interventions: [],
      backtest: { cases: o.cases, observed: shownObs, cutoff, runsPerCase: o.runs },
    };
  },
  open(prepare, m, checkpoint) {
    const { at, read } = treeOf(prepare);
    const s = m.backtest;
    const cases = s.cases.map((file) => at(file));
    if (casesHash(cases) !== m.hash) throw new Error(`the cases' content hash changed (not ${m.hash})`);
    const parts = JobSeries.parts(checkpoint, cases.length);
    const job = new JobSeries(
      cases.map(
        (c, k) =>
          new EnsembleJob(
            c.source,
            c.model,
            { seed: m.seed, runs: s.runsPerCase, engine: m.engine },
            parts[k],
          ),
      ),
    );
    return {
      job,
      finish: async (): Promise<BacktestResult> => {
        const aggs = await job.report();
        const observed = readObserved(read(s.observed), s.observed);
        return scoreCases(
          cases.map((c, k) => ({
            file: s.cases[k]!,
            model: c.model,
            doc: c.doc,
            peak: aggs[k]!.peak,
            outcomes: aggs[k]!.outcomes,
          })),
          { runs: s.runsPerCase, seed: m.seed, cutoff: s.cutoff, observed, shownObs: s.observed },
          caseTraining(read, s.cutoff),
        );
      },
    };
  },
});

// ---------------------------------------------------------------------------------------------
// The files shipped with Brink that a workbench backtest reads beside the workspace's.

/** The repository's root, from this module (same depth under src/ and dist/). */
const ROOT = new URL('../../', import.meta.url);

const readShipped = (rel: string): string | undefined => {
  try {
    return readFileSync(new URL(rel, ROOT), 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * A file shipped with Brink that a workbench backtest reads but does not store with the job: the ICB
 * and MID data (`data/…`), and the generic fit (for its cut-off) and the other saved fits of the generic
 * crisis model (`scenarios/lib/generic-fit*.yaml`, for the ICB backtest) when the workspace has none.
 */
export function shippedFile(path: string): string | undefined {
  if (
    /^scenarios\/lib\/generic-fit[a-z0-9-]*\.yaml$/.test(path) ||
    (path.startsWith('data/') && !path.includes('..'))
  )
    return readShipped(path);
  return undefined;
}

/** A workspace's files as a backtest's tree sees them: under `scenarios/` (as in the repository). */
export function workspaceTree(workspace: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(workspace).map(([path, text]) => [`scenarios/${path}`, text]));
}

/** The cases shipped with Brink (`cases/*.yaml`) and their observed outcomes, by path in the tree. */
export function shippedCases(): Record<string, string> {
  const out: Record<string, string> = {};
  let names: string[] = [];
  try {
    names = readdirSync(new URL('cases/', ROOT)).sort();
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/\.ya?ml$/.test(name) && name !== 'observed.json') continue;
    const text = readShipped(`cases/${name}`);
    if (text !== undefined) out[`cases/${name}`] = text;
  }
  return out;
}

/** The case files among `cases` (paths → text) that extend the file at `library` (a path of the tree). */
export function casesExtending(cases: Record<string, string>, library: string): string[] {
  return Object.entries(cases)
    .filter(([path, text]) => {
      if (!/\.ya?ml$/.test(path)) return false;
      let ext: unknown;
      try {
        ext = (parseYaml(text) as { extends?: unknown } | null)?.extends;
      } catch {
        return false;
      }
      const names = typeof ext === 'string' ? [ext] : Array.isArray(ext) ? ext : [];
      return names.some((n) => typeof n === 'string' && resolveRelative(path, n) === library);
    })
    .map(([path]) => path);
}

/**
 * The file tree of a workbench backtest of the library at `library` (a workspace path): the workspace's
 * files under `scenarios/` (where the cases' `extends: ../scenarios/lib/…` find them) and the shipped
 * cases; and the cases to score (`ids`: those named, as `cases/ID.yaml`; none: every case that extends
 * the library). A RangeError names what is wrong.
 */
export function backtestTree(
  workspace: Record<string, string>,
  library: string,
  ids: readonly string[],
): { files: Record<string, string>; cases: string[]; library: string } {
  const shipped = shippedCases();
  const files: Record<string, string> = { ...shipped, ...workspaceTree(workspace) };
  const lib = `scenarios/${library}`;
  const mine = casesExtending(shipped, lib);
  const all = Object.keys(shipped).filter((p) => /\.ya?ml$/.test(p));
  const named = ids.map((id) => (id.startsWith('cases/') ? id : `cases/${id}.yaml`));
  for (const n of named)
    if (!all.includes(n))
      throw new RangeError(
        `cases: no case ${n}; the cases shipped with Brink: ${all.map((p) => posix.basename(p, '.yaml')).join(', ')}`,
      );
  const cases = named.length ? named : mine;
  if (!cases.length) {
    const libs = [
      ...new Set(
        all.flatMap((p) => {
          const ext = (parseYaml(shipped[p]!) as { extends?: unknown } | null)?.extends;
          return (typeof ext === 'string' ? [ext] : []).map((e) =>
            resolveRelative(p, e).replace(/^scenarios\//, ''),
          );
        }),
      ),
    ].sort();
    throw new RangeError(
      `no case shipped with Brink extends ${library}; the cases extend ${libs.join(', ')}`,
    );
  }
  return { files, cases, library: lib };
}
