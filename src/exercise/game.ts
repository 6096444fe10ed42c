// The game of an exercise: the log folded into a state (rewinds undo, nothing is deleted), the
// scenario document with the exercise's injects and the teams' own acts added, and the engine run
// with the teams' choices up to the clock (src/analysis/play.ts). Replaying the same log gives the
// same game: the log is the whole record. Views: the true state for the facilitator, and for each team
// only what its actor perceives (views.ts).

import { type Choices, type PendingDecision, type PlayResult, play } from '../analysis/play.ts';
import type { Model } from '../engine/model.ts';
import type { TraceRecord } from '../engine/trace.ts';
import type { Scenario } from '../scenario/schema.ts';
import { compileDoc, loadBase } from '../talks/scenario.ts';
import type { Inject, LogEntry, LoggedEntry, Setup, Team } from './schema.ts';

/** A problem with an exercise request, said so that the facilitator or a team can fix it. */
export class ExerciseError extends Error {
  readonly path: string | undefined;
  constructor(message: string, path?: string) {
    super(message);
    this.path = path;
  }
}

export interface Choice {
  action: string;
  by: string;
  reason?: string;
  seq: number;
}

export interface TeamAct {
  seq: number;
  team: string;
  actor: string;
  action: string;
  tick: number;
  text: string;
}

/** The log folded: what is in force now. */
export interface ExerciseState {
  setup: Setup;
  msel: Inject[];
  now: number;
  paused: boolean;
  ended: boolean;
  choices: Record<string, Choice>;
  acts: TeamAct[];
  fired: { inject: string; tick: number; seq: number }[];
  /** Clock entries in force (checkpoints): seq and tick. */
  checkpoints: { seq: number; now: number }[];
  /** Overrides and rewinds, for the record. */
  audit: { seq: number; at: string; userId: string; what: string }[];
  /** The seq of the last entry. */
  head: number;
  /** In real time, while play runs: the tick and the server clock's time (ms) game time runs from. */
  running: { tick: number; wall: number } | null;
}

/** Folds a log (in seq order) into the state in force. */
export function fold(log: readonly LoggedEntry[]): ExerciseState {
  const first = log[0];
  if (first?.entry.kind !== 'setup') throw new ExerciseError('the log does not start with a set-up');
  let active: LoggedEntry[] = [];
  const audit: ExerciseState['audit'] = [];
  for (const e of log) {
    if (e.entry.kind === 'rewind') {
      const to = e.entry.to;
      active = active.filter((x) => x.seq <= to);
      audit.push({ seq: e.seq, at: e.at, userId: e.userId, what: `rewind to checkpoint ${to}` });
    }
    // A rewind stays in force as a marker: in real time it stops the clock (the facilitator resumes).
    active.push(e);
  }
  const setup = first.entry.setup;
  const realtime = setup.clock.kind === 'realtime';
  const st: ExerciseState = {
    setup,
    msel: setup.msel,
    now: 0,
    // Real time waits for the facilitator to start it.
    paused: realtime,
    running: null,
    ended: false,
    choices: {},
    acts: [],
    fired: [],
    checkpoints: [{ seq: first.seq, now: 0 }],
    audit,
    head: log.at(-1)!.seq,
  };
  for (const { seq, at, userId, entry } of active) {
    switch (entry.kind) {
      case 'msel':
        st.msel = entry.msel;
        break;
      case 'clock':
        st.now = entry.now;
        st.checkpoints.push({ seq, now: entry.now });
        break;
      case 'choose':
        st.choices[entry.key] = {
          action: entry.action,
          by: entry.by,
          ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
          seq,
        };
        if (entry.by === 'facilitator')
          audit.push({
            seq,
            at,
            userId,
            what: `override ${entry.key} -> ${entry.action}: ${entry.reason ?? ''}`,
          });
        break;
      case 'act': {
        const team = setup.teams.find((t) => t.id === entry.team);
        if (team) st.acts.push({ seq, ...entry, actor: team.actor });
        break;
      }
      case 'fire':
        st.fired.push({ inject: entry.inject, tick: entry.tick, seq });
        break;
      case 'pause':
        st.paused = true;
        st.running = null;
        break;
      case 'resume':
        st.paused = false;
        if (realtime) st.running = { tick: st.now, wall: entry.wall ?? 0 };
        break;
      case 'rewind':
        if (realtime) {
          st.paused = true;
          st.running = null;
        }
        break;
      case 'end':
        st.ended = true;
        break;
    }
  }
  audit.sort((a, b) => a.seq - b.seq);
  return st;
}

