import { type Aggregate, EnsembleJob, summarize } from '../../analysis/ensemble.ts';
import { openEpistemicRun } from '../../analysis/epistemic.ts';
import { execute } from '../../analysis/kernel/executor.ts';
import { sourceOf } from '../../analysis/kernel/task.ts';
import { attributeMisperceptions, ensembleWithReplays, pathTree, sankeyFloor } from '../../analysis/paths.ts';
import type { Estimator } from '../../analysis/rare.ts';
import { rareJob, rareSettingsOf } from '../../analysis/registry.ts';
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
import { renderAttribution, renderEpistemicRun, renderRare } from '../analysis-report.ts';
import { UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import {
  collect,
  drawCount,
  EPISTEMIC_HELP,
  estimatorOption,
  nonNegativeInt,
  parseSets,
  positiveInt,
} from '../options.ts';
import { renderRunReport, renderSanity } from '../report.ts';

function rungOf(m: Model, ref: string): number {
  const k = /^\d+$/.test(ref) ? Number(ref) : m.rungIds.indexOf(ref);
  if (k < 1 || k >= m.rungIds.length)
    throw new UserError(`--target: no rung '${ref}'; rungs: ${m.rungIds.join(', ')}`);
  return k;
}

interface RunOpts {
  runs: number;
  seed: number;
  with: string[];
  set: string[];
  paths: number;
  json?: boolean;
  estimator?: Estimator;
  target?: string;
  particles: number;
  replicates: number;
  ceRuns: number;
  isRuns: number;
  counterfactual?: boolean;
  report?: string;
  format?: 'md' | 'csv';
  workers?: number;
  queue?: string;
  queueTimeout?: number;
  shardSize?: number;
  epistemic?: number;
}

export const registerRun: Registrar = (program, io) => {
  const cmd = program
    .command('run')
    .description('run a scenario many times and report exceedance, outcomes, paths and misperception')
    .argument('<file>', 'scenario file (YAML or JSON)')
    .option('-n, --runs <n>', 'number of runs', positiveInt, 10000)
    .option('-s, --seed <seed>', 'seed (recorded in the output)', nonNegativeInt, 1)
    .option('-w, --with <intervention>', 'apply an intervention (repeatable; a+b combines)', collect, [])
    .option('--set <path=value>', 'override a parameter, e.g. talks.eu.rounds=3 (repeatable)', collect, [])
    .option('--paths <k>', 'how many escalation paths to list', positiveInt, 8)
    .option(
      '--estimator <kind>',
      'rare-event estimate of P(peak >= --target): crude, ams (adaptive multilevel splitting) or is (cross-entropy importance sampling)',
      estimatorOption,
    )
    .option('--target <rung>', 'rare event: peak at or above this rung (default: nuclear use)')
    .option('--particles <n>', 'ams: particles per replicate', positiveInt, 1000)
    .option(
      '--replicates <n>',
      'ams: independent replicates (their spread gives the interval)',
      positiveInt,
      20,
    )
    .option('--ce-runs <n>', 'is: runs per cross-entropy iteration', positiveInt, 2000)
    .option('--is-runs <n>', 'is: runs of the final estimate', positiveInt, 10000)
    .option('--epistemic <n>', EPISTEMIC_HELP, drawCount)
    .option('--counterfactual', 'replay each war run without the misperception its chain began with')
    .option(
      '--shard-size <n>',
      'runs per shard (default: from runs and workers; numbers do not depend on it)',
      positiveInt,
    );
  analysisOptions(cmd).action(
    async (file: string, o: RunOpts, cmd: { parent?: { rawArgs?: string[] } | null }) => {
      const argv = (cmd.parent?.rawArgs ?? []).slice(0);
      const s = loadScenarioFile(io, file);
      const { model, doc } = preparedOf(io, s, o.with, parseSets(o.set));
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
            const d = docOf(io, s, o.with);
            return reportOf(io, { kind: 'run', ...data }, d.doc, d.locations, o.with);
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
        const seconds = timing.seconds as number;
        const used = emit({
          title: `Rare-event estimate: ${s.loaded.doc.title}`,
          manifest: manifest({ estimator: o.estimator!, target: rare.target.id }),
          rare,
        });
        if (o.json)
          io.out(
            `${JSON.stringify({ scenario: { id: model.id, hash: model.hash }, engine: ENGINE_VERSION, seed: o.seed, interventions: model.interventions, ...rare, timing: { seconds } }, null, 2)}\n`,
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
