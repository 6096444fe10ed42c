import cliProgress from 'cli-progress';
import { runEnsemble, summarize } from '../../analysis/ensemble.ts';
import { sanityPanel } from '../../calibration/violence.ts';
import { ENGINE_VERSION } from '../../engine/model.ts';
import { bundledBaseRates } from '../base-rates.ts';
import type { Registrar } from '../main.ts';
import { collect, loadModel, nonNegativeInt, parseSets, positiveInt } from '../options.ts';
import { renderRunReport, renderSanity } from '../report.ts';

export const registerRun: Registrar = (program, io) => {
  program
    .command('run')
    .description('run a scenario many times and report exceedance, outcomes, paths and misperception')
    .argument('<file>', 'scenario file (YAML or JSON)')
    .option('-n, --runs <n>', 'number of runs', positiveInt, 10000)
    .option('-s, --seed <seed>', 'seed (recorded in the output)', nonNegativeInt, 1)
    .option('-w, --with <intervention>', 'apply an intervention (repeatable; a+b combines)', collect, [])
    .option('--set <path=value>', 'override a parameter, e.g. talks.eu.rounds=3 (repeatable)', collect, [])
    .option('--paths <k>', 'how many escalation paths to list', positiveInt, 8)
    .option('--json', 'print one JSON object on stdout')
    .action(
      async (
        file: string,
        o: { runs: number; seed: number; with: string[]; set: string[]; paths: number; json?: boolean },
      ) => {
        const { model, doc } = loadModel(io, file, o.with, parseSets(o.set));
        const started = performance.now();
        let bar: cliProgress.SingleBar | undefined;
        const agg = await runEnsemble(model, {
          seed: o.seed,
          runs: o.runs,
          chunk: 2000,
          onProgress: async (done, total) => {
            if (!bar && io.errIsTty && performance.now() - started > 1000 && done < total) {
              bar = new cliProgress.SingleBar(
                {
                  stream: process.stderr,
                  format: 'running [{bar}] {percentage}% | {value}/{total} runs | eta {eta}s',
                  hideCursor: true,
                },
                cliProgress.Presets.shades_classic,
              );
              bar.start(total, done);
            }
            if (bar) {
              bar.update(done);
              await new Promise((r) => setImmediate(r));
            }
          },
        });
        bar?.stop();
        const seconds = (performance.now() - started) / 1000;
        const report = summarize(model, agg, { seed: o.seed, engine: ENGINE_VERSION, topPaths: o.paths });
        // The sanity panel: the baseline against ICB's base rates for the scenario's trigger type.
        const sanity = sanityPanel(model, agg, doc?.trigger, bundledBaseRates());
        if (o.json) {
          io.out(
            `${JSON.stringify({ ...report, sanity, timing: { seconds, runsPerSecond: o.runs / seconds } }, null, 2)}\n`,
          );
        } else io.out(renderRunReport(report, { seconds }) + renderSanity(sanity));
      },
    );
};
