// The exercise's one source of truth: the set-up, the master scenario events list (MSEL) and the
// exercise log, as zod schemas (types, validation at the API, the web app's forms). An exercise is its
// log: the set-up is entry 0, every later move (a clock tick, a team's choice, an inject fired, an
// override, a rewind) is appended, and the game is the fold of the log replayed by the engine
// (game.ts), so the same log always gives the same game.
import { z } from 'zod';

export const TeamId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'a team id is lower-case letters, digits and - (e.g. blue)');

export const Team = z.strictObject({
  id: TeamId,
  label: z.string().trim().min(1).max(80),
  /** The scenario actor the team plays. */
  actor: z.string().min(1).max(40),
});
export type Team = z.infer<typeof Team>;

/** When an inject is delivered: at a scenario time, or once a condition on the game is met. */
export const Trigger = z.union([
  z.strictObject({ atHours: z.number().min(0) }),
  z.strictObject({
    /** A true event of this act (`ACTOR.action` or `ACTOR.action/outcome`) happened. */
    afterAct: z.string().min(3).max(120),
    delayHours: z.number().min(0).default(1),
  }),
  z.strictObject({
    /** The crisis reached this rung of the ladder. */
    rungAtLeast: z.string().min(1).max(60),
    delayHours: z.number().min(0).default(1),
  }),
  /** Delivered only when the facilitator fires it. */
  z.strictObject({ manual: z.literal(true) }),
]);
export type Trigger = z.infer<typeof Trigger>;

/** One MSEL entry (HSEEP's columns, plus the engine act an inject may carry out). */
export const Inject = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,19}$/, 'an inject number is letters, digits, . or -'),
  trigger: Trigger,
  synopsis: z.string().trim().min(1).max(2000),
  /** The act the engine carries out (`ACTOR.action` or `ACTOR.action/outcome`), if any. */
  action: z.string().min(3).max(120).optional(),
  /** Actors whose teams receive the synopsis (HSEEP: intended player). */
  to: z.array(z.string().min(1).max(40)).max(20).default([]),
  from: z.string().max(120).default(''),
  expected: z.string().max(2000).default(''),
  objective: z.string().max(500).default(''),
  controller: z.string().max(120).default(''),
  notes: z.string().max(2000).default(''),
});
export type Inject = z.infer<typeof Inject>;
export type InjectInput = z.input<typeof Inject>;

export const Msel = z.array(Inject).max(500);

export const ScenarioSnapshot = z.strictObject({
  path: z.string().min(1).max(300),
  /** The scenario's files when the exercise was created (entry first): the log replays on these. */
  files: z.record(z.string(), z.string()),
});

/**
 * How game time moves: in turns the facilitator advances (`turnHours` at a time), or in real time, game
 * time running `multiplier` times as fast as the wall clock while play is not paused (a day of scenario
 * in an hour at 24). Real time starts paused: the facilitator starts it.
 */
export const ClockMode = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('turns') }),
  z.strictObject({ kind: z.literal('realtime'), multiplier: z.number().min(1).max(10_000) }),
]);
export type ClockMode = z.infer<typeof ClockMode>;

export const Setup = z.strictObject({
  title: z.string().trim().min(1).max(200),
  scenario: ScenarioSnapshot,
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31),
  teams: z.array(Team).min(1).max(12),
  /** The clock: the facilitator advances the game a turn of this many scenario hours at a time. */
  turnHours: z
    .number()
    .min(1)
    .max(24 * 30),
  clock: ClockMode.default({ kind: 'turns' }),
  msel: Msel,
  /** The coach's look-ahead: runs and window. */
  coach: z.strictObject({
    runs: z.number().int().min(100).max(100_000),
    windowDays: z.number().min(1).max(365),
  }),
});
export type Setup = z.infer<typeof Setup>;

export const LogEntry = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('setup'), setup: Setup }),
  z.strictObject({ kind: z.literal('msel'), msel: Msel }),
  /** The clock moves to this tick (a checkpoint to rewind to). */
  z.strictObject({ kind: z.literal('clock'), now: z.number().int().min(0) }),
  /** A decision taken by a team, or overridden by the facilitator (with a reason). */
  z.strictObject({
    kind: z.literal('choose'),
    key: z.string().max(60),
    action: z.string().max(120),
    by: z.string().max(40),
    reason: z.string().max(2000).optional(),
  }),
  /** A team acts on its own initiative (a message over a channel), with words for the receiver. */
  z.strictObject({
    kind: z.literal('act'),
    team: TeamId,
    action: z.string().max(120),
    tick: z.number().int().min(0),
    text: z.string().max(2000).default(''),
  }),
  z.strictObject({ kind: z.literal('fire'), inject: z.string().max(20), tick: z.number().int().min(0) }),
  z.strictObject({ kind: z.literal('pause') }),
  /** Play resumes; in real time, `wall` is the server clock's time (ms) from which game time runs. */
  z.strictObject({ kind: z.literal('resume'), wall: z.number().int().min(0).optional() }),
  /** Back to the checkpoint (a clock entry): every entry after it is undone (and kept in the log). */
  z.strictObject({ kind: z.literal('rewind'), to: z.number().int().min(0) }),
  z.strictObject({ kind: z.literal('end') }),
]);
export type LogEntry = z.infer<typeof LogEntry>;

/** An entry as stored: its place in the log, when and by whom. */
export interface LoggedEntry {
  seq: number;
  at: string;
  userId: string;
  entry: LogEntry;
}