/** Where an inject of the document came from: an MSEL entry or a team's act. */
export type InjectSource = { kind: 'msel'; inject: Inject } | { kind: 'act'; act: TeamAct };

export interface Game {
  state: ExerciseState;
  model: Model;
  doc: Scenario;
  run: PlayResult;
  /** The scenario time the game has reached (the pending decision's tick when it waits for a team). */
  t: number;
  pending: (PendingDecision & { team: Team | null }) | null;
  sources: Record<string, InjectSource>;
  /** Narrative injects delivered (time reached): inject and tick. */
  delivered: { inject: Inject; tick: number }[];
}

/** A set-up's scenario, loaded and compiled: what the exercise's documents are made from. */
export interface ExerciseBase {
  doc: Scenario;
  model: Model;
}

/** A base as cached: `id` names it in the document cache's keys (unique per base cached). */
type CachedBase = ExerciseBase & { id: number };
let nextBase = 0;
const models = new Map<string, { model: Model; doc: Scenario }>();
const bases = new Map<string, CachedBase>();
const scenarioKeys = new WeakMap<Setup['scenario'], string>();

/**
 * A set-up's scenario as the base cache's key: its JSON (the workspace's files, ~120 kB for the
 * examples), made once per scenario object rather than at every replay (JSON.stringify of the files
 * and of the whole document as keys took 13% of the server's thread during the bench's moves).
 */
function scenarioKey(scenario: Setup['scenario']): string {
  let key = scenarioKeys.get(scenario);
  if (key === undefined) {
    key = JSON.stringify(scenario);
    scenarioKeys.set(scenario, key);
  }
  return key;
}

const cacheBase = (key: string, base: ExerciseBase): CachedBase =>
  remember(bases, key, { doc: base.doc, model: base.model, id: nextBase++ }, 16);

function remember<V>(cache: Map<string, V>, key: string, value: V, most: number): V {
  if (cache.size > most) cache.delete(cache.keys().next().value!);
  cache.set(key, value);
  return value;
}

/** Loads and compiles a set-up's scenario (what `baseOf` caches). */
export function loadExerciseBase(scenario: Setup['scenario']): ExerciseBase {
  const b = loadBase(scenario.files, scenario.path);
  return { doc: b.doc, model: b.model };
}

function baseOf(setup: Setup): CachedBase {
  const key = scenarioKey(setup.scenario);
  return bases.get(key) ?? cacheBase(key, loadExerciseBase(setup.scenario));
}

/** Where the compiling of an exercise's documents happens (the server: its request pool). */
export interface ExerciseCompiler {
  base(scenario: Setup['scenario']): Promise<ExerciseBase>;
  model(doc: Scenario, path: string): Promise<Model>;
}

/**
 * Compiles what `replay(st)` (or `checkSetup` when `st` is a set-up) would compile on this thread and
 * is not cached yet, with `compiler`, and caches it: the same documents compiled elsewhere, so the
 * replay gives the same game. A scenario that does not load is left for the replay to report.
 */
export async function warm(st: ExerciseState | { setup: Setup }, compiler: ExerciseCompiler): Promise<void> {
  const key = scenarioKey(st.setup.scenario);
  if (!bases.has(key)) {
    let base: ExerciseBase;
    try {
      base = await compiler.base(st.setup.scenario);
    } catch {
      return;
    }
    cacheBase(key, base);
  }
  if (!('msel' in st)) return;
  const { doc, key: k } = exerciseDoc(st);
  if (models.has(k)) return;
  let model: Model;
  try {
    model = await compiler.model(doc, st.setup.scenario.path);
  } catch {
    return;
  }
  remember(models, k, { model, doc }, 32);
}

