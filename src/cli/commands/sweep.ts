import { paramTarget } from '../../analysis/design.ts';
import { metric } from '../../analysis/metrics.ts';
import { defaultWorkers } from '../../analysis/parallel.ts';
import { parseSweepParam, type SweepParam, sweepParallel } from '../../analysis/sweep.ts';
import { ENGINE_VERSION } from '../../engine/model.ts';
import {
  docOf,
  emitReport,
  formatOption,
  loadScenarioFile,
  manifestOf,
  modelOf,
  progress,
  reportOf,
  userErrors,
  userErrorsAsync,
  withWorkers,
} from '../analysis.ts';
import { renderSweep } from '../analysis-report.ts';
import { UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import { collect, nonNegativeInt, positiveInt, workerCount } from '../options.ts';

interface SweepOpts {
  param: string[];
  runs: number;
  seed: number;
  with: string[];
  metric: string[];
  json?: boolean;
  report?: string;
  format?: 'md' | 'csv';
  workers?: number;
}

export const registerSweep: Registrar = (program, io) => {
  program
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
    .option('--report <file.html>', 'write a self-contained HTML report')
    .option('--format <fmt>', 'print md or csv instead of the table', formatOption)
    .option('--workers <n>', 'worker threads (default: the cores; same numbers for any count)', workerCount)
    .option('--json', 'print one JSON object on stdout')
    .action(async (file: string, o: SweepOpts, cmd: { parent?: { rawArgs?: string[] } | null }) => {
      if (o.param.length === 0) throw new UserError('sweep needs at least one --param PATH=LO..HI:STEPS');
      const params: SweepParam[] = userErrors(() => o.param.map(parseSweepParam));
      const s = loadScenarioFile(io, file);
      const model = modelOf(io, s, o.with);
      const d = docOf(io, s, o.with);
      const metrics = o.metric.length ? o.metric : undefined;
      if (metrics) userErrors(() => metrics.map((x) => metric(model, x)));
      const p = progress(io, 'sweep');
      const started = performance.now();
      const workers = o.workers ?? defaultWorkers();
      const report = await userErrorsAsync(() =>
        withWorkers(workers, (runner) =>
          sweepParallel(
            d.doc,
            params,
            { hash: d.hash, interventions: d.applied, engine: ENGINE_VERSION },
            {
              seed: o.seed,
              runs: o.runs,
              ...(metrics ? { metrics } : {}),
              onProgress: p.tick,
              ...(runner ? { runner } : {}),
            },
          ),
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
              kind: 'sweep',
              title: `Sweep: ${s.loaded.doc.title}`,
              manifest: manifestOf(s, cmd.parent?.rawArgs ?? [], {
                hash: d.hash,
                seed: o.seed,
                runs: o.runs,
                interventions: d.applied,
                settings: { cells: report.cells.length, params: o.param.join(' ') },
              }),
              sweep: report,
            },
            d.doc,
            d.locations,
            o.with,
            params.map((x) => paramTarget(d.doc, x.path)),
          ),
        o,
      );
      if (o.json) io.out(`${JSON.stringify({ ...report, timing: { seconds, workers } }, null, 2)}\n`);
      else if (!used) io.out(renderSweep(report));
    });
};
