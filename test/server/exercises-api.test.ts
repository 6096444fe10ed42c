// Tabletop exercises through the API: set-up, invitations, play by turns with decisions, a message,
// timed, conditional and manual injects, an audited override, a rewind to a checkpoint, the coach's
// look-ahead, the after-action review and its exports, the MSEL as CSV, and the log that replays to
// the same game.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SYNC } from '../../src/analysis/kernel/executor.ts';
import { decisionEffects, fold, LogEntry, replay } from '../../src/exercise/index.ts';
import { type Drill, jobDone, settle, setupDrill } from './exercises-helpers.ts';
import { ok } from './talks-helpers.ts';

let d: Drill;
before(async () => {
  d = await setupDrill();
});
after(async () => {
  await d.srv.close();
});

const api = (p = '') => `/api/exercises/${d.ex}${p}`;

test('POST /api/workspaces/:ws/exercises refuses a team for an actor the scenario lacks, naming the field', async () => {
  const r = await d.facilitator.post(`/api/workspaces/${d.ws}/exercises`, {
    title: 'Bad',
    scenario: 'korea-intercept.yaml',
    teams: [{ id: 'blue', label: 'X', actor: 'NOPE' }],
  });
  assert.equal(r.status, 400);
  assert.match(r.body.error.message, /no actor NOPE in korea-intercept\.yaml: one of US, ROK/);
  assert.equal(r.body.error.issues[0].path, 'teams.0.actor');
});

test('an exercise plays by turns: decisions wait for teams, injects arrive, the log replays to the same game', async () => {
  const first = await d.blue.get(api('/view'));
  await ok(first);
  assert.equal(first.body.team.id, 'blue');
  assert.equal(first.body.t, 0);
  // A team cannot move the clock or see the truth.
  assert.equal((await d.blue.post(api('/clock'), {})).status, 403);
  await ok(await d.facilitator.post(api('/clock'), {}));
  // The US decides on the test launch at 1 h: the game waits for blue.
  const waiting = await d.blue.get(api('/view'));
  assert.equal(waiting.body.decision.key, 'US#0');
  assert.deepEqual(
    waiting.body.decision.options.map((o: { act: string }) => o.act),
    ['US.wait', 'US.intercept'],
  );
  // Red has nothing to decide and cannot decide for blue.
  assert.equal((await d.red.post(api('/decisions'), { key: 'US#0', action: 'US.wait' })).status, 400);
  // An option the decision does not offer is refused with the valid ones.
  const bad = await d.blue.post(api('/decisions'), { key: 'US#0', action: 'US.limited-strike' });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /choose one of US\.wait, US\.intercept/);
  const taken = await settle(d);
  assert.deepEqual(taken[0], { team: 'blue', key: 'US#0', action: 'US.intercept' });
  // The conditional inject (after US.intercept) reached red, the timed one blue and yellow.
  await ok(await d.facilitator.post(api('/clock'), { turns: 2 }));
  await settle(d);
  const red = await d.red.get(api('/view'));
  assert.ok(red.body.items.some((i: { kind: string; id: string }) => i.kind === 'inject' && i.id === '2'));
  assert.ok(!red.body.items.some((i: { kind: string; id: string }) => i.kind === 'inject' && i.id === '1'));
  const blue = await d.blue.get(api('/view'));
  assert.ok(blue.body.items.some((i: { kind: string; id: string }) => i.kind === 'inject' && i.id === '1'));
  // A manual inject fires when the facilitator says so.
  await ok(await d.facilitator.post(api('/injects/3/fire'), {}));
  await ok(await d.facilitator.post(api('/clock'), {}));
  await settle(d);
  assert.ok(
    (await d.blue.get(api('/view'))).body.items.some((i: { kind: string; id: string }) => i.id === '3'),
  );
  // A message from Washington to Pyongyang over the hotline, with words for the receiver.
  const msgs = (await d.blue.get(api('/view'))).body.messages as { act: string; to: string }[];
  const hotline = msgs.find((m) => m.to === 'DPRK')!;
  await ok(await d.blue.post(api('/messages'), { action: hotline.act, text: 'We seek no wider conflict.' }));
  for (let k = 0; k < 4; k++) {
    await ok(await d.facilitator.post(api('/clock'), {}));
    await settle(d);
  }
  const truth = await d.facilitator.get(api('/truth'));
  await ok(truth);
  assert.ok(
    truth.body.trace.some((r: { kind: string; from: string }) => r.kind === 'message' && r.from === 'US'),
  );
  // Replaying the stored log gives the same true events.
  const log = await d.facilitator.get(api('/log'));
  const entries = (log.body as { seq: number; at: string; userId: string; entry: unknown }[]).map((e) => ({
    ...e,
    entry: LogEntry.parse(e.entry),
  }));
  const again = replay(fold(entries));
  assert.deepEqual(
    again.run.trace.filter((r) => r.kind !== 'chance'),
    truth.body.trace,
  );
});

