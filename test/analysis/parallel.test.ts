import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { type Aggregate, defaultShardSize, EnsembleJob, runRange } from '../../src/analysis/ensemble.ts';
import { type Executor, execute, InlineExecutor } from '../../src/analysis/kernel/executor.ts';
import {
  compileSource,
  type ModelSource,
  modelSourceOf,
  ranges,
  runTask,
} from '../../src/analysis/kernel/task.ts';
import { ThreadExecutor, workerExecArgv } from '../../src/analysis/parallel.ts';
import { ENGINE_VERSION } from '../../src/engine/model.ts';
import { prepare } from '../../src/scenario/index.ts';
import { ROOT } from '../scenarios.ts';

function source(file: string, interventions: string[] = []): ModelSource {
  const p = prepare(`${ROOT}${file}`, { readFile: (f) => readFileSync(f, 'utf8'), interventions });
  return modelSourceOf(p);
}

/** An ensemble of `src` on an executor (the kernel's ensemble job). */
function ensemble(
  src: ModelSource,
  executor: Executor,
  opts: { seed: number; runs: number; shardSize: number; onProgress?: (done: number) => void },
): Promise<Aggregate> {
  const job = new EnsembleJob(src, compileSource(src), {
    seed: opts.seed,
    runs: opts.runs,
    engine: ENGINE_VERSION,
    shardSize: opts.shardSize,
  });
  return execute(job, executor, { onProgress: opts.onProgress });
}

test('execute(EnsembleJob): this thread, 2 and 7 worker threads give identical aggregates, equal to runRange', async () => {
  const cases = [
    { src: source('scenarios/korea-intercept.yaml', ['hotline', 'eu-hosted-talks']), seed: 11 },
    { src: source('scenarios/korea-decapitation-misread.yaml'), seed: 12 },
  ];
  const runs = 12_345;
  const sequential = cases.map((c) => JSON.stringify(runRange(compileSource(c.src), c.seed, 0, runs)));
  // 1: this thread; 2: a pool started for each ensemble; 7: one pool (more threads than cores) for both.
  const pool7 = new ThreadExecutor(7);
  try {
    for (const workers of [1, 2, 7]) {
      for (const [k, c] of cases.entries()) {
        const progress: number[] = [];
        const pool = workers === 2 ? new ThreadExecutor(2) : undefined;
        const executor = workers === 1 ? new InlineExecutor() : (pool ?? pool7);
        const agg = await ensemble(c.src, executor, {
          seed: c.seed,
          runs,
          shardSize: 1000,
          onProgress: (done) => {
            progress.push(done);
          },
        }).finally(() => pool?.close());
        // Same counts and the same key order (paths first seen in run order): the same JSON text.
        assert.equal(JSON.stringify(agg), sequential[k], `case ${k} with ${workers} workers`);
        assert.equal(progress.at(-1), runs);
        assert.ok(progress.every((d, i) => i === 0 || d > progress[i - 1]!));
      }
    }
  } finally {
    await pool7.close();
  }
});

test('ThreadExecutor: a shared pool serves several ensembles at once with the numbers of each alone', async () => {
  const a = source('scenarios/korea-intercept.yaml');
  const b = source('scenarios/korea-test-failure.yaml', ['launch-notification']);
  const pool = new ThreadExecutor(2);
  try {
    const [ra, rb] = await Promise.all([
      ensemble(a, pool, { seed: 3, runs: 6000, shardSize: 700 }),
      ensemble(b, pool, { seed: 4, runs: 5000, shardSize: 900 }),
    ]);
    assert.deepEqual(ra, runRange(compileSource(a), 3, 0, 6000));
    assert.deepEqual(rb, runRange(compileSource(b), 4, 0, 5000));
  } finally {
    await pool.close();
  }
});

test('ThreadExecutor: a failing shard rejects the ensemble with the worker error', async () => {
  const src = source('scenarios/korea-intercept.yaml');
  const pool = new ThreadExecutor(2);
  try {
    const bad = { ...src, hash: '0'.repeat(64) };
    const job = new EnsembleJob(bad, compileSource(src), {
      seed: 1,
      runs: 4000,
      engine: ENGINE_VERSION,
      shardSize: 1000,
    });
    await assert.rejects(execute(job, pool), /does not match its hash/);
    // The pool still works afterwards.
    const ok = await ensemble(src, pool, { seed: 1, runs: 2000, shardSize: 1000 });
    assert.equal(ok.runs, 2000);
  } finally {
    await pool.close();
  }
});

test('runTask refuses a task for another engine version', () => {
  const src = source('scenarios/korea-intercept.yaml');
  const task = { kind: 'ensemble' as const, source: src, seed: 1, start: 0, count: 10 };
  assert.throws(() => runTask({ ...task, engine: `${ENGINE_VERSION}-other` }), /needs engine/);
  assert.equal(runTask({ ...task, engine: ENGINE_VERSION }).runs, 10);
});

test('ranges by size covers [from, to) with consecutive ranges; defaultShardSize stays within bounds', () => {
  assert.deepEqual(ranges(0, 10, { size: 4 }), [
    { start: 0, count: 4 },
    { start: 4, count: 4 },
    { start: 8, count: 2 },
  ]);
  assert.deepEqual(ranges(0, 0, { size: 4 }), []);
  assert.throws(() => ranges(0, 10, { size: 0 }), /shard size/);
  assert.equal(defaultShardSize(100, 2), 5000);
  assert.equal(defaultShardSize(10_000_000, 2), 50_000);
  assert.equal(defaultShardSize(1_600_000, 2), 50_000);
  assert.equal(defaultShardSize(320_000, 4), 10_000);
});

test('a compiled worker runs without the tsx loader of the process, keeping the per-thread flags', () => {
  const argv = ['--import', 'tsx', '--expose-gc', '--cpu-prof', '--cpu-prof-dir', '/p', '--require=tsx/cjs'];
  assert.deepEqual(workerExecArgv('/b/dist/analysis/shard-worker.js', argv), [
    '--cpu-prof',
    '--cpu-prof-dir',
    '/p',
  ]);
  assert.deepEqual(workerExecArgv('/b/dist/x.js', ['--import=tsx', '--conditions', 'dev']), [
    '--conditions',
    'dev',
  ]);
  // The tsx shim (sources not compiled) needs the process's loader: it inherits every flag.
  assert.equal(workerExecArgv('/b/src/analysis/shard-worker-tsx.mjs', argv), undefined);
});
