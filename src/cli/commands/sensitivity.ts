import { checkOptions, SensitivityOptionsSchema } from '../../analysis/options.ts';
import { sensitivity } from '../../analysis/sensitivity.ts';
import { ENGINE_VERSION } from '../../engine/model.ts';
import {
  docOf,
  emitReport,
  formatOption,
  loadScenarioFile,
  manifestOf,
  modelOf,
  numberOption,
  progress,
  reportOf,
  userErrors,
} from '../analysis.ts';
import { renderSensitivity } from '../analysis-report.ts';
import type { Registrar } from '../main.ts';
import { collect, nonNegativeInt, positiveInt } from '../options.ts';

interface SensitivityOpts {
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
  json?: boolean;
  report?: string;
  format?: 'md' | 'csv';
}

export const registerSensitivity: Registrar = (program, io) => {
  program
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
    .option('--only <path>', 'restrict to these parameters (repeatable)', collect, [])
    .option('--report <file.html>', 'write a self-contained HTML report')
    .option('--format <fmt>', 'print md or csv instead of the table', formatOption)
    .option('--json', 'print one JSON object on stdout')
    .action((file: string, o: SensitivityOpts, cmd: { parent?: { rawArgs?: string[] } | null }) => {
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
      const p = progress(io, 'sensitivity');
      const started = performance.now();
      const report = userErrors(() =>
        sensitivity(
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
            onProgress: p.tick,
          },
        ),
      );
      p.done();
      const seconds = (performance.now() - started) / 1000;
      const used = emitReport(
        io,
        () =>
          reportOf(
            io,
            {
              kind: 'sensitivity',
              title: `Sensitivity: ${s.loaded.doc.title}`,
              manifest: manifestOf(s, cmd.parent?.rawArgs ?? [], {
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
        o,
      );
      if (o.json) io.out(`${JSON.stringify({ ...report, timing: { seconds } }, null, 2)}\n`);
      else if (!used) io.out(renderSensitivity(report));
    });
};
