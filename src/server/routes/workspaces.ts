// Workspaces, their members and invitations. Only owners invite and manage members (a member joins by
// accepting an invitation: routes/invitations.ts); an owner cannot remove the last owner.
import { z } from 'zod';
import { BODY_LIMITS, HttpError, route } from '../http.ts';
import { InvitationView, invitationView, inviteToWorkspace } from '../invitations.ts';
import {
  CreateWorkspaceBody,
  Id,
  InviteMemberBody,
  MemberParams,
  Role,
  WorkspaceWithRole,
  WsParams,
} from '../schemas.ts';
import { accountLocked, unlockAccount } from '../signin.ts';
import { loadExamples } from '../workspace.ts';

const Member = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: Role,
  /** For owners: whether the member's sign-in is locked after failed tries (POST …/unlock clears it). */
  signInLocked: z.boolean().optional(),
});

export const workspaceRoutes = [
  route({
    method: 'get',
    path: '/api/workspaces',
    summary: "The caller's workspaces with their role in each",
    tag: 'workspaces',
    access: 'user',
    response: z.array(WorkspaceWithRole),
    handler: async ({ c, user, services }) => c.json(await services.store.workspacesOf(user.id)),
  }),
  route({
    method: 'post',
    path: '/api/workspaces',
    summary: 'Creates a workspace owned by the caller (with the example scenarios unless examples is false)',
    tag: 'workspaces',
    access: 'user',
    body: CreateWorkspaceBody,
    response: WorkspaceWithRole,
    status: 201,
    handler: async ({ c, body, user, services }) => {
      const ws = await services.store.createWorkspace(body.name);
      await services.store.setMember(ws.id, user.id, 'owner');
      if (body.examples) await loadExamples(services.store, ws.id, services.examplesDir, user.id);
      return c.json({ id: ws.id, name: ws.name, role: 'owner' }, 201);
    },
  }),
  route({
    method: 'get',
    path: '/api/workspaces/:ws/members',
    summary: 'The members of a workspace and their roles',
    tag: 'workspaces',
    access: 'viewer',
    params: WsParams,
    response: z.array(Member),
    handler: async ({ c, params, role: mine, services }) => {
      const members = await services.store.members(params.ws);
      const out = [];
      for (const { id, email, name, role } of members)
        out.push({
          id,
          email,
          name,
          role,
          ...(mine === 'owner' ? { signInLocked: await accountLocked(services.store, email) } : {}),
        });
      return c.json(out);
    },
  }),
  route({
    method: 'get',
    path: '/api/workspaces/:ws/invitations',
    summary: 'The invitations to the workspace: pending, used, revoked or expired',
    tag: 'workspaces',
    access: 'owner',
    params: WsParams,
    response: z.array(InvitationView),
    handler: async ({ c, params, services }) => {
      const { store } = services;
      const members = await store.members(params.ws);
      const rows = await store.security.workspaceInvitations(params.ws);
      return c.json(rows.map((i) => invitationView(i, members)));
    },
  }),
  route({
    method: 'post',
    path: '/api/workspaces/:ws/invitations',
    summary:
      'Invites someone with a role: a single-use link (token shown once) that the invitee accepts, addressed to an email (only that account may accept) or to whoever holds the link. The answer is the same whether or not an account exists for the email',
    tag: 'workspaces',
    access: 'owner',
    params: WsParams,
    maxBody: BODY_LIMITS.auth,
    body: InviteMemberBody,
    response: InvitationView.extend({ token: z.string() }),
    status: 201,
    errors: [400, 403, 404],
    handler: async ({ c, params, body, user, services }) => {
      const { invitation, token } = await inviteToWorkspace(services.store, {
        workspaceId: params.ws,
        role: body.role,
        email: body.email ?? null,
        by: user.id,
      });
      return c.json({ ...invitationView(invitation, []), token }, 201);
    },
  }),
  route({
    method: 'delete',
    path: '/api/workspaces/:ws/invitations/:inv',
    summary: 'Revokes a pending invitation',
    tag: 'workspaces',
    access: 'owner',
    params: z.object({ ws: Id, inv: Id }),
    status: 204,
    errors: [403, 404],
    handler: async ({ c, params, services }) => {
      if (
        !(await services.store.security.revokeWorkspaceInvitation(
          params.inv,
          new Date().toISOString(),
          params.ws,
        ))
      )
        throw new HttpError(404, 'not_found', 'no such pending invitation');
      return c.body(null, 204);
    },
  }),
  route({
    method: 'post',
    path: '/api/workspaces/:ws/members/:user/unlock',
    summary:
      "Clears a member's sign-in lock (after too many failed sign-ins for the account) so that they can sign in again",
    tag: 'workspaces',
    access: 'owner',
    params: MemberParams,
    status: 204,
    errors: [403, 404],
    handler: async ({ c, params, services }) => {
      const m = (await services.store.members(params.ws)).find((x) => x.id === params.user);
      if (!m) throw new HttpError(404, 'not_found', 'no such member');
      await unlockAccount(services.store, m.email);
      return c.body(null, 204);
    },
  }),
  route({
    method: 'patch',
    path: '/api/workspaces/:ws/members/:user',
    summary: "Changes a member's role",
    tag: 'workspaces',
    access: 'owner',
    params: MemberParams,
    body: z.object({ role: Role }),
    response: Member,
    errors: [403, 404, 409],
    handler: async ({ c, params, body, services }) => {
      const { store } = services;
      const members = await store.members(params.ws);
      const m = members.find((x) => x.id === params.user);
      if (!m) throw new HttpError(404, 'not_found', 'no such member');
      if (
        m.role === 'owner' &&
        body.role !== 'owner' &&
        members.filter((x) => x.role === 'owner').length === 1
      )
        throw new HttpError(409, 'last_owner', 'a workspace keeps at least one owner');
      await store.setMember(params.ws, m.id, body.role);
      return c.json({ id: m.id, email: m.email, name: m.name, role: body.role });
    },
  }),
  route({
    method: 'delete',
    path: '/api/workspaces/:ws/members/:user',
    summary: 'Removes a member from the workspace',
    tag: 'workspaces',
    access: 'owner',
    params: MemberParams,
    status: 204,
    errors: [403, 404, 409],
    handler: async ({ c, params, services }) => {
      const { store } = services;
      const members = await store.members(params.ws);
      const m = members.find((x) => x.id === params.user);
      if (!m) throw new HttpError(404, 'not_found', 'no such member');
      if (m.role === 'owner' && members.filter((x) => x.role === 'owner').length === 1)
        throw new HttpError(409, 'last_owner', 'a workspace keeps at least one owner');
      await store.removeMember(params.ws, m.id);
      return c.body(null, 204);
    },
  }),
];
