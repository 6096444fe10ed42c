// The exercise room's use cases: create from a workspace scenario, invite teams (single-use links, as
// in the talks room), play (decisions, messages, the clock, injects, overrides, rewinds, all appended
// to the exercise log), the views (each team its own, the facilitator all), the coach and the
// after-action review. Every change is one append from the log's head; subscribers (the event stream)
// are told after it, each computing only its own view.
import { randomUUID } from 'node:crypto';
import { conflict, type DomainError, forbidden, invalid, notFound } from '../../errors.ts';
import {
  type Aar,
  type Clock,
  checkEntry,
  checkSetup,
  clockDue,
  duePending,
  type ExerciseCompiler,
  ExerciseError,
  fold,
  type Game,
  LogEntry,
  type LoggedEntry,
  msToNextTick,
  overridable,
  replay,
  type Setup,
  type Team,
  type TeamView,
  type TrueView,
  teamView,
  trueView,
  warm,
} from '../../exercise/index.ts';
import type {
  ExerciseJobKind,
  ExerciseJobRow,
  ExerciseJobStatus,
  ExerciseMemberRow,
  ExerciseRow,
  LogRow,
  Store,
  User,
} from '../../store/index.ts';
import { hashToken, newToken } from '../invitations.ts';
import { exerciseScope, type Keyring } from '../talks/crypto.ts';

export const EXERCISE_INVITATION_DAYS = 7;

/** Who is calling, in which exercise, as what. */
export interface ExerciseCaller {
  user: User;
  member: ExerciseMemberRow;
  exercise: ExerciseRow;
}

const noSuch = (what = 'exercise'): DomainError => notFound(`no such ${what}`);

/** An ExerciseError (the domain's words) as a refusal of the request. */
export function refusal(e: unknown): unknown {
  if (e instanceof ExerciseError) return invalid(e.message, e.path !== undefined ? { path: e.path } : {});
  return e;
}

/** A background job of an exercise as the facilitator sees it (the result once it is done). */
export interface ExerciseJobInfo {
  id: string;
  kind: ExerciseJobKind;
  /** The log entry the job computes on (the game as it was then). */
  head: number;
  status: ExerciseJobStatus;
  done: number;
  total: number;
  error: string | null;
  options: { runs: number; days?: number };
  createdAt: string;
  finishedAt: string | null;
}

/** What subscribers are told: the game changed, or a job of the exercise moved (the facilitator's). */
export type RoomEvent = { kind: 'change' } | { kind: 'job'; job: ExerciseJobInfo };
type Listener = (e: RoomEvent) => void;

/** The user id of the entries the server writes itself (real-time clock ticks). */
export const CLOCK_USER = 'clock';

/** The server's wall clock (the only place an exercise's time is read from in production). */
export const systemClock: Clock = { now: () => Date.now() };

export class ExerciseRoom {
  readonly store: Store;
  readonly keys: Keyring;
  readonly clock: Clock;
  private readonly games = new Map<string, { head: number; game: Game }>();
  /** Log rows opened, by exercise and seq: the sealed text and the entry it opened to. */
  private readonly opened = new Map<string, Map<number, { sealed: string; entry: LoggedEntry }>>();
  /** Replays under way, by exercise: the head each replays and the game it will give. */
  private readonly replaying = new Map<string, { head: number; game: Promise<Game> }>();
  private readonly wrapped = new Map<string, string | null>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private ticker: ReturnType<typeof setInterval> | undefined;
  /** Hands a new job to the server's job queue (src/server/exercises/jobs.ts). */
  onJob: (exerciseId: string, jobId: string) => void = () => {};

  /**
   * Where the game's scenario documents compile (the server's request pool, queued under the scope:
   * the exercise, or the workspace creating one); without one, at replay on this thread.
   */
  private readonly compiler: ((scope: string) => ExerciseCompiler) | undefined;

  /** `keys`: the talks room's keyring (exercise content is sealed under the same master key). */
  constructor(
    store: Store,
    keys: Keyring,
    clock: Clock = systemClock,
    compiler?: (scope: string) => ExerciseCompiler,
  ) {
    this.store = store;
    this.keys = keys;
    this.compiler = compiler;
    this.clock = clock;
  }

