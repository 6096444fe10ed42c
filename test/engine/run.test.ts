import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyAggregate, merge, runRange } from '../../src/analysis/ensemble.ts';
import { OUTCOMES, Simulator } from '../../src/engine/run.ts';
import type { TraceRecord } from '../../src/engine/trace.ts';
import { compileFile } from '../helpers.ts';

const TOY = 'test/fixtures/valid/two-actors.yaml';

test('Simulator.run: the same seed and run index give the same trace', () => {
  const m = compileFile(TOY);
  for (const run of [0, 5, 77]) {
    const a: TraceRecord[] = [];
    const b: TraceRecord[] = [];
    new Simulator(m).run(3, run, { trace: a });
    const sim = new Simulator(m);
    sim.run(3, run + 1); // state left over from another run must not leak
    sim.run(3, run, { trace: b });
    assert.deepEqual(a, b);
  }
});

test('Simulator.run: tracing does not change the result', () => {
  const m = compileFile(TOY);
  const sim = new Simulator(m);
  for (let run = 0; run < 300; run++) {
    const plain = { ...sim.run(9, run) };
    const traced = { ...sim.run(9, run, { trace: [] }) };
    assert.equal(traced.outcome, plain.outcome);
    assert.equal(traced.peak, plain.peak);
    assert.equal(traced.endTick, plain.endTick);
  }
});

test('runRange: results do not depend on batching', () => {
  const m = compileFile(TOY);
  const whole = runRange(m, 11, 0, 3000);
  const parts = emptyAggregate(m);
  for (const [s, n] of [
    [0, 1000],
    [1000, 1],
    [1001, 1999],
  ] as const)
    merge(parts, runRange(m, 11, s, n));
  assert.deepEqual(parts, whole);
});

test('runRange: outcome counts sum to the number of runs and peaks stay on the ladder', () => {
  const m = compileFile(TOY);
  const agg = runRange(m, 5, 0, 5000);
  assert.equal(
    agg.outcomes.reduce((a, b) => a + b, 0),
    5000,
  );
  assert.equal(
    agg.peak.reduce((a, b) => a + b, 0),
    5000,
  );
  assert.equal(agg.outcomes.length, OUTCOMES.length);
});

test('Simulator.run: with perfect ISR no escalation chain contains a misperception', () => {
  const m = compileFile(TOY, (doc) => {
    const red = (doc.actors as Record<string, Record<string, unknown>>).Red!;
    red.perception = { isr: { air: { detect: 1 } } };
  });
  const agg = runRange(m, 1, 0, 20000);
  assert.equal(agg.misperceptions, 0);
  assert.equal(agg.lethalWithMisperception, 0);
});

test('Simulator.run: without misreading and false alarms Red never strikes in the toy', () => {
  const m = compileFile(TOY, (doc) => {
    const red = (doc.actors as Record<string, Record<string, unknown>>).Red!;
    red.perception = { isr: { air: { detect: 0.6 } } };
  });
  const agg = runRange(m, 1, 0, 20000);
  assert.equal(agg.outcomes[0], 0); // war
});
