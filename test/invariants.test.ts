// The invariant suite: every example scenario, alone and with each of its interventions, over many
// seeds (conventions.md example 9).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runRange } from '../src/analysis/ensemble.ts';
import { traceRun } from '../src/analysis/trace.ts';
import { OUTCOME_NUCLEAR, OUTCOME_WAR, Simulator } from '../src/engine/run.ts';
import type { TraceRecord } from '../src/engine/trace.ts';
import { exampleScenarios, interventionsOf, load } from './scenarios.ts';

const SEEDS = [1, 2, 3];
const RUNS = 150;

for (const file of exampleScenarios()) {
  for (const w of [[], ...interventionsOf(file).map((x) => [x])]) {
    const name = `${file}${w.length ? ` --with ${w.join(',')}` : ''}`;

    test(`Simulator.run keeps every invariant on ${name}`, () => {
      const m = load(file, w);
      const sim = new Simulator(m);
      const nT = m.typeIds.length;
      for (const seed of SEEDS) {
        for (let run = 0; run < RUNS; run++) {
          const r = sim.run(seed, run);
          assert.ok(r.outcome >= 0 && r.outcome <= 3);
          assert.ok(r.peak >= 0 && r.peak < m.rungIds.length);
          assert.ok(r.endTick >= 0 && r.endTick <= m.horizon);
          if (r.outcome === OUTCOME_WAR) assert.ok(r.warTick >= 0 && r.peak >= m.warRung);
          if (r.outcome === OUTCOME_NUCLEAR) assert.equal(r.peak, m.nuclearRung);
          if (r.warTick >= 0 && m.war === null) assert.ok(r.endTick <= r.warTick + m.warPhase);
          // a crisis resolves only with nothing pending, its activity over and readiness near baseline
          if (r.outcome === 2) {
            assert.equal(sim.s.pending, 0);
            assert.ok(r.endTick >= sim.s.activityEnd);
            for (let i = 0; i < m.actors.length; i++)
              assert.ok(sim.readiness[i]! <= m.actors[i]!.readiness0 + m.resolveSlack);
          }
          // path rungs never go down
          let last = -1;
          for (let k = 0; k < r.pathLength; k++) {
            const act = r.path[k]!;
            const rung = m.actions[m.actAction[act]!]!.outcomes[m.actOutcome[act]!]!.rung;
            assert.ok(rung >= last, `path goes down in run ${run}`);
            last = rung;
          }
          assert.equal(last, r.pathLength ? r.peak : -1);
          // beliefs stay distributions
          for (let row = 0; row < sim.belief.length; row += nT) {
            let s = 0;
            for (let t = 0; t < nT; t++) {
              const b = sim.belief[row + t]!;
              assert.ok(b >= 0 && b <= 1 + 1e-12);
              s += b;
            }
            assert.ok(Math.abs(s - 1) < 1e-9, `belief row sums to ${s}`);
          }
          for (let i = 0; i < m.actors.length; i++) {
            assert.ok(sim.readiness[i]! >= 0 && sim.readiness[i]! <= 4);
          }
        }
      }
    });

    test(`runRange counts sum to the runs on ${name}`, () => {
      const m = load(file, w);
      const agg = runRange(m, 7, 0, 500);
      assert.equal(
        agg.outcomes.reduce((a, b) => a + b, 0),
        500,
      );
      assert.equal(
        agg.peak.reduce((a, b) => a + b, 0),
        500,
      );
      assert.equal(
        Object.values(agg.paths).reduce((a, b) => a + b, 0),
        500,
      );
      assert.ok(agg.lethalWithMisperception <= agg.lethalRuns);
      assert.ok(agg.warWithMisperception <= agg.warRuns);
    });

    test(`traceRun is reproducible and consistent on ${name}`, () => {
      const m = load(file, w);
      for (const run of [0, 1, 17]) {
        const a = traceRun(m, 4, run);
        const b = traceRun(m, 4, run);
        assert.deepEqual(a, b);
        checkTrace(a.trace);
        // the trace agrees with the untraced run
        const r = new Simulator(m).run(4, run);
        const end = a.trace.at(-1)!;
        assert.equal(end.kind, 'end');
        assert.equal(a.peak, m.rungIds[r.peak]);
        assert.equal(a.trace.filter((x) => x.kind === 'event').length, r.events);
      }
    });
  }
}

/** Every chance node in a trace drew an option it had, and its probabilities sum to 1. */
function checkTrace(trace: TraceRecord[]): void {
  let lastT = 0;
  for (const rec of trace) {
    assert.ok(rec.t >= lastT || rec.kind === 'types' || rec.kind === 'talks', 'time goes back');
    if (rec.kind !== 'types' && rec.kind !== 'talks') lastT = rec.t;
    if (rec.kind === 'decide') {
      const s = rec.options.reduce((a, o) => a + o.p, 0);
      assert.ok(Math.abs(s - 1) < 1e-9, `decision probabilities sum to ${s}`);
      const chosen = rec.options.find((o) => o.act === rec.chosen);
      assert.ok(chosen && chosen.p > 0, `chose ${rec.chosen} with probability 0`);
    }
    if (rec.kind === 'event' && rec.outcome && !rec.outcome.forced) {
      const s = rec.outcome.options.reduce((a, o) => a + o.p, 0);
      assert.ok(Math.abs(s - 1) < 1e-9);
      assert.ok(rec.outcome.options.find((o) => o.id === rec.outcome!.chosen)!.p > 0);
    }
    if (rec.kind === 'perceive') {
      assert.ok(rec.detectP > 0 && rec.detectP <= 1);
      assert.ok(rec.misreadP >= 0 && rec.misreadP <= 1);
    }
    if (rec.kind === 'belief') {
      assert.ok(Math.abs(rec.after.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    }
  }
}
