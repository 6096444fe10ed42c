// The contingency-talks room's API. Dialogue routes sit behind one more check than the workbench's:
// the caller must be a member of the dialogue (else 404: a dialogue one is not in does not exist for
// one) with one of the route's roles (else 403, recorded in the audit log), on a browser session no
// older than the room allows. Finer rules (own positions, drafts one is party to, releases) are in the
// room (src/server/talks/room.ts). test/server/talks-access.test.ts drives every route with every role.
import { z } from 'zod';
import { forbidden, notFound, unauthenticated, unavailable, unprocessable } from '../../errors.ts';
import type { TalksRole } from '../../store/talks.ts';
import {
  MappingSchema,
  PositionsSchema,
  ReleaseBody,
  ScenarioPath,
  SettingsBody,
  TriggerId,
} from '../../talks/contract.ts';
import type { Dist } from '../../talks/index.ts';
import {
  featureGuard,
  type MemberRouteDef,
  memberRoute,
  type RouteContext,
  type RouteDef,
  route,
  type Services,
  slug,
} from '../http.ts';
import { Id, WsParams } from '../schemas.ts';
import { KeyError } from '../talks/crypto.ts';
import type { TalksServices } from '../talks/index.ts';
import type { Caller } from '../talks/room.ts';
import { workspaceFiles } from '../workspace.ts';
import { invitationLinkRoutes } from './join.ts';

/** A route of the talks room, with the dialogue roles it admits (for the access table test). */
export type TalksRouteDef = RouteDef & { talksRoles?: readonly TalksRole[] };

const DlgParams = z.object({ dlg: Id });
const Codename = z
  .string()
  .trim()
  .min(2)
  .max(60)
  .regex(
    /^[\p{L}\p{N}][\p{L}\p{N} '_-]*$/u,
    'a codename is letters, digits, spaces, - or _ (e.g. BLUE HERON)',
  );
const Label = z.string().trim().min(1).max(80);
const DraftBody = z.object({
  title: z.string().trim().min(1).max(200),
  text: z.string().max(5000).default(''),
  parties: z.array(Id).max(20),
  mapping: z.record(ScenarioPath, MappingSchema),
});

function talksOf(services: Services): TalksServices {
  if (!services.talks)
    throw unavailable('the talks room is not enabled on this server', { code: 'talks_unavailable' });
  return services.talks;
}

/** Talks rooms take browser sessions only, and only young ones: an old session signs in again. */
function freshSession(ctx: { auth: RouteContext<unknown, unknown, unknown>['auth'] }, hours: number): void {
  const s = ctx.auth?.session;
  if (!s) throw unauthenticated('sign in first (POST /api/auth/login)');
  if (s.kind !== 'cookie')
    throw unauthenticated('the talks room takes browser sessions only, not API tokens', {
      code: 'browser_session_needed',
    });
  if (Date.now() - Date.parse(s.createdAt) > hours * 3_600_000)
    throw unauthenticated(`sign in again: talks sessions last ${hours} hours`, { code: 'session_expired' });
}

/** Turns unexpected errors into a 500 whose log line names the route, not the error's content. */
const guarded = featureGuard(
  'talks',
  // A key problem is the operator's to fix, and its message names no content.
  (e) => (e instanceof KeyError ? unavailable(e.message, { code: 'talks_key' }) : undefined),
  (e) => e.name,
);

/** A route on one dialogue, for members with one of `roles`. */
function dialogueRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  def: MemberRouteDef<P, Q, B, TalksRole, { caller: Caller; t: TalksServices }>,
): TalksRouteDef {
  const r = memberRoute(def, {
    tag: 'talks',
    params: DlgParams,
    guard: guarded,
    admit: async (ctx, where, roles) => {
      const t = talksOf(ctx.services);
      freshSession(ctx, t.room.sessionHours);
      const caller = await t.room.caller((ctx.params as { dlg: string }).dlg, ctx.user);
      if (!roles.includes(caller.member.role))
        throw await t.room.deny(
          caller,
          where,
          `dialogue:${caller.dialogue.id}`,
          forbidden(`this is for the ${roles.join(' or ')} of the dialogue`),
        );
      return { caller, t };
    },
  }) as TalksRouteDef;
  r.talksRoles = def.roles;
  return r;
}

const ALL: readonly TalksRole[] = ['host', 'delegation', 'observer'];
const HOST: readonly TalksRole[] = ['host'];
const DELEGATION: readonly TalksRole[] = ['delegation'];
const PARTIES: readonly TalksRole[] = ['delegation', 'observer'];
const DRAFTERS: readonly TalksRole[] = ['host', 'delegation'];

