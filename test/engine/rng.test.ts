import assert from 'node:assert/strict';
import { test } from 'node:test';
import { geometric, randomStream, Streams, seedStream, xoshiroNext } from '../../src/engine/rng.ts';

// Reference outputs of xoshiro128** computed with a C implementation of Blackman & Vigna's algorithm
// (test/engine/xoshiro-ref.c in spirit: written from the published description, compiled with gcc).
test('xoshiroNext matches the reference vectors from state {1,2,3,4}', () => {
  const s = new Uint32Array([1, 2, 3, 4]);
  const got = Array.from({ length: 10 }, () => xoshiroNext(s, 0));
  assert.deepEqual(
    got,
    [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804],
  );
});

test('xoshiroNext matches the reference after 1000 steps from a mixed state', () => {
  const s = new Uint32Array([0x9e3779b9, 0x243f6a88, 0xb7e15162, 0x12345678]);
  for (let i = 0; i < 1000; i++) xoshiroNext(s, 0);
  const got = Array.from({ length: 5 }, () => xoshiroNext(s, 0));
  assert.deepEqual(got, [3164447195, 3757135617, 1164112768, 3796319957, 1178299050]);
});

test('seedStream gives distinct states for neighbouring seeds, runs and keys, and the same for the same key', () => {
  const states = new Set<string>();
  const s = new Uint32Array(4);
  for (let seed = 0; seed < 20; seed++)
    for (let run = 0; run < 20; run++)
      for (let key = 0; key < 5; key++) {
        seedStream(s, 0, seed, 0, run, key);
        states.add(Array.from(s).join(','));
      }
  assert.equal(states.size, 20 * 20 * 5);
  const a = new Uint32Array(4);
  const b = new Uint32Array(4);
  seedStream(a, 0, 7, 0, 3, 2);
  seedStream(b, 0, 7, 0, 3, 2);
  assert.deepEqual(a, b);
});

test('Streams.uniform: a stream does not depend on how much another stream drew', () => {
  const x = new Streams(3);
  const y = new Streams(3);
  x.reset(42, 9);
  y.reset(42, 9);
  for (let i = 0; i < 100; i++) y.uniform(0);
  assert.deepEqual(
    Array.from({ length: 5 }, () => x.uniform(2)),
    Array.from({ length: 5 }, () => y.uniform(2)),
  );
});

test('randomStream: uniform draws have mean 1/2 and variance 1/12 (seed 1, 200k draws)', () => {
  const r = randomStream(1);
  const n = 200_000;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const u = r();
    assert.ok(u >= 0 && u < 1);
    s += u;
    s2 += u * u;
  }
  const mean = s / n;
  const v = s2 / n - mean * mean;
  assert.ok(Math.abs(mean - 0.5) < 4 * Math.sqrt(1 / 12 / n), `mean ${mean}`);
  assert.ok(Math.abs(v - 1 / 12) < 0.002, `variance ${v}`);
});

test('geometric has mean 1/p (seed 2, p = 0.05)', () => {
  const r = randomStream(2);
  const n = 100_000;
  let s = 0;
  for (let i = 0; i < n; i++) s += geometric(r(), 0.05);
  const mean = s / n;
  // sd of the mean = sqrt((1-p)/p^2 / n) = 0.0616
  assert.ok(Math.abs(mean - 20) < 0.25, `mean ${mean}`);
  assert.equal(geometric(0.3, 1), 1);
  assert.equal(geometric(0.3, 0), Number.POSITIVE_INFINITY);
});
