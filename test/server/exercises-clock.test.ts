// A real-time exercise through the API, on a clock the test moves by hand (no sleeps): it starts paused,
// game time runs `multiplier` times as fast as the clock from the facilitator's start, stands while
// paused and after a rewind, timed injects arrive when game time reaches them, and a team writes out of
// turn (while another team's decision waits), adjudicated by the engine at the next step. The log
// replays to the same game without any clock.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Clock } from '../../src/exercise/clock.ts';
import { fold, LogEntry, replay } from '../../src/exercise/index.ts';
import { type Drill, setupDrill } from './exercises-helpers.ts';
import { ok } from './talks-helpers.ts';

/** A wall clock that moves only when the test says. */
class HandClock implements Clock {
  t = Date.UTC(2026, 11, 2, 9, 0, 0);
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

const SECOND = 1000;
// ×3600: a wall-clock second is a scenario hour (korea-intercept's tick).
const clock = new HandClock();
let d: Drill;
const api = (p = '') => `/api/exercises/${d.ex}${p}`;
const OUT_OF_TURN = 'out-of-turn-5c2: Beijing will keep its forces at ease';

before(async () => {
  d = await setupDrill({ clock, realtime: 3600, runs: 100 });
});
after(async () => {
  await d.srv.close();
});

const now = async () => (await d.facilitator.get(api('/view'))).body.now as number;

test('real time starts paused: no game time passes until the facilitator starts the clock', async () => {
  const s = await d.facilitator.get(api());
  await ok(s);
  assert.deepEqual(s.body.clock, { kind: 'realtime', multiplier: 3600 });
  assert.equal(s.body.paused, true);
  assert.equal(s.body.nextTickMs, null);
  clock.advance(10 * SECOND);
  assert.equal(await now(), 0);
  // Turns are not the facilitator's to give in real time; teams wait while paused.
  const turn = await d.facilitator.post(api('/clock'), {});
  assert.equal(turn.status, 400);
  assert.match(turn.body.error.message, /runs in real time/);
  assert.equal((await d.red.post(api('/messages'), { action: 'DPRK.statement', text: 'x' })).status, 409);
});

test('started, game time runs multiplier times as fast as the clock, one tick at a time', async () => {
  await ok(await d.facilitator.post(api('/resume'), {}));
  assert.equal((await d.facilitator.get(api())).body.nextTickMs, SECOND);
  clock.advance(SECOND - 1);
  assert.equal(await now(), 0);
  clock.advance(1);
  assert.equal(await now(), 1);
  clock.advance(4 * SECOND + 500);
  assert.equal(await now(), 5);
  assert.equal((await d.facilitator.get(api())).body.nextTickMs, 500);
  // The clock entries are the server's own, at the ticks reached.
  const log = (await d.facilitator.get(api('/log'))).body as { userId: string; entry: LogEntry }[];
  const ticks = log.flatMap((e) => (e.entry.kind === 'clock' ? [[e.userId, e.entry.now]] : []));
  assert.deepEqual(ticks.at(-1), ['clock', 5]);
  assert.ok(ticks.length >= 2);
});

test("out of turn: a team writes while another team's decision waits; the engine adjudicates it at the next step", async () => {
  const fac = (await d.facilitator.get(api('/view'))).body;
  // The game waits for Washington at the launch (game time stops at the decision; the clock runs on).
  assert.equal(fac.pending?.team, 'blue');
  assert.equal(fac.t, 1);
  // Nothing timed has reached Washington yet: the debris report is at H+2.
  assert.ok(!(await d.blue.get(api('/view'))).text.includes('debris sighted'));
  const yellow = (await d.yellow.get(api('/view'))).body;
  assert.equal(yellow.decision, null, 'nothing waits for Beijing');
  const toUs = yellow.messages.find((m: { to: string }) => m.to === 'US');
  const sent = await d.yellow.post(api('/messages'), { action: toUs.act, text: OUT_OF_TURN });
  await ok(sent);
  const log = (await d.facilitator.get(api('/log'))).body as { entry: LogEntry }[];
  const act = log.map((e) => e.entry).find((e) => e.kind === 'act');
  assert.deepEqual(act && act.kind === 'act' && [act.team, act.action, act.tick], [
    'yellow',
    toUs.act,
    fac.t + 1,
  ]);
  // Washington decides; the game catches up with the clock and carries out Pyongyang's message.
  await ok(
    await d.blue.post(api('/decisions'), { key: fac.pending.key, action: fac.pending.options[0].act }),
  );
  const after = (await d.facilitator.get(api('/truth'))).body;
  assert.ok(after.t > fac.t);
  assert.ok(
    after.trace.some(
      (r: { kind: string; act?: string; t: number }) => r.kind === 'event' && r.act === toUs.act,
    ),
    "the engine carried out Beijing's message",
  );
  // The timed inject reached Washington now that game time passed H+2.
  assert.ok((await d.blue.get(api('/view'))).text.includes('debris sighted'));
  // Pyongyang, not addressed, never reads it; Beijing sees its own words.
  assert.ok(!(await d.red.get(api('/view'))).text.includes(OUT_OF_TURN));
  assert.ok((await d.yellow.get(api('/view'))).text.includes(OUT_OF_TURN));
});

test('paused, game time stands; resumed, it runs on from the resume', async () => {
  await ok(await d.facilitator.post(api('/pause'), {}));
  const at = await now();
  clock.advance(10 * SECOND);
  assert.equal(await now(), at);
  await ok(await d.facilitator.post(api('/resume'), {}));
  clock.advance(2 * SECOND);
  assert.equal(await now(), at + 2);
});

test('while someone watches, the server moves the clock by itself and tells the watchers', {
  timeout: 30_000,
}, async () => {
  const room = d.srv.services.exercises;
  room.stopClock();
  room.startClock(10);
  // The server's ticker does not keep a process alive (unref): this test's wait does.
  const alive = setInterval(() => {}, 1000);
  try {
    const at = await now();
    const moved = new Promise<void>((resolve) => {
      const off = room.subscribe(d.ex, (e) => {
        if (e.kind !== 'change') return;
        off();
        resolve();
      });
    });
    clock.advance(3 * SECOND);
    // No request: the server's own tick appends the clock entry and tells the subscriber.
    await moved;
    const log = (await d.facilitator.get(api('/log'))).body as { userId: string; entry: LogEntry }[];
    assert.deepEqual(log.at(-1), { ...log.at(-1)!, userId: 'clock', entry: { kind: 'clock', now: at + 3 } });
  } finally {
    clearInterval(alive);
    room.stopClock();
  }
});

test('the log replays to the same game without any clock', async () => {
  const log = (await d.facilitator.get(api('/log'))).body.map((e: { entry: unknown }) => ({
    ...e,
    entry: LogEntry.parse(e.entry),
  }));
  const game = replay(fold(log));
  const truth = (await d.facilitator.get(api('/truth'))).body;
  assert.equal(game.state.now, truth.now);
  assert.equal(game.t, truth.t);
  assert.deepEqual(JSON.parse(JSON.stringify(game.run.trace)), truth.trace);
});

test('a rewind stops the real-time clock until the facilitator resumes it', async () => {
  const cp = (await d.facilitator.get(api('/view'))).body.checkpoints[1];
  await ok(await d.facilitator.post(api('/rewind'), { to: cp.seq }));
  const s = (await d.facilitator.get(api())).body;
  assert.equal(s.paused, true);
  assert.equal(s.now, cp.now);
  clock.advance(5 * SECOND);
  assert.equal(await now(), cp.now);
  await ok(await d.facilitator.post(api('/resume'), {}));
  clock.advance(SECOND);
  assert.equal(await now(), cp.now + 1);
});
