// The tabletop exercises' API. Exercise routes sit behind one more check than the workbench's, as in
// the talks room: the caller must be a member of the exercise (else 404: an exercise one is not in does
// not exist for one) with one of the route's roles (else 403). A team's routes act for its own team
// only; a team asking for another team's view gets 403, for the true state or the review 403. The event
// stream sends each subscriber its own view and nothing else. test/server/exercises-access.test.ts
// drives every route with every role.
import { randomInt } from 'node:crypto';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { unavailable } from '../../errors.ts';
import {
  ClockMode,
  ExerciseError,
  Inject,
  type LogEntry,
  Msel,
  mselFromCsv,
  mselToCsv,
  Team,
  TeamId,
} from '../../exercise/index.ts';
import type { ExerciseRole } from '../../store/exercises.ts';
import { type ExerciseCaller, type RoomEvent, refusal } from '../exercises/room.ts';
import {
  BODY_LIMITS,
  featureGuard,
  HttpError,
  type MemberRouteDef,
  memberRoute,
  type RouteContext,
  type RouteDef,
  route,
  slug,
} from '../http.ts';
import { Id, WsParams } from '../schemas.ts';
import { KeyError } from '../talks/crypto.ts';
import { workspaceFiles } from '../workspace.ts';
import { invitationLinkRoutes } from './join.ts';

/** A route of an exercise, with the exercise roles it admits (for the access table test). */
export type ExerciseRouteDef = RouteDef & { exerciseRoles?: readonly ExerciseRole[] };

const ExParams = z.object({ ex: Id });
const ALL: readonly ExerciseRole[] = ['facilitator', 'team'];
const FACILITATOR: readonly ExerciseRole[] = ['facilitator'];
const TEAM: readonly ExerciseRole[] = ['team'];

type ExCtx<P, Q, B> = RouteContext<P, Q, B> & { caller: ExerciseCaller };

/** Unexpected errors become a 500 whose log line names the route only. */
const guarded = featureGuard(
  'exercises',
  (e) =>
    e instanceof ExerciseError
      ? refusal(e)
      : // Sealed content this server cannot open (another master key, a record altered or moved).
        e instanceof KeyError
        ? unavailable(e.message, { code: 'exercise_key' })
        : undefined,
  (e) => e.message,
);

/** A route on one exercise, for members with one of `roles`. */
function exerciseRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  def: MemberRouteDef<P, Q, B, ExerciseRole, { caller: ExerciseCaller }>,
): ExerciseRouteDef {
  const r = memberRoute(def, {
    tag: 'exercises',
    params: ExParams,
    guard: guarded,
    admit: async (ctx, _where, roles) => {
      const caller = await ctx.services.exercises.caller((ctx.params as { ex: string }).ex, ctx.user);
      if (!roles.includes(caller.member.role))
        throw new HttpError(403, 'forbidden', `this is for the ${roles.join(' or ')} of the exercise`);
      return { caller };
    },
  }) as ExerciseRouteDef;
  r.exerciseRoles = def.roles;
  return r;
}

const CreateBody = z.object({
  title: z.string().trim().min(1).max(200),
  scenario: z.string().min(1).max(300),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31)
    .optional(),
  teams: z.array(Team).min(1).max(12),
  turnHours: z.number().min(1).max(720).default(6),
  clock: ClockMode.default({ kind: 'turns' }),
  msel: Msel.default([]),
  coach: z
    .object({ runs: z.number().int().min(100).max(100_000), windowDays: z.number().min(1).max(365) })
    .default({ runs: 2000, windowDays: 14 }),
});

const download = (
  c: RouteContext<unknown, unknown, unknown>['c'],
  body: string,
  type: string,
  name: string,
) => c.body(body, 200, { 'content-type': type, 'content-disposition': `attachment; filename="${name}"` });

/** Appends an entry for the caller and answers with the caller's own view. */
async function act(ctx: ExCtx<unknown, unknown, unknown>, entry: LogEntry): Promise<Response> {
  const room = ctx.services.exercises;
  await room.append(ctx.caller, entry);
  return ctx.c.json(await room.view(ctx.caller));
}

