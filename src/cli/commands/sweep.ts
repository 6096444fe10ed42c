import { paramTarget } from '../../analysis/design.ts';
import { parseSweepParam } from '../../analysis/sweep.ts';
import { analysisCommand, metricFlag, runsFlag, SEED_FLAG, WITH_FIRST_FLAG } from '../analysis-command.ts';
import { renderSweep } from '../analysis-report.ts';
import { drawCount, EPISTEMIC_HELP } from '../options.ts';

export const registerSweep = analysisCommand({
  kind: 'sweep',
  description: 'run a grid over parameters (common random numbers across cells) with intervals per cell',
  flags: {
    params: {
      flags: '-p, --param <spec>',
      help: 'PATH=LO..HI:STEPS, e.g. talks.eu-hosted.leak.DPRK.p=0..0.2:5 (repeatable: a grid)',
      default: [],
      convert: (specs: string[]) => specs.map(parseSweepParam),
      required: 'sweep needs at least one --param PATH=LO..HI:STEPS',
    },
    interventions: WITH_FIRST_FLAG,
    runs: runsFlag('runs per cell'),
    seed: SEED_FLAG,
    metrics: metricFlag('metric per cell (repeatable; default warOrWorse, war, nuclearUse)'),
    epistemic: { flags: '--epistemic <n>', help: EPISTEMIC_HELP, parse: drawCount, default: null },
  },
  reportFields: (o, report, doc, flags) => {
    const d = doc(o.interventions);
    return {
      title: `Sweep: ${d.doc.title}`,
      hash: d.hash,
      runs: o.runs,
      interventions: d.applied,
      settings: {
        cells: report.cells.length,
        params: (flags.param as string[]).join(' '),
        ...(o.epistemic ? { 'parameter draws': o.epistemic } : {}),
      },
      doc: d,
      shown: o.interventions,
      extra: o.params.map((x) => paramTarget(d.doc, x.path)),
    };
  },
  render: renderSweep,
});