/** The tick of scenario hours, as the compiler counts them. */
export const ticksOf = (model: Model, hours: number) => Math.max(0, Math.round(hours / model.tickHours));

/** The tick at which an inject is delivered in this state (null: not yet, or never). */
export function injectTick(model: Model, st: ExerciseState, inj: Inject): number | null {
  if ('atHours' in inj.trigger) return ticksOf(model, inj.trigger.atHours);
  return st.fired.find((f) => f.inject === inj.id)?.tick ?? null;
}

/**
 * The scenario with the exercise's injects: MSEL acts (timed, or fired) and the teams' own acts; `key`
 * names the document in the compiled-model cache (its base and its injects determine it).
 */
export function exerciseDoc(st: ExerciseState): {
  doc: Scenario;
  sources: Record<string, InjectSource>;
  key: string;
} {
  const base = baseOf(st.setup);
  const injects: Scenario['injects'] = { ...base.doc.injects };
  const sources: Record<string, InjectSource> = {};
  for (const inj of st.msel) {
    if (!inj.action) continue;
    const tick = injectTick(base.model, st, inj);
    if (tick === null) continue;
    const id = `msel-${inj.id.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    injects[id] = {
      name: inj.synopsis.slice(0, 120),
      atHours: tick * base.model.tickHours,
      action: inj.action,
    };
    sources[id] = { kind: 'msel', inject: inj };
  }
  for (const act of st.acts) {
    const id = `team-${act.seq}`;
    injects[id] = { name: `${act.team} acts`, atHours: act.tick * base.model.tickHours, action: act.action };
    sources[id] = { kind: 'act', act };
  }
  return { doc: { ...base.doc, injects }, sources, key: `${base.id}:${JSON.stringify(injects)}` };
}

function compiled(st: ExerciseState): { model: Model; doc: Scenario; sources: Record<string, InjectSource> } {
  const { doc, sources, key } = exerciseDoc(st);
  const hit =
    models.get(key) ??
    remember(models, key, { model: compileDoc(doc, [], st.setup.scenario.path).model, doc }, 32);
  return { ...hit, sources };
}

/** The teams' choices (and overrides) in force, as the engine takes them. */
export function choicesOf(st: ExerciseState): Choices {
  const out: Record<string, string> = {};
  for (const [k, c] of Object.entries(st.choices)) out[k] = c.action;
  return out;
}

/** Replays the game of a state: the engine with the teams' choices up to the clock. */
export function replay(st: ExerciseState): Game {
  const { model, doc, sources } = compiled(st);
  const players = new Set(st.setup.teams.map((t) => t.actor));
  const run = play(model, { seed: st.setup.seed, run: 0, choices: choicesOf(st), players, until: st.now });
  const pending = run.pending
    ? { ...run.pending, team: st.setup.teams.find((t) => t.actor === run.pending!.actor) ?? null }
    : null;
  const delivered: Game['delivered'] = [];
  for (const inj of st.msel) {
    const tick = injectTick(model, st, inj);
    if (tick !== null && tick <= run.t) delivered.push({ inject: inj, tick });
  }
  delivered.sort((a, b) => a.tick - b.tick);
  return { state: st, model, doc, run, t: run.t, pending, sources, delivered };
}

/**
 * The conditional injects whose condition the game met (at or before its time) and that have not
 * fired: the log entries that fire them (one tick after the condition at the earliest).
 */
export function duePending(game: Game): LogEntry[] {
  const out: LogEntry[] = [];
  const m = game.model;
  for (const inj of game.state.msel) {
    const tr = inj.trigger;
    if ('atHours' in tr || 'manual' in tr) continue;
    if (game.state.fired.some((f) => f.inject === inj.id)) continue;
    for (const r of game.run.trace) {
      if (r.kind !== 'event') continue;
      const met =
        'afterAct' in tr
          ? r.act === tr.afterAct || r.act.startsWith(`${tr.afterAct}/`)
          : m.rungIds.indexOf(r.rung) >= m.rungIds.indexOf(tr.rungAtLeast);
      if (met) {
        out.push({ kind: 'fire', inject: inj.id, tick: r.t + Math.max(1, ticksOf(m, tr.delayHours)) });
        break;
      }
    }
  }
  return out;
}

/**
 * Checks a log entry against the game before it is appended; throws an ExerciseError saying what
 * would be valid.
 */
export function checkEntry(game: Game, entry: LogEntry, team: Team | null): void {
  const st = game.state;
  const m = game.model;
  if (st.ended && entry.kind !== 'end') throw new ExerciseError('the exercise has ended');
  switch (entry.kind) {
    case 'choose': {
      const p = game.pending;
      if (team) {
        if (!p || p.key !== entry.key || p.actor !== team.actor)
          throw new ExerciseError(`no decision ${entry.key} is waiting for your team`, 'key');
      } else if (!p || p.key !== entry.key) {
        // An override of a decision already taken (by the doctrine or a team) at or before the clock.
        const taken = game.run.trace.filter((r) => r.kind === 'decide');
        if (!overridable(game).some((d) => d.key === entry.key))
          throw new ExerciseError(
            `${entry.key} is not a decision of this game so far (${taken.length} decisions)`,
            'key',
          );
      }
      const options =
        p && p.key === entry.key ? p.options : overridable(game).find((d) => d.key === entry.key)!.options;
      if (!options.some((o) => o.act === entry.action))
        throw new ExerciseError(
          `${entry.action} is not an option of ${entry.key}: choose one of ${options.map((o) => o.act).join(', ')}`,
          'action',
        );
      return;
    }
    case 'act': {
      if (!team) throw new ExerciseError('only a team acts on its own initiative');
      const a = m.actions.find((x) => x.id === entry.action);
      if (!a || m.actors[a.actor]!.id !== team.actor || !a.message)
        throw new ExerciseError(
          `${entry.action} is not a message of ${team.actor}: send one of ${messagesOf(m, team.actor)
            .map((x) => x.id)
            .join(', ')}`,
          'action',
        );
      return;
    }
    case 'clock':
      if (entry.now <= st.now)
        throw new ExerciseError(`the clock is at tick ${st.now}: it only moves forward`, 'now');
      if (entry.now > m.horizon) throw new ExerciseError(`the scenario ends at tick ${m.horizon}`, 'now');
      return;
    case 'fire': {
      const inj = st.msel.find((i) => i.id === entry.inject);
      if (!inj) throw new ExerciseError(`no inject ${entry.inject} in the MSEL`, 'inject');
      if (st.fired.some((f) => f.inject === inj.id) || 'atHours' in inj.trigger)
        throw new ExerciseError(`inject ${inj.id} is timed or has fired already`, 'inject');
      return;
    }
    case 'msel':
      checkMsel(game, entry.msel);
      return;
    case 'rewind':
      if (!st.checkpoints.some((c) => c.seq === entry.to))
        throw new ExerciseError(
          `${entry.to} is not a checkpoint: rewind to one of ${st.checkpoints.map((c) => c.seq).join(', ')}`,
          'to',
        );
      return;
    default:
      return;
  }
}

/** Decisions of the game so far that the facilitator may override (every decision, taken by anyone). */
export function overridable(game: Pick<Game, 'run' | 'model'>): {
  key: string;
  actor: string;
  t: number;
  stimulus: string;
  chosen: string;
  options: { act: string; p: number }[];
}[] {
  const counts = new Map<string, number>();
  const out = [];
  for (const r of game.run.trace) {
    if (r.kind !== 'decide') continue;
    // Protocol (`also`) decisions are not players' decisions: the chooser skips them.
    const n = counts.get(r.actor) ?? 0;
    const rule = game.model.actors.find((a) => a.id === r.actor)?.rules.find((q) => q.id === r.rule);
    if (rule?.also) continue;
    counts.set(r.actor, n + 1);
    out.push({
      key: `${r.actor}#${n}`,
      actor: r.actor,
      t: r.t,
      stimulus: r.stimulus,
      chosen: r.chosen,
      options: r.options,
    });
  }
  return out;
}

