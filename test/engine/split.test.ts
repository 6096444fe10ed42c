import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chanceSites, Simulator } from '../../src/engine/run.ts';
import { load } from '../scenarios.ts';

const DECAP = 'scenarios/korea-decapitation-misread.yaml';

function key(r: ReturnType<Simulator['run']>) {
  return [r.outcome, r.peak, r.endTick, r.events, r.decisions, r.mpCount, r.leaks, r.pathLength].join(',');
}

test('Simulator.advance: pausing at every score increase and resuming gives the same run', () => {
  const m = load(DECAP, ['eu-hosted-talks']);
  const a = new Simulator(m);
  const b = new Simulator(m);
  let pauses = 0;
  for (let run = 0; run < 400; run++) {
    const whole = key(a.run(4, run));
    b.begin(4, run);
    let level = -1;
    const score = (s: Simulator) => s.result.peak + s.readiness[0]! / 10;
    while (b.advance(level, score) < 0) {
      level = score(b);
      pauses++;
    }
    assert.equal(key(b.result), whole, `run ${run}`);
  }
  assert.ok(pauses > 400);
});

test('Simulator.snapshot: restoring a state and continuing reproduces the rest of the run', () => {
  const m = load(DECAP);
  const sim = new Simulator(m);
  const other = new Simulator(m);
  for (let run = 0; run < 200; run++) {
    sim.begin(9, run);
    // Stop at the first tick boundary after anything happened.
    const stopped = sim.advance(0, (s) => s.nEv) < 0;
    if (!stopped) continue;
    const snap = sim.snapshot();
    sim.advance();
    const first = key(sim.result);
    // Another simulator (scratch state left over from a different run) continues from the copy.
    other.run(9, run + 1000);
    other.restore(snap);
    other.advance();
    assert.equal(key(other.result), first, `run ${run}`);
  }
});

test('Simulator.branch: continuations with different branch keys differ, the same key repeats', () => {
  const m = load(DECAP);
  const sim = new Simulator(m);
  const seen = new Set<string>();
  let repeats = 0;
  for (let run = 0; run < 50; run++) {
    sim.begin(2, run);
    if (sim.advance(0, (s) => s.nEv) >= 0) continue;
    const snap = sim.snapshot();
    const outs: string[] = [];
    for (const br of [2 * run + 1, 2 * run + 2, 2 * run + 1]) {
      sim.restore(snap);
      sim.branch(2, br);
      sim.advance();
      outs.push(`${key(sim.result)}|${sim.streams.state.join(',')}`);
    }
    if (outs[0] === outs[2]) repeats++;
    seen.add(outs[0]!);
    seen.add(outs[1]!);
  }
  assert.equal(repeats, 50);
  assert.equal(seen.size, 100, 'branches share their randomness');
});

test('Simulator.run: a tilt of ones draws from the base law with likelihood ratio 1', () => {
  const m = load(DECAP);
  const sites = chanceSites(m);
  assert.ok(sites.names.some((s) => s.startsWith('misread DPRK:US.bomber-flight')));
  const sim = new Simulator(m);
  const w = new Float64Array(sites.options.length).fill(1);
  let wars = 0;
  let warsTilted = 0;
  const n = 20000;
  for (let run = 0; run < n; run++) {
    if (sim.run(3, run).peak >= m.warRung) wars++;
    const r = sim.run(3, run, { tilt: { w } });
    assert.ok(Math.abs(r.logWeight) < 1e-9);
    if (r.peak >= m.warRung) warsTilted++;
  }
  // Same law, different use of the uniforms: the two shares agree within sampling error.
  const p = wars / n;
  assert.ok(Math.abs(warsTilted / n - p) < 4 * Math.sqrt((2 * p * (1 - p)) / n), `${wars} vs ${warsTilted}`);
});
