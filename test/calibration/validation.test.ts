import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brierScore, calibrationTable } from '../../src/calibration/backtest.ts';
import { smooth } from '../../src/calibration/scores.ts';
import { verdictOf } from '../../src/calibration/violence.ts';
import { brink, filesUnder } from '../scenario/helpers.ts';

test('smoothed counts sum to 1 and keep a small probability for a rung no run reached', () => {
  const p = smooth([0, 0, 0, 100, 0]);
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.equal(p[3], 100.5 / 102.5);
  assert.ok(p[0]! > 0 && p[0]! < 0.01);
  assert.equal(brierScore([0, 1, 0], 1), 0);
  assert.equal(brierScore([1, 0, 0], 2), 2);
});

test('calibrationTable pools (case, threshold) forecasts into bins with observed frequencies', () => {
  const bins = calibrationTable(
    [
      { peakP: [0.5, 0.5], observedPeak: 1 },
      { peakP: [0.95, 0.05], observedPeak: 0 },
    ],
    [1],
  );
  const n = bins.reduce((s, b) => s + b.n, 0);
  assert.equal(n, 2);
  const half = bins.find((b) => b.lo === 0.5)!;
  assert.deepEqual([half.n, half.meanForecast, half.observedFrequency], [1, 0.5, 1]);
  const low = bins.find((b) => b.lo === 0)!;
  assert.deepEqual([low.n, low.observedFrequency], [1, 0]);
});

test('verdictOf: within, outside, and far outside ICB interval widened by 3 in odds', () => {
  const r = { mean: 0.1, lo: 0.05, hi: 0.15, a: 1, b: 1, source: '' };
  assert.equal(verdictOf(0.1, [0.09, 0.11], r), 'within');
  assert.equal(verdictOf(0.2, [0.19, 0.21], r), 'above');
  assert.equal(verdictOf(0.6, [0.59, 0.61], r), 'far-above');
  assert.equal(verdictOf(0.001, [0.0005, 0.002], r), 'far-below');
});

test('brink backtest cases/*.yaml scores every case and prints the summary and calibration table', async () => {
  const cases = filesUnder('cases', ['.yaml']);
  assert.ok(cases.length >= 8, `only ${cases.length} cases`);
  const r = await brink(['backtest', ...cases, '--runs', '2000', '--json']);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as {
    cases: { id: string; logScore: number; pit: number; inSample: boolean }[];
    summary: { n: number; logScore: number; calibration: { n: number }[]; pit: number[] };
    inSample: { n: number };
  };
  assert.equal(out.cases.length, cases.length);
  assert.equal(out.summary.n + out.inSample.n, cases.length);
  for (const c of out.cases) {
    assert.ok(c.logScore <= 0 && Number.isFinite(c.logScore), `${c.id}: ${c.logScore}`);
    assert.ok(c.pit >= 0 && c.pit <= 1);
  }
  // Four threshold events per out-of-sample case.
  assert.equal(
    out.summary.calibration.reduce((s, b) => s + b.n, 0),
    4 * out.summary.n,
  );
  const human = await brink(['backtest', ...cases.slice(0, 2), '--runs', '500']);
  assert.equal(human.code, 0, human.err);
  assert.match(
    human.out,
    /mean log score -?\d+\.\d\d; ICB trigger-type base rate -?\d+\.\d\d; uniform -2\.30/,
  );
  assert.match(
    human.out,
    /calibration \(out of sample; events: peak >= alert, nonlethal-force, lethal-clash, war/,
  );
});

test('brink backtest: a case with no observed outcome is a one-line error', async () => {
  const r = await brink([
    'backtest',
    'scenarios/generic/military-act.yaml',
    '--observed',
    'cases/observed.json',
    '--runs',
    '10',
  ]);
  assert.equal(r.code, 1);
  assert.match(r.err, /no entry "generic-military-act" in cases\/observed\.json/);
});

test('brink base-rates: the generic violent-act family is within ICB war share for violent triggers', async () => {
  const r = await brink(['base-rates', 'scenarios/generic/violent-act.yaml', '--runs', '4000', '--json']);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as {
    rows: {
      variant: string;
      trigger: string;
      comparisons: { measure: string; p: number; verdict: string }[];
    }[];
  };
  const pooled = out.rows.find((x) => x.variant === 'family (pooled)')!;
  assert.equal(pooled.trigger, 'violent');
  const war = pooled.comparisons.find((c) => c.measure === 'war')!;
  assert.equal(war.verdict, 'within', JSON.stringify(war));
  assert.equal(out.rows.length, 4); // baseline, seizure, lethal-attack, pooled
});

test('brink run: the report carries a sanity panel (human and --json key sanity)', async () => {
  const j = await brink(['run', 'scenarios/korea-test-failure.yaml', '--runs', '2000', '--json']);
  assert.equal(j.code, 0, j.err);
  const rep = JSON.parse(j.out) as {
    sanity: { trigger: { type: string; how: string }; flagged: boolean; comparisons: { measure: string }[] };
  };
  assert.deepEqual([rep.sanity.trigger.type, rep.sanity.trigger.how], ['violent', 'inferred']);
  assert.deepEqual(
    rep.sanity.comparisons.map((c) => c.measure),
    ['violence', 'serious', 'war'],
  );
  // P(war) well under 1% against ICB's 29% for violent triggers: flagged.
  assert.equal(rep.sanity.flagged, true);
  const h = await brink(['run', 'scenarios/generic/military-act.yaml', '--runs', '2000']);
  assert.equal(h.code, 0, h.err);
  assert.match(h.out, /Sanity against ICB v15 base rates: trigger non-violent-military \(declared\)/);
});
