// The exercise room's use cases: create from a workspace scenario, invite teams (single-use links, as
// in the talks room), play (decisions, messages, the clock, injects, overrides, rewinds, all appended
// to the exercise log), the views (each team its own, the facilitator all), the coach and the
// after-action review. Every change is one append from the log's head; subscribers (the event stream)
// are told after it, each computing only its own view.
import { randomUUID } from 'node:crypto';
import { InlineExecutor } from '../../analysis/kernel/executor.ts';
import { conflict, type DomainError, forbidden, invalid, notFound } from '../../errors.ts';
import {
  type Aar,
  buildAar,
  checkEntry,
  checkSetup,
  decisionEffects,
  duePending,
  ExerciseError,
  fold,
  type Game,
  LogEntry,
  type LoggedEntry,
  lookahead,
  overridable,
  replay,
  type Setup,
  type Team,
  type TeamView,
  type TrueView,
  teamView,
  trueView,
} from '../../exercise/index.ts';
import type { ExerciseMemberRow, ExerciseRow, Store, User } from '../../store/index.ts';
import { hashToken, newToken } from '../invitations.ts';

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

type Listener = () => void;

export class ExerciseRoom {
  readonly store: Store;
  private readonly games = new Map<string, { head: number; game: Game }>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Counterfactual reviews by exercise and head (they take a few seconds). */
  private readonly reviews = new Map<string, { head: number; aar: Promise<Aar> }>();

  constructor(store: Store) {
    this.store = store;
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

  /** The game at the log's head (replayed once per head). */
  async game(exerciseId: string): Promise<Game> {
    const rows = await this.store.exercises.log(exerciseId);
    const head = rows.at(-1)?.seq ?? -1;
    const hit = this.games.get(exerciseId);
    if (hit && hit.head === head) return hit.game;
    const log: LoggedEntry[] = rows.map((r) => ({
      seq: r.seq,
      at: r.at,
      userId: r.userId,
      entry: LogEntry.parse(JSON.parse(r.entry)),
    }));
    const game = replay(fold(log));
    this.games.set(exerciseId, { head, game });
    return game;
  }

  /** The log, as stored (the facilitator's export; `replay(fold(log))` gives the game). */
  async log(exerciseId: string): Promise<LoggedEntry[]> {
    return (await this.store.exercises.log(exerciseId)).map((r) => ({
      seq: r.seq,
      at: r.at,
      userId: r.userId,
      entry: LogEntry.parse(JSON.parse(r.entry)),
    }));
  }

  /**
   * Appends an entry (checked against the game, for `team` or the facilitator), then the conditional
   * injects it made due; one writer per exercise at a time on this server, the head guards the rest.
   */
  async append(c: ExerciseCaller, entry: LogEntry): Promise<Game> {
    const id = c.exercise.id;
    const prev = this.locks.get(id) ?? Promise.resolve();
    const next = prev.then(async () => {
      const game = await this.game(id);
      const team = c.member.role === 'team' ? this.teamOf(c, game) : null;
      if (game.state.paused && (entry.kind === 'choose' || entry.kind === 'act' || entry.kind === 'clock'))
        throw conflict('the exercise is paused: the facilitator resumes it');
      try {
        checkEntry(game, entry, team);
      } catch (e) {
        throw refusal(e);
      }
      const entries = [{ userId: c.user.id, entry: JSON.stringify(entry) }];
      if (!(await this.store.exercises.append(id, game.state.head, entries)))
        throw conflict('the exercise changed meanwhile: try again');
      // Conditional injects that the new game state made due are fired at once (and logged).
      for (let k = 0; k < 20; k++) {
        const g = await this.game(id);
        const due = duePending(g);
        if (due.length === 0) break;
        const fires = due.map((e) => ({ userId: c.user.id, entry: JSON.stringify(e) }));
        if (!(await this.store.exercises.append(id, g.state.head, fires))) break;
      }
      return this.game(id);
    });
    this.locks.set(
      id,
      next.catch(() => {}),
    );
    const game = await next;
    this.emit(id);
    return game;
  }

  // Set-up --------------------------------------------------------------------------------------

  async create(workspaceId: string, user: User, setup: Setup): Promise<{ id: string }> {
    try {
      checkSetup(setup);
    } catch (e) {
      throw refusal(e);
    }
    const id = randomUUID();
    await this.store.exercises.createExercise({
      id,
      workspaceId,
      title: setup.title,
      facilitatorId: user.id,
      setup: JSON.stringify({ kind: 'setup', setup } satisfies LogEntry),
    });
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
      tickHours: game.model.tickHours,
      now: st.now,
      paused: st.paused,
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
    this.emit(exercise.id);
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

  // Coach and review ----------------------------------------------------------------------------

  async lookahead(c: ExerciseCaller, opts: { runs?: number | undefined; days?: number | undefined }) {
    const game = await this.game(c.exercise.id);
    const coach = game.state.setup.coach;
    return lookahead(game, new InlineExecutor(), {
      runs: opts.runs ?? coach.runs,
      days: opts.days ?? coach.windowDays,
    });
  }

  async review(c: ExerciseCaller): Promise<Aar> {
    const game = await this.game(c.exercise.id);
    const head = game.state.head;
    const hit = this.reviews.get(c.exercise.id);
    if (hit && hit.head === head) return hit.aar;
    const aar = decisionEffects(game, new InlineExecutor(), game.state.setup.coach.runs).then((effects) =>
      buildAar(game, effects),
    );
    this.reviews.set(c.exercise.id, { head, aar });
    aar.catch(() => this.reviews.delete(c.exercise.id));
    return aar;
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
    };
  }

  private emit(exerciseId: string): void {
    for (const fn of this.listeners.get(exerciseId) ?? []) fn();
  }
}
