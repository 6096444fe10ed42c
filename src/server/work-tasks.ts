// The CPU-heavy work of HTTP requests, as plain data in and out so that it runs on a worker thread
// (src/server/work-worker.ts, through the pool in src/server/pool.ts): validating, compiling and hashing
// scenario files, describing a file's header, checking an analysis's design into its manifest, listing a
// scenario's uncertain parameters and actors, replaying one run of a job as a trace, rendering report
// downloads, talks playbooks and after-action reviews, and the talks room's scenario work (convening's
// agendas, a delegation's prefilled form, the interventions drafts map onto) and the exercises' (a
// set-up's scenario, a game's document with its injects, compiled for the room's cache). Each function gives exactly what the same call on the server's thread
// gave (the routes used to call these directly); a user's mistake comes back as a value, which the route
// answers as before.

import { ANALYSES, type AnalysisKind } from '../analyses.ts';
import type { ManifestFields } from '../analysis/registry.ts';
import { type Assumption, scenarioAssumptions } from '../analysis/report/index.ts';
import { findRun, traceRun } from '../analysis/trace.ts';
import { ENGINE_VERSION, type Model } from '../engine/model.ts';
import { type Aar, aarHtml, aarMarkdown } from '../exercise/aar.ts';
import { type ExerciseBase, loadExerciseBase } from '../exercise/game.ts';
import type { Setup } from '../exercise/schema.ts';
import type { Diagnostic } from '../scenario/diagnostics.ts';
import { applyInterventions, loadDocument } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { FileKind, RunRecord } from '../store/index.ts';
import { deriveAgenda } from '../talks/agenda.ts';
import { type PlaybookInput, playbookHtml, playbookMarkdown } from '../talks/playbook.ts';
import { type ExpectationSource, prefillPositions } from '../talks/positions.ts';
import { compileDoc, loadBase } from '../talks/scenario.ts';
import type { Positions, ScenarioAgenda } from '../talks/types.ts';
import { NotRunnableError, preparerIn } from './analysis-jobs.ts';
import { reportDownload } from './report.ts';
import { describeFile, type Files, prepareInFiles, validateInFiles } from './workspace.ts';

/** What a trace needs of a stored job: its identity, manifest and the files it read (not its report). */
export type TracedRun = Pick<RunRecord, 'id' | 'files' | 'manifest'>;

export type WorkTask =
  | { op: 'validate'; files: Files; path: string }
  | { op: 'detail'; files: Files; path: string; kind: FileKind }
  | {
      op: 'prepare';
      files: Files;
      path: string;
      interventions?: string[];
      set?: Record<string, unknown>;
    }
  | { op: 'describe'; yaml: string; path: string }
  | { op: 'analysis'; kind: AnalysisKind; files: Files; path: string; options: unknown }
  | { op: 'parameters'; files: Files; path: string; interventions: string[] }
  | { op: 'actors'; files: Files; path: string }
  | { op: 'find'; run: TracedRun; arm?: string; outcome: string; from: number; limit: number }
  | { op: 'trace'; run: TracedRun; arm?: string; index: number }
  | { op: 'report'; run: RunRecord; format: 'html' | 'json' | 'csv' }
  | { op: 'playbook'; input: PlaybookInput; format: 'html' | 'md' }
  | { op: 'convene'; files: Files; paths: string[]; actors: string[] }
  | {
      op: 'prefill';
      scenarios: { files: Files; path: string; agenda: ScenarioAgenda }[];
      actor: string;
      parties: string[];
    }
  | { op: 'talksInterventions'; scenarios: { files: Files; path: string }[] }
  | { op: 'aar'; aar: Aar; format: 'html' | 'md' }
  | { op: 'exerciseBase'; scenario: Setup['scenario'] }
  | { op: 'exerciseModel'; doc: Scenario; path: string };

/** `POST …/validate`: the CLI's diagnostics and, for a scenario that compiles, its hash. */
export interface ValidateResult {
  diagnostics: Diagnostic[];
  hash: string | null;
  kind: FileKind;
}

/** A stored file's diagnostics and (for a scenario) its interventions, as the file detail shows them. */
export interface DetailResult {
  diagnostics: Diagnostic[];
  interventions: { id: string; title: string }[];
}

/** A scenario compiled for a run: whether it compiled, its hash and the files it read. */
export interface PrepareResult {
  compiled: boolean;
  hash: string | undefined;
  diagnostics: Diagnostic[];
  snapshot: Files;
}

/**
 * An analysis's manifest fields (its design checked by opening the job once) and the files it read; or
 * why it cannot run: the scenario (with an arm) does not compile, or the design is invalid.
 */
export type AnalysisResult =
  | { ok: true; fields: ManifestFields<AnalysisKind>; snapshot: Files }
  | { ok: false; notRunnable: { what: string; diagnostics: Diagnostic[] } }
  | { ok: false; invalid: string };

/** A scenario's uncertain parameters (null: it does not load). */
export type ParametersResult = Assumption[] | null;

