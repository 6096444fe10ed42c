import { execute } from '../../analysis/kernel/executor.ts';
import { checkOptions, SensitivityOptionsSchema } from '../../analysis/options.ts';
import { progressOf, SensitivityJob } from '../../analysis/sensitivity.ts';
import { ENGINE_VERSION } from '../../engine/model.ts';
import {
  analysisOptions,
  docOf,
  type ExecutionOpts,
  loadScenarioFile,
  manifestOf,
  modelOf,
  numberOption,
  type OutputOpts,
  printAnalysis,
  reportOf,
  runAnalysis,
  userErrors,
} from '../analysis.ts';
import { renderSensitivity } from '../analysis-report.ts';
import type { Registrar } from '../main.ts';
import { collect, nonNegativeInt, positiveInt } from '../options.ts';

interface SensitivityOpts extends ExecutionOpts, OutputOpts {
  with: string[];
  seed: number;
  metric: string;
  tornadoRuns: number;
  low: number;
  high: number;
  samples: number;
  runs: number;
  bootstrap: number;
  only: string[];
}

export const registerSensitivity: Registrar = (program, io) => {
  const cmd = program
    .command('sensitivity')
    .description(
      'sensitivity of a metric to every uncertain parameter: one at a time (tornado) and variance-based (Sobol first-order and total indices)',
    )
    .argument('<file>', 'scenario file')
    .option('-w, --with <intervention>', 'apply an intervention first (repeatable)', collect, [])
    .option('-s, --seed <seed>', 'seed', nonNegativeInt, 1)
    .option('-m, --metric <id>', 'warOrWorse, war, nuclearUse, resolved, horizon or peak>=RUNG', 'warOrWorse')
    .option('--tornado-runs <n>', 'paired runs at each end of a tornado bar', positiveInt, 5000)
    .option('--low <q>', 'quantile of the low end', numberOption, 0.05)
    .option('--high <q>', 'quantile of the high end', numberOption, 0.95)
    .option('--samples <n>', 'Sobol base sample size N (0: tornado only)', nonNegativeInt, 32)
    .option('--runs <n>', 'runs per Sobol design point', positiveInt, 500)
    .option('--bootstrap <n>', 'bootstrap replicates of the Sobol intervals', positiveInt, 500)
    .option('--only <path>', 'restrict to these parameters (repeatable)', collect, []);
  analysisOptions(cmd).action(
    async (file: string, o: SensitivityOpts, c: { parent?: { rawArgs?: string[] } | null }) => {
      // The same settings and limits as the workbench's API.
      userErrors(() =>
        checkOptions(
          SensitivityOptionsSchema,
          {
            interventions: o.with,
            seed: o.seed,
            metric: o.metric,
            tornadoRuns: o.tornadoRuns,
            low: o.low,
            high: o.high,
            samples: o.samples,
            runsPerPoint: o.runs,
            bootstrap: o.bootstrap,
            only: o.only,
          },
          {
            interventions: '--with',
            seed: '--seed',
            metric: '--metric',
            tornadoRuns: '--tornado-runs',
            low: '--low',
            high: '--high',
            samples: '--samples',
            runsPerPoint: '--runs',
            bootstrap: '--bootstrap',
            only: '--only',
          },
        ),
      );
      const s = loadScenarioFile(io, file);
      modelOf(io, s, o.with);
      const d = docOf(io, s, o.with);
      const { result: report, timing } = await runAnalysis(io, 'sensitivity', o, (executor, tick) => {
        const job = new SensitivityJob(
          d.doc,
          { hash: d.hash, interventions: d.applied, engine: ENGINE_VERSION },
          {
            seed: o.seed,
            metric: o.metric,
            tornadoRuns: o.tornadoRuns,
            quantiles: [o.low, o.high],
            samples: o.samples,
            runs: o.runs,
            bootstrap: o.bootstrap,
            only: o.only,
          },
        );
        const onProgress = progressOf(job, { onProgress: tick });
        return execute(job, executor, { onProgress });
      });
      printAnalysis(
        io,
        o,
        report,
        timing,
        () =>
          reportOf(
            io,
            {
              kind: 'sensitivity',
              title: `Sensitivity: ${s.loaded.doc.title}`,
              manifest: manifestOf(s, c.parent?.rawArgs ?? [], {
                hash: d.hash,
                seed: o.seed,
                runs: null,
                interventions: d.applied,
                settings: {
                  metric: report.metric.id,
                  'tornado runs per end': o.tornadoRuns,
                  'Sobol N': o.samples,
                  'runs per design point': o.runs,
                },
              }),
              sensitivity: report,
            },
            d.doc,
            d.locations,
            o.with,
          ),
        renderSensitivity,
      );
    },
  );
};
