// Shared steps of the analysis commands: loading a scenario once (document, source positions, models
// with interventions), progress on stderr, and writing JSON, Markdown, CSV or an HTML report.
import { type Command, InvalidArgumentError } from 'commander';
import type { ParamTarget } from '../analysis/design.ts';
import type { Executor } from '../analysis/kernel/executor.ts';
import { type ModelSource, sourceOf } from '../analysis/kernel/task.ts';
import { defaultWorkers, withThreads } from '../analysis/parallel.ts';
import {
  csvReport,
  htmlReport,
  interventionInfo,
  type Manifest,
  markdownReport,
  type ReportData,
  scenarioAssumptions,
} from '../analysis/report/index.ts';
import {
  type ClientOptions,
  DEFAULT_QUEUE_TIMEOUT_MS,
  QueueError,
  redactUrl,
  ShardQueueClient,
} from '../distributed/queue.ts';
import type { Model } from '../engine/model.ts';
import { ENGINE_VERSION } from '../engine/model.ts';
import { hasErrors } from '../scenario/diagnostics.ts';
import {
  applyInterventions,
  contentHash,
  type Loaded,
  loadDocument,
  prepareLoaded,
} from '../scenario/index.ts';
import type { Locations } from '../scenario/parse.ts';
import type { Scenario } from '../scenario/schema.ts';
import { absolute, type Io, UserError } from './io.ts';
import { featureSets, positiveInt, printDiagnostics, redisUrl, workerCount } from './options.ts';

export interface ScenarioFile {
  file: string;
  abs: string;
  loaded: Loaded & { doc: Scenario };
}

/** Loads and validates a scenario file; prints diagnostics; throws when it cannot be run. */
export function loadScenarioFile(io: Io, file: string): ScenarioFile {
  const abs = absolute(io, file);
  const loaded = loadDocument(abs, { readFile: io.readFile });
  printDiagnostics(io, loaded.diagnostics, file, abs);
  if (!loaded.doc || hasErrors(loaded.diagnostics)) {
    if (loaded.kind === 'library')
      throw new UserError(`${file}: a library (kind: library) is meant to be extended, not run`);
    throw new UserError(
      `${file}: not runnable (${loaded.diagnostics.filter((d) => d.severity === 'error').length} errors)`,
    );
  }
  return { file, abs, loaded: loaded as Loaded & { doc: Scenario } };
}

/** The compiled model with interventions and overrides; diagnostics printed; throws on errors. */
export function modelOf(
  io: Io,
  s: ScenarioFile,
  interventions: string[],
  set: Record<string, unknown> = {},
): Model {
  return preparedOf(io, s, interventions, set).model;
}

/** The compiled model and the document it was compiled from (interventions and overrides applied). */
export function preparedOf(
  io: Io,
  s: ScenarioFile,
  interventions: string[],
  set: Record<string, unknown> = {},
): { model: Model; doc: Scenario } {
  const res = prepareLoaded(
    s.loaded,
    { interventions, set: { ...featureSets(s.loaded.doc, s.file), ...set } },
    s.abs,
  );
  const shown = res.diagnostics.filter((d) => !s.loaded.diagnostics.includes(d));
  printDiagnostics(io, shown, s.file, s.abs);
  if (!res.model || !res.doc || hasErrors(res.diagnostics)) {
    throw new UserError(
      `${s.file}${interventions.length ? ` with ${interventions.join(', ')}` : ''}: not runnable (${res.diagnostics.filter((d) => d.severity === 'error').length} errors)`,
    );
  }
  return { model: res.model, doc: res.doc };
}

/** A scenario compiled for a command, with what worker threads and remote workers rebuild it from. */
export interface LoadedModel {
  model: Model;
  hash: string;
  file: string;
  /** The compiled document (interventions and overrides applied). */
  doc: Scenario;
  source: ModelSource;
}

/** `loadScenarioFile` then `preparedOf`: diagnostics printed; throws when it cannot be run. */
export function loadModel(
  io: Io,
  file: string,
  interventions: string[],
  set: Record<string, unknown>,
): LoadedModel {
  const { model, doc } = preparedOf(io, loadScenarioFile(io, file), interventions, set);
  return { model, hash: model.hash, file, doc, source: sourceOf(doc, model) };
}

