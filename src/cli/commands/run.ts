import { summarize } from '../../analysis/ensemble.ts';
import { defaultWorkers, runEnsembleParallel } from '../../analysis/parallel.ts';
import { sanityPanel } from '../../calibration/violence.ts';
import { QueueError, redactUrl, runEnsembleDistributed } from '../../distributed/queue.ts';
import { ENGINE_VERSION } from '../../engine/model.ts';
import { bundledBaseRates } from '../base-rates.ts';
import { UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import {
  collect,
  loadModel,
  nonNegativeInt,
  parseSets,
  positiveInt,
  redisUrl,
  workerCount,
} from '../options.ts';
import { progressBar } from '../progress.ts';
import { renderRunReport, renderSanity } from '../report.ts';

interface RunOpts {
  runs: number;
  seed: number;
  with: string[];
  set: string[];
  paths: number;
  json?: boolean;
  workers: number;
  queue?: string;
  shardSize?: number;
}

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
    .option('--workers <n>', 'worker threads (default: the cores; same numbers for any count)', workerCount)
    .option(
      '--queue <url>',
      'run the shards on `brink worker` processes via Redis (redis://HOST:PORT)',
      redisUrl,
    )
    .option(
      '--shard-size <n>',
      'runs per shard (default: from runs and workers; numbers do not depend on it)',
      positiveInt,
    )
    .option('--json', 'print one JSON object on stdout')
    .action(async (file: string, o: RunOpts) => {
      const { model, doc, source } = loadModel(io, file, o.with, parseSets(o.set));
      const started = performance.now();
      const progress = progressBar(io);
      const common = { seed: o.seed, runs: o.runs, onProgress: progress.onProgress, model };
      let agg: Awaited<ReturnType<typeof runEnsembleParallel>>;
      let execution: Record<string, unknown>;
      try {
        if (o.queue) {
          const r = await runEnsembleDistributed(source, {
            ...common,
            url: o.queue,
            ...(o.shardSize ? { shardSize: o.shardSize } : {}),
            onNoWorkers: () =>
              io.err(
                `brink: no worker is connected to ${redactUrl(o.queue!)} yet; waiting (start \`brink worker\`)\n`,
              ),
          });
          agg = r.aggregate;
          execution = { queue: redactUrl(o.queue), shards: r.shards, ...r.stats };
        } else {
          const workers = o.workers ?? defaultWorkers();
          agg = await runEnsembleParallel(source, {
            ...common,
            workers,
            ...(o.shardSize ? { shardSize: o.shardSize } : {}),
          });
          execution = { workers };
        }
      } catch (e) {
        if (e instanceof QueueError) throw new UserError(e.message);
        throw e;
      } finally {
        progress.stop();
      }
      const seconds = (performance.now() - started) / 1000;
      const report = summarize(model, agg, { seed: o.seed, engine: ENGINE_VERSION, topPaths: o.paths });
      // The sanity panel: the baseline against ICB's base rates for the scenario's trigger type.
      const sanity = sanityPanel(model, agg, doc?.trigger, bundledBaseRates());
      if (o.json) {
        const timing = { seconds, runsPerSecond: o.runs / seconds, ...execution };
        io.out(`${JSON.stringify({ ...report, sanity, timing }, null, 2)}\n`);
      } else io.out(renderRunReport(report, { seconds }) + renderSanity(sanity));
    });
};
