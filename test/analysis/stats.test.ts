import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sobolIndices } from '../../src/analysis/sensitivity.ts';
import { mcnemarMidP, meanCi, pairedDifferenceCi, t95 } from '../../src/analysis/stats.ts';
import { randomStream } from '../../src/engine/rng.ts';

test('mcnemarMidP: exact mid-p values by hand', () => {
  // b = 2, c = 12: 2 * (P(X < 2) + P(X = 2) / 2) under Binomial(14, 1/2) = 2 * (1 + 14 + 45.5) / 16384.
  assert.ok(Math.abs(mcnemarMidP(2, 12) - (2 * 60.5) / 16384) < 1e-12);
  assert.equal(mcnemarMidP(0, 0), 1);
  assert.ok(Math.abs(mcnemarMidP(5, 5) - 1) < 1e-9);
  assert.equal(mcnemarMidP(3, 9), mcnemarMidP(9, 3));
});

test('t95: Student t quantiles', () => {
  assert.ok(Math.abs(t95(1) - 12.7062) < 1e-3);
  assert.ok(Math.abs(t95(10) - 2.228139) < 1e-5);
  assert.ok(Math.abs(t95(30) - 2.042272) < 1e-5);
  const m = meanCi([1, 2, 3, 4]);
  assert.equal(m.mean, 2.5);
  assert.ok(Math.abs(m.ci95[1] - (2.5 + t95(3) * Math.sqrt(5 / 3 / 4))) < 1e-12);
});

test('pairedDifferenceCi: holds the estimate, stays in [-1, 1], mirrors when the arms swap', () => {
  for (const [a, b, c, d] of [
    [36, 12, 2, 0],
    [0, 0, 0, 100],
    [5, 0, 3, 92],
    [10, 10, 10, 10],
  ] as const) {
    const n = a + b + c + d;
    const est = (c - b) / n;
    const [lo, hi] = pairedDifferenceCi(a, b, c, d);
    assert.ok(lo <= est + 1e-12 && est <= hi + 1e-12, `${[a, b, c, d]}: ${lo} ${est} ${hi}`);
    assert.ok(lo >= -1 && hi <= 1);
    const [lo2, hi2] = pairedDifferenceCi(a, c, b, d);
    assert.ok(Math.abs(lo2 + hi) < 1e-12 && Math.abs(hi2 + lo) < 1e-12);
  }
});

test('pairedDifferenceCi: covers the true difference about 95% of the time (correlated pairs, small p)', () => {
  const rnd = randomStream(42);
  // Baseline p = 0.03; the alternative equals it except in 1% of pairs it is switched off, 0.4% on.
  const trials = 2000;
  const n = 2000;
  let covered = 0;
  for (let t = 0; t < trials; t++) {
    const tab = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      const x = rnd() < 0.03;
      const u = rnd();
      const y = x ? u >= 0.01 : u < 0.004;
      tab[x ? (y ? 0 : 1) : y ? 2 : 3]!++;
    }
    const exact = 0.97 * 0.004 - 0.03 * 0.01;
    const [lo, hi] = pairedDifferenceCi(tab[0]!, tab[1]!, tab[2]!, tab[3]!);
    if (lo <= exact && exact <= hi) covered++;
  }
  const rate = covered / trials;
  assert.ok(rate > 0.93 && rate < 0.975, `coverage ${rate}`);
});

test('sobolIndices: recovers the Ishigami indices (Saltelli design)', () => {
  // Ishigami function, a = 7, b = 0.1: S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437.
  const f = (x: number[]) => Math.sin(x[0]!) + 7 * Math.sin(x[1]!) ** 2 + 0.1 * x[2]! ** 4 * Math.sin(x[0]!);
  const rnd = randomStream(7);
  const N = 20000;
  const draw = () => [0, 1, 2].map(() => -Math.PI + 2 * Math.PI * rnd());
  const A = Array.from({ length: N }, draw);
  const B = Array.from({ length: N }, draw);
  const fA = A.map(f);
  const fB = B.map(f);
  const fAB = [0, 1, 2].map((i) => A.map((row, j) => f(row.map((v, k) => (k === i ? B[j]![k]! : v)))));
  const idx = sobolIndices(fA, fB, fAB, 100, randomStream(8));
  const s1 = [0.3139, 0.4424, 0];
  const st = [0.5576, 0.4424, 0.2437];
  idx.forEach((x, i) => {
    assert.ok(Math.abs(x.first - s1[i]!) < 0.04, `S1[${i}] = ${x.first}`);
    assert.ok(Math.abs(x.total - st[i]!) < 0.03, `ST[${i}] = ${x.total}`);
    assert.ok(x.firstCi95[0] <= x.first && x.first <= x.firstCi95[1]);
    assert.ok(x.totalCi95[0] <= s1[i]! + 0.3);
  });
});