  // Sealing ---------------------------------------------------------------------------------------

  /** The exercise's wrapped data key (null: an exercise created before sealing, read in clear). */
  private async wrappedKey(exerciseId: string): Promise<string | null> {
    if (this.wrapped.has(exerciseId)) return this.wrapped.get(exerciseId)!;
    const e = await this.store.exercises.exercise(exerciseId);
    if (!e) throw noSuch();
    this.wrapped.set(exerciseId, e.wrappedKey);
    return e.wrappedKey;
  }

  /** Seals a record of an exercise (a log entry by its seq, a job's result by its id). */
  seal(exerciseId: string, wrapped: string | null, kind: string, id: string, value: unknown): string {
    return wrapped === null
      ? JSON.stringify(value)
      : this.keys.seal(exerciseScope(exerciseId), wrapped, kind, id, value);
  }

  open<T>(exerciseId: string, wrapped: string | null, kind: string, id: string, sealed: string): T {
    return wrapped === null
      ? (JSON.parse(sealed) as T)
      : this.keys.open<T>(exerciseScope(exerciseId), wrapped, kind, id, sealed);
  }

  /**
   * The log's rows opened. A row is opened once (decrypted and checked): a row read again with the same
   * sealed text, time and author is the entry opened before, so a replay at each move or read does not
   * open the whole log again (the set-up entry holds the workspace's files) and the game's set-up stays
   * the same object (its cache key is made once).
   */
  private async entries(exerciseId: string, rows: LogRow[]): Promise<LoggedEntry[]> {
    const wrapped = await this.wrappedKey(exerciseId);
    let seen = this.opened.get(exerciseId);
    if (!seen) {
      seen = new Map();
      this.opened.set(exerciseId, seen);
    }
    return rows.map((r) => {
      const hit = seen.get(r.seq);
      if (hit && hit.sealed === r.entry && hit.entry.at === r.at && hit.entry.userId === r.userId)
        return hit.entry;
      const entry: LoggedEntry = {
        seq: r.seq,
        at: r.at,
        userId: r.userId,
        entry: LogEntry.parse(this.open(exerciseId, wrapped, 'log', String(r.seq), r.entry)),
      };
      seen.set(r.seq, { sealed: r.entry, entry });
      return entry;
    });
  }

  // Callers -------------------------------------------------------------------------------------

  /** The caller in an exercise, or 404 when it does not exist or the user is not in it. */
  async caller(exerciseId: string, user: User): Promise<ExerciseCaller> {
    const member = await this.store.exercises.member(exerciseId, user.id);
    if (!member) throw noSuch();
    const exercise = await this.store.exercises.exercise(exerciseId);
    if (!exercise) throw noSuch();
    return { user, member, exercise };
  }

  teamOf(c: ExerciseCaller, game: Game): Team | null {
    if (c.member.role !== 'team') return null;
    const t = game.state.setup.teams.find((x) => x.id === c.member.teamId);
    if (!t) throw forbidden('your team is no longer in this exercise');
    return t;
  }

  // The game ------------------------------------------------------------------------------------

  /**
   * The game at the log's head (replayed once per head), without moving a real-time clock. Requests
   * that find the same head not yet replayed share one replay: ten look-aheads asked at once each
   * opened, folded, compiled (on the pool) and replayed the same game, ~15 ms of the event loop each
   * (docs/decisions/0018-server-load.md, session 7).
   */
  private async load(exerciseId: string): Promise<Game> {
    const rows = await this.store.exercises.log(exerciseId);
    const head = rows.at(-1)?.seq ?? -1;
    const hit = this.games.get(exerciseId);
    if (hit && hit.head === head) return hit.game;
    const pending = this.replaying.get(exerciseId);
    if (pending && pending.head === head) return pending.game;
    const game = (async () => {
      const st = fold(await this.entries(exerciseId, rows));
      // A new document (a team's act, a fired inject, the first load) compiles on the pool, not here.
      if (this.compiler) await warm(st, this.compiler(`exercise:${exerciseId}`));
      const g = replay(st);
      // A later head replayed meanwhile stays.
      if ((this.games.get(exerciseId)?.head ?? -2) < head) this.games.set(exerciseId, { head, game: g });
      return g;
    })();
    this.replaying.set(exerciseId, { head, game });
    try {
      return await game;
    } finally {
      if (this.replaying.get(exerciseId)?.game === game) this.replaying.delete(exerciseId);
    }
  }