test('an override is audited, a rewind goes back to a checkpoint and keeps the log', async () => {
  const before = await d.facilitator.get(api('/view'));
  const decision = before.body.decisions.find((x: { actor: string }) => x.actor === 'JPN');
  assert.ok(decision, 'Japan (played by the doctrine) decided something');
  const other = decision.options.find((o: { act: string }) => o.act !== decision.chosen);
  const short = await d.facilitator.post(api('/overrides'), {
    key: decision.key,
    action: other.act,
    reason: '',
  });
  assert.equal(short.status, 400);
  await ok(
    await d.facilitator.post(api('/overrides'), {
      key: decision.key,
      action: other.act,
      reason: 'Tokyo would not protest publicly',
    }),
  );
  const after1 = await d.facilitator.get(api('/view'));
  assert.ok(
    after1.body.audit.some((a: { what: string }) => a.what.includes('Tokyo would not protest publicly')),
  );
  const chosen = after1.body.decisions.find((x: { key: string }) => x.key === decision.key).chosen;
  assert.equal(chosen, other.act);
  // Rewind to the first turn's checkpoint: the clock is back, the override is undone, the log is longer.
  const cp = after1.body.checkpoints[1];
  const n = (await d.facilitator.get(api('/log'))).body.length;
  await ok(await d.facilitator.post(api('/rewind'), { to: cp.seq }));
  const back = await d.facilitator.get(api('/view'));
  assert.equal(back.body.now, cp.now);
  assert.equal((await d.facilitator.get(api('/log'))).body.length, n + 1);
  assert.ok(back.body.audit.some((a: { what: string }) => a.what.startsWith('rewind')));
  assert.equal((await d.facilitator.post(api('/rewind'), { to: 99999 })).status, 400);
});

test('the coach gives P(war) with an interval; the review ranks decisions and exports AAR/IP', async () => {
  // Background jobs: asked for (202), computed on the server's job queue, read when done.
  const asked = await d.facilitator.post(api('/lookahead'), { runs: 400, days: 7 });
  assert.equal(asked.status, 202, asked.text);
  assert.equal(asked.body.kind, 'lookahead');
  const look = (await jobDone(d, asked.body)).result;
  assert.equal(look.runs, 400);
  assert.ok(look.ci95[0] <= look.p && look.p <= look.ci95[1]);
  // Asked again on the same game: the same job (and so the same answer, seeded).
  assert.equal((await d.facilitator.post(api('/lookahead'), { runs: 400, days: 7 })).body.id, asked.body.id);
  assert.equal((await d.blue.post(api('/lookahead'), {})).status, 403);
  await settle(d);
  await ok(await d.facilitator.post(api('/end'), {}));
  // No review built yet: the AAR and its exports say so.
  const early = await d.facilitator.get(api('/aar'));
  assert.equal(early.status, 409);
  assert.equal(early.body.error.code, 'review_not_ready');
  const review = await d.facilitator.post(api('/review'), {});
  assert.equal(review.status, 202, review.text);
  const job = await jobDone(d, review.body);
  assert.equal(job.status, 'done');
  assert.equal(job.done, job.total);
  const aar = await d.facilitator.get(api('/aar'));
  await ok(aar);
  assert.deepEqual(aar.body.effects, job.result.effects);
  assert.equal(aar.body.head, review.body.head);
  assert.ok(aar.body.effects.length > 0);
  const [top] = aar.body.effects;
  for (const e of aar.body.effects) assert.ok(Math.abs(e.effect) <= Math.abs(top.effect));
  assert.deepEqual(aar.body.largest, top);
  // The same numbers as the review computed at once on the logged game (same seed, same tasks).
  const log = (await d.facilitator.get(api('/log'))).body.map((e: { entry: unknown }) => ({
    ...e,
    entry: LogEntry.parse(e.entry),
  }));
  const game = replay(fold(log.filter((e: { seq: number }) => e.seq <= review.body.head)));
  assert.deepEqual(await decisionEffects(game, SYNC, game.state.setup.coach.runs), aar.body.effects);
  const md = await d.facilitator.get(api('/aar.md'));
  assert.match(md.headers.get('content-type') ?? '', /text\/markdown/);
  assert.match(md.text, /## 1\. Exercise overview/);
  assert.match(md.text, /## 4\. Improvement plan/);
  assert.ok(md.text.includes(`**Largest counterfactual effect:** ${top.team}`));
  const html = await d.facilitator.get(api('/aar.html'));
  assert.match(html.text, /^<!doctype html>/);
  assert.ok(html.text.includes('id="largest"'));
  // After the end nobody moves.
  assert.equal((await d.facilitator.post(api('/clock'), {})).status, 400);
});

test('a job the facilitator cancels ends cancelled, with no result', async () => {
  const asked = await d.facilitator.post(api('/lookahead'), { runs: 5000, days: 3 });
  assert.equal(asked.status, 202);
  const r = await d.facilitator.request('DELETE', api(`/jobs/${asked.body.id}`));
  assert.equal(r.status, 204, r.text);
  const job = await jobDone(d, asked.body);
  assert.equal(job.status, 'cancelled');
  assert.equal(job.result, undefined);
  // Nothing left to cancel.
  assert.equal((await d.facilitator.request('DELETE', api(`/jobs/${asked.body.id}`))).status, 404);
  const list = await d.facilitator.get(api('/jobs'));
  assert.equal(list.body[0].id, asked.body.id);
});

test('the MSEL round-trips through CSV; a bad row is refused with its line and column', async () => {
  const csv = await d.facilitator.get(api('/msel.csv'));
  assert.match(csv.text, /^MSEL #,Designated Scenario Time,Trigger/);
  const bad = await d.facilitator.post(api('/msel.csv'), {
    csv: `${csv.text.trimEnd()}\r\n9,H+x,time,,Broken row,,US,,,,,\r\n`,
  });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /msel\.csv:5:2: a scenario time is H\+hours/);
});
