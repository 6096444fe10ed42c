import { openBreakeven } from '../../analysis/breakeven.ts';
import { paramTarget } from '../../analysis/design.ts';
import { execute } from '../../analysis/kernel/executor.ts';
import { ENGINE_VERSION } from '../../engine/model.ts';
import {
  analysisOptions,
  docOf,
  type ExecutionOpts,
  loadScenarioFile,
  manifestOf,
  modelOf,
  type OutputOpts,
  printAnalysis,
  rangeOption,
  reportOf,
  runAnalysis,
} from '../analysis.ts';
import { renderBreakeven } from '../analysis-report.ts';
import { UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import { drawCount, EPISTEMIC_HELP, nonNegativeInt, positiveInt } from '../options.ts';

interface BreakevenOpts extends ExecutionOpts, OutputOpts {
  with?: string;
  param?: string;
  range?: [number, number];
  runs: number;
  seed: number;
  grid: number;
  bisect: number;
  metric: string;
  epistemic?: number;
}

export const registerBreakeven: Registrar = (program, io) => {
  const cmd = program
    .command('breakeven')
    .description(
      'find the parameter value at which an intervention stops lowering P(war) (paired, with a bootstrap interval)',
    )
    .argument('<file>', 'scenario file')
    .option('-w, --with <intervention>', 'the intervention (a+b combines)')
    .option('-p, --param <path>', 'dotted path of the parameter, e.g. talks.eu-hosted.leak.DPRK.p')
    .option('--range <lo..hi>', 'range to search (default: the distribution support, or 0..1)', rangeOption)
    .option('-n, --runs <n>', 'paired runs per point', positiveInt, 20000)
    .option('-s, --seed <seed>', 'seed', nonNegativeInt, 1)
    .option('--grid <k>', 'grid points over the range', positiveInt, 9)
    .option('--bisect <k>', 'bisection steps inside the bracket', nonNegativeInt, 5)
    .option('-m, --metric <id>', 'warOrWorse, war, nuclearUse or peak>=RUNG', 'warOrWorse')
    .option('--epistemic <n>', `${EPISTEMIC_HELP}; the grid again at each draw`, drawCount);
  analysisOptions(cmd).action(
    async (file: string, o: BreakevenOpts, c: { parent?: { rawArgs?: string[] } | null }) => {
      if (!o.with) throw new UserError('breakeven needs --with INTERVENTION');
      if (!o.param) throw new UserError('breakeven needs --param PATH (a dotted path as --set accepts it)');
      const s = loadScenarioFile(io, file);
      modelOf(io, s, [o.with]);
      const base = docOf(io, s, []);
      const alt = docOf(io, s, [o.with]);
      const { result: report, timing } = await runAnalysis(io, 'breakeven', o, (executor, tick) =>
        execute(
          openBreakeven(
            base.doc,
            alt.doc,
            o.param!,
            { hash: base.hash, with: o.with!, interventions: alt.applied, engine: ENGINE_VERSION },
            {
              seed: o.seed,
              runs: o.runs,
              grid: o.grid,
              bisect: o.bisect,
              metric: o.metric,
              ...(o.range ? { range: o.range } : {}),
              ...(o.epistemic ? { epistemic: o.epistemic } : {}),
              onProgress: tick,
            },
          ),
          executor,
        ),
      );
      printAnalysis(
        io,
        o,
        report,
        timing,
        () =>
          reportOf(
            io,
            {
              kind: 'breakeven',
              title: `Break-even of ${o.with}: ${s.loaded.doc.title}`,
              manifest: manifestOf(s, c.parent?.rawArgs ?? [], {
                hash: base.hash,
                seed: o.seed,
                runs: o.runs,
                interventions: alt.applied,
                settings: {
                  parameter: o.param!,
                  metric: report.metric.id,
                  ...(o.epistemic ? { 'parameter draws': o.epistemic } : {}),
                },
              }),
              breakeven: report,
            },
            alt.doc,
            alt.locations,
            [o.with!],
            [paramTarget(alt.doc, o.param!)],
          ),
        renderBreakeven,
      );
    },
  );
};