  /** The log up to entry `head`, opened (a background job replays the game from it on its thread). */
  async logAt(exerciseId: string, head: number): Promise<LoggedEntry[]> {
    const rows = (await this.store.exercises.log(exerciseId)).filter((r) => r.seq <= head);
    return this.entries(exerciseId, rows);
  }

  /**
   * The game now: in real time, game time is first brought to the server clock's time (a `clock`
   * entry appended, with the conditional injects it made due), so every view shows the same moment.
   */
  async game(exerciseId: string): Promise<Game> {
    const g = await this.load(exerciseId);
    if (!clockDue(g.state, g.model, this.clock.now())) return g;
    const moved = await this.locked(exerciseId, async () => {
      const before = await this.load(exerciseId);
      const after = await this.catchUp(exerciseId, before, CLOCK_USER);
      return after.state.head !== before.state.head;
    });
    if (moved) this.emit(exerciseId, { kind: 'change' });
    return this.load(exerciseId);
  }

  /** The log, as stored (the facilitator's export; `replay(fold(log))` gives the game). */
  async log(exerciseId: string): Promise<LoggedEntry[]> {
    return this.entries(exerciseId, await this.store.exercises.log(exerciseId));
  }

  /** Runs `fn` as the exercise's only writer on this server (the log's head guards other servers). */
  private async locked<T>(exerciseId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(exerciseId) ?? Promise.resolve();
    const next = prev.then(fn);
    this.locks.set(
      exerciseId,
      next.catch(() => {}),
    );
    return next;
  }

  /** Appends entries after the game's head, sealed; false when the head moved meanwhile. */
  private async write(exerciseId: string, game: Game, entries: LogEntry[], userId: string): Promise<boolean> {
    const wrapped = await this.wrappedKey(exerciseId);
    const head = game.state.head;
    const rows = entries.map((entry, k) => ({
      userId,
      entry: this.seal(exerciseId, wrapped, 'log', String(head + 1 + k), entry),
    }));
    return this.store.exercises.append(exerciseId, head, rows);
  }

  /** Brings a real-time game to the clock's time; returns the game after it. */
  private async catchUp(exerciseId: string, game: Game, userId: string): Promise<Game> {
    const due = clockDue(game.state, game.model, this.clock.now());
    if (!due) return game;
    if (!(await this.write(exerciseId, game, [due], userId)))
      throw conflict('the exercise changed meanwhile: try again');
    return this.fireDue(exerciseId, userId);
  }

  /** Fires the conditional injects the game's state made due (logged); returns the game after. */
  private async fireDue(exerciseId: string, userId: string): Promise<Game> {
    for (let k = 0; k < 20; k++) {
      const g = await this.load(exerciseId);
      const due = duePending(g);
      if (due.length === 0) break;
      if (!(await this.write(exerciseId, g, due, userId))) break;
    }
    return this.load(exerciseId);
  }

  /**
   * Appends an entry (checked against the game, for `team` or the facilitator), then the conditional
   * injects it made due; one writer per exercise at a time on this server, the head guards the rest.
   * In real time the game is first brought to the clock's time, and a resume is stamped with it.
   */
  async append(c: ExerciseCaller, entry: LogEntry): Promise<Game> {
    const id = c.exercise.id;
    const game = await this.locked(id, async () => {
      const game = await this.catchUp(id, await this.load(id), c.user.id);
      const team = c.member.role === 'team' ? this.teamOf(c, game) : null;
      const realtime = game.state.setup.clock.kind === 'realtime';
      if (realtime && entry.kind === 'clock')
        throw invalid('the clock runs in real time: the facilitator pauses or resumes it', { path: 'turns' });
      if (game.state.paused && (entry.kind === 'choose' || entry.kind === 'act' || entry.kind === 'clock'))
        throw conflict('the exercise is paused: the facilitator resumes it');
      const stamped: LogEntry =
        realtime && entry.kind === 'resume' ? { kind: 'resume', wall: this.clock.now() } : entry;
      try {
        checkEntry(game, stamped, team);
      } catch (e) {
        throw refusal(e);
      }
      if (!(await this.write(id, game, [stamped], c.user.id)))
        throw conflict('the exercise changed meanwhile: try again');
      // Conditional injects that the new game state made due are fired at once (and logged).
      return this.fireDue(id, c.user.id);
    });
    this.emit(id, { kind: 'change' });
    return game;
  }

