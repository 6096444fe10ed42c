import { paramTarget } from '../../analysis/design.ts';
import { rangeOption } from '../analysis.ts';
import { analysisCommand, metricFlag, runsFlag, SEED_FLAG } from '../analysis-command.ts';
import { renderBreakeven } from '../analysis-report.ts';
import { drawCount, EPISTEMIC_HELP } from '../options.ts';

export const registerBreakeven = analysisCommand({
  kind: 'breakeven',
  description:
    'find the parameter value at which an intervention stops lowering P(war) (paired, with a bootstrap interval)',
  flags: {
    with: {
      flags: '-w, --with <intervention>',
      help: 'the intervention (a+b combines)',
      required: 'breakeven needs --with INTERVENTION',
    },
    param: {
      flags: '-p, --param <path>',
      help: 'dotted path of the parameter, e.g. talks.eu-hosted.leak.DPRK.p',
      required: 'breakeven needs --param PATH (a dotted path as --set accepts it)',
    },
    range: {
      flags: '--range <lo..hi>',
      help: 'range to search (default: the distribution support, or 0..1)',
      parse: rangeOption,
    },
    runs: runsFlag('paired runs per point'),
    seed: SEED_FLAG,
    grid: { flags: '--grid <k>', help: 'grid points over the range' },
    bisect: { flags: '--bisect <k>', help: 'bisection steps inside the bracket' },
    metric: metricFlag('warOrWorse, war, nuclearUse or peak>=RUNG'),
    epistemic: {
      flags: '--epistemic <n>',
      help: `${EPISTEMIC_HELP}; the grid again at each draw`,
      parse: drawCount,
      default: null,
    },
  },
  reportFields: (o, report, doc) => {
    const alt = doc([o.with]);
    return {
      title: `Break-even of ${o.with}: ${doc([]).doc.title}`,
      hash: doc([]).hash,
      runs: o.runs,
      interventions: alt.applied,
      settings: {
        parameter: o.param,
        metric: report.metric.id,
        ...(o.epistemic ? { 'parameter draws': o.epistemic } : {}),
      },
      doc: alt,
      shown: [o.with],
      extra: [paramTarget(alt.doc, o.param)],
    };
  },
  render: renderBreakeven,
});
