import { type Arm, compareRare, PairedComparison } from '../../analysis/compare.ts';
import { openEpistemicCompare, withEpistemic } from '../../analysis/epistemic.ts';
import { execute, runJob } from '../../analysis/kernel/executor.ts';
import { sourceOf } from '../../analysis/kernel/task.ts';
import { CompareOptionsSchema } from '../../analysis/options.ts';
import { attributeMisperceptions, pathTree, sankeyFloor } from '../../analysis/paths.ts';
import { type Estimator, RareJob } from '../../analysis/rare.ts';
import { ENGINE_VERSION } from '../../engine/model.ts';
import type { Scenario } from '../../scenario/schema.ts';
import {
  analysisOptions,
  docOf,
  type ExecutionOpts,
  loadScenarioFile,
  manifestOf,
  type OutputOpts,
  preparedOf,
  printAnalysis,
  reportOf,
  runAnalysis,
} from '../analysis.ts';
import { runsFlag, SEED_FLAG, schemaFlags } from '../analysis-command.ts';
import { renderCompare, renderEpistemicCompare, renderRareCompare } from '../analysis-report.ts';
import { UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import { drawCount, EPISTEMIC_HELP, estimatorOption, positiveInt } from '../options.ts';

interface CompareOpts extends ExecutionOpts, OutputOpts {
  runs: number;
  seed: number;
  with: string[];
  trace: number;
  estimator?: Estimator;
  particles: number;
  replicates: number;
  epistemic?: number;
}

export const registerCompare: Registrar = (program, io) => {
  const cmd = program
    .command('compare')
    .description(
      'compare interventions with the baseline on common random numbers: paired differences per outcome and rung, runs saved and harmed, mechanisms',
    )
    .argument('<file>', 'scenario file');
  // The same settings and limits as the workbench's API.
  const optionsOf = schemaFlags(cmd, CompareOptionsSchema, {
    arms: {
      flags: '-w, --with <intervention>',
      help: 'an intervention or combination a+b to compare (repeatable)',
      default: [],
      required: 'compare needs at least one --with INTERVENTION (a+b combines)',
    },
    runs: runsFlag('runs per arm'),
    seed: SEED_FLAG,
    traceRuns: {
      flags: '--trace <k>',
      help: 'trace up to k saved and k harmed runs to find mechanisms (0: none)',
    },
    estimator: {
      flags: '--estimator <kind>',
      help: 'ams or is: compare P(nuclear use) by a rare-event estimator instead (arms unpaired)',
      parse: estimatorOption,
    },
    particles: {
      flags: '--particles <n>',
      help: 'ams: particles per replicate',
      parse: positiveInt,
      default: 1000,
    },
    replicates: { flags: '--replicates <n>', help: 'ams: replicates', parse: positiveInt, default: 20 },
    epistemic: { flags: '--epistemic <n>', help: EPISTEMIC_HELP, parse: drawCount, default: null },
  });
  analysisOptions(cmd).action(
    async (file: string, o: CompareOpts, c: { parent?: { rawArgs?: string[] } | null }) => {
      optionsOf(o as unknown as Record<string, unknown>);
      const argv = c.parent?.rawArgs ?? [];
      const s = loadScenarioFile(io, file);
      // The models, and what worker threads and remote workers rebuild them from.
      const docs = new Map<string, Scenario>();
      const sourced = (interventions: string[]) => {
        const { model, doc } = preparedOf(io, s, interventions);
        docs.set(interventions.join('+'), doc);
        return { model, source: sourceOf(doc, model) };
      };
      const { model: base, source: baseSource } = sourced([]);
      const arms: Arm[] = o.with.map((label) => ({ label, ...sourced([label]) }));
      if (o.estimator && o.estimator !== 'crude' && o.epistemic)
        throw new UserError('--epistemic does not combine with --estimator ams|is');
      const manifest = (settings: Record<string, string | number>) =>
        manifestOf(s, argv, { hash: base.hash, seed: o.seed, runs: o.runs, interventions: o.with, settings });
      const baseDoc = () => docOf(io, s, []);
      if (o.estimator && o.estimator !== 'crude') {
        const { result: results, timing } = await runAnalysis(io, `compare (${o.estimator})`, o, (executor) =>
          execute(
            new RareJob(
              [baseSource, ...arms.map((a) => a.source!)],
              o.estimator!,
              { seed: o.seed, runs: o.runs, particles: o.particles, replicates: o.replicates },
              ENGINE_VERSION,
            ),
            executor,
          ),
        );
        const rc = compareRare(
          o.estimator,
          arms.map((a) => a.label),
          results,
        );
        const report = {
          scenario: { id: base.id, hash: base.hash },
          engine: ENGINE_VERSION,
          seed: o.seed,
          ...rc,
        };
        printAnalysis(
          io,
          o,
          report,
          { seconds: timing.seconds },
          () =>
            reportOf(
              io,
              {
                kind: 'compare',
                title: `Interventions compared (${o.estimator}): ${s.loaded.doc.title}`,
                manifest: manifest({ estimator: o.estimator! }),
                rareCompare: rc,
              },
              baseDoc().doc,
              baseDoc().locations,
              o.with,
            ),
          () => renderRareCompare(rc),
        );
        return;
      }
      const started = performance.now();
      const { result, timing } = await runAnalysis(io, 'compare', o, (executor, tick) => {
        const c = new PairedComparison({
          base,
          baseSource,
          arms,
          seed: o.seed,
          runs: o.runs,
          traceRuns: o.trace,
          engine: ENGINE_VERSION,
        });
        return runJob(c, executor, { onProgress: tick }).then(() => c);
      });
      const comparison = result;
      // The parameter-uncertainty band: at each draw, the baseline and each arm paired on --runs runs.
      const epistemic = o.epistemic
        ? (
            await runAnalysis(io, 'parameter draws', o, (executor, tick) =>
              execute(
                openEpistemicCompare(
                  docs.get('')!,
                  arms.map((a) => ({
                    label: a.label,
                    doc: docs.get(a.label)!,
                    interventions: a.model.interventions,
                  })),
                  { hash: base.hash, engine: ENGINE_VERSION },
                  { seed: o.seed, runs: o.runs, draws: o.epistemic! },
                ),
                executor,
                { onProgress: tick },
              ),
            )
          ).result
        : null;
      const report = withEpistemic(comparison.report(), epistemic);
      timing.seconds = (performance.now() - started) / 1000;
      // The baseline's paths and attribution for the report: its aggregate is in the comparison's state.
      const agg = comparison.state.base;
      printAnalysis(
        io,
        o,
        report,
        timing,
        () => {
          const d = baseDoc();
          return reportOf(
            io,
            {
              kind: 'compare',
              title: `Interventions compared: ${s.loaded.doc.title}`,
              manifest: manifest({ pairing: 'common random numbers' }),
              run: report,
              paths: pathTree(base, agg, { minPeak: sankeyFloor(base, agg), minShare: 0.01 }),
              attribution: attributeMisperceptions(base, agg),
              compare: report,
            },
            d.doc,
            d.locations,
            o.with,
          );
        },
        (r) => renderCompare(r, file) + (epistemic ? `\n${renderEpistemicCompare(epistemic)}` : ''),
      );
    },
  );
};