/** The validated document with interventions applied, its source positions and content hash. */
export function docOf(
  io: Io,
  s: ScenarioFile,
  interventions: string[],
): { doc: Scenario; locations: Locations; hash: string; applied: string[] } {
  if (interventions.length === 0)
    return {
      doc: s.loaded.doc,
      locations: s.loaded.locations,
      hash: s.loaded.hash ?? contentHash(s.loaded.doc),
      applied: [],
    };
  const r = applyInterventions(s.loaded.doc, interventions, s.loaded.locations);
  if (!r.doc) {
    printDiagnostics(io, r.diagnostics, s.file, s.abs);
    throw new UserError(`${s.file}: cannot apply ${interventions.join(', ')}`);
  }
  return { doc: r.doc, locations: r.locations, hash: contentHash(r.doc), applied: r.applied };
}

/** Turns a RangeError from an analysis function into a user error (one line, no stack). */
export function userErrors<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) throw new UserError(e.message);
    throw e;
  }
}

/** Where an analysis command computes: `--workers N` threads here, or `--queue URL`'s workers. */
export interface ExecutionOpts {
  workers?: number;
  queue?: string;
  /** Seconds an unreachable Redis is waited for before `--queue` gives up. */
  queueTimeout?: number;
}

/** The producer's side of `--queue`: its URL, its deadline, and its `brink:` lines on stderr. */
export function queueClientOptions(io: Io, o: ExecutionOpts & { queue: string }): ClientOptions {
  return {
    url: o.queue,
    timeoutMs: (o.queueTimeout ?? DEFAULT_QUEUE_TIMEOUT_MS / 1000) * 1000,
    log: (line) => io.err(`brink: ${line}\n`),
  };
}

/** What an analysis command prints: `--report FILE.html`, `--format md|csv`, `--json`. */
export interface OutputOpts {
  json?: boolean;
  report?: string;
  format?: 'md' | 'csv';
}

/** Adds the options every analysis command ends with: --report, --format, --workers, --queue, --json. */
export function analysisOptions(cmd: Command): Command {
  return executionOptions(
    cmd
      .option('--report <file.html>', 'write a self-contained HTML report')
      .option('--format <fmt>', 'print md or csv instead of the table', formatOption),
  ).option('--json', 'print one JSON object on stdout');
}

/** Adds where a command computes (`ExecutionOpts`): --workers, --queue, --queue-timeout. */
export function executionOptions(cmd: Command): Command {
  return cmd
    .option('--workers <n>', 'worker threads (default: the cores; same numbers for any count)', workerCount)
    .option(
      '--queue <url>',
      'compute on `brink worker` processes via Redis (redis://HOST:PORT); same numbers',
      redisUrl,
    )
    .option(
      '--queue-timeout <s>',
      `with --queue: seconds to wait for an unreachable Redis before giving up (default ${DEFAULT_QUEUE_TIMEOUT_MS / 1000})`,
      positiveInt,
    );
}

/** The progress callback an analysis is handed (see `progress`). */
export type Tick = (done: number, total: number, phase?: string) => void;

/**
 * Runs an analysis where `--workers` / `--queue` say: on this thread (one worker), on a pool of worker
 * threads, or on the workers of a Redis queue (the same numbers everywhere), with progress on stderr.
 * Scenario mistakes (RangeError) and an unreachable queue are one-line errors. Returns the result and
 * the `timing` of the JSON output (seconds, and where it ran).
 */
export async function runAnalysis<T>(
  io: Io,
  label: string,
  o: ExecutionOpts,
  f: (executor: Executor, tick: Tick) => Promise<T>,
): Promise<{ result: T; timing: Record<string, unknown> }> {
  const p = progress(io, label);
  const started = performance.now();
  let result: T;
  let execution: Record<string, unknown>;
  try {
    if (o.queue) {
      const client = await ShardQueueClient.open(queueClientOptions(io, { ...o, queue: o.queue }));
      try {
        if ((await client.workers()) === 0) io.err(`brink: ${await client.noWorkersMessage()}\n`);
        result = await f(client, p.tick);
        execution = { queue: redactUrl(o.queue), shards: client.stats.tasks, ...client.stats };
      } finally {
        await client.close();
      }
    } else {
      const workers = o.workers ?? defaultWorkers();
      result = await withThreads(workers, (executor) => f(executor, p.tick));
      execution = { workers };
    }
  } catch (e) {
    if (e instanceof RangeError || e instanceof QueueError) throw new UserError(e.message);
    throw e;
  } finally {
    p.done();
  }
  return { result, timing: { seconds: (performance.now() - started) / 1000, ...execution } };
}

