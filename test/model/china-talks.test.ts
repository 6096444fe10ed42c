// The op-ed's politics (issue 15, decision 0017): Beijing decides (restrains Pyongyang, signals
// Washington, takes part in talks or not), talks happen or not, and a leak costs Beijing's relay its
// credibility. Paired comparisons on common random numbers with 95% intervals, and trace tests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { meanCi } from '../../src/analysis/stats.ts';
import type { Model } from '../../src/engine/model.ts';
import { Simulator } from '../../src/engine/run.ts';
import type { TraceRecord } from '../../src/engine/trace.ts';
import { load } from '../scenarios.ts';
import { DECAP, INTERCEPT, paired, show } from './helpers.ts';

/** Per run, 1 when the talks of the model took place (runs 0..n-1 of seed 1). */
function happened(m: Model, runs: number): Float64Array {
  const sim = new Simulator(m);
  const out = new Float64Array(runs);
  for (let run = 0; run < runs; run++) out[run] = sim.run(1, run).talksHappened[0]!;
  return out;
}

test('Simulator.run: Beijing takes a non-wait action in at least half of the runs where its belief in a US attack exceeds 0.4 (korea-decapitation-misread, traces)', () => {
  const m = load(DECAP);
  const sim = new Simulator(m);
  const hostile = m.hostileType;
  let over = 0;
  let acted = 0;
  for (let run = 0; run < 1500; run++) {
    const trace: TraceRecord[] = [];
    sim.run(1, run, { trace });
    let crossed = false;
    let act = false;
    for (const r of trace) {
      if (r.kind === 'belief' && r.observer === 'PRC' && r.about === 'US' && r.after[hostile]! > 0.4)
        crossed = true;
      if (crossed && r.kind === 'decide' && r.actor === 'PRC' && r.chosen !== 'PRC.wait') act = true;
    }
    if (crossed) over++;
    if (crossed && act) acted++;
  }
  assert.ok(over >= 100, `Beijing's belief exceeded 0.4 in only ${over} runs of 1500`);
  assert.ok(acted >= over / 2, `Beijing acted in ${acted} of ${over} runs`);
});

test("Simulator.begin: a leak of the talks to Pyongyang lowers the credibility of Beijing's relay (trace and state)", () => {
  // A leak every round, and Beijing not deterred by it (else it declines talks bound to leak).
  const m = load(INTERCEPT, ['eu-hosted-talks'], {
    'talks.eu-hosted.leak.DPRK.p': 1,
    'params.prc-leak-cost': 0,
  });
  const c = m.channels.findIndex((ch) => ch.id === 'prc-dprk-party');
  const sim = new Simulator(m);
  let leaks = 0;
  for (let run = 0; run < 200; run++) {
    const trace: TraceRecord[] = [];
    sim.begin(1, run, { trace });
    const leak = trace.find((r) => r.kind === 'leak');
    if (leak?.kind !== 'leak') continue; // Beijing declined: the talks never met
    leaks++;
    assert.ok(leak.credibility && leak.credibility.channel === 'prc-dprk-party', JSON.stringify(leak));
    assert.ok(leak.credibility.to < leak.credibility.from, JSON.stringify(leak));
    assert.ok(sim.credibilityOf(c) < m.channels[c]!.credibility);
  }
  assert.ok(leaks > 50, `only ${leaks} runs of 200 held talks`);
});

test('Simulator.run: P(talks happen) falls as talks.eu-hosted.leak.DPRK.p rises (5 points; the 0 vs 0.2 paired interval excludes 0)', () => {
  const runs = 4000;
  const ps = [0, 0.05, 0.1, 0.15, 0.2];
  const h = ps.map((p) =>
    happened(load(DECAP, ['eu-hosted-talks'], { 'talks.eu-hosted.leak.DPRK.p': p }), runs),
  );
  const share = h.map((x) => x.reduce((a, b) => a + b, 0) / runs);
  for (let k = 1; k < share.length; k++)
    assert.ok(share[k]! <= share[k - 1]!, `not falling: ${share.join(', ')}`);
  const d = meanCi(Float64Array.from(h[4]!, (x, k) => x - h[0]![k]!));
  assert.ok(d.ci95[1] < 0, `P(talks happen), leak 0 -> 0.2 a round: ${d.mean} [${d.ci95}]`);
});

test("Simulator.run: P(talks happen) rises with the venue's discretion (0.2 vs 0.9, paired)", () => {
  const runs = 3000;
  const path = 'talks.eu-hosted.venue.discretion';
  const lo = happened(load(DECAP, ['eu-hosted-talks'], { [path]: 0.2 }), runs);
  const hi = happened(load(DECAP, ['eu-hosted-talks'], { [path]: 0.9 }), runs);
  const d = meanCi(Float64Array.from(hi, (x, k) => x - lo[k]!));
  assert.ok(d.ci95[0] > 0, `P(talks happen), discretion 0.2 -> 0.9: ${d.mean} [${d.ci95}]`);
});

test('Simulator.run: Beijing takes part in EU-hosted talks more often than in bilateral ones', () => {
  const runs = 3000;
  const eu = happened(load(DECAP, ['eu-hosted-talks']), runs);
  const bi = happened(load(DECAP, ['us-china-talks']), runs);
  const d = meanCi(Float64Array.from(eu, (x, k) => x - bi[k]!));
  assert.ok(d.ci95[0] > 0, `P(talks happen), bilateral -> EU: ${d.mean} [${d.ci95}]`);
});

test('compare: more leak harm (params.leak-dprk-attack-lr 1 -> 5) raises P(peak >= war) with EU-hosted talks, so hosting pays less', () => {
  // The baseline holds no talks and does not depend on the leak harm: the value of hosting falls by
  // exactly the rise of P(war) with the talks.
  const path = 'params.leak-dprk-attack-lr';
  const set = { 'talks.eu-hosted.leak.DPRK.p': 0.08 }; // the top of the judged range, for power
  const w = paired(
    load(DECAP, ['eu-hosted-talks'], { ...set, [path]: 1 }),
    load(DECAP, ['eu-hosted-talks'], { ...set, [path]: 5 }),
    10000,
  ).warOrWorse!;
  assert.ok(w.ci95[0] > 0, `leak harm 1 -> 5: ${show(w)}`);
});

test('compare: the discreet EU venue gives a lower P(peak >= war) than bilateral talks (korea-intercept)', () => {
  const w = paired(load(INTERCEPT, ['us-china-talks']), load(INTERCEPT, ['eu-hosted-talks']), 20000)
    .warOrWorse!;
  assert.ok(w.ci95[1] < 0, `bilateral -> EU-hosted: ${show(w)}`);
});

test("compare: Beijing's restraint of Pyongyang lowers P(peak >= war) (korea-decapitation-misread)", () => {
  const never: Record<string, number> = {};
  for (const rule of ['restrain-pyongyang', 'restrain-pyongyang-conservative'])
    for (const act of ['counsel-calm', 'restrain-dprk'])
      never[`actors.PRC.doctrine.${rule}.values.${act}`] = -500;
  const w = paired(load(DECAP, [], never), load(DECAP), 20000).warOrWorse!;
  assert.ok(w.ci95[1] < 0, `no restraint -> restraint: ${show(w)}`);
});
