import { findRun, renderTrace, traceRun } from '../../analysis/trace.ts';
import { ENGINE_VERSION } from '../../engine/model.ts';
import { loadModel } from '../analysis.ts';
import { UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import { collect, nonNegativeInt, parseSets } from '../options.ts';

export const registerTrace: Registrar = (program, io) => {
  program
    .command('trace')
    .description('print one run as a playthrough: true events beside what each actor saw, believed and chose')
    .argument('<file>', 'scenario file')
    .option('-s, --seed <seed>', 'seed', nonNegativeInt, 1)
    .option('-r, --run <index>', 'run index', nonNegativeInt, 0)
    .option(
      '--find <outcome>',
      'trace the first run from --run on that ends in this outcome (war, nuclearUse, resolved, horizon) or peaks at this rung id',
    )
    .option('-w, --with <intervention>', 'apply an intervention (repeatable)', collect, [])
    .option('--set <path=value>', 'override a parameter (repeatable)', collect, [])
    .option('--json', 'print the trace as JSON')
    .action(
      (
        file: string,
        o: { seed: number; run: number; find?: string; with: string[]; set: string[]; json?: boolean },
      ) => {
        const { model } = loadModel(io, file, o.with, parseSets(o.set));
        let run = o.run;
        if (o.find) {
          run = findRun(model, o.seed, o.find, o.run, 1_000_000);
          if (run < 0)
            throw new UserError(
              `no run ending in '${o.find}' among runs ${o.run}..${o.run + 999_999} of seed ${o.seed}`,
            );
        }
        const { trace, outcome, peak } = traceRun(model, o.seed, run);
        if (o.json) {
          io.out(
            `${JSON.stringify({ scenario: { id: model.id, hash: model.hash }, engine: ENGINE_VERSION, seed: o.seed, run, interventions: model.interventions, outcome, peak, trace }, null, 2)}\n`,
          );
          return;
        }
        io.out(
          `${model.id} seed ${o.seed} run ${run} (engine ${ENGINE_VERSION}${model.interventions.length ? `, with ${model.interventions.join(', ')}` : ''})\n\n`,
        );
        io.out(renderTrace(model, trace));
      },
    );
};