/** The message actions of an actor (what its team may send on its own initiative). */
export function messagesOf(m: Model, actor: string) {
  return m.actions.filter((a) => a.message && m.actors[a.actor]!.id === actor);
}

/** An MSEL edit: injects already delivered stay as they were; actions and actors must exist. */
export function checkMsel(game: Game, msel: readonly Inject[]): void {
  const m = game.model;
  const ids = new Set<string>();
  msel.forEach((inj, i) => {
    if (ids.has(inj.id)) throw new ExerciseError(`inject number ${inj.id} is used twice`, `msel.${i}.id`);
    ids.add(inj.id);
    checkInject(m, inj, `msel.${i}`);
  });
  for (const d of game.delivered) {
    const now = msel.find((i) => i.id === d.inject.id);
    if (!now || JSON.stringify(now) !== JSON.stringify(d.inject))
      throw new ExerciseError(
        `inject ${d.inject.id} was delivered at tick ${d.tick}: it cannot be changed or removed now`,
        'msel',
      );
  }
}

/** An inject names acts, actors and rungs of the scenario. */
export function checkInject(m: Model, inj: Inject, path: string): void {
  if (inj.action && !m.actIds.includes(inj.action) && !m.actions.some((a) => a.id === inj.action))
    throw new ExerciseError(
      `no act ${inj.action} in the scenario (e.g. ${m.actions[0]?.id})`,
      `${path}.action`,
    );
  for (const [k, a] of inj.to.entries())
    if (!m.actors.some((x) => x.id === a))
      throw new ExerciseError(
        `no actor ${a}: one of ${m.actors.map((x) => x.id).join(', ')}`,
        `${path}.to.${k}`,
      );
  const tr = inj.trigger;
  if ('rungAtLeast' in tr && !m.rungIds.includes(tr.rungAtLeast))
    throw new ExerciseError(
      `no rung ${tr.rungAtLeast}: one of ${m.rungIds.join(', ')}`,
      `${path}.trigger.rungAtLeast`,
    );
  if ('afterAct' in tr && !m.actions.some((a) => a.id === tr.afterAct || tr.afterAct.startsWith(`${a.id}/`)))
    throw new ExerciseError(`no act ${tr.afterAct} in the scenario`, `${path}.trigger.afterAct`);
  if ('atHours' in tr && tr.atHours > m.horizon * m.tickHours)
    throw new ExerciseError(
      `after the scenario's horizon (${m.horizon * m.tickHours} h)`,
      `${path}.trigger.atHours`,
    );
}

/** Checks a set-up: the scenario loads, teams play distinct actors of it, the MSEL names what exists. */
export function checkSetup(setup: Setup): Model {
  let model: Model;
  try {
    model = baseOf(setup).model;
  } catch (e) {
    throw new ExerciseError(e instanceof Error ? e.message : String(e), 'scenario');
  }
  const seen = new Set<string>();
  setup.teams.forEach((t, i) => {
    if (!model.actors.some((a) => a.id === t.actor))
      throw new ExerciseError(
        `no actor ${t.actor} in ${setup.scenario.path}: one of ${model.actors.map((a) => a.id).join(', ')}`,
        `teams.${i}.actor`,
      );
    if (seen.has(t.actor) || setup.teams.some((u, j) => j < i && u.id === t.id))
      throw new ExerciseError(`two teams for ${t.actor} (or the same team id twice)`, `teams.${i}`);
    seen.add(t.actor);
  });
  const ids = new Set<string>();
  setup.msel.forEach((inj, i) => {
    if (ids.has(inj.id)) throw new ExerciseError(`inject number ${inj.id} is used twice`, `msel.${i}.id`);
    ids.add(inj.id);
    checkInject(model, inj, `msel.${i}`);
  });
  return model;
}

export type { TraceRecord };