/**
 * Prints an analysis: the report file and Markdown or CSV (`--report`, `--format`), the JSON with its
 * timing (`--json`), or else the table.
 */
export function printAnalysis<R extends object>(
  io: Io,
  o: OutputOpts,
  report: R,
  timing: Record<string, unknown>,
  data: () => ReportData,
  render: (r: R) => string,
): void {
  const used = emitReport(io, data, o);
  if (o.json) io.out(`${JSON.stringify({ ...report, timing }, null, 2)}\n`);
  else if (!used) io.out(render(report));
}

/** A progress callback that redraws one line on stderr when it is a terminal (and after a second). */
export function progress(
  io: Io,
  label: string,
): {
  tick: (done: number, total: number, phase?: string) => void;
  done: () => void;
} {
  const started = performance.now();
  let last = 0;
  let shown = false;
  return {
    tick: (done, total, phase) => {
      if (!io.errIsTty) return;
      const now = performance.now();
      if (now - started < 1000 || now - last < 200) return;
      last = now;
      shown = true;
      const pctDone = total > 0 ? Math.floor((100 * done) / total) : 0;
      const eta = done > 0 ? (((now - started) / done) * (total - done)) / 1000 : 0;
      io.err(
        `\r${label}${phase ? ` (${phase})` : ''}: ${pctDone}% | ${done}/${total} | eta ${eta.toFixed(0)}s   `,
      );
    },
    done: () => {
      if (shown) io.err('\r\x1b[K');
    },
  };
}

export function formatOption(value: string): 'md' | 'csv' {
  if (value !== 'md' && value !== 'csv') throw new InvalidArgumentError('expected md or csv');
  return value;
}

export function numberOption(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('expected a number');
  return n;
}

export function rangeOption(value: string): [number, number] {
  const m = /^(-?[\d.eE+-]+)\.\.(-?[\d.eE+-]+)$/.exec(value);
  if (!m || !Number.isFinite(Number(m[1])) || !Number.isFinite(Number(m[2])))
    throw new InvalidArgumentError('expected LO..HI (e.g. 0..0.3)');
  return [Number(m[1]), Number(m[2])];
}

/** The command line as typed, for the manifest. */
export function commandLine(argv: readonly string[]): string {
  return `brink ${argv.map((a) => (/^[\w./@:=+,-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ')}`;
}

export function manifestOf(
  s: ScenarioFile,
  argv: readonly string[],
  fields: {
    hash: string;
    seed: number;
    runs: number | null;
    interventions: string[];
    settings?: Record<string, string | number>;
  },
): Manifest {
  return {
    command: commandLine(argv),
    scenario: { id: s.loaded.doc.id, title: s.loaded.doc.title, file: s.file, hash: fields.hash },
    engine: ENGINE_VERSION,
    brink: ENGINE_VERSION,
    seed: fields.seed,
    runs: fields.runs,
    interventions: fields.interventions,
    settings: fields.settings ?? {},
  };
}

/** Report data with the assumptions table of `doc` (comments read from the scenario files). */
export function reportOf(
  io: Io,
  base: Omit<ReportData, 'assumptions' | 'interventions'>,
  doc: Scenario,
  locations: Locations,
  interventions: string[],
  extra: ParamTarget[] = [],
): ReportData {
  return {
    ...base,
    assumptions: scenarioAssumptions(doc, { locations, readText: io.readFile, extra }),
    interventions: interventionInfo(doc, interventions),
  };
}

/** Writes `--report FILE.html` and prints `--format md|csv` (instead of the table). True when stdout was used. */
export function emitReport(
  io: Io,
  data: () => ReportData,
  opts: { report?: string; format?: 'md' | 'csv' },
): boolean {
  if (!opts.report && !opts.format) return false;
  const d = data();
  if (opts.report) {
    if (!io.writeFile) throw new UserError('cannot write files here');
    const path = absolute(io, opts.report);
    try {
      io.writeFile(path, htmlReport(d));
    } catch (e) {
      throw new UserError(`cannot write ${opts.report}: ${e instanceof Error ? e.message : String(e)}`);
    }
    io.err(`report written to ${opts.report}\n`);
  }
  if (opts.format === 'md') io.out(markdownReport(d));
  else if (opts.format === 'csv') io.out(csvReport(d));
  return opts.format !== undefined;
}
