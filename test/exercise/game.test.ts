// The exercise domain: the engine with players in the loop leaves every number alone that the players
// did not touch; the log replays exactly; a team's view is its actor's perception and nothing else; the
// MSEL round-trips through CSV; the review's counterfactual is exactly zero where the team chose as
// the doctrine drew.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InlineExecutor } from '../../src/analysis/kernel/executor.ts';
import { ownSimulator } from '../../src/analysis/kernel/simulator.ts';
import { play } from '../../src/analysis/play.ts';
import type { TraceRecord } from '../../src/engine/trace.ts';
import {
  decisionEffects,
  ExerciseError,
  fold,
  type LoggedEntry,
  mselFromCsv,
  mselToCsv,
  perceptionOf,
  replay,
  teamView,
} from '../../src/exercise/index.ts';
import { load } from '../scenarios.ts';
import { koreaSetup, Log, playTurns } from './helpers.ts';

const SYNC = new InlineExecutor(async () => {});

test('play with no players and no choices is the engine run itself, record for record', () => {
  const m = load('scenarios/korea-intercept.yaml');
  for (const seed of [1, 2, 3]) {
    const trace: TraceRecord[] = [];
    ownSimulator(m).run(seed, 0, { trace });
    const r = play(m, { seed, run: 0, choices: {}, players: new Set(), until: m.horizon });
    assert.deepEqual(r.trace, trace);
    // Choosing exactly what the doctrine drew changes nothing either.
    const counts = new Map<string, number>();
    const choices: Record<string, string> = {};
    for (const x of trace)
      if (x.kind === 'decide') {
        const rule = m.actors.find((a) => a.id === x.actor)!.rules.find((q) => q.id === x.rule)!;
        if (rule.also) continue;
        const n = counts.get(x.actor) ?? 0;
        counts.set(x.actor, n + 1);
        choices[`${x.actor}#${n}`] = x.chosen;
      }
    assert.ok(Object.keys(choices).length > 0);
    assert.deepEqual(play(m, { seed, run: 0, choices, players: new Set(), until: m.horizon }).trace, trace);
  }
});

test('play waits for a player at its first decision and stops at the clock', () => {
  const m = load('scenarios/korea-intercept.yaml');
  const r = play(m, { seed: 1, run: 0, choices: {}, players: new Set(['US']), until: 48 });
  assert.equal(r.pending?.key, 'US#0');
  assert.equal(r.pending?.stimulus, 'DPRK.irbm-test/success');
  const later = play(m, {
    seed: 1,
    run: 0,
    choices: { 'US#0': 'US.wait' },
    players: new Set(['US']),
    until: 10,
  });
  assert.ok(later.trace.every((x) => x.t <= 10));
  assert.ok(later.snapshot !== null);
});

test('the exercise log replays to the same game, also after a JSON round trip', () => {
  const log = new Log(koreaSetup());
  const g = playTurns(log, 10, (_k, o) => o.at(-1)!);
  assert.ok(Object.keys(g.state.choices).length >= 3, 'the teams decided');
  const again = replay(fold(JSON.parse(JSON.stringify(log.entries)) as LoggedEntry[]));
  assert.deepEqual(again.run.trace, g.run.trace);
  // Another seed is another game.
  const other = new Log(koreaSetup({ seed: 12 }));
  assert.notDeepEqual(playTurns(other, 10, (_k, o) => o.at(-1)!).run.trace, g.run.trace);
});

test("a team's reports are exactly its actor's perception records, and it sees no true act behind them", () => {
  for (const seed of [11, 21, 31, 41]) {
    const log = new Log(koreaSetup({ seed }));
    const g = playTurns(log, 12);
    for (const team of g.state.setup.teams) {
      const v = teamView(g, team);
      const reports = v.items
        .filter((i) => i.kind === 'report')
        .map((i) => ({ at: i.at, perceived: (i as { perceived: string }).perceived }));
      assert.deepEqual(reports, perceptionOf(g.run.trace, team.actor, g.t));
      const text = JSON.stringify(v);
      // Misreadings show as perceived; the true act of another actor is not in the view.
      for (const r of g.run.trace)
        if (r.kind === 'perceive' && r.observer === team.actor && r.perceived !== r.act)
          assert.ok(
            !text.includes(`"${r.act}"`) || r.act.startsWith(`${team.actor}.`),
            `${team.id} sees ${r.act}`,
          );
      assert.ok(!text.includes('"types"'));
    }
  }
});

test('mselToCsv and mselFromCsv round-trip; a formula is neutralised; errors name line and column', () => {
  const msel = koreaSetup().msel.concat({
    id: '7',
    trigger: { rungAtLeast: 'lethal-force', delayHours: 0 },
    synopsis: '=HYPERLINK("http://x") "quoted", with comma\nand a line',
    to: ['US'],
    from: '',
    expected: '',
    objective: '',
    controller: '',
    notes: '',
  });
  const csv = mselToCsv(msel);
  assert.ok(csv.includes(`"'=HYPERLINK(""http://x"") ""quoted"", with comma`));
  assert.deepEqual(mselFromCsv(csv), msel);
  assert.throws(
    () =>
      mselFromCsv(
        'MSEL #,Designated Scenario Time,Event Synopsis,Intended Player\r\n1,H+2,ok,US\r\n2,soon,bad,US\r\n',
      ),
    (e: unknown) =>
      e instanceof ExerciseError && /msel\.csv:3:2: a scenario time is H\+hours/.test(e.message),
  );
  assert.throws(() => mselFromCsv('Inject,When\r\n1,2\r\n'), /missing column MSEL #/);
});

test('decisionEffects: a team choice equal to the doctrine draw has effect exactly 0; a different one is ranked by size', async () => {
  const log = new Log(koreaSetup({ coach: { runs: 300, windowDays: 14 } }));
  const g = playTurns(log, 4, (_k, o) => o.at(-1)!);
  const effects = await decisionEffects(g, SYNC, 300);
  assert.ok(effects.length >= 2);
  for (const e of effects) {
    if (e.chosen === e.doctrine) {
      assert.equal(e.effect, 0);
      assert.equal(e.pTeam, e.pDoctrine);
    }
    assert.ok(e.ci95[0] <= e.effect + 1e-12 && e.effect <= e.ci95[1] + 1e-12);
  }
  for (let k = 1; k < effects.length; k++)
    assert.ok(Math.abs(effects[k - 1]!.effect) >= Math.abs(effects[k]!.effect));
  // The same game asked again gives the same numbers (common random numbers, seeded).
  assert.deepEqual(await decisionEffects(g, SYNC, 300), effects);
});