/** One run of a job replayed: the trace route's answer, or null when the run's scenario no longer compiles. */
export type TraceResult = {
  run: number;
  seed: number;
  outcome: string;
  peak: string;
  actors: string[];
  types: Model['typeIds'];
  rungs: Model['rungIds'];
  tickHours: number;
  interventions: Model['interventions'];
  trace: ReturnType<typeof traceRun>['trace'];
} | null;

/** A scenario's title, actors and clock (for convening talks, assigning exercise teams), or why it does not load. */
export type ActorsResult =
  | {
      ok: true;
      title: string;
      actors: { id: string; name: string; kind: Model['actors'][number]['kind'] }[];
      tickHours: number;
      horizonHours: number;
    }
  | { ok: false; message: string };

/** A scenario put on a dialogue's agenda: the files it read, its agenda and the triggers selected. */
export interface ConvenedScenario {
  path: string;
  files: Files;
  agenda: ScenarioAgenda;
  selected: Record<string, string[]>;
}

/**
 * Convening's agendas (each scenario loaded, its actors checked, its agenda derived from 300 pilot
 * runs), or the first problem in the order the scenarios were given: a path not in the workspace, a
 * scenario that does not load (its message), or one without a delegation's actor.
 */
export type ConveneResult =
  | { ok: true; scenarios: ConvenedScenario[] }
  | { ok: false; notFound: string }
  | { ok: false; notRunnable: string }
  | { ok: false; noActor: { path: string; actor: string } };

/** A delegation's prefilled positions and their sources, per agenda scenario. */
export type PrefillResult = {
  positions: Positions;
  sources: Record<string, Record<string, ExpectationSource>>;
}[];

/** Each scenario's interventions (id, title, description), in the order given. */
export type TalksInterventionsResult = { id: string; title: string; description: string }[][];

type ResultOf = {
  validate: ValidateResult;
  detail: DetailResult;
  prepare: PrepareResult;
  describe: { kind: FileKind; title: string };
  analysis: AnalysisResult;
  parameters: ParametersResult;
  actors: ActorsResult;
  /** The first run index in the range with the outcome, -1 if none, null when the scenario no longer compiles. */
  find: number | null;
  trace: TraceResult;
  report: { body: string; type: string; filename: string };
  playbook: string;
  convene: ConveneResult;
  prefill: PrefillResult;
  talksInterventions: TalksInterventionsResult;
  aar: string;
  exerciseBase: ExerciseBase;
  exerciseModel: Model;
};

export type WorkResult<T extends WorkTask> = ResultOf[T['op']];

// Compiled models of recent jobs on this thread, for traces (compiling the Korea library takes tens of
// milliseconds; finding a rare outcome replays one job's model in many tasks). A job's files and
// manifest never change, so its id, hash and arm name its model.
const models = new Map<string, Model | null>();
function modelOf(r: TracedRun, arm?: string): Model | null {
  const key = `${r.id}|${r.manifest.hash}|${arm ?? ''}`;
  let m = models.get(key);
  if (m === undefined) {
    const p = prepareInFiles(r.files, r.manifest.scenarioPath, {
      interventions: arm ? [...r.manifest.interventions, arm] : r.manifest.interventions,
      set: r.manifest.set,
    });
    m = p.model ?? null;
    models.set(key, m);
    if (models.size > 20) models.delete(models.keys().next().value!);
  }
  return m;
}

/** The validated document with interventions applied, and its source positions (for labels and sources). */
function documentWith(files: Files, path: string, interventions: string[]) {
  const loaded = loadDocument(path, {
    readFile: (p) => (Object.hasOwn(files, p) ? files[p] : undefined),
  });
  if (!loaded.doc) return undefined;
  if (!interventions.length) return { doc: loaded.doc, locations: loaded.locations };
  const a = applyInterventions(loaded.doc, interventions, loaded.locations);
  return a.doc ? { doc: a.doc, locations: a.locations } : undefined;
}

/** The manifest fields of an analysis of `kind` with validated options, on the scenario at `path`. */
function analysisManifest(task: Extract<WorkTask, { op: 'analysis' }>): AnalysisResult {
  const snapshot: Files = {};
  const prepare = preparerIn(task.files, task.path, {}, snapshot);
  const manifest = ANALYSES[task.kind].manifest as (
    p: typeof prepare,
    o: unknown,
    engine: string,
  ) => ManifestFields<AnalysisKind>;
  try {
    // The design is checked (and its work counted) by opening the job once.
    return { ok: true, fields: manifest(prepare, task.options, ENGINE_VERSION), snapshot };
  } catch (e) {
    if (e instanceof NotRunnableError)
      return { ok: false, notRunnable: { what: e.what, diagnostics: e.diagnostics } };
    if (e instanceof RangeError) return { ok: false, invalid: e.message };
    throw e;
  }
}