export const exerciseRoutes: ExerciseRouteDef[] = [
  route({
    method: 'post',
    path: '/api/workspaces/:ws/exercises',
    summary: 'Creates a tabletop exercise from a scenario of the workspace (the caller facilitates it)',
    tag: 'exercises',
    access: 'analyst',
    params: WsParams,
    body: CreateBody,
    status: 201,
    maxBody: BODY_LIMITS.json,
    errors: [400, 404],
    handler: async ({ c, params, body, services, user }) => {
      const files = await workspaceFiles(services.store, params.ws);
      if (!Object.hasOwn(files, body.scenario))
        throw new HttpError(404, 'not_found', `no scenario ${body.scenario} in this workspace`);
      const created = await services.exercises.create(params.ws, user, {
        title: body.title,
        scenario: { path: body.scenario, files },
        seed: body.seed ?? randomInt(1, 2 ** 31),
        teams: body.teams,
        turnHours: body.turnHours,
        clock: body.clock,
        msel: body.msel,
        coach: body.coach,
      });
      return c.json(created, 201);
    },
  }),
  route({
    method: 'get',
    path: '/api/workspaces/:ws/exercises/actors',
    summary: "A scenario's actors, for assigning teams (the others are played by the model's doctrine)",
    tag: 'exercises',
    access: 'analyst',
    params: WsParams,
    query: z.object({ scenario: z.string().min(1).max(300) }),
    errors: [404, 422],
    handler: async ({ c, params, query, services }) => {
      const files = await workspaceFiles(services.store, params.ws);
      if (!Object.hasOwn(files, query.scenario))
        throw new HttpError(404, 'not_found', `no scenario ${query.scenario} in this workspace`);
      const a = await services.pool.run(params.ws, { op: 'actors', files, path: query.scenario });
      if (!a.ok) throw new HttpError(422, 'unprocessable', a.message);
      return c.json({
        actors: a.actors.map(({ id, name }) => ({ id, name })),
        tickHours: a.tickHours,
        horizonHours: a.horizonHours,
      });
    },
  }),
  route({
    method: 'get',
    path: '/api/exercises',
    summary: 'The exercises the caller facilitates or plays in',
    tag: 'exercises',
    access: 'user',
    handler: async ({ c, services, user }) => c.json(await services.exercises.list(user)),
  }),
  ...invitationLinkRoutes({
    base: '/api/exercises',
    tag: 'exercises',
    scope: 'exercise',
    what: 'the exercise and the team',
    port: (services) => services.exercises,
    guard: guarded,
  }),
  exerciseRoute({
    method: 'get',
    path: '/api/exercises/:ex',
    summary: 'The exercise as every member may know it: title, teams and their actors, the clock',
    roles: ALL,
    handler: async ({ c, caller, services }) => c.json(await services.exercises.summary(caller)),
  }),
  exerciseRoute({
    method: 'get',
    path: '/api/exercises/:ex/view',
    summary:
      "The caller's own view: its team's picture (only what its actor perceives), or the facilitator's console",
    roles: ALL,
    handler: async ({ c, caller, services }) => c.json(await services.exercises.view(caller)),
  }),
  exerciseRoute({
    method: 'get',
    path: '/api/exercises/:ex/teams/:team/view',
    summary: "A team's view: a team its own only (403 for another team's), the facilitator any",
    roles: ALL,
    params: z.object({ ex: Id, team: TeamId }),
    handler: async ({ c, caller, services, params }) =>
      c.json(await services.exercises.teamView(caller, params.team)),
  }),
  exerciseRoute({
    method: 'get',
    path: '/api/exercises/:ex/truth',
    summary: 'The true state: every event, perception and decision (the facilitator only)',
    roles: FACILITATOR,
    handler: async ({ c, caller, services }) => c.json(await services.exercises.truth(caller)),
  }),
  exerciseRoute({
    method: 'get',
    path: '/api/exercises/:ex/events',
    summary: "Server-sent events: `view` with the caller's own view, at once and after every change",
    roles: ALL,
    produces: 'text/event-stream',
    handler: async ({ c, caller, services }) => {
      const room = services.exercises;
      const facilitator = caller.member.role === 'facilitator';
      return streamSSE(c, async (stream) => {
        let sending = Promise.resolve();
        const send = (e: RoomEvent = { kind: 'change' }) => {
          // A job's progress is the facilitator's: a team's stream hears nothing of it.
          if (e.kind === 'job' && !facilitator) return sending;
          sending = sending.then(async () => {
            if (e.kind === 'job') {
              await stream.writeSSE({ event: 'job', data: JSON.stringify(e.job) });
              return;
            }
            const view = await room.view(caller).catch(() => null);
            if (view) await stream.writeSSE({ event: 'view', data: JSON.stringify(view) });
          });
          return sending;
        };
        await send();
        await new Promise<void>((resolve) => {
          const off = room.subscribe(caller.exercise.id, (e) => void send(e));
          stream.onAbort(() => {
            off();
            resolve();
          });
        });
      });
    },
  }),
  exerciseRoute({
    method: 'post',
    path: '/api/exercises/:ex/decisions',
    summary: "The team's choice on the decision waiting for it (one of its options)",
    roles: TEAM,
    body: z.object({ key: z.string().min(1).max(60), action: z.string().min(1).max(120) }),
    errors: [400, 409],
    handler: (ctx) =>
      act(ctx, {
        kind: 'choose',
        key: ctx.body.key,
        action: ctx.body.action,
        by: ctx.caller.member.teamId ?? '',
      }),
  }),
  exerciseRoute({
    method: 'post',
    path: '/api/exercises/:ex/messages',
    summary:
      "A message from the team's actor over the scenario's channels (latency, leaks), with words for the receiver",
    roles: TEAM,
    body: z.object({ action: z.string().min(1).max(120), text: z.string().max(2000).default('') }),
    errors: [400, 409],
    handler: async (ctx) => {
      const game = await ctx.services.exercises.game(ctx.caller.exercise.id);
      return act(ctx, {
        kind: 'act',
        team: ctx.caller.member.teamId ?? '',
        action: ctx.body.action,
        tick: game.t + 1,
        text: ctx.body.text,
      });
    },
  }),
  exerciseRoute({
    method: 'post',
    path: '/api/exercises/:ex/clock',
    summary:
      'Advances the clock by a number of turns (default one); in real time, refused (pause or resume it)',
    roles: FACILITATOR,
    body: z.object({ turns: z.number().int().min(1).max(100).default(1) }),
    errors: [400, 409],
    handler: async (ctx) => {
      const game = await ctx.services.exercises.game(ctx.caller.exercise.id);
      const st = game.state;
      const ticks = Math.max(1, Math.round((st.setup.turnHours * ctx.body.turns) / game.model.tickHours));
      return act(ctx, { kind: 'clock', now: Math.min(game.model.horizon, st.now + ticks) });
    },
  }),
  exerciseRoute({
    method: 'post',
    path: '/api/exercises/:ex/pause',
    summary: 'Pauses play (teams cannot move, the clock stands)',
    roles: FACILITATOR,
    handler: (ctx) => act(ctx, { kind: 'pause' }),
  }),
  exerciseRoute({
    method: 'post',
    path: '/api/exercises/:ex/resume',
    summary: 'Resumes play (in real time: starts the clock, game time running from now)',
    roles: FACILITATOR,
    handler: (ctx) => act(ctx, { kind: 'resume' }),
  }),
  exerciseRoute({
    method: 'post',
    path: '/api/exercises/:ex/end',
    summary: 'Ends the exercise (the after-action review follows)',
    roles: FACILITATOR,
    handler: (ctx) => act(ctx, { kind: 'end' }),
  }),
  exerciseRoute({
    method: 'post',
    path: '/api/exercises/:ex/injects/:inject/fire',
    summary: 'Fires a manual or conditional inject of the MSEL now',
    roles: FACILITATOR,
    params: z.object({ ex: Id, inject: z.string().min(1).max(20) }),
    errors: [400],
    handler: async (ctx) => {
      const game = await ctx.services.exercises.game(ctx.caller.exercise.id);
      return act(ctx, { kind: 'fire', inject: ctx.params.inject, tick: game.t + 1 });
    },
  }),
  exerciseRoute({
    method: 'put',
    path: '/api/exercises/:ex/msel',
    summary: 'Replaces the MSEL (injects already delivered stay as they were)',
    roles: FACILITATOR,
    body: z.object({ msel: Msel }),
    errors: [400],
    handler: (ctx) => act(ctx, { kind: 'msel', msel: ctx.body.msel }),
  }),
  exerciseRoute({
    method: 'post',
    path: '/api/exercises/:ex/injects',
    summary: 'Adds one inject to the MSEL (before or during play)',
    roles: FACILITATOR,
    body: Inject,
    errors: [400],
    handler: async (ctx) => {
      const game = await ctx.services.exercises.game(ctx.caller.exercise.id);
      return act(ctx, { kind: 'msel', msel: [...game.state.msel, ctx.body] });
    },
  }),
  exerciseRoute({
    method: 'get',
    path: '/api/exercises/:ex/msel.csv',
    summary: "The MSEL as CSV in HSEEP's columns",
    roles: FACILITATOR,
    produces: 'text/csv',
    handler: async ({ c, caller, services }) => {
      const game = await services.exercises.game(caller.exercise.id);
      return download(
        c,
        mselToCsv(game.state.msel),
        'text/csv; charset=utf-8',
        `${slug(caller.exercise.title, 'exercise')}-msel.csv`,
      );
    },
  }),
  exerciseRoute({
    method: 'post',
    path: '/api/exercises/:ex/msel.csv',
    summary: "Replaces the MSEL from CSV in HSEEP's columns (errors name line and column)",
    roles: FACILITATOR,
    body: z.object({ csv: z.string().max(500_000) }),
    errors: [400],
    handler: (ctx) => act(ctx, { kind: 'msel', msel: mselFromCsv(ctx.body.csv) }),
  }),
  exerciseRoute({
    method: 'post',
    path: '/api/exercises/:ex/overrides',
    summary: 'Overrides an adjudicated decision (any actor, with a reason; audited in the log and the AAR)',
    roles: FACILITATOR,
    body: z.object({
      key: z.string().min(1).max(60),
      action: z.string().min(1).max(120),
      reason: z.string().trim().min(3).max(2000),
    }),
    errors: [400],
    handler: (ctx) =>
      act(ctx, {
        kind: 'choose',
        key: ctx.body.key,
        action: ctx.body.action,
        by: 'facilitator',
        reason: ctx.body.reason,
      }),
  }),
  exerciseRoute({
    method: 'post',
    path: '/api/exercises/:ex/rewind',
    summary: 'Rewinds to a checkpoint (a turn): later entries are undone and kept in the log',
    roles: FACILITATOR,
    body: z.object({ to: z.number().int().min(0) }),
    errors: [400],
    handler: (ctx) => act(ctx, { kind: 'rewind', to: ctx.body.to }),
  }),
  exerciseRoute({
    method: 'post',
    path: '/api/exercises/:ex/lookahead',
    summary:
      'The coach: P(war) in the next days from the current state, the model playing everyone (with a 95% interval); a background job (202), its result at …/jobs/{job}',
    roles: FACILITATOR,
    body: z.object({
      runs: z.number().int().min(100).max(100_000).optional(),
      days: z.number().min(1).max(365).optional(),
    }),
    status: 202,
    handler: async ({ c, caller, services, body }) =>
      c.json(await services.exercises.lookahead(caller, body), 202),
  }),
  exerciseRoute({
    method: 'post',
    path: '/api/exercises/:ex/review',
    summary:
      "Builds the after-action review of the game as it is now (each team decision against the doctrine's, on common random numbers): a background job (202)",
    roles: FACILITATOR,
    status: 202,
    handler: async ({ c, caller, services }) => c.json(await services.exercises.requestReview(caller), 202),
  }),
  exerciseRoute({
    method: 'get',
    path: '/api/exercises/:ex/jobs',
    summary: "The exercise's background jobs (look-aheads, reviews), newest first",
    roles: FACILITATOR,
    handler: async ({ c, caller, services }) => c.json(await services.exercises.jobs(caller)),
  }),
  exerciseRoute({
    method: 'get',
    path: '/api/exercises/:ex/jobs/:job',
    summary: 'A background job: its progress, and its result once done',
    roles: FACILITATOR,
    params: z.object({ ex: Id, job: Id }),
    errors: [404],
    handler: async ({ c, caller, services, params }) =>
      c.json(await services.exercises.job(caller, params.job)),
  }),
  exerciseRoute({
    method: 'delete',
    path: '/api/exercises/:ex/jobs/:job',
    summary: 'Cancels a queued or running job',
    roles: FACILITATOR,
    params: z.object({ ex: Id, job: Id }),
    status: 204,
    errors: [404],
    handler: async ({ c, caller, services, params }) => {
      await services.exercises.cancelJob(caller, params.job);
      return c.body(null, 204);
    },
  }),
  exerciseRoute({
    method: 'get',
    path: '/api/exercises/:ex/log',
    summary: 'The exercise log (replaying it gives the same game)',
    roles: FACILITATOR,
    handler: async ({ c, caller, services }) => c.json(await services.exercises.log(caller.exercise.id)),
  }),
  exerciseRoute({
    method: 'get',
    path: '/api/exercises/:ex/aar',
    summary:
      "The latest after-action review built: timeline of true events beside each team's view, decision effects with intervals (409 until one is built)",
    roles: FACILITATOR,
    errors: [409],
    handler: async ({ c, caller, services }) => c.json(await services.exercises.review(caller)),
  }),
  exerciseRoute({
    method: 'get',
    path: '/api/exercises/:ex/aar.md',
    summary: 'The AAR/IP in Markdown (HSEEP structure)',
    roles: FACILITATOR,
    errors: [409],
    produces: 'text/markdown',
    handler: async ({ c, caller, services }) =>
      download(
        c,
        await services.pool.run(`exercise:${caller.exercise.id}`, {
          op: 'aar',
          aar: await services.exercises.review(caller),
          format: 'md',
        }),
        'text/markdown; charset=utf-8',
        `${slug(caller.exercise.title, 'exercise')}-aar.md`,
      ),
  }),
  exerciseRoute({
    method: 'get',
    path: '/api/exercises/:ex/aar.html',
    summary: 'The AAR/IP as an HTML page (HSEEP structure)',
    roles: FACILITATOR,
    errors: [409],
    produces: 'text/html',
    handler: async ({ c, caller, services }) =>
      download(
        c,
        await services.pool.run(`exercise:${caller.exercise.id}`, {
          op: 'aar',
          aar: await services.exercises.review(caller),
          format: 'html',
        }),
        'text/html; charset=utf-8',
        `${slug(caller.exercise.title, 'exercise')}-aar.html`,
      ),
  }),
  exerciseRoute({
    method: 'get',
    path: '/api/exercises/:ex/members',
    summary: 'Who joined, for which team',
    roles: FACILITATOR,
    handler: async ({ c, caller, services }) => c.json(await services.exercises.members(caller)),
  }),
  exerciseRoute({
    method: 'get',
    path: '/api/exercises/:ex/invitations',
    summary: 'The team invitations and their status',
    roles: FACILITATOR,
    handler: async ({ c, caller, services }) => c.json(await services.exercises.invitations(caller)),
  }),
  exerciseRoute({
    method: 'post',
    path: '/api/exercises/:ex/invitations',
    summary: 'A single-use invitation link for a team (the token is shown once)',
    roles: FACILITATOR,
    body: z.object({ team: TeamId }),
    status: 201,
    errors: [400],
    handler: async ({ c, caller, services, body }) =>
      c.json(await services.exercises.invite(caller, body.team), 201),
  }),
  exerciseRoute({
    method: 'delete',
    path: '/api/exercises/:ex/invitations/:inv',
    summary: 'Revokes a pending invitation',
    roles: FACILITATOR,
    params: z.object({ ex: Id, inv: Id }),
    status: 204,
    handler: async ({ c, caller, services, params }) => {
      await services.exercises.revoke(caller, params.inv);
      return c.body(null, 204);
    },
  }),
];
