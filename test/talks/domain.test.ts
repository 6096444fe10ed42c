// The talks domain on the Korea interception scenario: agenda, forms, the overlay, protocol drafts,
// leaks, the playbook; and the paired interval.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pairedDifferenceCi as newcombePaired } from '../../src/analysis/stats.ts';
import { deriveAgenda } from '../../src/talks/agenda.ts';
import {
  applyOverlay,
  declareScenario,
  startDist,
  tvDistance,
  withExpectation,
} from '../../src/talks/overlay.ts';
import { playbookHtml, playbookMarkdown } from '../../src/talks/playbook.ts';
import { checkPositions, prefillPositions, selectTriggers } from '../../src/talks/positions.ts';
import { breakEven, leakParams, packageOf, simulateProtocols } from '../../src/talks/protocols.ts';
import { compileDoc, loadBase, TalksError, withProtocols } from '../../src/talks/scenario.ts';
import type { Declared, LeakPoint, PairedDelta } from '../../src/talks/types.ts';
import { koreaFiles } from './helpers.ts';

const base = loadBase(koreaFiles(), 'korea-intercept.yaml');
const full = deriveAgenda(base, ['US', 'PRC'], { pilotRuns: 60 });
const agenda = selectTriggers(full, {
  US: ['DPRK.artillery-fire', 'DPRK.alert', 'PRC.military-support', 'DPRK.irbm-test/casualties'],
  PRC: ['US.intercept', 'US.limited-strike'],
});

function declaredPrefill(): Declared[] {
  return ['US', 'PRC'].map((actor) => ({
    actor,
    positions: prefillPositions(base, agenda, actor, ['US', 'PRC']).positions,
  }));
}

