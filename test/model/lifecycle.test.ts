// The crisis lifecycle: a run ends because the crisis ended or at the horizon, so the headline does not
// hang on the stopping settings; the scheduled activity (the bombers' flights) does set it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { load } from '../scenarios.ts';
import { DECAP, paired, show } from './helpers.ts';

const RUNS = 8000;

for (const [path, a, b] of [
  ['time.resolveQuietHours', 72, 336],
  ['time.horizonDays', 30, 60],
] as const) {
  test(`compare: P(peak >= war) moves by less than 15% (relative) when ${path} goes ${a} -> ${b}`, () => {
    const w = paired(load(DECAP, [], { [path]: a }), load(DECAP, [], { [path]: b }), RUNS).warOrWorse!;
    assert.ok(w.base > 0.005, show(w));
    assert.ok(Math.abs(w.d) < 0.15 * w.base, `${path}: ${show(w)}`);
  });
}

test('compare: the bombers flying until hour 336 rather than 144 raises P(peak >= war)', () => {
  const path = 'hazards.bomber-flights.untilHours';
  const w = paired(load(DECAP, [], { [path]: 144 }), load(DECAP, [], { [path]: 336 }), RUNS).warOrWorse!;
  assert.ok(w.ci95[0] > 0, `bombers' end 144 -> 336: ${show(w)}`);
});
