import { InvalidArgumentError } from 'commander';
import { type Arm, compareParallel, compareRare } from '../../analysis/compare.ts';
import { defaultWorkers, runEnsembleParallel } from '../../analysis/parallel.ts';
import { attributeMisperceptions, pathTree, sankeyFloor } from '../../analysis/paths.ts';
import { ESTIMATORS, type Estimator } from '../../analysis/rare.ts';
import { ENGINE_VERSION } from '../../engine/model.ts';
import {
  docOf,
  emitReport,
  formatOption,
  loadScenarioFile,
  manifestOf,
  preparedOf,
  progress,
  reportOf,
  userErrors,
  userErrorsAsync,
  withWorkers,
} from '../analysis.ts';
import { renderCompare, renderRareCompare } from '../analysis-report.ts';
import { UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import { collect, nonNegativeInt, positiveInt, workerCount } from '../options.ts';

function estimatorOption(value: string): Estimator {
  if (!(ESTIMATORS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${ESTIMATORS.join(', ')}`);
  return value as Estimator;
}

interface CompareOpts {
  runs: number;
  seed: number;
  with: string[];
  trace: number;
  json?: boolean;
  report?: string;
  format?: 'md' | 'csv';
  estimator?: Estimator;
  particles: number;
  replicates: number;
  workers?: number;
}

export const registerCompare: Registrar = (program, io) => {
  program
    .command('compare')
    .description(
      'compare interventions with the baseline on common random numbers: paired differences per outcome and rung, runs saved and harmed, mechanisms',
    )
    .argument('<file>', 'scenario file')
    .option(
      '-w, --with <intervention>',
      'an intervention or combination a+b to compare (repeatable)',
      collect,
      [],
    )
    .option('-n, --runs <n>', 'runs per arm', positiveInt, 20000)
    .option('-s, --seed <seed>', 'seed', nonNegativeInt, 1)
    .option(
      '--trace <k>',
      'trace up to k saved and k harmed runs to find mechanisms (0: none)',
      nonNegativeInt,
      200,
    )
    .option(
      '--estimator <kind>',
      'ams or is: compare P(nuclear use) by a rare-event estimator instead (arms unpaired)',
      estimatorOption,
    )
    .option('--particles <n>', 'ams: particles per replicate', positiveInt, 1000)
    .option('--replicates <n>', 'ams: replicates', positiveInt, 20)
    .option('--report <file.html>', 'write a self-contained HTML report')
    .option('--format <fmt>', 'print md or csv instead of the table', formatOption)
    .option('--workers <n>', 'worker threads (default: the cores; same numbers for any count)', workerCount)
    .option('--json', 'print one JSON object on stdout')
    .action(async (file: string, o: CompareOpts, cmd: { parent?: { rawArgs?: string[] } | null }) => {
      if (o.with.length === 0)
        throw new UserError('compare needs at least one --with INTERVENTION (a+b combines)');
      const argv = cmd.parent?.rawArgs ?? [];
      const s = loadScenarioFile(io, file);
      // The models, and what worker threads rebuild them from.
      const sourced = (interventions: string[]) => {
        const { model, doc } = preparedOf(io, s, interventions);
        return {
          model,
          source: { docJson: JSON.stringify(doc), hash: model.hash, interventions: model.interventions },
        };
      };
      const b = sourced([]);
      const base = b.model;
      const arms: Arm[] = o.with.map((label) => ({ label, ...sourced([label]) }));
      const started = performance.now();
      const manifest = (settings: Record<string, string | number>) =>
        manifestOf(s, argv, { hash: base.hash, seed: o.seed, runs: o.runs, interventions: o.with, settings });
      const baseDoc = () => docOf(io, s, []);
      if (o.estimator && o.estimator !== 'crude') {
        const p = progress(io, `compare (${o.estimator})`);
        const rc = userErrors(() =>
          compareRare(base, arms, o.estimator!, {
            seed: o.seed,
            runs: o.runs,
            particles: o.particles,
            replicates: o.replicates,
            onProgress: p.tick,
          }),
        );
        p.done();
        const used = emitReport(
          io,
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
          o,
        );
        if (o.json)
          io.out(
            `${JSON.stringify({ scenario: { id: base.id, hash: base.hash }, engine: ENGINE_VERSION, seed: o.seed, ...rc, timing: { seconds: (performance.now() - started) / 1000 } }, null, 2)}\n`,
          );
        else if (!used) io.out(renderRareCompare(rc));
        return;
      }
      const p = progress(io, 'compare');
      const workers = o.workers ?? defaultWorkers();
      const wantsReport = Boolean(o.report || o.format);
      const { report, agg } = await userErrorsAsync(() =>
        withWorkers(workers, async (runner) => {
          const report = await compareParallel(base, arms, {
            seed: o.seed,
            runs: o.runs,
            traceRuns: o.trace,
            engine: ENGINE_VERSION,
            onProgress: p.tick,
            baseSource: b.source,
            ...(runner ? { runner } : {}),
          });
          // The baseline's paths and attribution for the report (the same runs again: deterministic).
          const agg = wantsReport
            ? await runEnsembleParallel(b.source, {
                seed: o.seed,
                runs: o.runs,
                model: base,
                ...(runner ? { runner } : { workers: 1 }),
              })
            : null;
          return { report, agg };
        }),
      );
      p.done();
      const seconds = (performance.now() - started) / 1000;
      const used = emitReport(
        io,
        () => {
          const d = baseDoc();
          return reportOf(
            io,
            {
              kind: 'compare',
              title: `Interventions compared: ${s.loaded.doc.title}`,
              manifest: manifest({ pairing: 'common random numbers' }),
              run: report,
              paths: pathTree(base, agg!, { minPeak: sankeyFloor(base, agg!), minShare: 0.01 }),
              attribution: attributeMisperceptions(base, agg!),
              compare: report,
            },
            d.doc,
            d.locations,
            o.with,
          );
        },
        o,
      );
      if (o.json) io.out(`${JSON.stringify({ ...report, timing: { seconds, workers } }, null, 2)}\n`);
      else if (!used) io.out(renderCompare(report, file));
    });
};