describe('talks domain on korea-intercept', () => {
  test('deriveAgenda lists the PRC facing the interception first, the US facing outcome-level triggers', () => {
    const prc = full.triggers.PRC!;
    assert.equal(prc[0]!.id, 'US.intercept');
    // Engine 2: the interception is a US decision (about six runs in ten), no longer an inject.
    assert.ok(prc[0]!.frequency > 0.3 && prc[0]!.frequency < 1, `${prc[0]!.frequency}`);
    const us = full.triggers.US!.map((t) => t.id);
    assert.ok(us.includes('DPRK.irbm-test/casualties'), 'the casualty outcome is a trigger of its own');
    assert.ok(!us.includes('DPRK.irbm-test'), 'a successful test is not answered by the US doctrine');
    const strike = prc.find((t) => t.id === 'US.limited-strike')!;
    assert.equal(strike.doctrine.kind, 'choose');
    assert.equal(strike.label, 'United States: Limited strike on a launch site');
    assert.ok(Math.abs(Object.values(strike.prefill).reduce((s, p) => s + p, 0) - 1) < 1e-9);
  });

  test('prefillPositions takes the scenario beliefs where stated, the truth elsewhere', () => {
    const { positions, sources } = prefillPositions(base, agenda, 'US', ['US', 'PRC']);
    // lib/korea-actors.yaml: the US expects Beijing mostly to protest a US strike.
    assert.deepEqual(positions.expectations.PRC!['US.limited-strike'], {
      wait: 0.35,
      protest: 0.6,
      'military-support': 0.05,
    });
    assert.equal(sources.PRC!['US.limited-strike'], 'belief');
    assert.equal(sources.PRC!['US.intercept'], 'truth');
    assert.deepEqual(positions.expectations.PRC!['US.intercept'], { protest: 0.8, wait: 0.2 });
  });

  test('checkPositions names what is missing or wrong in plain words', () => {
    const p = prefillPositions(base, agenda, 'PRC', ['US', 'PRC']).positions;
    const missing = { ...p, responses: { 'US.intercept': p.responses['US.intercept']! } };
    assert.throws(
      () => checkPositions(agenda, 'PRC', ['US', 'PRC'], missing),
      (e: Error) =>
        e instanceof TalksError && /United States: Limited strike on a launch site/.test(e.message),
    );
    const bad = structuredClone(p);
    bad.responses['US.intercept'] = { protest: 0.5, wait: 0.3 };
    assert.throws(() => checkPositions(agenda, 'PRC', ['US', 'PRC'], bad), /add up to 80.0%, not 100%/);
    bad.responses['US.intercept'] = { launch: 1 };
    assert.throws(
      () => checkPositions(agenda, 'PRC', ['US', 'PRC'], bad),
      /'launch' is not a possible response/,
    );
    assert.deepEqual(checkPositions(agenda, 'PRC', ['US', 'PRC'], p), p);
  });

  test('declareScenario reproduces changed declarations, fixed and chosen, at the start of the crisis', () => {
    const declared = declaredPrefill();
    declared[0]!.positions.responses['DPRK.artillery-fire'] = {
      protest: 0.2,
      'show-of-force': 0.3,
      alert: 0.2,
      'limited-strike': 0.3,
    };
    declared[1]!.positions.responses['US.intercept'] = { protest: 0.5, wait: 0.3, 'border-deployment': 0.2 };
    const ds = declareScenario(base, agenda, declared);
    for (const c of ds.calibration) assert.ok(c.error < 1e-6, `${c.actor} ${c.trigger}: ${c.error}`);
    assert.equal(ds.calibration.find((c) => c.trigger === 'DPRK.artillery-fire')!.kind, 'choose');
    assert.equal(ds.calibration.find((c) => c.trigger === 'US.intercept')!.kind, 'respond');
    const got = startDist(ds.model, 'US', 'DPRK.artillery-fire');
    assert.ok(Math.abs(got['limited-strike']! - 0.3) < 1e-6);
    // Declared rules come first; the scenario's protocol (`also`) rules stay.
    const doc = applyOverlay(withProtocols(base, ['eu-hosted-talks'], {}), ds.overlay);
    const prcRules = Object.keys(doc.actors.PRC!.doctrine);
    assert.deepEqual(prcRules.slice(0, 2), ['talks-us-intercept', 'talks-us-limited-strike']);
    assert.ok(prcRules.includes('relay-protocol'));
  });

  test('withExpectation moves a calibrated choice the way expected utility says', () => {
    const declared = declaredPrefill();
    declared[0]!.positions.responses['DPRK.artillery-fire'] = {
      protest: 0.2,
      'show-of-force': 0.3,
      alert: 0.2,
      'limited-strike': 0.3,
    };
    const ds = declareScenario(base, agenda, declared);
    const prc = declared[1]!.positions.responses['US.limited-strike']!;
    const us = declared[0]!.positions.expectations.PRC!['US.limited-strike']!;
    assert.ok(tvDistance(us, prc) > 0.4);
    // Learning that Beijing would back Pyongyang makes a US strike less attractive: the US values PRC
    // military support at -80 (lib/korea-actors.yaml), so the strike loses 80 x (0.469 - 0.05) units.
    const ov = withExpectation(ds, declared, 'US', 'PRC', 'US.limited-strike', prc);
    const model = compileDoc(applyOverlay(base.doc, ov), [], base.path).model;
    const after = startDist(model, 'US', 'DPRK.artillery-fire');
    const lambda = model.actors.find((a) => a.id === 'US')!.lambda;
    const odds = (d: Record<string, number>) => d['limited-strike']! / d.protest!;
    const shift = Math.log(odds(after) / odds({ 'limited-strike': 0.3, protest: 0.2 }));
    assert.ok(after['limited-strike']! < 0.1, `P(limited strike) ${after['limited-strike']}`);
    // The log-odds against protest move by lambda times the change in value (about -33.5), within the
    // second-order change of the strike's reply values.
    assert.ok(Math.abs(shift - lambda * -80 * (0.469 - 0.05)) < 0.5, `shift ${shift}`);
  });

  test('simulateProtocols: drafts, the package and the leak sweep, paired on the declared positions', async () => {
    const declared = declaredPrefill();
    const drafts = [
      {
        id: 'notice',
        title: 'Interception notice',
        mapping: { interventions: ['interception-notice'], set: {} },
      },
      { id: 'relay', title: 'PRC relay', mapping: { interventions: ['eu-hosted-talks'], set: {} } },
    ];
    const r = await simulateProtocols(base, agenda, declared, drafts, ['notice', 'relay'], {
      seed: 2,
      runs: 600,
      leakGrid: [0, 1],
    });
    assert.equal(r.drafts.length, 2);
    assert.deepEqual(r.package!.manifest.interventions, ['interception-notice', 'eu-hosted-talks']);
    assert.equal(r.base.manifest.positions.length, 64);
    const venues = r.leak!.venues;
    assert.deepEqual(
      venues.map((v) => [v.talks, v.to, v.p, v.name]),
      [['eu-hosted', 'DPRK', 0.02, 'EU-hosted US-China contingency talks']],
    );
    assert.deepEqual(
      r.leak!.points.map((p) => p.p),
      [0, 0.02, 1],
    );
    // A certain leak is worse for P(war) than no leak (Pyongyang reads the talks as collusion).
    const at = (p: number) => r.leak!.points.find((x) => x.p === p)!.war.alt;
    assert.ok(at(1) > at(0), `P(war) with a certain leak ${at(1)} vs none ${at(0)}`);
    // Same seed, same numbers.
    const again = await simulateProtocols(base, agenda, declared, drafts, ['notice', 'relay'], {
      seed: 2,
      runs: 600,
      leakGrid: [0, 1],
    });
    assert.deepEqual(again, r);
  });

  test('packageOf joins interventions once each and lets later overrides win', () => {
    const p = packageOf([
      { id: 'a', title: 'a', mapping: { interventions: ['x', 'y'], set: { 'a.b': 1 } } },
      { id: 'b', title: 'b', mapping: { interventions: ['y', 'z'], set: { 'a.b': 2, c: true } } },
    ]);
    assert.deepEqual(p, { interventions: ['x', 'y', 'z'], set: { 'a.b': 2, c: true } });
  });

  test('leakParams finds no talks in the base scenario and the venue once talks are added', () => {
    assert.deepEqual(leakParams(base.doc), []);
    assert.equal(leakParams(withProtocols(base, ['us-china-talks'], {}))[0]!.p, 0.1);
  });
});

