// The talks room on a model where the talks may not take place (decision 0021): gaps are closed and
// protocols agreed only in the runs where the talks happen; the value of hosting with its intervals; the
// gap ranking's run counts from the variance of paired differences; the analyses as kernel jobs (the same
// flags on worker threads and after a checkpoint).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ThreadExecutor } from '../../src/analysis/parallel.ts';
import { deriveAgenda } from '../../src/talks/agenda.ts';
import { rankGaps } from '../../src/talks/gaps.ts';
import { applyOverlay, declareScenario, withExpectation } from '../../src/talks/overlay.ts';
import { FlagsJob, LETHAL, runArms, runFlags, runsFor, TALKS, WAR } from '../../src/talks/paired.ts';
import { hostingWords, playbookHtml, playbookMarkdown } from '../../src/talks/playbook.ts';
import { simulateProtocols } from '../../src/talks/protocols.ts';
import { compileDoc, loadBase, resolveVenue, withProtocols } from '../../src/talks/scenario.ts';
import type { Declared } from '../../src/talks/types.ts';
import { blueHeron, koreaFiles, twoPartyFiles } from './helpers.ts';

const base = loadBase(koreaFiles(), 'korea-intercept.yaml');
const example = blueHeron(base, 60);
const agenda = example.agenda;

/** The example's positions, and the US expecting Beijing to relay a reassurance after an interception. */
function declared(): Declared[] {
  const out = example.declared();
  out[0]!.positions.expectations.PRC!['US.intercept'] = { 'relay-reassurance': 0.9, wait: 0.1 };
  return out;
}

