// An analysis command derived from the analysis registry (src/analysis/registry.ts): its flags are an
// option map over the analysis's zod options schema (defaults, parsers and limits come from the schema;
// the map adds the flag, its help and, where the flag's value differs from the option's, a conversion),
// and it runs the registry's job on the scenario file, then prints its report with a renderer. The same
// options schema validates the workbench's API body, so the CLI and the API accept the same settings.
import type { Command } from 'commander';
import { z } from 'zod';
import type { ParamTarget } from '../analysis/design.ts';
import { runJob } from '../analysis/kernel/executor.ts';
import { sourceOf } from '../analysis/kernel/task.ts';
import { checkOptions } from '../analysis/options.ts';
import {
  ANALYSES,
  type AnalysisKind,
  type PreparedScenario,
  type PrepareWith,
} from '../analysis/registry.ts';
import type { ReportData } from '../analysis/report/index.ts';
import type { ManifestOf } from '../contract/runs.ts';
import { ENGINE_VERSION } from '../engine/model.ts';
import {
  analysisOptions,
  docOf,
  type ExecutionOpts,
  loadScenarioFile,
  manifestOf,
  numberOption,
  type OutputOpts,
  preparedOf,
  printAnalysis,
  reportOf,
  runAnalysis,
  type ScenarioFile,
  type Tick,
  userErrors,
} from './analysis.ts';
import { type Io, UserError } from './io.ts';
import type { Registrar } from './main.ts';
import { collect, nonNegativeInt, positiveInt } from './options.ts';

/** One flag of an analysis command: the option of the schema it sets. */
export interface Flag {
  /** Commander's flags, e.g. `-n, --runs <n>`. */
  flags: string;
  help: string;
  /** Parses one value (default: by the option's type in the schema). */
  parse?: (value: string, previous: never) => unknown;
  /** The default the help shows (default: the schema's; `null`: none). */
  default?: unknown;
  /** Turns the flag's value into the option's (e.g. `PATH=LO..HI:STEPS` into a sweep parameter). */
  convert?: (value: never) => unknown;
  /** The error when the flag is missing or empty (said before the schema's limits). */
  required?: string;
  /** The flag is declared by another option map of the command (one schema per mode): read, not added. */
  declared?: boolean;
}

/** The seed flag, as every analysis command spells it. */
export const SEED_FLAG: Flag = { flags: '-s, --seed <seed>', help: 'seed' };

/** The runs flag of an analysis command, with what its runs are (per arm, per cell, …). */
export const runsFlag = (help: string): Flag => ({ flags: '-n, --runs <n>', help });

/** The metric flag of an analysis command, with the metrics it takes. */
export const metricFlag = (help: string): Flag => ({ flags: '-m, --metric <id>', help });

/** The intervention flag of a command that applies interventions before it varies parameters. */
export const WITH_FIRST_FLAG: Flag = {
  flags: '-w, --with <intervention>',
  help: 'apply an intervention first (repeatable)',
};

/**
 * The flags of an options schema, by option, in the order the help lists them. A flag whose key is not
 * an option of the schema is the command's own (it needs `parse`; the command reads it as it is).
 */
export type FlagMap<S extends z.ZodObject> = { [F in keyof z.input<S>]?: Flag } & Record<string, Flag>;

/** Flags from rows `[option, flags, help]` (flags with no parser or default of their own), in order. */
export function flagRows(rows: readonly (readonly [string, string, string])[]): Record<string, Flag> {
  return Object.fromEntries(rows.map(([option, flags, help]) => [option, { flags, help }]));
}

const unwrap = (t: z.ZodType): z.ZodType =>
  t instanceof z.ZodDefault || t instanceof z.ZodOptional ? unwrap(t.unwrap() as z.ZodType) : t;