export const talksRoutes: TalksRouteDef[] = [
  route({
    method: 'post',
    path: '/api/workspaces/:ws/talks',
    summary:
      'Convenes a dialogue under a codename with scenarios of the workspace as its agenda and the delegations (each speaking for an actor) or observers',
    tag: 'talks',
    access: 'analyst',
    params: WsParams,
    body: z.object({
      codename: Codename,
      hostLabel: Label.default('Host'),
      scenarios: z.array(ScenarioPath).min(1).max(5),
      delegations: z
        .array(
          z.object({
            label: Label,
            actor: z.string().max(60).nullable().default(null),
            kind: z.enum(['delegation', 'observer']).default('delegation'),
          }),
        )
        .min(2)
        .max(12),
      settings: SettingsBody.optional(),
    }),
    status: 201,
    errors: [404, 422],
    handler: ({ c, params, body, user, services, auth }) =>
      guarded('POST /api/workspaces/:ws/talks', async () => {
        const t = talksOf(services);
        freshSession({ auth }, t.room.sessionHours);
        const settings: Record<string, number> = {};
        for (const [k, v] of Object.entries(body.settings ?? {})) if (v !== undefined) settings[k] = v;
        const r = await t.room.convene(user, params.ws, {
          codename: body.codename,
          hostLabel: body.hostLabel,
          scenarios: body.scenarios,
          delegations: body.delegations,
          settings,
        });
        return c.json(r, 201);
      }),
  }),
  route({
    method: 'get',
    path: '/api/workspaces/:ws/talks/actors',
    summary: 'The actors of a scenario of the workspace, to map delegations onto when convening',
    tag: 'talks',
    access: 'analyst',
    params: WsParams,
    query: z.object({ scenario: ScenarioPath }),
    errors: [404, 422],
    handler: ({ c, params, query, services }) =>
      guarded('GET /api/workspaces/:ws/talks/actors', async () => {
        const files = await workspaceFiles(services.store, params.ws);
        if (!Object.hasOwn(files, query.scenario)) throw notFound(`no scenario ${query.scenario}`);
        const a = await services.pool.run(params.ws, { op: 'actors', files, path: query.scenario });
        if (!a.ok) throw unprocessable(a.message, { code: 'not_runnable' });
        return c.json({ title: a.title, actors: a.actors });
      }),
  }),
  route({
    method: 'get',
    path: '/api/talks',
    summary: 'The dialogues the caller is in, with their codename and the caller’s role',
    tag: 'talks',
    access: 'user',
    handler: ({ c, user, services, auth }) =>
      guarded('GET /api/talks', async () => {
        const t = talksOf(services);
        freshSession({ auth }, t.room.sessionHours);
        return c.json(await t.room.list(user));
      }),
  }),
  route({
    method: 'get',
    path: '/api/talks/notifications',
    summary: 'The caller’s talks notifications (codenames only, never the subject)',
    tag: 'talks',
    access: 'user',
    handler: ({ c, user, services }) =>
      guarded('GET /api/talks/notifications', async () =>
        c.json(await talksOf(services).room.talks.notifications(user.id)),
      ),
  }),
  route({
    method: 'post',
    path: '/api/talks/notifications/read',
    summary: 'Marks the caller’s talks notifications as read',
    tag: 'talks',
    access: 'user',
    status: 204,
    handler: ({ c, user, services }) =>
      guarded('POST /api/talks/notifications/read', async () => {
        await talksOf(services).room.talks.markRead(user.id);
        return c.body(null, 204);
      }),
  }),
  ...invitationLinkRoutes({
    base: '/api/talks',
    tag: 'talks',
    scope: 'talks',
    what: 'the codename and the delegation',
    port: (services) => talksOf(services).room,
    guard: guarded,
  }),
  dialogueRoute({
    method: 'get',
    path: '/api/talks/:dlg',
    summary:
      'The dialogue as the caller may see it (the host also sees members, invitations and positions status)',
    roles: ALL,
    handler: async ({ c, caller, t }) => c.json(await t.room.overview(caller)),
  }),
  dialogueRoute({
    method: 'put',
    path: '/api/talks/:dlg/agenda',
    summary: 'Chooses the triggers on the agenda: scenario path -> actor -> trigger ids',
    roles: HOST,
    body: z.object({
      selected: z.record(ScenarioPath, z.record(z.string().max(60), z.array(TriggerId).max(100))),
    }),
    status: 204,
    errors: [409],
    handler: async ({ c, caller, body, t }) => {
      await t.room.setAgenda(caller, body.selected);
      return c.body(null, 204);
    },
  }),
  dialogueRoute({
    method: 'put',
    path: '/api/talks/:dlg/settings',
    summary: 'Runs per arm, seed and gap threshold of the dialogue’s analyses',
    roles: HOST,
    body: SettingsBody,
    handler: async ({ c, caller, body, t }) => {
      const s: Record<string, number> = {};
      for (const [k, v] of Object.entries(body)) if (v !== undefined) s[k] = v;
      return c.json(await t.room.setSettings(caller, s));
    },
  }),
  dialogueRoute({
    method: 'get',
    path: '/api/talks/:dlg/members',
    summary: 'Who joined, for which delegation',
    roles: HOST,
    handler: async ({ c, caller, t }) => c.json(await t.room.members(caller)),
  }),
  dialogueRoute({
    method: 'delete',
    path: '/api/talks/:dlg/members/:user',
    summary: 'Removes a member from the dialogue',
    roles: HOST,
    params: z.object({ dlg: Id, user: Id }),
    status: 204,
    handler: async ({ c, caller, params, t }) => {
      await t.room.removeMember(caller, params.user);
      return c.body(null, 204);
    },
  }),
  dialogueRoute({
    method: 'get',
    path: '/api/talks/:dlg/invitations',
    summary: 'The invitations and their status (pending, used, revoked, expired)',
    roles: HOST,
    handler: async ({ c, caller, t }) => c.json(await t.room.invitations(caller)),
  }),
  dialogueRoute({
    method: 'post',
    path: '/api/talks/:dlg/invitations',
    summary: 'Creates a single-use invitation for a delegation; the token is shown once',
    roles: HOST,
    body: z.object({ delegation: Id }),
    status: 201,
    handler: async ({ c, caller, body, t }) => c.json(await t.room.invite(caller, body.delegation), 201),
  }),
  dialogueRoute({
    method: 'delete',
    path: '/api/talks/:dlg/invitations/:inv',
    summary: 'Revokes a pending invitation',
    roles: HOST,
    params: z.object({ dlg: Id, inv: Id }),
    status: 204,
    handler: async ({ c, caller, params, t }) => {
      await t.room.revokeInvitation(caller, params.inv);
      return c.body(null, 204);
    },
  }),
  dialogueRoute({
    method: 'get',
    path: '/api/talks/:dlg/form',
    summary:
      'The caller’s delegation form: its triggers and the others’, prefilled from the scenario or as saved',
    roles: DELEGATION,
    handler: async ({ c, caller, t }) => c.json(await t.room.form(caller)),
  }),
  dialogueRoute({
    method: 'put',
    path: '/api/talks/:dlg/positions',
    summary:
      'Saves (or, with submit, submits) the caller’s delegation positions; version is the one read (0: none)',
    roles: DELEGATION,
    body: z.object({
      version: z.number().int().min(0),
      submit: z.boolean().default(false),
      scenarios: z.record(ScenarioPath, PositionsSchema),
    }),
    errors: [409],
    handler: async ({ c, caller, body, t }) =>
      c.json(
        await t.room.savePositions(caller, {
          version: body.version,
          submit: body.submit,
          scenarios: body.scenarios as Record<
            string,
            { responses: Record<string, Dist>; expectations: Record<string, Record<string, Dist>> }
          >,
        }),
      ),
  }),
  dialogueRoute({
    method: 'get',
    path: '/api/talks/:dlg/delegations/:del/positions',
    summary: 'A delegation’s positions: any, for the host; its own, for a delegation',
    roles: DRAFTERS,
    params: z.object({ dlg: Id, del: Id }),
    handler: async ({ c, caller, params, t }) => c.json(await t.room.positionsOf(caller, params.del)),
  }),
  dialogueRoute({
    method: 'get',
    path: '/api/talks/:dlg/releases',
    summary: 'What the caller’s delegation released, to whom',
    roles: DELEGATION,
    handler: async ({ c, caller, t }) => c.json(await t.room.myReleases(caller)),
  }),
  dialogueRoute({
    method: 'post',
    path: '/api/talks/:dlg/releases',
    summary:
      'Releases an answer or an expectation to a party (a delegation id or "observers"), or lets the host show a gap on a trigger ("*": all) to it without the numbers',
    roles: DELEGATION,
    body: ReleaseBody,
    status: 201,
    handler: async ({ c, caller, body, t }) => c.json(await t.room.addRelease(caller, body), 201),
  }),
  dialogueRoute({
    method: 'delete',
    path: '/api/talks/:dlg/releases/:rel',
    summary: 'Takes back a release',
    roles: DELEGATION,
    params: z.object({ dlg: Id, rel: Id }),
    status: 204,
    handler: async ({ c, caller, params, t }) => {
      await t.room.removeRelease(caller, params.rel);
      return c.body(null, 204);
    },
  }),
  dialogueRoute({
    method: 'get',
    path: '/api/talks/:dlg/released',
    summary: 'What other delegations released to the caller (a delegation, or the observers)',
    roles: PARTIES,
    handler: async ({ c, caller, t }) => c.json(await t.room.released(caller)),
  }),
  dialogueRoute({
    method: 'get',
    path: '/api/talks/:dlg/interventions',
    summary: 'The interventions of each agenda scenario, to map protocol drafts onto',
    roles: DRAFTERS,
    handler: async ({ c, caller, t }) => c.json(await t.room.interventions(caller)),
  }),
  dialogueRoute({
    method: 'get',
    path: '/api/talks/:dlg/drafts',
    summary:
      'The protocol drafts the caller may see (all for the host; those it is party to; those released to observers)',
    roles: ALL,
    handler: async ({ c, caller, t }) => c.json(await t.room.drafts(caller)),
  }),
  dialogueRoute({
    method: 'post',
    path: '/api/talks/:dlg/drafts',
    summary:
      'Drafts a protocol: its text, its parties, and its mapping onto each scenario (interventions and overrides)',
    roles: DRAFTERS,
    body: DraftBody,
    status: 201,
    handler: async ({ c, caller, body, t }) => c.json(await t.room.createDraft(caller, body), 201),
  }),
  dialogueRoute({
    method: 'get',
    path: '/api/talks/:dlg/drafts/:draft',
    summary: 'One protocol draft',
    roles: ALL,
    params: z.object({ dlg: Id, draft: Id }),
    handler: async ({ c, caller, params, t }) => c.json(await t.room.draft(caller, params.draft)),
  }),
  dialogueRoute({
    method: 'put',
    path: '/api/talks/:dlg/drafts/:draft',
    summary: 'Changes a draft (host or author; the parties must agree again)',
    roles: DRAFTERS,
    params: z.object({ dlg: Id, draft: Id }),
    body: DraftBody.extend({ version: z.number().int().min(1) }),
    errors: [409],
    handler: async ({ c, caller, params, body, t }) =>
      c.json(await t.room.updateDraft(caller, params.draft, body)),
  }),
  dialogueRoute({
    method: 'delete',
    path: '/api/talks/:dlg/drafts/:draft',
    summary: 'Deletes a draft (host or author)',
    roles: DRAFTERS,
    params: z.object({ dlg: Id, draft: Id }),
    status: 204,
    handler: async ({ c, caller, params, t }) => {
      await t.room.deleteDraft(caller, params.draft);
      return c.body(null, 204);
    },
  }),
  dialogueRoute({
    method: 'post',
    path: '/api/talks/:dlg/drafts/:draft/agree',
    summary: 'A party agrees to a draft (or withdraws its agreement with agree: false)',
    roles: DELEGATION,
    params: z.object({ dlg: Id, draft: Id }),
    body: z.object({ agree: z.boolean().default(true) }),
    handler: async ({ c, caller, params, body, t }) =>
      c.json(await t.room.agreeDraft(caller, params.draft, body.agree)),
  }),
  dialogueRoute({
    method: 'post',
    path: '/api/talks/:dlg/drafts/:draft/release',
    summary: 'Shows a draft to the observers (or hides it again)',
    roles: HOST,
    params: z.object({ dlg: Id, draft: Id }),
    body: z.object({ observers: z.boolean() }),
    handler: async ({ c, caller, params, body, t }) =>
      c.json(await t.room.releaseDraft(caller, params.draft, body.observers)),
  }),
  dialogueRoute({
    method: 'post',
    path: '/api/talks/:dlg/analyses',
    summary:
      'Starts an analysis in the background: the gap ranking, or the protocol drafts with the package (agreed drafts) and the leak sweep',
    roles: HOST,
    body: z.object({ kind: z.enum(['gaps', 'protocols']) }),
    status: 202,
    errors: [409],
    handler: async ({ c, caller, body, t }) => c.json(await t.room.startAnalysis(caller, body.kind), 202),
  }),
  dialogueRoute({
    method: 'get',
    path: '/api/talks/:dlg/analyses',
    summary: 'The dialogue’s analyses',
    roles: HOST,
    handler: async ({ c, caller, t }) => c.json(await t.room.analyses(caller)),
  }),
  dialogueRoute({
    method: 'get',
    path: '/api/talks/:dlg/analyses/:an',
    summary: 'One analysis: its status, progress and (when done) results',
    roles: HOST,
    params: z.object({ dlg: Id, an: Id }),
    handler: async ({ c, caller, params, t }) =>
      c.json(await t.room.analysis(caller, params.an, t.jobs.progress(params.an))),
  }),
  dialogueRoute({
    method: 'post',
    path: '/api/talks/:dlg/analyses/:an/cancel',
    summary: 'Stops a queued or running analysis',
    roles: HOST,
    params: z.object({ dlg: Id, an: Id }),
    status: 202,
    handler: async ({ c, caller, params, t }) => {
      const a = await t.room.talks.analysis(caller.dialogue.id, params.an);
      if (!a) throw notFound('no such analysis');
      t.jobs.cancel(params.an);
      return c.json({ id: params.an }, 202);
    },
  }),
  dialogueRoute({
    method: 'post',
    path: '/api/talks/:dlg/analyses/:an/publish',
    summary: 'Shares a finished analysis with the parties (each sees what the release rules allow)',
    roles: HOST,
    params: z.object({ dlg: Id, an: Id }),
    body: z.object({ published: z.boolean().default(true) }),
    status: 204,
    errors: [409],
    handler: async ({ c, caller, params, body, t }) => {
      await t.room.publish(caller, params.an, body.published);
      return c.body(null, 204);
    },
  }),
  dialogueRoute({
    method: 'get',
    path: '/api/talks/:dlg/gaps',
    summary:
      'The shared gap ranking as the caller may see it (gaps the other party agreed to show; no positions)',
    roles: PARTIES,
    handler: async ({ c, caller, t }) => c.json(await t.room.gapsView(caller)),
  }),
  dialogueRoute({
    method: 'get',
    path: '/api/talks/:dlg/effects',
    summary: 'The shared protocol simulation as the caller may see it (its drafts, the package, leaks)',
    roles: PARTIES,
    handler: async ({ c, caller, t }) => c.json(await t.room.effectsView(caller)),
  }),
  dialogueRoute({
    method: 'get',
    path: '/api/talks/:dlg/notes',
    summary: 'The host’s private notes',
    roles: HOST,
    handler: async ({ c, caller, t }) => c.json(await t.room.notes(caller)),
  }),
  dialogueRoute({
    method: 'put',
    path: '/api/talks/:dlg/notes',
    summary: 'Saves the host’s private notes',
    roles: HOST,
    body: z.object({ text: z.string().max(100_000) }),
    status: 204,
    handler: async ({ c, caller, body, t }) => {
      await t.room.saveNotes(caller, body.text);
      return c.body(null, 204);
    },
  }),
  dialogueRoute({
    method: 'put',
    path: '/api/talks/:dlg/playbook/distribution',
    summary: 'The playbook’s distribution list: members (by user id) and other named recipients',
    roles: HOST,
    body: z.object({
      users: z.array(Id).max(50),
      extra: z
        .array(z.object({ name: Label, role: Label }))
        .max(50)
        .default([]),
    }),
    handler: async ({ c, caller, body, t }) => c.json(await t.room.setDistribution(caller, body)),
  }),
  dialogueRoute({
    method: 'post',
    path: '/api/talks/:dlg/playbook/issue',
    summary: 'Issues the playbook to its distribution list',
    roles: HOST,
    handler: async ({ c, caller, t }) => c.json(await t.room.issuePlaybook(caller)),
  }),
  dialogueRoute({
    method: 'get',
    path: '/api/talks/:dlg/playbook',
    summary:
      'The playbook (HTML, printable to PDF, or Markdown): the host’s, or a member’s on the distribution list once issued',
    roles: ALL,
    query: z.object({ format: z.enum(['html', 'md']).default('html') }),
    produces: 'text/html, text/markdown',
    handler: async ({ c, caller, query, t, services }) => {
      const input = await t.room.playbookInput(caller);
      const name = `${slug(caller.dialogue.codename, 'dialogue')}-playbook.${query.format === 'md' ? 'md' : 'html'}`;
      c.header('content-disposition', `attachment; filename="${name}"`);
      c.header('cache-control', 'no-store');
      const text = await services.pool.run(`talks:${caller.dialogue.id}`, {
        op: 'playbook',
        input,
        format: query.format,
      });
      if (query.format === 'md') {
        c.header('content-type', 'text/markdown; charset=utf-8');
        return c.body(text);
      }
      return c.html(text);
    },
  }),
  dialogueRoute({
    method: 'get',
    path: '/api/talks/:dlg/audit',
    summary: 'The audit log (who saw or changed what, when) and whether its hash chain verifies',
    roles: HOST,
    handler: async ({ c, caller, t }) => c.json(await t.room.auditLog(caller)),
  }),
];