  /**
   * Moves the real-time clocks of the exercises someone is watching, so their screens update as game
   * time passes (an exercise nobody watches catches up when it is next read).
   */
  startClock(everyMs = 1000): void {
    this.ticker ??= setInterval(() => {
      for (const id of this.listeners.keys()) {
        // A game in turns never moves by the clock: no need to read its log.
        const cached = this.games.get(id)?.game.state;
        if (cached && (cached.setup.clock.kind !== 'realtime' || cached.paused || cached.ended)) continue;
        void this.game(id).catch(() => {});
      }
    }, everyMs);
    this.ticker.unref?.();
  }

  stopClock(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  // Set-up --------------------------------------------------------------------------------------

  async create(workspaceId: string, user: User, setup: Setup): Promise<{ id: string }> {
    if (this.compiler) await warm({ setup }, this.compiler(workspaceId));
    try {
      checkSetup(setup);
    } catch (e) {
      throw refusal(e);
    }
    const id = randomUUID();
    const wrappedKey = this.keys.newDataKey(exerciseScope(id));
    await this.store.exercises.createExercise({
      id,
      workspaceId,
      title: setup.title,
      facilitatorId: user.id,
      wrappedKey,
      setup: this.seal(id, wrappedKey, 'log', '0', { kind: 'setup', setup } satisfies LogEntry),
    });
    this.wrapped.set(id, wrappedKey);
    return { id };
  }

  async list(user: User) {
    return (await this.store.exercises.exercisesOf(user.id)).map((e) => ({
      id: e.id,
      title: e.title,
      role: e.role,
      team: e.teamId,
      createdAt: e.createdAt,
    }));
  }

  /** What every member may know: the title, the teams and who plays which actor, the clock. */
  async summary(c: ExerciseCaller) {
    const game = await this.game(c.exercise.id);
    const st = game.state;
    const team = this.teamOf(c, game);
    return {
      id: c.exercise.id,
      title: st.setup.title,
      scenario: st.setup.scenario.path,
      role: c.member.role,
      team: team?.id ?? null,
      teams: st.setup.teams,
      turnHours: st.setup.turnHours,
      clock: st.setup.clock,
      tickHours: game.model.tickHours,
      now: st.now,
      paused: st.paused,
      /** In real time while play runs: wall ms until game time reaches the next tick. */
      nextTickMs: msToNextTick(st, game.model, this.clock.now()),
      ended: st.ended || game.run.ended !== null,
    };
  }

  // Invitations ---------------------------------------------------------------------------------

  async invite(c: ExerciseCaller, teamId: string): Promise<{ id: string; token: string; team: string }> {
    const game = await this.game(c.exercise.id);
    if (!game.state.setup.teams.some((t) => t.id === teamId))
      throw invalid(`no team ${teamId}: one of ${game.state.setup.teams.map((t) => t.id).join(', ')}`, {
        path: 'team',
      });
    const token = newToken();
    const inv = await this.store.exercises.createInvitation({
      exerciseId: c.exercise.id,
      teamId,
      tokenHash: hashToken(token),
      createdBy: c.user.id,
      expiresAt: new Date(Date.now() + EXERCISE_INVITATION_DAYS * 86_400_000).toISOString(),
    });
    return { id: inv.id, token, team: teamId };
  }

  async invitations(c: ExerciseCaller) {
    const at = new Date().toISOString();
    return (await this.store.exercises.invitations(c.exercise.id)).map((i) => ({
      id: i.id,
      team: i.teamId,
      status: i.usedAt ? 'used' : i.revokedAt ? 'revoked' : i.expiresAt <= at ? 'expired' : 'pending',
      createdAt: i.createdAt,
      expiresAt: i.expiresAt,
    }));
  }

  async revoke(c: ExerciseCaller, id: string): Promise<void> {
    if (!(await this.store.exercises.revokeInvitation(c.exercise.id, id))) throw noSuch('pending invitation');
  }

  private async validInvitation(token: string) {
    const inv = await this.store.exercises.invitationByHash(hashToken(token));
    const bad = () =>
      notFound('this invitation is not valid: it was used, revoked, or has expired', {
        code: 'invalid_invitation',
      });
    if (!inv || inv.usedAt || inv.revokedAt || inv.expiresAt <= new Date().toISOString()) throw bad();
    const exercise = await this.store.exercises.exercise(inv.exerciseId);
    if (!exercise) throw bad();
    const game = await this.game(exercise.id);
    const team = game.state.setup.teams.find((t) => t.id === inv.teamId);
    if (!team) throw bad();
    return { inv, exercise, team };
  }

  async previewInvitation(token: string) {
    const { exercise, team } = await this.validInvitation(token);
    return { title: exercise.title, team: team.label, actor: team.actor };
  }

  async join(user: User, token: string): Promise<{ id: string; title: string; team: string }> {
    const { inv, exercise, team } = await this.validInvitation(token);
    if (await this.store.exercises.member(exercise.id, user.id))
      throw conflict('you are already in this exercise', { code: 'already_member' });
    if (!(await this.store.exercises.acceptInvitation(inv.id, user.id, new Date().toISOString())))
      throw notFound('this invitation is not valid: it was used, revoked, or has expired', {
        code: 'invalid_invitation',
      });
    this.emit(exercise.id, { kind: 'change' });
    return { id: exercise.id, title: exercise.title, team: team.id };
  }

  async members(c: ExerciseCaller) {
    return (await this.store.exercises.members(c.exercise.id)).map((m) => ({
      name: m.name,
      role: m.role,
      team: m.teamId,
    }));
  }

  // Views ---------------------------------------------------------------------------------------

  /** The caller's own view: its team's picture, or the facilitator's console. */
  async view(c: ExerciseCaller): Promise<TeamView | TrueView> {
    const game = await this.game(c.exercise.id);
    const team = this.teamOf(c, game);
    return team ? teamView(game, team) : trueView(game, overridable(game));
  }

  /** A team's view: its own team, or any team for the facilitator; another team's is refused (403). */
  async teamView(c: ExerciseCaller, teamId: string): Promise<TeamView> {
    const game = await this.game(c.exercise.id);
    const own = this.teamOf(c, game);
    if (own && own.id !== teamId) throw forbidden('a team sees its own view only');
    const team = game.state.setup.teams.find((t) => t.id === teamId);
    if (!team) throw noSuch('team');
    return teamView(game, team);
  }

  async truth(c: ExerciseCaller): Promise<TrueView> {
    const game = await this.game(c.exercise.id);
    return trueView(game, overridable(game));
  }

  // Coach and review: background jobs ---------------------------------------------------------

  /**
   * Asks for the coach's look-ahead or the after-action review of the game as it is now: a background
   * job of the server's queue (src/server/exercises/jobs.ts). The same request on the same state of the
   * game gets the job already asked for (queued, running or done), not a second one.
   */
  async submitJob(
    c: ExerciseCaller,
    kind: ExerciseJobKind,
    options: { runs: number; days?: number },
  ): Promise<ExerciseJobInfo> {
    const game = await this.game(c.exercise.id);
    const head = game.state.head;
    const opts = JSON.stringify(options);
    const same = (await this.store.exercises.jobs(c.exercise.id)).find(
      (j) =>
        j.kind === kind &&
        j.head === head &&
        j.options === opts &&
        (j.status === 'queued' || j.status === 'running' || j.status === 'done'),
    );
    if (same) return jobInfo(same);
    const id = randomUUID();
    await this.store.exercises.createJob({
      id,
      exerciseId: c.exercise.id,
      kind,
      head,
      options: opts,
      status: 'queued',
      done: 0,
      total: kind === 'review' ? 0 : options.runs,
    });
    this.onJob(c.exercise.id, id);
    const row = await this.store.exercises.job(c.exercise.id, id);
    return jobInfo(row!);
  }

  /** The look-ahead from the game's time (the coach's settings unless given). */
  async lookahead(c: ExerciseCaller, opts: { runs?: number | undefined; days?: number | undefined }) {
    const coach = (await this.game(c.exercise.id)).state.setup.coach;
    return this.submitJob(c, 'lookahead', {
      runs: opts.runs ?? coach.runs,
      days: opts.days ?? coach.windowDays,
    });
  }

  /** Builds the after-action review of the game as it is now (the coach's runs per decision). */
  async requestReview(c: ExerciseCaller) {
    const coach = (await this.game(c.exercise.id)).state.setup.coach;
    return this.submitJob(c, 'review', { runs: coach.runs });
  }

  /** A job of the exercise, with its result once done. */
  async job(c: ExerciseCaller, jobId: string): Promise<ExerciseJobInfo & { result?: unknown }> {
    const row = await this.store.exercises.job(c.exercise.id, jobId);
    if (!row) throw noSuch('job');
    return { ...jobInfo(row), ...(row.status === 'done' ? { result: await this.result(row) } : {}) };
  }

  async jobs(c: ExerciseCaller): Promise<ExerciseJobInfo[]> {
    return (await this.store.exercises.jobs(c.exercise.id)).map(jobInfo);
  }

  async cancelJob(c: ExerciseCaller, jobId: string): Promise<void> {
    const row = await this.store.exercises.job(c.exercise.id, jobId);
    if (!row || (row.status !== 'queued' && row.status !== 'running')) throw noSuch('job under way');
    this.onCancel(jobId);
  }

  /** Asks the job queue to stop a job (set by src/server/exercises/jobs.ts). */
  onCancel: (jobId: string) => void = () => {};

  private async result(row: ExerciseJobRow): Promise<unknown> {
    const wrapped = await this.wrappedKey(row.exerciseId);
    return row.sealed === null ? null : this.open(row.exerciseId, wrapped, 'job', row.id, row.sealed);
  }

  /** The latest after-action review built (409 until one is: the facilitator builds it). */
  async review(c: ExerciseCaller): Promise<Aar & { head: number }> {
    const done = (await this.store.exercises.jobs(c.exercise.id)).find(
      (j) => j.kind === 'review' && j.status === 'done',
    );
    if (!done)
      throw conflict('no after-action review has been built yet: build it (POST …/review) and wait for it', {
        code: 'review_not_ready',
      });
    return { ...((await this.result(done)) as Aar), head: done.head };
  }

  /** Tells the exercise's facilitators' streams how a job moves. */
  jobMoved(exerciseId: string, job: ExerciseJobInfo): void {
    this.emit(exerciseId, { kind: 'job', job });
  }

  // Live updates --------------------------------------------------------------------------------

  /** Calls `fn` after every change of the exercise; returns the unsubscribe function. */
  subscribe(exerciseId: string, fn: Listener): () => void {
    let set = this.listeners.get(exerciseId);
    if (!set) {
      set = new Set();
      this.listeners.set(exerciseId, set);
    }
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.listeners.delete(exerciseId);
    };
  }

  private emit(exerciseId: string, e: RoomEvent): void {
    for (const fn of this.listeners.get(exerciseId) ?? []) fn(e);
  }
}

/** A job row as the facilitator sees it (no sealed result). */
export function jobInfo(j: ExerciseJobRow): ExerciseJobInfo {
  return {
    id: j.id,
    kind: j.kind,
    head: j.head,
    status: j.status,
    done: j.done,
    total: j.total,
    error: j.error,
    options: JSON.parse(j.options) as ExerciseJobInfo['options'],
    createdAt: j.createdAt,
    finishedAt: j.finishedAt,
  };
}
