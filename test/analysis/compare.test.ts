import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compare, PairedComparison } from '../../src/analysis/compare.ts';
import { runRange } from '../../src/analysis/ensemble.ts';
import { stepJob } from '../../src/analysis/kernel/executor.ts';
import { ENGINE_VERSION } from '../../src/engine/model.ts';
import { load } from '../scenarios.ts';

const INTERCEPT = 'scenarios/korea-intercept.yaml';

test('compare: an arm identical to the baseline differs in no run (common random numbers)', () => {
  const base = load(INTERCEPT);
  const r = compare(base, [{ label: 'same', model: load(INTERCEPT) }], { seed: 3, runs: 3000, engine: 't' });
  const c = r.comparisons[0]!;
  assert.equal(c.saved, 0);
  assert.equal(c.harmed, 0);
  for (const d of Object.values(c.delta)) {
    assert.equal(d.d, 0);
    assert.equal(d.baseOnly + d.altOnly, 0);
    assert.ok(d.ci95[0] <= 0 && d.ci95[1] >= 0);
  }
});

test('compare: each arm equals its own ensemble, and the paired difference is their difference', () => {
  const base = load(INTERCEPT);
  const alt = load(INTERCEPT, ['eu-hosted-talks']);
  const n = 6000;
  const r = compare(base, [{ label: 'eu-hosted-talks', model: alt }], {
    seed: 5,
    runs: n,
    engine: 't',
    traceRuns: 50,
  });
  const a = runRange(base, 5, 0, n);
  const b = runRange(alt, 5, 0, n);
  const c = r.comparisons[0]!;
  // Shares are rounded to 6 significant digits in the report.
  const close = (x: number, y: number) =>
    assert.ok(Math.abs(x - y) <= 1e-5 * Math.abs(y) + 1e-12, `${x} vs ${y}`);
  close(c.delta.war!.base, a.outcomes[0]! / n);
  close(c.delta.war!.alt, b.outcomes[0]! / n);
  close(c.delta.war!.d, (b.outcomes[0]! - a.outcomes[0]!) / n);
  assert.equal(c.delta.war!.altOnly - c.delta.war!.baseOnly, b.outcomes[0]! - a.outcomes[0]!);
  // saved - harmed is the change in war-or-worse runs.
  const war = base.warRung;
  const above = (p: number[]) => p.slice(war).reduce((x, y) => x + y, 0);
  assert.equal(c.harmed - c.saved, above(b.peak) - above(a.peak));
  assert.equal(r.runs, n);
  assert.equal(c.exceedance.length, base.rungIds.length);
});

test('compare: EU-hosted talks save runs through the PRC relay, and leaks of bilateral talks harm runs', () => {
  const base = load(INTERCEPT);
  const r = compare(
    base,
    [
      { label: 'eu-hosted-talks', model: load(INTERCEPT, ['eu-hosted-talks']) },
      { label: 'us-china-talks', model: load(INTERCEPT, ['us-china-talks']) },
    ],
    { seed: 1, runs: 20000, engine: 't', traceRuns: 100 },
  );
  const [eu, bi] = r.comparisons as [(typeof r.comparisons)[0], (typeof r.comparisons)[0]];
  assert.ok(eu.delta.warOrWorse!.ci95[1] < 0, 'EU-hosted talks lower P(war or worse)');
  assert.ok(eu.saved > eu.harmed);
  // The relay itself (engine 2.1: Beijing also counsels Pyongyang over the party channel at baseline,
  // so the channel's messages are no longer unique to the talks; the relay act is).
  const relay = eu.mechanisms.saved!.present.find((m) => m.mechanism === 'act PRC.relay-reassurance');
  assert.ok(
    relay && relay.withIntervention > 0.5 && relay.atBaseline === 0,
    JSON.stringify(eu.mechanisms.saved),
  );
  const leak = bi.mechanisms.harmed!.present.find((m) => m.mechanism.startsWith('leak to DPRK'));
  assert.ok(leak && leak.withIntervention > 0.5, JSON.stringify(bi.mechanisms.harmed));
});

test('PairedComparison: uneven steps, with the state through JSON between them, give the report of compare()', async () => {
  const base = load(INTERCEPT);
  const arms = [
    { label: 'us-china-talks', model: load(INTERCEPT, ['us-china-talks']) },
    { label: 'hotline+launch-notification', model: load(INTERCEPT, ['hotline+launch-notification']) },
  ];
  const setup = { base, arms, seed: 2, traceRuns: 30, runs: 3000, engine: ENGINE_VERSION };
  const whole = compare(base, arms, setup);
  let c = new PairedComparison(setup);
  for (const n of [1, 999, 1234, 766]) {
    await stepJob(c, n);
    c = new PairedComparison(setup, c.checkpoint());
  }
  assert.equal(c.state.runs, 3000);
  assert.deepEqual(c.report(), whole);
  assert.throws(
    () => new PairedComparison({ ...setup, arms: arms.slice(1) }, c.checkpoint()),
    /does not match these arms/,
  );
});
