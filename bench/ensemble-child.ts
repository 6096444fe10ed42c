// One ensemble in its own process, for its peak memory: `node --import tsx bench/ensemble-child.ts FILE
// RUNS WORKERS SEED` prints one JSON line with the seconds, the peak resident set size of the process
// (every worker thread included) and the aggregate's size. Used by bench/bench.ts.
import { readFileSync } from 'node:fs';
import { EnsembleJob } from '../src/analysis/ensemble.ts';
import { execute } from '../src/analysis/kernel/executor.ts';
import { modelSourceOf } from '../src/analysis/kernel/task.ts';
import { withThreads } from '../src/analysis/parallel.ts';
import { ENGINE_VERSION } from '../src/engine/model.ts';
import { prepare } from '../src/scenario/index.ts';

const [file, runsArg, workersArg, seedArg] = process.argv.slice(2);
const runs = Number(runsArg);
const workers = Number(workersArg);
const seed = Number(seedArg ?? 1);
const p = prepare(file!, { readFile: (f) => readFileSync(f, 'utf8') });
const source = modelSourceOf(p);
const rssBefore = process.resourceUsage().maxRSS;
const started = performance.now();
let samples = 0;
let sampledMaxMB = 0;
const agg = await withThreads(workers, (executor) =>
  execute(new EnsembleJob(source, p.model!, { seed, runs, engine: ENGINE_VERSION }), executor, {
    onProgress: () => {
      samples++;
      sampledMaxMB = Math.max(sampledMaxMB, process.memoryUsage.rss() / 2 ** 20);
    },
  }),
);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({
    file,
    runs: agg.runs,
    workers,
    seconds,
    runsPerSecond: agg.runs / seconds,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    rssBeforeMB: rssBefore / 1024,
    sampledMaxRssMB: sampledMaxMB,
    progressSamples: samples,
    aggregateBytes: JSON.stringify(agg).length,
    distinctPaths: Object.keys(agg.paths).length,
  })}\n`,
);
