import { InvalidArgumentError } from 'commander';
import { compare, compareRare } from '../../analysis/compare.ts';
import { emptyAggregate, record } from '../../analysis/ensemble.ts';
import { CompareOptionsSchema, checkOptions } from '../../analysis/options.ts';
import { attributeMisperceptions, pathTree, sankeyFloor } from '../../analysis/paths.ts';
import { ESTIMATORS, type Estimator } from '../../analysis/rare.ts';
import { ENGINE_VERSION } from '../../engine/model.ts';
import { Simulator } from '../../engine/run.ts';
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
} from '../analysis.ts';
import { renderCompare, renderRareCompare } from '../analysis-report.ts';
import { UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import { collect, nonNegativeInt, positiveInt } from '../options.ts';

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
    .option('--json', 'print one JSON object on stdout')
    .action((file: string, o: CompareOpts, cmd: { parent?: { rawArgs?: string[] } | null }) => {
      if (o.with.length === 0)
        throw new UserError('compare needs at least one --with INTERVENTION (a+b combines)');
      // The same settings and limits as the workbench's API.
      userErrors(() =>
        checkOptions(
          CompareOptionsSchema,
          { arms: o.with, runs: o.runs, seed: o.seed, traceRuns: o.trace },
          { arms: '--with', runs: '--runs', seed: '--seed', traceRuns: '--trace' },
        ),
      );
      const argv = cmd.parent?.rawArgs ?? [];
      const s = loadScenarioFile(io, file);
      const base = modelOf(io, s, []);
      const arms = o.with.map((label) => ({ label, model: modelOf(io, s, [label]) }));
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
      const report = userErrors(() =>
        compare(base, arms, {
          seed: o.seed,
          runs: o.runs,
          traceRuns: o.trace,
          engine: ENGINE_VERSION,
          onProgress: p.tick,
        }),
      );
      p.done();
      const seconds = (performance.now() - started) / 1000;
      const used = emitReport(
        io,
        () => {
          // The baseline's paths and attribution for the report (the same runs again: deterministic).
          const agg = emptyAggregate(base);
          const sim = new Simulator(base);
          for (let run = 0; run < o.runs; run++) record(agg, sim.run(o.seed, run));
          const d = baseDoc();
          return reportOf(
            io,
            {
              kind: 'compare',
              title: `Interventions compared: ${s.loaded.doc.title}`,
              manifest: manifest({ pairing: 'common random numbers' }),
              run: report,
              paths: pathTree(base, agg, { minPeak: sankeyFloor(base, agg), minShare: 0.01 }),
              attribution: attributeMisperceptions(base, agg),
              compare: report,
            },
            d.doc,
            d.locations,
            o.with,
          );
        },
        o,
      );
      if (o.json) io.out(`${JSON.stringify({ ...report, timing: { seconds } }, null, 2)}\n`);
      else if (!used) io.out(renderCompare(report, file));
    });
};
