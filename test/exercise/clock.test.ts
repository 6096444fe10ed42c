// Game time in real time (src/exercise/clock.ts), on wall times given by the test: it stands until
// play starts and while paused, runs `multiplier` times as fast as the wall clock from the resume's
// instant, reaches a tick exactly when that tick's wall time has passed, and stops at the horizon.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clockDue, gameTick, msToNextTick } from '../../src/exercise/clock.ts';
import { fold, type LogEntry, type LoggedEntry } from '../../src/exercise/index.ts';
import { koreaSetup } from './helpers.ts';

const model = { tickHours: 1, horizon: 336 };
const H = 3_600_000;

function state(entries: LogEntry[], multiplier = 60) {
  const log: LoggedEntry[] = [
    { kind: 'setup', setup: koreaSetup({ clock: { kind: 'realtime', multiplier } }) } as LogEntry,
    ...entries,
  ].map((entry, seq) => ({ seq, at: '', userId: 'u', entry }));
  return fold(log);
}

test('gameTick: real time stands until the facilitator starts it, then runs multiplier times as fast', () => {
  assert.equal(gameTick(state([]), model, 10 * H), 0);
  const st = state([{ kind: 'resume', wall: 1000 }]);
  // ×60: a wall minute is a scenario hour (one tick).
  assert.equal(gameTick(st, model, 1000 + 59_999), 0);
  assert.equal(gameTick(st, model, 1000 + 60_000), 1);
  assert.equal(gameTick(st, model, 1000 + 150 * 60_000 + 1), 150);
  assert.equal(gameTick(st, model, 1000 + 1000 * 60_000), 336, 'not past the horizon');
  assert.deepEqual(clockDue(st, model, 1000 + 3 * 60_000), { kind: 'clock', now: 3 });
  assert.equal(clockDue(st, model, 1000 + 30_000), null);
  assert.equal(msToNextTick(st, model, 1000 + 45_000), 15_000);
});

test('gameTick: paused, game time stands; resumed, it runs from the tick reached', () => {
  const paused = state([{ kind: 'resume', wall: 0 }, { kind: 'clock', now: 4 }, { kind: 'pause' }]);
  assert.equal(gameTick(paused, model, 100 * H), 4);
  assert.equal(msToNextTick(paused, model, 100 * H), null);
  const resumed = state([
    { kind: 'resume', wall: 0 },
    { kind: 'clock', now: 4 },
    { kind: 'pause' },
    { kind: 'resume', wall: 50 * H },
  ]);
  assert.equal(gameTick(resumed, model, 50 * H + 2 * 60_000), 6);
});

test('gameTick: turns never move by the wall clock; a rewind in real time pauses it', () => {
  const turns = fold([{ seq: 0, at: '', userId: 'u', entry: { kind: 'setup', setup: koreaSetup() } }]);
  assert.equal(turns.paused, false);
  assert.equal(gameTick(turns, model, 10 * H), 0);
  const rewound = state([
    { kind: 'resume', wall: 0 },
    { kind: 'clock', now: 4 },
    { kind: 'clock', now: 9 },
    { kind: 'rewind', to: 2 },
  ]);
  assert.equal(rewound.paused, true);
  assert.equal(rewound.now, 4);
  assert.equal(gameTick(rewound, model, 100 * H), 4);
});
