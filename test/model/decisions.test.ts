// Discretionary acts as decisions: the US intercepts from its expectations (the op-ed: interception "would
// be premised on the idea that North Korea would not retaliate"); Japan's interception policy stands, so
// the DPRK re-test rate sets how often Japan intercepts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileAt, paramTarget } from '../../src/analysis/design.ts';
import { meanCi } from '../../src/analysis/stats.ts';
import { Simulator } from '../../src/engine/run.ts';
import { interventionsOf, load, loadDoc } from '../scenarios.ts';
import { INTERCEPT, paired, show, TEST_FAILURE } from './helpers.ts';

test("compare: the US expectation that Pyongyang won't retaliate raises P(interception) and P(peak >= war)", () => {
  const doc = loadDoc(INTERCEPT);
  // One entry of a table that sums to 1: the others share the rest (the sweep machinery's rule).
  const t = paramTarget(doc, 'actors.US.beliefs.expects.DPRK["US.intercept"].wait');
  const meta = { hash: 'sign', interventions: [] };
  const d = paired(compileAt(doc, [t], [0.1], meta), compileAt(doc, [t], [0.9], meta), 20000);
  const intercept = d['peak>=nonlethal-force']!;
  assert.ok(intercept.ci95[0] > 0, `P(interception): ${show(intercept)}`);
  const w = d.warOrWorse!;
  assert.ok(w.ci95[0] > 0, `P(>= war): ${show(w)}`);
});

test('Simulator.run: a higher DPRK re-test rate after the fatal failure means more Japanese interceptions', () => {
  const count = (rate: number, runs: number) => {
    const m = load(TEST_FAILURE, [], { 'params.dprk-overflight-retest-per-day': rate });
    const jpn = m.actions.findIndex((a) => a.id === 'JPN.intercept');
    const sim = new Simulator(m);
    const out = new Float64Array(runs);
    for (let run = 0; run < runs; run++) {
      sim.run(1, run);
      let n = 0;
      for (let e = 0; e < sim.s.nEv; e++) if (m.actAction[sim.s.evAct[e]!] === jpn) n++;
      out[run] = n;
    }
    return out;
  };
  const runs = 3000;
  const lo = count(0.005, runs);
  const hi = count(0.05, runs);
  // paired on common random numbers: the per-run difference and its t interval
  const diff = meanCi(Float64Array.from(hi, (x, k) => x - lo[k]!));
  assert.ok(diff.ci95[0] > 0, `interceptions per run: +${diff.mean} [${diff.ci95}]`);
});

test('compare: every intervention of the Korea library changes some run of some scenario', () => {
  const files = [TEST_FAILURE, INTERCEPT, 'scenarios/korea-decapitation-misread.yaml'];
  const all = new Set(files.flatMap((f) => interventionsOf(f)));
  for (const w of all) {
    let changed = 0;
    for (const f of files) {
      if (!interventionsOf(f).includes(w)) continue;
      const d = paired(load(f), load(f, [w]), 3000);
      for (const x of Object.values(d)) changed += x.baseOnly + x.altOnly;
    }
    assert.ok(changed > 0, `${w} changes no run of any Korea scenario`);
  }
});
