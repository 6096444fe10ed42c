// Property tests of the engine's mechanisms on the Korea scenarios, on common random numbers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runRange } from '../src/analysis/ensemble.ts';
import { traceRun } from '../src/analysis/trace.ts';
import { nominal } from '../src/scenario/params.ts';
import { DOMAINS, type NamedParam } from '../src/scenario/schema.ts';
import { compileDoc, exampleScenarios, load, loadDoc } from './scenarios.ts';

const DECAP = 'scenarios/korea-decapitation-misread.yaml';
const INTERCEPT = 'scenarios/korea-intercept.yaml';

test('runRange: with perfect ISR no escalation chain contains a misperception', () => {
  for (const file of exampleScenarios()) {
    const doc = loadDoc(file);
    for (const a of Object.values(doc.actors)) {
      a.perception = { isr: Object.fromEntries(DOMAINS.map((d) => [d, { detect: 1 }])) };
    }
    const agg = runRange(compileDoc(doc), 3, 0, 4000);
    assert.equal(agg.misperceptions, 0, file);
    assert.equal(agg.lethalWithMisperception, 0, file);
    assert.equal(agg.warWithMisperception, 0, file);
  }
});

test('runRange: raising the DPRK air false-alarm rate does not lower P(peak >= nuclear-brink)', () => {
  const base = loadDoc(DECAP);
  const high = loadDoc(DECAP);
  const fa = high.actors.DPRK!.perception!.falseAlarms!;
  // The rate may be a distribution (uncertain parameter): scale its nominal value.
  fa['US.strike-package'] = nominal(fa['US.strike-package'] as NamedParam) * 10;
  const mb = compileDoc(base);
  const mh = compileDoc(high);
  const n = 20000;
  const a = runRange(mb, 5, 0, n);
  const b = runRange(mh, 5, 0, n);
  const brink = mb.rungIds.indexOf('nuclear-brink');
  const above = (p: number[]) => p.slice(brink).reduce((x, y) => x + y, 0) / n;
  const pa = above(a.peak);
  const pb = above(b.peak);
  // Tolerance: three binomial standard errors of the baseline estimate.
  const tol = 3 * Math.sqrt((pa * (1 - pa)) / n);
  assert.ok(pb >= pa - tol, `P(>= brink) fell from ${pa} to ${pb}`);
  assert.ok(b.misperceptions > a.misperceptions);
});

test('runRange: with every channel removed, talks protocols that travel over channels change nothing', () => {
  for (const talks of ['us-china-talks', 'eu-hosted-talks']) {
    const withRelay = load(INTERCEPT, [talks]);
    const doc = loadDoc(INTERCEPT);
    const iv = doc.interventions[talks]!.patch as Record<string, Record<string, unknown>>;
    // Apply the intervention by hand twice: once whole, once without the relay protocol rule.
    const apply = (keepRelay: boolean) => {
      const d = structuredClone(doc);
      Object.assign(d.talks, structuredClone(iv.talks));
      if (keepRelay) {
        const rules = (iv.actors as Record<string, { doctrine: Record<string, unknown> }>).PRC!.doctrine;
        Object.assign(d.actors.PRC!.doctrine, structuredClone(rules));
      }
      for (const c of Object.values(d.channels)) c.exists = false;
      return compileDoc(d);
    };
    // The relay is still decided and sent (counted as a decision and an act), but can reach nobody:
    // every outcome, path, belief-driven choice and misperception is the same.
    const { decisions: _d1, events: _e1, ...a } = runRange(apply(true), 2, 0, 3000);
    const { decisions: _d2, events: _e2, ...b } = runRange(apply(false), 2, 0, 3000);
    assert.deepEqual(a, b, talks);
    // and no message is ever delivered
    const m = apply(true);
    for (let run = 0; run < 50; run++) {
      const { trace } = traceRun(m, 2, run);
      assert.equal(trace.filter((r) => r.kind === 'message' && r.status === 'delivered').length, 0);
    }
    assert.ok(withRelay.talks.length === 1);
  }
});

test('runRange: a notification regime nobody complies with changes nothing', () => {
  const base = runRange(load(INTERCEPT), 8, 0, 3000);
  const none = runRange(
    load(INTERCEPT, ['launch-notification'], { 'notifications.dprk-launch-notice.compliance': 0 }),
    8,
    0,
    3000,
  );
  assert.deepEqual(none, base);
});

test('runRange: a hotline that does not exist changes nothing; one that exists is used', () => {
  // The intervention is the channel and the agreement to call over it: without the channel, the calls
  // go by the New York channel exactly as they would with the agreement alone.
  const doc = loadDoc(DECAP);
  const patch = doc.interventions.hotline!.patch as { actors: { US: { doctrine: Record<string, unknown> } } };
  Object.assign(doc.actors.US!.doctrine, structuredClone(patch.actors.US.doctrine));
  const base = compileDoc(doc);
  const off = load(DECAP, ['hotline'], { 'channels.us-dprk-hotline.exists': false });
  assert.deepEqual(runRange(off, 4, 0, 3000), runRange(base, 4, 0, 3000));
  const on = load(DECAP, ['hotline']);
  let used = 0;
  for (let run = 0; run < 400 && used === 0; run++) {
    used += traceRun(on, 4, run).trace.filter(
      (r) => r.kind === 'message' && r.channel === 'us-dprk-hotline',
    ).length;
  }
  assert.ok(used > 0, 'the hotline was never used in 400 runs');
});

test('runRange: better DPRK air detection lowers misreadings of bomber flights as strikes... but only through perception', () => {
  // With misreading of bomber flights removed, no war run can start from that misreading.
  const doc = loadDoc(DECAP);
  delete doc.actors.DPRK!.perception!.misread!['US.bomber-flight'];
  const m = compileDoc(doc);
  const agg = runRange(m, 6, 0, 5000);
  const flight = m.actIds.indexOf('US.bomber-flight');
  for (const key of Object.keys(agg.lethalCauses)) {
    const [kind, , act] = key.split(',').map(Number);
    assert.ok(!(kind === 0 && act === flight), 'a bomber flight was misread although the misreading is gone');
  }
});
