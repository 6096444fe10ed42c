import { paramTarget } from '../../analysis/design.ts';
import { execute } from '../../analysis/kernel/executor.ts';
import { metric } from '../../analysis/metrics.ts';
import { openSweep, parseSweepParam, type SweepParam } from '../../analysis/sweep.ts';
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
  reportOf,
  runAnalysis,
  userErrors,
} from '../analysis.ts';
import { renderSweep } from '../analysis-report.ts';
import { UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import { collect, drawCount, EPISTEMIC_HELP, nonNegativeInt, positiveInt } from '../options.ts';

interface SweepOpts extends ExecutionOpts, OutputOpts {
  param: string[];
  runs: number;
  seed: number;
  with: string[];
  metric: string[];
  epistemic?: number;
}

export const registerSweep: Registrar = (program, io) => {
  const cmd = program
    .command('sweep')
    .description('run a grid over parameters (common random numbers across cells) with intervals per cell')
    .argument('<file>', 'scenario file')
    .option(
      '-p, --param <spec>',
      'PATH=LO..HI:STEPS, e.g. talks.eu-hosted.leak.DPRK.p=0..0.2:5 (repeatable: a grid)',
      collect,
      [],
    )
    .option('-w, --with <intervention>', 'apply an intervention first (repeatable)', collect, [])
    .option('-n, --runs <n>', 'runs per cell', positiveInt, 5000)
    .option('-s, --seed <seed>', 'seed', nonNegativeInt, 1)
    .option(
      '-m, --metric <id>',
      'metric per cell (repeatable; default warOrWorse, war, nuclearUse)',
      collect,
      [],
    )
    .option('--epistemic <n>', EPISTEMIC_HELP, drawCount);
  analysisOptions(cmd).action(
    async (file: string, o: SweepOpts, c: { parent?: { rawArgs?: string[] } | null }) => {
      if (o.param.length === 0) throw new UserError('sweep needs at least one --param PATH=LO..HI:STEPS');
      const params: SweepParam[] = userErrors(() => o.param.map(parseSweepParam));
      const s = loadScenarioFile(io, file);
      const model = modelOf(io, s, o.with);
      const d = docOf(io, s, o.with);
      const metrics = o.metric.length ? o.metric : undefined;
      if (metrics) userErrors(() => metrics.map((x) => metric(model, x)));
      const { result: report, timing } = await runAnalysis(io, 'sweep', o, (executor, tick) =>
        execute(
          openSweep(
            d.doc,
            params,
            { hash: d.hash, interventions: d.applied, engine: ENGINE_VERSION },
            {
              seed: o.seed,
              runs: o.runs,
              ...(metrics ? { metrics } : {}),
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
              kind: 'sweep',
              title: `Sweep: ${s.loaded.doc.title}`,
              manifest: manifestOf(s, c.parent?.rawArgs ?? [], {
                hash: d.hash,
                seed: o.seed,
                runs: o.runs,
                interventions: d.applied,
                settings: {
                  cells: report.cells.length,
                  params: o.param.join(' '),
                  ...(o.epistemic ? { 'parameter draws': o.epistemic } : {}),
                },
              }),
              sweep: report,
            },
            d.doc,
            d.locations,
            o.with,
            params.map((x) => paramTarget(d.doc, x.path)),
          ),
        renderSweep,
      );
    },
  );
};
