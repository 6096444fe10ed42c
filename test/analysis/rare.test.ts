// The rare-event estimators against the exact answer of a birth-death ladder (domain model 8.5).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateRare } from '../../src/analysis/rare.ts';
import { Simulator } from '../../src/engine/run.ts';
import { compileFile } from '../helpers.ts';
import { load } from '../scenarios.ts';

const LADDER = 'test/fixtures/valid/birth-death-ladder.yaml';

/** The ladder with up-step probability `up` (and 1 - up down). */
function ladder(up: number) {
  return compileFile(LADDER, (doc) => {
    for (const actor of Object.values(
      doc.actors as Record<string, { doctrine: Record<string, { respond: Record<string, number> }> }>,
    )) {
      for (const [id, rule] of Object.entries(actor.doctrine)) {
        const k = Number(id.split('-')[1]);
        rule.respond = { [`l${k + 1}`]: up, [`l${k - 1}`]: 1 - up };
      }
    }
  });
}

/** Gambler's ruin: P(reach 9 before 0 from 2) = (r^2 - 1) / (r^9 - 1), r = (1 - up) / up. */
function exact(up: number): number {
  const r = (1 - up) / up;
  return (r ** 2 - 1) / (r ** 9 - 1);
}

/** Mean engine events of a plain run (the unit of work). */
function crudeEventsPerRun(m: ReturnType<typeof ladder>, n = 20000): number {
  const sim = new Simulator(m);
  let e = 0;
  for (let run = 0; run < n; run++) e += sim.run(99, run).events;
  return e / n;
}

test('estimateRare: crude Monte Carlo on the inflated ladder (p ~ 1e-2) covers the exact answer', () => {
  const m = ladder(0.35);
  const p = exact(0.35);
  const r = estimateRare(m, 'crude', { seed: 1, runs: 40000 });
  assert.ok(r.ci95[0] <= p && p <= r.ci95[1], `${p} not in ${r.ci95}`);
  assert.equal(r.ess, 40000);
});

test('estimateRare: AMS and IS agree with the exact answer on the inflated ladder (p ~ 1e-2)', () => {
  const m = ladder(0.35);
  const p = exact(0.35);
  const a = estimateRare(m, 'ams', { seed: 2, particles: 200, replicates: 10 });
  assert.ok(a.ci95[0] <= p && p <= a.ci95[1], `AMS: ${p} not in ${a.ci95}`);
  const i = estimateRare(m, 'is', { seed: 2, ceRuns: 1000, isRuns: 4000 });
  assert.ok(i.ci95[0] <= p && p <= i.ci95[1], `IS: ${p} not in ${i.ci95}`);
});

test('estimateRare: AMS interval covers the exact 5.16e-6 of domain model 8.5', () => {
  const m = ladder(0.15);
  const p = exact(0.15);
  assert.ok(Math.abs(p - 5.16e-6) < 0.01e-6);
  const r = estimateRare(m, 'ams', { seed: 1, particles: 500, replicates: 10 });
  assert.ok(r.ci95[0] <= p && p <= r.ci95[1], `${p} not in ${r.ci95}`);
  assert.ok(r.relativeError < 0.3);
});

test('estimateRare: IS with a cross-entropy tilt covers the exact 5.16e-6', () => {
  const m = ladder(0.15);
  const p = exact(0.15);
  const r = estimateRare(m, 'is', { seed: 1, ceRuns: 1000, isRuns: 5000 });
  assert.ok(r.ci95[0] <= p && p <= r.ci95[1], `${p} not in ${r.ci95}`);
  assert.ok(r.is!.ceIterations.at(-1)!.level === 9);
});

test('estimateRare: at p ~ 1e-6, AMS and IS have >= 50x lower variance per unit of work than crude', () => {
  const up = 0.12;
  const m = ladder(up);
  const p = exact(up);
  assert.ok(p > 0.7e-6 && p < 1.3e-6, `p = ${p}`);
  // Crude Monte Carlo: one run has variance p(1 - p) and costs its events.
  const crude = p * (1 - p) * crudeEventsPerRun(m);
  // AMS: the spread of independent replicates, times the events one replicate costs.
  const a = estimateRare(m, 'ams', { seed: 11, particles: 300, replicates: 20 });
  const xs = a.ams!.perReplicate.map((x) => x.estimate);
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const varRep = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
  const amsGain = crude / (varRep * (a.work.events / xs.length));
  assert.ok(a.ci95[0] <= p && p <= a.ci95[1], `AMS: ${p} not in ${a.ci95}`);
  assert.ok(amsGain >= 50, `AMS gain ${amsGain}`);
  // IS: the estimator's variance times all the events spent (cross-entropy tuning included).
  const i = estimateRare(m, 'is', { seed: 11, ceRuns: 1000, isRuns: 5000 });
  const varIs = (i.relativeError * i.estimate) ** 2;
  const isGain = crude / (varIs * i.work.events);
  assert.ok(i.ci95[0] <= p && p <= i.ci95[1], `IS: ${p} not in ${i.ci95}`);
  assert.ok(isGain >= 50, `IS gain ${isGain}`);
  // The figures in docs/analysis.md come from this test: print them for the record.
  console.log(`p=${p.toExponential(3)} AMS gain ${amsGain.toFixed(0)} IS gain ${isGain.toFixed(0)}`);
});

test('estimateRare: the same seed gives the same estimate', () => {
  const m = load('scenarios/korea-decapitation-misread.yaml');
  const a = estimateRare(m, 'ams', { seed: 5, particles: 100, replicates: 3 });
  const b = estimateRare(m, 'ams', { seed: 5, particles: 100, replicates: 3 });
  assert.deepEqual(a, b);
  assert.equal(a.target.id, 'nuclear-use');
});