describe('talks that may not take place', () => {
  test('resolveVenue picks the talks a third party hosts; names what exists when asked for another', () => {
    assert.equal(resolveVenue(base.doc, base.path)?.intervention, 'eu-hosted-talks');
    assert.equal(resolveVenue(base.doc, base.path, 'track2-talks')?.intervention, 'track2-talks');
    assert.equal(resolveVenue(base.doc, base.path, null), null);
    assert.throws(
      () => resolveVenue(base.doc, base.path, 'hotline'),
      /no intervention adding talks.*eu-hosted-talks/,
    );
    const fixture = loadBase(twoPartyFiles(), 'two-party.yaml');
    assert.equal(resolveVenue(fixture.doc, fixture.path), null);
  });

  test('rankGaps closes a gap only in the runs where the talks took place (tallied independently)', async () => {
    const d = declared();
    const runs = 1500;
    const opts = { seed: 4, runs, maxRuns: runs, threshold: 0.02 };
    const held = await rankGaps(base, agenda, d, opts);
    const always = await rankGaps(base, agenda, d, { ...opts, venue: null });
    assert.equal(always.venue, null);
    const v = held.venue!;
    assert.equal(v.intervention, 'eu-hosted-talks');
    assert.ok(v.happened.p > 0.05 && v.happened.p < 0.95, `P(talks happen) ${v.happened.p}`);
    assert.ok(v.happened.ci95[0] <= v.happened.p && v.happened.p <= v.happened.ci95[1]);
    // The gap that moves most runs when taken as closed everywhere.
    const top = [...always.ranked].sort(
      (a, b) => b.war.baseOnly + b.war.altOnly - (a.war.baseOnly + a.war.altOnly),
    )[0]!;
    assert.ok(top.war.baseOnly + top.war.altOnly > 0, 'some gap changes some run');
    // An independent tally: the declared positions, the venue and the gap closed, run by run.
    const ds = declareScenario(base, agenda, d);
    const closedDoc = applyOverlay(
      base.doc,
      withExpectation(ds, d, top.holder, top.of, top.trigger, top.declared),
    );
    const closed = await runFlags(
      { doc: closedDoc, model: compileDoc(closedDoc, [], base.path).model },
      4,
      runs,
    );
    const venueDoc = applyOverlay(withProtocols(base, ['eu-hosted-talks'], {}), ds.overlay);
    const venue = await runFlags(
      { doc: venueDoc, model: compileDoc(venueDoc, ['eu-hosted-talks'], base.path).model },
      4,
      runs,
    );
    const declaredFlags = await runFlags({ doc: ds.doc, model: ds.model }, 4, runs);
    const mine = held.ranked.find((g) => g.holder === top.holder && g.trigger === top.trigger)!;
    let heldRuns = 0;
    for (const [bit, got, everywhere] of [
      [WAR, mine.war, top.war],
      [LETHAL, mine.lethal, top.lethal],
    ] as const) {
      let to = 0;
      let from = 0;
      heldRuns = 0;
      for (let i = 0; i < runs; i++) {
        const h = (venue[i]! & TALKS) !== 0;
        if (h) heldRuns++;
        const x = (declaredFlags[i]! & bit) !== 0;
        const y = (closed[i]! & bit) !== 0;
        if (h && y && !x) to++;
        if (h && x && !y) from++;
      }
      assert.equal(got.altOnly, to);
      assert.equal(got.baseOnly, from);
      // Where the talks do not take place the gap stays open: no more runs change than if always closed.
      assert.ok(to <= everywhere.altOnly && from <= everywhere.baseOnly);
    }
    assert.equal(v.happened.p, Number((heldRuns / runs).toPrecision(6)));
    assert.ok(heldRuns < runs);
  });

  test('simulateProtocols: a protocol is agreed only where the talks take place; the value of hosting has intervals', async () => {
    const d = declared();
    const drafts = [
      {
        id: 'notice',
        title: 'Interception notice',
        mapping: { interventions: ['interception-notice'], set: {} },
      },
      {
        id: 'never',
        title: 'Interception notice, talks never convened',
        mapping: { interventions: ['interception-notice'], set: { 'talks.eu-hosted.venue.convening': 0 } },
      },
    ];
    const r = await simulateProtocols(base, agenda, d, drafts, ['notice'], {
      seed: 2,
      runs: 1500,
      leakGrid: [0],
    });
    const h = r.hosting!;
    assert.equal(h.venue.intervention, 'eu-hosted-talks');
    assert.equal(h.of, 'package');
    assert.deepEqual(r.package!.manifest.interventions, ['eu-hosted-talks', 'interception-notice']);
    assert.ok(h.happened.p > 0 && h.happened.p < 1, `P(talks happen) ${h.happened.p}`);
    assert.ok(h.leaked.p <= h.happened.p);
    assert.equal(h.value.d, -h.war.d);
    assert.deepEqual(h.value.ci95, [-h.war.ci95[1], -h.war.ci95[0]]);
    assert.ok(h.war.baseCi95 && h.war.altCi95, 'P(war) with and without, with intervals');
    const notice = r.drafts.find((x) => x.draft === 'notice')!;
    const never = r.drafts.find((x) => x.draft === 'never')!;
    // The same protocol with talks that never take place is never agreed: no run changes.
    assert.equal(never.happened!.p, 0);
    assert.equal(never.war.baseOnly + never.war.altOnly, 0);
    assert.ok(notice.war.baseOnly + notice.war.altOnly > 0, 'with talks that take place, runs change');
    // Taken as held (no venue): the old reading, every draft everywhere.
    const held = await simulateProtocols(base, agenda, d, drafts.slice(0, 1), ['notice'], {
      seed: 2,
      runs: 300,
      leakGrid: [0],
      venue: null,
    });
    assert.equal(held.hosting, null);
    assert.deepEqual(held.package!.manifest.interventions, ['interception-notice']);
    // The playbook says it, with the intervals.
    const words = hostingWords(h).join(' ');
    assert.match(words, /P\(talks happen\) \d+\.\d{2}% \[\d+\.\d{2}, \d+\.\d{2}\]/);
    assert.match(words, /Value of hosting the talks with the agreed package/);
    const input = {
      codename: 'GREY OWL',
      generatedAt: '2026-12-02T12:00:00Z',
      parties: [],
      distribution: [],
      protocols: [],
      scenarios: [{ title: 't', path: base.path, protocols: r, gaps: null, actors: {} }],
    };
    for (const out of [playbookMarkdown(input), playbookHtml(input)]) {
      assert.match(out, /P\(talks happen\) \d+\.\d{2}% \[/);
      assert.match(out, /Value of hosting/);
    }
  });
});

test('simulateProtocols: a package that names its own talks is hosted by them, not by the default venue', async () => {
  const drafts = [{ id: 'bi', title: 'Bilateral', mapping: { interventions: ['us-china-talks'], set: {} } }];
  const r = await simulateProtocols(base, agenda, declared(), drafts, ['bi'], {
    seed: 2,
    runs: 200,
    leakGrid: [0],
  });
  assert.equal(r.hosting!.venue.intervention, 'us-china-talks');
  assert.deepEqual(r.package!.manifest.interventions, ['us-china-talks']);
  assert.deepEqual(
    r.leak!.venues.map((v) => v.talks),
    ['us-china'],
  );
});

describe('the gap ranking resolves a tenth of a point', () => {
  const fixture = loadBase(twoPartyFiles(), 'two-party.yaml');
  const fAgenda = deriveAgenda(fixture, ['A', 'B'], { pilotRuns: 50 });
  const fDeclared: Declared[] = [
    {
      actor: 'A',
      positions: {
        responses: { 'C.provoke': { wait: 0.3, strike: 0.7 }, 'C.probe': { wait: 0.5, raid: 0.5 } },
        expectations: {
          B: { 'A.strike': { 'war-act': 0.1, wait: 0.9 }, 'A.raid': { 'war-act': 0.3, wait: 0.7 } },
        },
      },
    },
    {
      actor: 'B',
      positions: {
        responses: { 'A.strike': { 'war-act': 0.6, wait: 0.4 }, 'A.raid': { 'war-act': 0.35, wait: 0.65 } },
        expectations: { A: { 'C.provoke': { wait: 0.6, strike: 0.4 }, 'C.probe': { wait: 0.9, raid: 0.1 } } },
      },
    },
  ];

  test('runsFor: n = (z / h)^2 var of the run-by-run differences', () => {
    const a = Uint8Array.from([WAR, 0, 0, 0]);
    const b = Uint8Array.from([0, WAR, 0, 0]);
    // Differences -1, +1, 0, 0: mean 0, variance 0.5.
    assert.equal(runsFor(a, b, WAR, 0.01), Math.ceil((1.959963984540054 / 0.01) ** 2 * 0.5));
    assert.equal(runsFor(a, a, WAR, 0.01), 0);
  });

  test('each gap gets the runs its variance needs; a gap that changes nothing says why', async () => {
    const halfWidth = 0.01;
    const r = await rankGaps(fixture, fAgenda, fDeclared, {
      seed: 7,
      runs: 1000,
      maxRuns: 400_000,
      halfWidth,
      threshold: 0.01,
    });
    assert.equal(r.venue, null, 'the fixture models no talks');
    assert.deepEqual(r.precision, { halfWidth, minRuns: 1000, maxRuns: 400_000 });
    const clear = r.ranked.filter((g) => g.clear);
    const others = r.ranked.filter((g) => !g.clear);
    assert.ok(clear.length >= 1);
    assert.deepEqual(
      r.ranked.map((g) => g.clear),
      [...clear.map(() => true), ...others.map(() => false)],
      'clear effects are listed first',
    );
    assert.ok(
      clear.some((g) => g.runs! > 1000),
      'some gap needs more than the pilot',
    );
    for (const g of clear) {
      const half = (g.war.ci95[1] - g.war.ci95[0]) / 2;
      // Planned from the pilot's variance: within a tenth of the target.
      assert.ok(half <= halfWidth * 1.1, `${g.holder} ${g.trigger}: ±${half}`);
      assert.equal(g.why, null);
    }
    // What a party may see beside its own gaps does not depend on how far the other gaps ran (their
    // variance derives from positions it may not see): the same as a ranking capped at the pilot.
    const capped = await rankGaps(fixture, fAgenda, fDeclared, {
      seed: 7,
      runs: 1000,
      maxRuns: 1000,
      halfWidth,
      threshold: 0.01,
    });
    assert.deepEqual(r.base, capped.base);
    assert.equal(r.base.manifest.runs, 1000);
    // Bravo answers by a fixed table: what it expects of Alpha moves no run, and stays at the pilot.
    for (const g of r.ranked.filter((x) => x.holder === 'B')) {
      assert.equal(g.clear, false);
      assert.equal(g.runs, 1000);
      assert.match(g.why!, /changed no run's outcome in 1,000 runs/);
    }
  });
});

describe('talks analyses as kernel jobs', () => {
  const pool = new ThreadExecutor(2);
  after(() => pool.close());
  const doc = withProtocols(base, ['eu-hosted-talks'], {});
  const arm = { doc, model: compileDoc(doc, ['eu-hosted-talks'], base.path).model };

  test('FlagsJob gives the same flags on two worker threads, and after a checkpoint', async () => {
    const here = await runArms(new FlagsJob([arm], { seed: 9, runs: 1200 }));
    const there = await runArms(new FlagsJob([arm], { seed: 9, runs: 1200 }), { executor: pool });
    assert.deepEqual(there, here);
    const half = new FlagsJob([arm], { seed: 9, runs: 1200 });
    for (const t of half.next({ parallelism: 1, units: 500 })) {
      const { computeTask } = await import('../../src/analysis/kernel/task.ts');
      half.absorb(t, computeTask(t));
    }
    assert.equal(half.done(), 500);
    const resumed = new FlagsJob([arm], { seed: 9, runs: 1200 }, half.checkpoint());
    assert.deepEqual(await runArms(resumed), here);
    assert.ok(
      here[0]!.some((f) => (f & TALKS) !== 0),
      'the talks take place in some runs',
    );
  });
});
