// The gap ranking against an independent computation: on the two-party fixture every probability has a
// closed form (logit choices of Alpha, fixed answers of Bravo, perfect perception), so the effect of
// closing each gap is computed here by hand and the ranking's paired estimates must agree with it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deriveAgenda } from '../../src/talks/agenda.ts';
import { listGaps, rankGaps } from '../../src/talks/gaps.ts';
import { declareScenario, startDist } from '../../src/talks/overlay.ts';
import { loadBase } from '../../src/talks/scenario.ts';
import type { Declared } from '../../src/talks/types.ts';
import { twoPartyFiles } from './helpers.ts';

// Alpha's logit choice between waiting (value 0) and a lethal act of value `gain` minus its harm (10),
// minus the harm of war (100) times the probability e it expects Bravo to answer with war.
const LAMBDA = 0.1;
const logit = (p: number) => Math.log(p / (1 - p));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** P(Alpha acts) when it declared `declaredP` while expecting `e`, and now expects `e2`. */
function actAfter(declaredP: number, e: number, e2: number): number {
  return sigmoid(logit(declaredP) + LAMBDA * -100 * (e2 - e));
}

const positions = {
  A: {
    responses: { 'C.provoke': { wait: 0.3, strike: 0.7 }, 'C.probe': { wait: 0.5, raid: 0.5 } },
    expectations: {
      B: { 'A.strike': { 'war-act': 0.1, wait: 0.9 }, 'A.raid': { 'war-act': 0.3, wait: 0.7 } },
    },
  },
  B: {
    responses: { 'A.strike': { 'war-act': 0.6, wait: 0.4 }, 'A.raid': { 'war-act': 0.35, wait: 0.65 } },
    expectations: {
      A: { 'C.provoke': { wait: 0.6, strike: 0.4 }, 'C.probe': { wait: 0.9, raid: 0.1 } },
    },
  },
};

/** Exact P(war) and P(lethal) for P(strike) s, P(raid) r, Bravo's war answers qs, qr. */
function exact(s: number, r: number, qs = 0.6, qr = 0.35) {
  return { war: 1 - (1 - s * qs) * (1 - r * qr), lethal: 1 - (1 - s) * (1 - r) };
}

describe('rankGaps on the two-party fixture', () => {
  const base = loadBase(twoPartyFiles(), 'two-party.yaml');
  const agenda = deriveAgenda(base, ['A', 'B'], { pilotRuns: 50 });
  const declared: Declared[] = [
    { actor: 'A', positions: positions.A },
    { actor: 'B', positions: positions.B },
  ];

  test('deriveAgenda prefills the logit choice the closed form gives', () => {
    const provoke = agenda.triggers.A!.find((t) => t.id === 'C.provoke')!;
    // Scenario beliefs: e = 0.1 for the strike: value 30 - 10 - 10 = 10.
    assert.ok(Math.abs(provoke.prefill.strike! - sigmoid(LAMBDA * 10)) < 0.001);
    assert.equal(provoke.doctrine.kind, 'choose');
    const strike = agenda.triggers.B!.find((t) => t.id === 'A.strike')!;
    assert.deepEqual(strike.prefill, { 'war-act': 0.5, wait: 0.5 });
    assert.equal(strike.doctrine.kind, 'respond');
  });

  test('declareScenario makes the model give each declared response at the start of the crisis', () => {
    const ds = declareScenario(base, agenda, declared);
    for (const d of declared)
      for (const [t, dist] of Object.entries(d.positions.responses)) {
        const got = startDist(ds.model, d.actor, t);
        for (const k of Object.keys(dist))
          assert.ok(Math.abs(got[k]! - dist[k as keyof typeof dist]!) < 1e-6, `${d.actor} ${t} ${k}`);
      }
  });

  test('listGaps measures each gap as a total variation distance', () => {
    const gaps = listGaps(agenda, declared);
    const size = (h: string, t: string) => gaps.find((g) => g.holder === h && g.trigger === t)!.size;
    assert.equal(size('A', 'A.strike'), 0.5);
    assert.ok(Math.abs(size('A', 'A.raid') - 0.05) < 1e-9);
    assert.ok(Math.abs(size('B', 'C.provoke') - 0.3) < 1e-9);
    assert.ok(Math.abs(size('B', 'C.probe') - 0.4) < 1e-9);
  });

  test('the gap ranking matches the independent computation', async () => {
    const runs = 20_000;
    const r = await rankGaps(base, agenda, declared, { seed: 7, runs, threshold: 0.01 });
    const declaredP = exact(0.7, 0.5);
    assert.ok(Math.abs(r.base.war - declaredP.war) < 0.015, `base P(war) ${r.base.war} vs ${declaredP.war}`);
    const want = new Map<string, { war: number; lethal: number }>();
    const closeStrike = exact(actAfter(0.7, 0.1, 0.6), 0.5);
    const closeRaid = exact(0.7, actAfter(0.5, 0.3, 0.35));
    want.set('A A.strike', {
      war: closeStrike.war - declaredP.war,
      lethal: closeStrike.lethal - declaredP.lethal,
    });
    want.set('A A.raid', { war: closeRaid.war - declaredP.war, lethal: closeRaid.lethal - declaredP.lethal });
    // Bravo answers by a fixed table: what it expects of Alpha changes nothing.
    want.set('B C.provoke', { war: 0, lethal: 0 });
    want.set('B C.probe', { war: 0, lethal: 0 });
    assert.equal(r.ranked.length, 4);
    for (const g of r.ranked) {
      const w = want.get(`${g.holder} ${g.trigger}`)!;
      for (const [what, est, truth] of [
        ['war', g.war, w.war],
        ['lethal', g.lethal, w.lethal],
      ] as const) {
        const half = (est.ci95[1] - est.ci95[0]) / 2;
        // Within twice the 95% half-width (about 4 standard errors): a wrong mechanism is far outside.
        assert.ok(
          Math.abs(est.d - truth) <= 2 * half + 1e-12,
          `${g.holder} on ${g.trigger}, ${what}: estimate ${est.d} [${est.ci95}] vs exact ${truth}`,
        );
        if (truth === 0)
          assert.equal(est.d, 0, 'common random numbers: an inert change leaves every run as it was');
      }
    }
    const order = [...want.entries()]
      .sort(
        (a, b) => Math.abs(b[1].war) - Math.abs(a[1].war) || Math.abs(b[1].lethal) - Math.abs(a[1].lethal),
      )
      .map(([k]) => k);
    // The two inert gaps tie at zero; they follow by size (C.probe 0.4 before C.provoke 0.3).
    assert.deepEqual(
      r.ranked.map((g) => `${g.holder} ${g.trigger}`),
      [order[0], order[1], 'B C.probe', 'B C.provoke'],
    );
    assert.deepEqual(
      r.ranked.map((g) => g.rank),
      [1, 2, 3, 4],
    );
    // The strike gap dominates: closing it takes about a third off P(war).
    assert.ok(want.get('A A.strike')!.war < -0.3);
  });

  test('rankGaps lists gaps under the threshold as aligned without simulating them', async () => {
    const r = await rankGaps(base, agenda, declared, { seed: 1, runs: 200, threshold: 0.1 });
    assert.deepEqual(
      r.aligned.map((g) => g.trigger),
      ['A.raid'],
    );
    assert.equal(r.ranked.length, 3);
  });

  test('rankGaps gives the same numbers for the same seed', async () => {
    const a = await rankGaps(base, agenda, declared, { seed: 3, runs: 500 });
    const b = await rankGaps(base, agenda, declared, { seed: 3, runs: 500, slice: 37 });
    assert.deepEqual(a, b);
  });
});
