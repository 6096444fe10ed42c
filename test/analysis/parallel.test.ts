import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { runRange } from '../../src/analysis/ensemble.ts';
import { runEnsembleParallel, ShardPool } from '../../src/analysis/parallel.ts';
import {
  compileSource,
  defaultShardSize,
  type ModelSource,
  modelSourceOf,
  planShards,
  runShard,
} from '../../src/analysis/shard.ts';
import { ENGINE_VERSION } from '../../src/engine/model.ts';
import { prepare } from '../../src/scenario/index.ts';
import { ROOT } from '../scenarios.ts';

function source(file: string, interventions: string[] = []): ModelSource {
  const p = prepare(`${ROOT}${file}`, { readFile: (f) => readFileSync(f, 'utf8'), interventions });
  return modelSourceOf(p);
}

test('runEnsembleParallel: 1, 2 and 7 workers give identical aggregates, equal to runRange', async () => {
  const cases = [
    { src: source('scenarios/korea-intercept.yaml', ['hotline', 'eu-hosted-talks']), seed: 11 },
    { src: source('scenarios/korea-decapitation-misread.yaml'), seed: 12 },
  ];
  const runs = 12_345;
  const sequential = cases.map((c) => JSON.stringify(runRange(compileSource(c.src), c.seed, 0, runs)));
  // 1: this thread; 2: a pool started for each ensemble; 7: one pool (more threads than cores) for both.
  const pool7 = new ShardPool(7);
  try {
    for (const workers of [1, 2, 7]) {
      for (const [k, c] of cases.entries()) {
        const progress: number[] = [];
        const agg = await runEnsembleParallel(c.src, {
          seed: c.seed,
          runs,
          shardSize: 1000,
          ...(workers === 7 ? { runner: pool7 } : { workers }),
          onProgress: (done) => {
            progress.push(done);
          },
        });
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

test('runEnsembleParallel: a shared pool serves several ensembles at once with the numbers of each alone', async () => {
  const a = source('scenarios/korea-intercept.yaml');
  const b = source('scenarios/korea-test-failure.yaml', ['launch-notification']);
  const pool = new ShardPool(2);
  try {
    const [ra, rb] = await Promise.all([
      runEnsembleParallel(a, { seed: 3, runs: 6000, runner: pool, shardSize: 700 }),
      runEnsembleParallel(b, { seed: 4, runs: 5000, runner: pool, shardSize: 900 }),
    ]);
    assert.deepEqual(ra, runRange(compileSource(a), 3, 0, 6000));
    assert.deepEqual(rb, runRange(compileSource(b), 4, 0, 5000));
  } finally {
    await pool.close();
  }
});

test('runEnsembleParallel: a failing shard rejects the ensemble with the worker error', async () => {
  const src = source('scenarios/korea-intercept.yaml');
  const pool = new ShardPool(2);
  try {
    const bad = { ...src, hash: '0'.repeat(64) };
    await assert.rejects(
      runEnsembleParallel(bad, { seed: 1, runs: 4000, runner: pool, shardSize: 1000 }),
      /does not match its hash/,
    );
    // The pool still works afterwards.
    const ok = await runEnsembleParallel(src, { seed: 1, runs: 2000, runner: pool, shardSize: 1000 });
    assert.equal(ok.runs, 2000);
  } finally {
    await pool.close();
  }
});

test('runShard refuses a task for another engine version', () => {
  const src = source('scenarios/korea-intercept.yaml');
  assert.throws(
    () => runShard({ source: src, seed: 1, start: 0, count: 10, engine: `${ENGINE_VERSION}-other` }),
    /needs engine/,
  );
  assert.equal(runShard({ source: src, seed: 1, start: 0, count: 10, engine: ENGINE_VERSION }).runs, 10);
});

test('planShards covers [0, runs) with consecutive ranges; defaultShardSize stays within bounds', () => {
  assert.deepEqual(planShards(10, 4), [
    { start: 0, count: 4 },
    { start: 4, count: 4 },
    { start: 8, count: 2 },
  ]);
  assert.deepEqual(planShards(0, 4), []);
  assert.throws(() => planShards(10, 0), /shard size/);
  assert.equal(defaultShardSize(100, 2), 5000);
  assert.equal(defaultShardSize(10_000_000, 2), 50_000);
  assert.equal(defaultShardSize(1_600_000, 2), 50_000);
  assert.equal(defaultShardSize(320_000, 4), 10_000);
});