/** Convening's agendas: what `TalksRoom.convene` computed on the server's thread, in the same order. */
function convene(task: Extract<WorkTask, { op: 'convene' }>): ConveneResult {
  const scenarios: ConvenedScenario[] = [];
  for (const path of task.paths) {
    if (!Object.hasOwn(task.files, path)) return { ok: false, notFound: path };
    let base: ReturnType<typeof loadBase>;
    try {
      base = loadBase(task.files, path);
    } catch (e) {
      return { ok: false, notRunnable: (e as Error).message };
    }
    for (const actor of task.actors)
      if (!base.model.actors.some((x) => x.id === actor)) return { ok: false, noActor: { path, actor } };
    const agenda = deriveAgenda(base, task.actors, { pilotRuns: 300, seed: 1 });
    const selected: Record<string, string[]> = {};
    for (const [a, ts] of Object.entries(agenda.triggers))
      selected[a] = ts.filter((t) => t.frequency > 0 || t.doctrine.kind === 'choose').map((t) => t.id);
    scenarios.push({ path, files: base.snapshot, agenda, selected });
  }
  return { ok: true, scenarios };
}

/** Does one task (on whatever thread calls it). */
export function doWork(task: WorkTask): unknown {
  switch (task.op) {
    case 'validate': {
      const v = validateInFiles(task.files, task.path);
      const p = v.kind === 'scenario' ? prepareInFiles(task.files, task.path) : undefined;
      return { diagnostics: v.diagnostics, hash: p?.hash ?? null, kind: v.kind } satisfies ValidateResult;
    }
    case 'detail': {
      if (task.kind === 'library')
        return {
          diagnostics: validateInFiles(task.files, task.path).diagnostics,
          interventions: [],
        } satisfies DetailResult;
      const p = prepareInFiles(task.files, task.path);
      const interventions = Object.entries(p.doc?.interventions ?? {}).map(([id, iv]) => ({
        id,
        title: iv.title ?? id,
      }));
      return { diagnostics: p.diagnostics, interventions } satisfies DetailResult;
    }
    case 'prepare': {
      const p = prepareInFiles(task.files, task.path, {
        ...(task.interventions ? { interventions: task.interventions } : {}),
        ...(task.set ? { set: task.set } : {}),
      });
      return {
        compiled: p.model !== undefined,
        hash: p.hash,
        diagnostics: p.diagnostics,
        snapshot: p.snapshot,
      } satisfies PrepareResult;
    }
    case 'describe':
      return describeFile(task.yaml, task.path);
    case 'analysis':
      return analysisManifest(task);
    case 'parameters': {
      const d = documentWith(task.files, task.path, task.interventions);
      if (!d) return null satisfies ParametersResult;
      return scenarioAssumptions(d.doc, {
        locations: d.locations,
        readText: (f) => (Object.hasOwn(task.files, f) ? task.files[f] : undefined),
      }) satisfies ParametersResult;
    }
    case 'actors': {
      let base: ReturnType<typeof loadBase>;
      try {
        base = loadBase(task.files, task.path);
      } catch (e) {
        return { ok: false, message: e instanceof Error ? e.message : String(e) } satisfies ActorsResult;
      }
      const m = base.model;
      return {
        ok: true,
        title: base.doc.title,
        actors: m.actors.map((a) => ({ id: a.id, name: a.name, kind: a.kind })),
        tickHours: m.tickHours,
        horizonHours: m.horizon * m.tickHours,
      } satisfies ActorsResult;
    }
    case 'find': {
      const m = modelOf(task.run, task.arm);
      return m ? findRun(m, task.run.manifest.seed, task.outcome, task.from, task.limit) : null;
    }
    case 'trace': {
      const m = modelOf(task.run, task.arm);
      if (!m) return null satisfies TraceResult;
      const t = traceRun(m, task.run.manifest.seed, task.index);
      return {
        run: task.index,
        seed: task.run.manifest.seed,
        outcome: t.outcome,
        peak: t.peak,
        actors: m.actors.map((a) => a.id),
        types: m.typeIds,
        rungs: m.rungIds,
        tickHours: m.tickHours,
        interventions: m.interventions,
        trace: t.trace,
      } satisfies TraceResult;
    }
    case 'report':
      return reportDownload(task.run, task.format);
    case 'playbook':
      return task.format === 'md' ? playbookMarkdown(task.input) : playbookHtml(task.input);
    case 'convene':
      return convene(task);
    case 'prefill':
      return task.scenarios.map((s) =>
        prefillPositions(loadBase(s.files, s.path), s.agenda, task.actor, task.parties),
      ) satisfies PrefillResult;
    case 'talksInterventions':
      return task.scenarios.map((s) =>
        Object.entries(loadBase(s.files, s.path).doc.interventions).map(([id, iv]) => ({
          id,
          title: iv.title,
          description: iv.description ?? '',
        })),
      ) satisfies TalksInterventionsResult;
    case 'aar':
      return task.format === 'md' ? aarMarkdown(task.aar) : aarHtml(task.aar);
    case 'exerciseBase':
      return loadExerciseBase(task.scenario) satisfies ExerciseBase;
    case 'exerciseModel':
      return compileDoc(task.doc, [], task.path).model satisfies Model;
  }
}
