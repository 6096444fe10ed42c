import { progressOf, type SensitivityJob } from '../../analysis/sensitivity.ts';
import { analysisCommand } from '../analysis-command.ts';
import { renderSensitivity } from '../analysis-report.ts';

export const registerSensitivity = analysisCommand({
  kind: 'sensitivity',
  description:
    'sensitivity of a metric to every uncertain parameter: one at a time (tornado) and variance-based (Sobol first-order and total indices)',
  flags: {
    interventions: { flags: '-w, --with <intervention>', help: 'apply an intervention first (repeatable)' },
    seed: { flags: '-s, --seed <seed>', help: 'seed' },
    metric: {
      flags: '-m, --metric <id>',
      help: 'warOrWorse, war, nuclearUse, resolved, horizon or peak>=RUNG',
    },
    tornadoRuns: { flags: '--tornado-runs <n>', help: 'paired runs at each end of a tornado bar' },
    low: { flags: '--low <q>', help: 'quantile of the low end' },
    high: { flags: '--high <q>', help: 'quantile of the high end' },
    samples: { flags: '--samples <n>', help: 'Sobol base sample size N (0: tornado only)' },
    runsPerPoint: { flags: '--runs <n>', help: 'runs per Sobol design point' },
    bootstrap: { flags: '--bootstrap <n>', help: 'bootstrap replicates of the Sobol intervals' },
    only: { flags: '--only <path>', help: 'restrict to these parameters (repeatable)' },
  },
  progress: (job, tick) => progressOf(job as SensitivityJob, { onProgress: tick }),
  reportFields: (o, report, doc) => {
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
        'runs per design point': o.runsPerPoint,
      },
      doc: d,
      shown: o.interventions,
    };
  },
  render: renderSensitivity,
});