/** The parser of a flag from its option's type: whole numbers (> 0 or >= 0), numbers, lists. */
function parserOf(t: z.ZodType): ((value: string, previous: never) => unknown) | undefined {
  const u = unwrap(t);
  if (u instanceof z.ZodArray) return collect;
  if (u instanceof z.ZodNumber) {
    if (!u.isInt) return numberOption;
    return (u.minValue ?? 0) >= 1 ? positiveInt : nonNegativeInt;
  }
  return undefined;
}

/** The schema's default of an option (undefined without one). */
function defaultOf(t: z.ZodType): unknown {
  const r = t.safeParse(undefined);
  return r.success ? r.data : undefined;
}

/**
 * Adds the flags of `map` to `cmd`, and returns what turns the parsed flags into the schema's options:
 * required flags checked, values converted, then the schema's defaults and limits, an error naming the
 * flag as the user wrote it (a `UserError`).
 */
export function schemaFlags<S extends z.ZodObject>(
  cmd: Command,
  schema: S,
  map: FlagMap<S>,
): (flags: Record<string, unknown>) => z.output<S> {
  const fields: { field: string; attr: string; flag: Flag; long: string }[] = [];
  for (const [field, flag] of Object.entries(map) as [string, Flag][]) {
    const type = schema.shape[field] as z.ZodType | undefined;
    const option = cmd.createOption(flag.flags, flag.help);
    if (flag.declared) {
      fields.push({ field, attr: option.attributeName(), flag, long: option.long ?? flag.flags });
      continue;
    }
    const parse = flag.parse ?? (type && parserOf(type));
    if (parse) option.argParser(parse as (value: string, previous: unknown) => unknown);
    const def = flag.default === undefined && type ? defaultOf(type) : flag.default;
    if (def !== undefined && def !== null) option.default(def);
    cmd.addOption(option);
    if (type) fields.push({ field, attr: option.attributeName(), flag, long: option.long ?? flag.flags });
  }
  return (flags) => {
    const values: Record<string, unknown> = {};
    for (const { field, attr, flag } of fields) {
      const v = flags[attr];
      if (flag.required && (v === undefined || (Array.isArray(v) && v.length === 0)))
        throw new UserError(flag.required);
      if (v !== undefined) values[field] = flag.convert ? userErrors(() => flag.convert!(v as never)) : v;
    }
    const names = Object.fromEntries(fields.map((f) => [f.field, f.long]));
    return userErrors(() => checkOptions(schema, values, names));
  };
}

/** The validated document with some interventions applied (as `docOf` gives it). */
type DocOf = ReturnType<typeof docOf>;

/** What an analysis's report file says besides the report: its title, manifest fields and document. */
export interface ReportFields {
  title: string;
  hash: string;
  runs: number | null;
  interventions: string[];
  settings: Record<string, string | number>;
  /** The document whose assumptions the report lists, and the interventions it describes. */
  doc: DocOf;
  shown: string[];
  extra?: ParamTarget[];
  /** Rows shown of the report's long tables (`ReportData.rows`; the command's `--top`). */
  rows?: number;
}

type OptionsOf<K extends AnalysisKind> = z.output<(typeof ANALYSES)[K]['options']>;
type ReportOf<K extends AnalysisKind> = Awaited<
  ReturnType<ReturnType<(typeof ANALYSES)[K]['open']>['finish']>
>;

/** An analysis command: the registry's kind, its flags, and how its report is written and printed. */
export interface AnalysisCommand<K extends AnalysisKind> {
  kind: K;
  description: string;
  flags: FlagMap<(typeof ANALYSES)[K]['options']>;
  /** The report file's title, manifest and document (`doc` gives a document with interventions). */
  reportFields(
    o: OptionsOf<K>,
    report: ReportOf<K>,
    doc: (interventions: string[]) => DocOf,
    flags: Record<string, unknown>,
  ): ReportFields;
  /** The report as text (`flags`: the parsed flags, for the command's own display flags). */
  render(report: ReportOf<K>, flags: Record<string, unknown>): string;
  /** The progress callback of the job, when it has its own (phases); else runs done of the total. */
  progress?(job: unknown, tick: Tick): ((done: number, total: number) => void) | undefined;
}

