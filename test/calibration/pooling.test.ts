// Pooling the engine's forecast with the base rate: the pool's arithmetic, the curve a choice of the
// weight reads, and that the weights in use are the ones the cross-validation inside the training
// crises chooses (from the saved fits, so that a change of the rule, of the fits or of a weight fails
// here).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { POOL_WEIGHTS, SCALE_IDS } from '../../src/calibration/icb-backtest.ts';
import { bestWeight, meanCurve, POOL_GRID, poolCurve, pooled } from '../../src/calibration/pooling.ts';
import { logScore } from '../../src/calibration/scores.ts';
import { brink } from '../scenario/helpers.ts';

const dist = (k: number) =>
  fc
    .array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: k, maxLength: k })
    .map((xs) => xs.map((x) => x / xs.reduce((a, b) => a + b, 0)));

test('pooled: a distribution between its parts, never below w x the base rate', () => {
  fc.assert(
    fc.property(dist(4), dist(4), fc.double({ min: 0, max: 1, noNaN: true }), (e, b, w) => {
      const p = pooled(e, b, w);
      assert.ok(Math.abs(p.reduce((a, x) => a + x, 0) - 1) < 1e-12);
      p.forEach((x, k) => {
        assert.ok(x >= Math.min(e[k]!, b[k]!) - 1e-15 && x <= Math.max(e[k]!, b[k]!) + 1e-15);
        assert.ok(x >= w * b[k]! - 1e-15);
      });
    }),
  );
  assert.deepEqual(pooled([0.5, 0.5], [0.1, 0.9], 0), [0.5, 0.5]);
  assert.deepEqual(pooled([0.5, 0.5], [0.1, 0.9], 1), [0.1, 0.9]);
});

test('poolCurve: its ends are the engine and the base rate; concave, so the best weight is its only peak', () => {
  const rows = [
    { engine: [0.7, 0.2, 0.1], base: [0.3, 0.4, 0.3], observed: 0 },
    { engine: [0.7, 0.2, 0.1], base: [0.3, 0.4, 0.3], observed: 2 },
    { engine: [0.1, 0.8, 0.1], base: [0.2, 0.5, 0.3], observed: 1 },
  ];
  const c = poolCurve(rows);
  assert.deepEqual(
    c.map((p) => p.weight),
    POOL_GRID,
  );
  const mean = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
  assert.ok(Math.abs(c[0]!.logScore - mean((r) => logScore(r.engine, r.observed))) < 1e-12);
  assert.ok(Math.abs(c.at(-1)!.logScore - mean((r) => logScore(r.base, r.observed))) < 1e-12);
  const best = bestWeight(c);
  assert.ok(best.weight > 0 && best.weight < 1, 'an interior optimum for forecasts that each miss');
  const i = c.indexOf(best);
  c.forEach((p, j) => {
    if (j < i) assert.ok(p.logScore <= c[j + 1]!.logScore);
    if (j > i) assert.ok(p.logScore <= c[j - 1]!.logScore);
  });
});

type Out = {
  fits: { fromCache: boolean }[];
  cases: { year: number }[];
  scales: Record<
    string,
    {
      pool: { weight: number; curve: { weight: number; logScore: number }[] };
      vsEngine: { logScore: { mean: number; lo: number; hi: number } };
    }
  >;
};

test('the base rate weights in use are the best of the mean of the two cross-validation curves inside the training crises (saved fits)', async () => {
  const folds = 'scenarios/lib/generic-fit-folds-1985.yaml';
  const split = 'scenarios/lib/generic-fit-1970.yaml';
  for (const args of [
    ['fit', '--folds', '5', '--until', '1985', '-o', folds, '--check'],
    ['fit', '--cutoff', '1970', '-o', split, '--check'],
  ]) {
    const r = await brink(args);
    assert.equal(r.code, 0, r.err);
  }
  const run = async (args: string[]) => {
    const r = await brink(['backtest', '--icb', ...args, '--json']);
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out) as Out;
    assert.ok(
      out.fits.every((f) => f.fromCache),
      `${args.join(' ')}: the saved fits serve`,
    );
    assert.ok(out.cases.every((c) => c.year < 1985));
    return out;
  };
  const cv = await run(['--folds', '5', '--until', '1985', '--fit', folds]);
  const time = await run(['--cutoff', '1970', '--until', '1985', '--fit', split]);
  for (const s of SCALE_IDS) {
    const best = bestWeight(meanCurve([cv.scales[s]!.pool.curve, time.scales[s]!.pool.curve]));
    assert.equal(best.weight, POOL_WEIGHTS[s], `${s}: the weight in use is the CV's choice`);
    assert.equal(cv.scales[s]!.pool.weight, POOL_WEIGHTS[s]);
  }
});
