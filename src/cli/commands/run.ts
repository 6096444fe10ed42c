import { z } from 'zod';
import { type Aggregate, EnsembleJob, summarize } from '../../analysis/ensemble.ts';
import { openEpistemicRun } from '../../analysis/epistemic.ts';
import { execute } from '../../analysis/kernel/executor.ts';
import { sourceOf } from '../../analysis/kernel/task.ts';
import { attributeMisperceptions, ensembleWithReplays, pathTree, sankeyFloor } from '../../analysis/paths.ts';
import { ANALYSES, rareJob, rareSettingsOf } from '../../analysis/registry.ts';
import type { ReportData } from '../../analysis/report/index.ts';
import { bundledBaseRates } from '../../calibration/bundled.ts';
import { sanityPanel } from '../../calibration/violence.ts';
import { ENGINE_VERSION, type Model } from '../../engine/model.ts';
import {
  analysisOptions,
  docOf,
  emitReport,
  loadScenarioFile,
  manifestOf,
  preparedOf,
  progress,
  reportOf,
  runAnalysis,
} from '../analysis.ts';
import { flagRows, schemaFlags } from '../analysis-command.ts';
import { renderAttribution, renderEpistemicRun, renderRare } from '../analysis-report.ts';
import { UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import { collect, drawCount, EPISTEMIC_HELP, estimatorOption, parseSets, positiveInt } from '../options.ts';
import { renderRunReport, renderSanity } from '../report.ts';

function rungOf(m: Model, ref: string): number {
  const k = /^\d+$/.test(ref) ? Number(ref) : m.rungIds.indexOf(ref);
  if (k < 1 || k >= m.rungIds.length)
    throw new UserError(`--target: no rung '${ref}'; rungs: ${m.rungIds.join(', ')}`);
  return k;
}

/**
 * The flags of `brink run`: the ensemble's options (the body of `POST …/runs`) and the rare-event
 * estimate's (the body of `POST …/analyses/rare`), from the registry's schemas, with their defaults and
 * limits; the estimator is optional here (without it, an ensemble), and crude Monte Carlo takes --runs.
 */
const RunFlagsSchema = z.object({
  ...ANALYSES.run.options.shape,
  // `--set` also takes a distribution or {param: name} as JSON (the API's body: numbers, strings and
  // booleans only); the scenario's diagnostics check each value where it is applied.
  set: z.record(z.string().min(1).max(200), z.unknown()).default({}),
  ...ANALYSES.rare.options.pick({
    target: true,
    particles: true,
    replicates: true,
    ceRuns: true,
    isRuns: true,
  }).shape,
  estimator: ANALYSES.rare.options.shape.estimator.optional(),
});

/** The command's own flags besides the schema's. */
interface CommandOpts {
  paths: number;
  json?: boolean;
  counterfactual?: boolean;
  report?: string;
  format?: 'md' | 'csv';
  workers?: number;
  queue?: string;
  queueTimeout?: number;
  shardSize?: number;
}

type RunOpts = z.output<typeof RunFlagsSchema> & CommandOpts;

export const registerRun: Registrar = (program, io) => {
  const cmd = program
    .command('run')
    .description('run a scenario many times and report exceedance, outcomes, paths and misperception')
    .argument('<file>', 'scenario file (YAML or JSON)');
  const optionsOf = schemaFlags(cmd, RunFlagsSchema, {
    ...flagRows([
      ['runs', '-n, --runs <n>', 'number of runs'],
      ['seed', '-s, --seed <seed>', 'seed (recorded in the output)'],
      ['interventions', '-w, --with <intervention>', 'apply an intervention (repeatable; a+b combines)'],
    ]),
    set: {
      flags: '--set <path=value>',
      help: 'override a parameter, e.g. talks.eu.rounds=3 (repeatable)',
      parse: collect,
      default: [],
      convert: (v: string[]) => parseSets(v),
    },
    paths: {
      flags: '--paths <k>',
      help: 'how many escalation paths to list',
      parse: positiveInt,
      default: 8,
    },
    estimator: {
      flags: '--estimator <kind>',
      help: 'rare-event estimate of P(peak >= --target): crude, ams (adaptive multilevel splitting) or is (cross-entropy importance sampling)',
      parse: estimatorOption,
    },
    ...flagRows([
      ['target', '--target <rung>', 'rare event: peak at or above this rung (default: nuclear use)'],
      ['particles', '--particles <n>', 'ams: particles per replicate'],
      ['replicates', '--replicates <n>', 'ams: independent replicates (their spread gives the interval)'],
      ['ceRuns', '--ce-runs <n>', 'is: runs per cross-entropy iteration'],
      ['isRuns', '--is-runs <n>', 'is: runs of the final estimate'],
    ]),
    epistemic: { flags: '--epistemic <n>', help: EPISTEMIC_HELP, parse: drawCount, default: null },
    counterfactual: {
      flags: '--counterfactual',
      help: 'replay each war run without the misperception its chain began with',
    },
    shardSize: {
      flags: '--shard-size <n>',
      help: 'runs per shard (default: from runs and workers; numbers do not depend on it)',
      parse: positiveInt,
    },
  });
  analysisOptions(cmd).action(
    async (
      file: string,
      flags: CommandOpts & Record<string, unknown>,
      cmd: { parent?: { rawArgs?: string[] } | null },
    ) => {
      const o: RunOpts = { ...flags, ...optionsOf(flags) };
      const argv = (cmd.parent?.rawArgs ?? []).slice(0);
      const s = loadScenarioFile(io, file);
      const { model, doc } = preparedOf(io, s, o.interventions, o.set);
      const started = performance.now();
      const manifest = (settings: Record<string, string | number> = {}) =>
        manifestOf(s, argv, {
          hash: model.hash,
          seed: o.seed,
          runs: o.runs,
          interventions: model.interventions,
          settings: o.epistemic ? { 'parameter draws': o.epistemic, ...settings } : settings,
        });
      // `--report` and `--format`: the report file of the scenario with --with applied.
      const emit = (data: Omit<ReportData, 'kind' | 'assumptions' | 'interventions'>) =>
        emitReport(
          io,
          () => {
            const d = docOf(io, s, o.interventions);
            return reportOf(io, { kind: 'run', ...data }, d.doc, d.locations, o.interventions);
          },
          o,
        );

      if (o.estimator && o.epistemic)
        throw new UserError(
          '--epistemic does not combine with --estimator (a band of rare-event estimates is not built yet)',
        );
      if (o.estimator) {
        if (o.target) rungOf(model, o.target);
        const rareSettings = rareSettingsOf({ ...o, estimator: o.estimator });
        const prepared = { doc, model, hash: model.hash, source: sourceOf(doc, model) };
        const { result, timing } = await runAnalysis(io, `${o.estimator}`, o, (executor) =>
          execute(rareJob(prepared, { seed: o.seed, engine: ENGINE_VERSION, rare: rareSettings }), executor),
        );
        const rare = result[0]!;
        const used = emit({
          title: `Rare-event estimate: ${s.loaded.doc.title}`,
          manifest: manifest({ estimator: o.estimator!, target: rare.target.id }),
          rare,
        });
        if (o.json)
          io.out(
            `${JSON.stringify({ scenario: { id: model.id, hash: model.hash }, engine: ENGINE_VERSION, seed: o.seed, interventions: model.interventions, ...rare, timing }, null, 2)}\n`,
          );
        else if (!used) io.out(renderRare(rare));
        return;
      }

      const replay = Boolean(o.counterfactual || o.report);
      let agg: Aggregate;
      let counterfactual = null;
      let execution: Record<string, unknown> = { workers: 1 };
      if (replay) {
        const p = progress(io, 'running');
        const r = ensembleWithReplays(model, {
          seed: o.seed,
          runs: o.runs,
          replay: true,
          onProgress: p.tick,
        });
        p.done();
        agg = r.agg;
        counterfactual = r.counterfactual;
      } else {
        // Worker threads here, or `brink worker` processes through Redis: the same numbers.
        const source = sourceOf(doc, model);
        const r = await runAnalysis(io, 'running', o, (executor, tick) =>
          execute(
            new EnsembleJob(source, model, {
              seed: o.seed,
              runs: o.runs,
              engine: ENGINE_VERSION,
              shardSize: o.shardSize,
            }),
            executor,
            { onProgress: tick },
          ),
        );
        agg = r.result;
        const { seconds: _s, ...where } = r.timing;
        execution = where;
      }
      // The parameter-uncertainty band: N draws of the uncertain parameters, --runs runs each.
      let epistemic = null;
      if (o.epistemic) {
        const r = await runAnalysis(io, 'parameter draws', o, (executor, tick) =>
          execute(
            openEpistemicRun(
              doc,
              { hash: model.hash, interventions: model.interventions, engine: ENGINE_VERSION },
              { seed: o.seed, runs: o.runs, draws: o.epistemic! },
            ),
            executor,
            { onProgress: tick },
          ),
        );
        epistemic = r.result;
      }
      const seconds = (performance.now() - started) / 1000;
      const report = summarize(model, agg, { seed: o.seed, engine: ENGINE_VERSION, topPaths: o.paths });
      // The sanity panel: the baseline against ICB's base rates for the scenario's trigger type.
      const sanity = sanityPanel(model, agg, doc.trigger, bundledBaseRates());
      const attribution = attributeMisperceptions(model, agg);
      const tree = pathTree(model, agg, { minPeak: sankeyFloor(model, agg), minShare: 0.01 });
      const used = emit({
        title: `Ensemble: ${s.loaded.doc.title}`,
        manifest: manifest(),
        run: report,
        paths: tree,
        attribution,
        counterfactual,
        ...(epistemic ? { epistemic } : {}),
      });
      if (o.json) {
        io.out(
          `${JSON.stringify(
            {
              ...report,
              sanity,
              attribution,
              ...(counterfactual ? { counterfactual } : {}),
              pathTree: tree,
              ...(epistemic ? { epistemic } : {}),
              timing: { seconds, runsPerSecond: o.runs / seconds, ...execution },
            },
            null,
            2,
          )}\n`,
        );
      } else if (!used) {
        io.out(renderRunReport(report, { seconds }) + renderSanity(sanity));
        if (epistemic) io.out(`\n${renderEpistemicRun(report, epistemic)}`);
        if (attribution.causes.length) io.out(`\n${renderAttribution(attribution, counterfactual)}`);
      }
    },
  );
};
