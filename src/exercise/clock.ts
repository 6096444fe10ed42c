// Game time in real time: while play runs, scenario time moves `multiplier` times as fast as the wall
// clock from the tick and the instant play (re)started (the `resume` entry's `wall`). The wall clock is
// an argument (`Clock`): the server's in production, one a test moves by hand; nothing here reads the
// time itself. The log holds the ticks reached (`clock` entries), so the game replays without a clock.
import type { Model } from '../engine/model.ts';
import type { ExerciseState } from './game.ts';
import type { LogEntry } from './schema.ts';

/** Where the wall clock's time comes from (ms since the epoch). */
export interface Clock {
  now(): number;
}

const HOUR_MS = 3_600_000;

/** The tick game time has reached at wall time `wall` (the state's own tick when play does not run). */
export function gameTick(
  st: ExerciseState,
  model: Pick<Model, 'tickHours' | 'horizon'>,
  wall: number,
): number {
  const mode = st.setup.clock;
  if (mode.kind !== 'realtime' || !st.running || st.paused || st.ended) return st.now;
  const hours = (Math.max(0, wall - st.running.wall) * mode.multiplier) / HOUR_MS;
  // A hair of tolerance, so that exactly one tick's worth of wall time is one tick.
  const tick = st.running.tick + Math.floor(hours / model.tickHours + 1e-9);
  return Math.min(model.horizon, Math.max(st.now, tick));
}

/** The clock entry that brings the game to wall time `wall`, or null when game time has not moved on. */
export function clockDue(
  st: ExerciseState,
  model: Pick<Model, 'tickHours' | 'horizon'>,
  wall: number,
): LogEntry | null {
  const tick = gameTick(st, model, wall);
  return tick > st.now ? { kind: 'clock', now: tick } : null;
}

/** Wall milliseconds until game time reaches the next tick (null when it does not run). */
export function msToNextTick(
  st: ExerciseState,
  model: Pick<Model, 'tickHours' | 'horizon'>,
  wall: number,
): number | null {
  const mode = st.setup.clock;
  if (mode.kind !== 'realtime' || !st.running || st.paused || st.ended || st.now >= model.horizon)
    return null;
  const next = gameTick(st, model, wall) + 1;
  const at = st.running.wall + ((next - st.running.tick) * model.tickHours * HOUR_MS) / mode.multiplier;
  return Math.max(0, Math.ceil(at - wall));
}
