import { REPORT_ROWS } from '../../analysis/report/rows.ts';
import { progressOf, type SensitivityJob } from '../../analysis/sensitivity.ts';
import { sobolParameters } from '../../analysis/vocabulary.ts';
import { analysisCommand, metricFlag, SEED_FLAG, WITH_FIRST_FLAG } from '../analysis-command.ts';
import { renderSensitivity } from '../analysis-report.ts';
import { nonNegativeInt } from '../options.ts';

export const registerSensitivity = analysisCommand({
  kind: 'sensitivity',
  description:
    'sensitivity of a metric to every uncertain parameter in two stages: one at a time (tornado) over all, then variance-based (Sobol first-order and total indices) over the --sobol-top parameters with the largest tornado swing, the others at nominal',
  flags: {
    interventions: WITH_FIRST_FLAG,
    seed: SEED_FLAG,
    metric: metricFlag('warOrWorse, war, nuclearUse, resolved, horizon or peak>=RUNG'),
    tornadoRuns: { flags: '--tornado-runs <n>', help: 'paired runs at each end of a tornado bar' },
    low: { flags: '--low <q>', help: 'quantile of the low end' },
    high: { flags: '--high <q>', help: 'quantile of the high end' },
    samples: { flags: '--samples <n>', help: 'Sobol base sample size N (0: tornado only)' },
    runsPerPoint: { flags: '--runs <n>', help: 'runs per Sobol design point' },
    bootstrap: { flags: '--bootstrap <n>', help: 'bootstrap replicates of the Sobol intervals' },
    only: { flags: '--only <path>', help: 'restrict to these parameters (repeatable)' },
    sobolTop: {
      flags: '--sobol-top <k>',
      help: 'vary in the Sobol design only the K parameters with the largest tornado swing |P(high) - P(low)|, the others at nominal (0: all)',
    },
    top: {
      flags: '--top <n>',
      help: 'rows of the tornado and Sobol tables shown, largest first (0: all; --json and --format csv keep all)',
      parse: nonNegativeInt,
      default: REPORT_ROWS,
    },
  },
  progress: (job, tick) => progressOf(job as SensitivityJob, { onProgress: tick }),
  reportFields: (o, report, doc, flags) => {
    const d = doc(o.interventions);
    return {
      title: `Sensitivity: ${d.doc.title}`,
      hash: d.hash,
      runs: null,
      interventions: d.applied,
      settings: {
        metric: report.metric.id,
        'tornado runs per end': o.tornadoRuns,
        'Sobol N': o.samples,
        'Sobol parameters': sobolParameters(o.sobolTop, report.params.length),
        'runs per design point': o.runsPerPoint,
      },
      doc: d,
      shown: o.interventions,
      rows: flags.top as number,
    };
  },
  render: (report, flags) => renderSensitivity(report, flags.top as number),
});
