// Sign tests of perception (domain model 3.3 and 10.4; the op-ed's scenario 3): weak DPRK ISR makes a
// misreading likelier, false alarms feed escalation, a hotline's explanations undo misreadings, and a
// leak of US-China talks makes Pyongyang read ordinary displays as preparation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sweep } from '../../src/analysis/sweep.ts';
import { ENGINE_VERSION } from '../../src/engine/model.ts';
import { load, loadDoc } from '../scenarios.ts';
import { DECAP, paired, show } from './helpers.ts';

test('sweep: P(peak >= war) falls as isr.DPRK.quality rises from 0.1 to 0.9, and the 0.1-vs-0.9 interval excludes 0', () => {
  const runs = 6000;
  const r = sweep(
    loadDoc(DECAP),
    [{ path: 'isr.DPRK.quality', lo: 0.1, hi: 0.9, steps: 5 }],
    { hash: 'sign', interventions: [], engine: ENGINE_VERSION },
    { seed: 1, runs },
  );
  const p = r.cells.map((c) => c.metrics.warOrWorse!.p);
  // Every step down, up to sampling noise of the common random numbers (a quarter of a point).
  for (let k = 1; k < p.length; k++) assert.ok(p[k]! <= p[k - 1]! + 0.0025, `not falling: ${p.join(', ')}`);
  assert.ok(p[0]! > 2 * p[4]!, `${p.join(', ')}`);
  const d = paired(
    load(DECAP, [], { 'isr.DPRK.quality': 0.1 }),
    load(DECAP, [], { 'isr.DPRK.quality': 0.9 }),
    runs,
  );
  const w = d.warOrWorse!;
  assert.ok(w.ci95[1] < 0, `quality 0.1 -> 0.9: ${show(w)}`);
});

test('compare: more DPRK false alarms raise P(peak >= war)', () => {
  const path = 'actors.DPRK.perception.falseAlarms["US.strike-package"]';
  // the judged range is 0.0002..0.005 a day: its nominal against its top
  const d = paired(load(DECAP, [], { [path]: 0.0005 }), load(DECAP, [], { [path]: 0.005 }), 8000);
  const w = d.warOrWorse!;
  assert.ok(w.ci95[0] > 0, `false alarms x10: ${show(w)}`);
});

test('compare: a US-DPRK hotline lowers P(peak >= war)', () => {
  const d = paired(load(DECAP), load(DECAP, ['hotline']), 20000);
  const w = d.warOrWorse!;
  assert.ok(w.ci95[1] < 0, `hotline: ${show(w)}`);
});

test('compare: a leak of US-China talks to Pyongyang raises P(peak >= war)', () => {
  const path = 'talks.us-china.leak.DPRK.p';
  // the same talks, never leaking against leaking at the top of the judged range (0.25 a round)
  const d = paired(
    load(DECAP, ['us-china-talks'], { [path]: 0 }),
    load(DECAP, ['us-china-talks'], { [path]: 0.25 }),
    8000,
  );
  const w = d.warOrWorse!;
  assert.ok(w.ci95[0] > 0, `leak: ${show(w)}`);
});