const d = (x: number): PairedDelta => ({
  base: 0,
  alt: 0,
  d: x,
  ci95: [x - 0.01, x + 0.01],
  baseOnly: 0,
  altOnly: 0,
});
const point = (p: number, war: number): LeakPoint => ({ p, war: d(war), lethal: d(0) });

test('breakEven interpolates the first crossing and names the other cases', () => {
  assert.deepEqual(breakEven([point(0, -0.02), point(0.1, -0.01), point(0.2, 0.01)]), {
    breakEven: 0.15,
    verdict: 'break-even',
  });
  assert.deepEqual(breakEven([point(0, -0.02), point(1, -0.001)]), {
    breakEven: null,
    verdict: 'pays-always',
  });
  assert.deepEqual(breakEven([point(0, 0.001), point(1, 0.02)]), { breakEven: null, verdict: 'never-pays' });
  assert.deepEqual(breakEven([]), { breakEven: null, verdict: 'no-talks' });
});

test('pairedDifferenceCi (used by talks) agrees with the Wald interval for large counts and keeps within [-1, 1]', () => {
  const [a, b, c, dd] = [2000, 300, 200, 7500];
  const n = a + b + c + dd;
  const diff = (c - b) / n;
  const se = Math.sqrt((b + c) / n ** 2 - (c - b) ** 2 / n ** 3);
  const [lo, hi] = newcombePaired(a, b, c, dd);
  assert.ok(Math.abs(lo - (diff - 1.96 * se)) < 5e-4, `${lo}`);
  assert.ok(Math.abs(hi - (diff + 1.96 * se)) < 5e-4, `${hi}`);
  const [l0, h0] = newcombePaired(0, 0, 0, 50);
  assert.ok(l0 < 0 && h0 > 0 && Math.abs(l0 + h0) < 1e-12);
  const [l1, h1] = newcombePaired(0, 0, 20, 0);
  assert.ok(l1 > 0.7 && h1 <= 1);
});

test('playbookMarkdown and playbookHtml carry the codename, not the subject, as title', () => {
  const input = {
    codename: 'BLUE HERON',
    generatedAt: '2026-12-01T10:00:00.000Z',
    parties: [{ label: 'Delegation A', actor: 'US', kind: 'delegation' as const }],
    distribution: [{ name: 'Host', role: 'host' }],
    protocols: [
      {
        title: 'Notice <within 30 minutes>',
        text: 'Each side notifies the other.',
        parties: ['Delegation A'],
        agreedBy: ['Delegation A'],
        mapping: { 'korea-intercept.yaml': { interventions: ['interception-notice'], set: {} } },
      },
    ],
    scenarios: [],
  };
  const html = playbookHtml(input);
  assert.match(html, /<title>BLUE HERON: playbook<\/title>/);
  assert.ok(html.includes('Notice &lt;within 30 minutes&gt;'), 'titles are escaped');
  assert.ok(!/<script/i.test(html), 'no script in the playbook');
  const mdText = playbookMarkdown(input);
  assert.match(mdText, /^# BLUE HERON: playbook/);
  assert.match(mdText, /## Distribution list\n\n- Host \(host\)/);
});