/** The scenario file prepared as the registry's analyses take it (each set of interventions once). */
function prepareFile(io: Io, s: ScenarioFile): { prepare: PrepareWith; doc: (iv: string[]) => DocOf } {
  const docs = new Map<string, DocOf>();
  const prepared = new Map<string, PreparedScenario>();
  const doc = (iv: string[]) => {
    const key = iv.join('\n');
    if (!docs.has(key)) docs.set(key, docOf(io, s, iv));
    return docs.get(key)!;
  };
  const prepare = (iv: string[]) => {
    const key = iv.join('\n');
    if (!prepared.has(key)) {
      const { model } = preparedOf(io, s, iv);
      const d = doc(iv);
      prepared.set(key, { doc: d.doc, model, hash: d.hash, source: sourceOf(d.doc, model) });
    }
    return prepared.get(key)!;
  };
  return { prepare, doc };
}

/** The registrar of an analysis command. */
export function analysisCommand<K extends AnalysisKind>(spec: AnalysisCommand<K>): Registrar {
  return (program, io) => {
    const def = ANALYSES[spec.kind];
    const cmd = program.command(spec.kind).description(spec.description).argument('<file>', 'scenario file');
    const optionsOf = schemaFlags(cmd, def.options, spec.flags as FlagMap<typeof def.options>);
    analysisOptions(cmd).action(
      async (
        file: string,
        flags: ExecutionOpts & OutputOpts & Record<string, unknown>,
        c: { parent?: { rawArgs?: string[] } | null },
      ) => {
        const o = optionsOf(flags) as OptionsOf<K>;
        const s = loadScenarioFile(io, file);
        const { prepare, doc } = prepareFile(io, s);
        const fields = userErrors(() =>
          (def.manifest as (p: PrepareWith, o: unknown, engine: string) => object)(
            prepare,
            o,
            ENGINE_VERSION,
          ),
        );
        // The job's manifest as the server would store it; a file on disk has no stored version (0) and
        // no `--set` (the analysis commands take none).
        const manifest = {
          ...fields,
          scenarioId: s.loaded.doc.id,
          scenarioPath: file,
          scenarioVersion: 0,
          engine: ENGINE_VERSION,
          set: {},
        } as ManifestOf<K>;
        const { result: report, timing } = await runAnalysis(io, spec.kind, flags, async (executor, tick) => {
          const opened = (def.open as (p: PrepareWith, m: ManifestOf<K>) => ReturnType<typeof def.open>)(
            prepare,
            manifest,
          );
          const onProgress = spec.progress ? spec.progress(opened.job, tick) : tick;
          await runJob(opened.job, executor, { onProgress });
          return (await opened.finish(async () => {})) as ReportOf<K>;
        });
        printAnalysis(
          io,
          flags,
          report as object,
          timing,
          () => reportData(io, s, c.parent?.rawArgs ?? [], spec, o, report as ReportOf<K>, doc, flags),
          (r) => spec.render(r as ReportOf<K>, flags),
        );
      },
    );
  };
}

function reportData<K extends AnalysisKind>(
  io: Io,
  s: ScenarioFile,
  argv: readonly string[],
  spec: AnalysisCommand<K>,
  o: OptionsOf<K>,
  report: ReportOf<K>,
  doc: (iv: string[]) => DocOf,
  flags: Record<string, unknown>,
): ReportData {
  const f = spec.reportFields(o, report, doc, flags);
  return reportOf(
    io,
    {
      kind: spec.kind,
      title: f.title,
      manifest: manifestOf(s, argv, {
        hash: f.hash,
        seed: o.seed,
        runs: f.runs,
        interventions: f.interventions,
        settings: f.settings,
      }),
      [spec.kind]: report,
      ...(f.rows === undefined ? {} : { rows: f.rows }),
    } as Omit<ReportData, 'assumptions' | 'interventions'>,
    f.doc.doc,
    f.doc.locations,
    f.shown,
    f.extra,
  );
}
