// Workspaces and their members. Only owners manage members; an owner cannot remove the last owner.
import { z } from 'zod';
import { hashPassword } from '../auth.ts';
import { HttpError, route } from '../http.ts';
import {
  AddMemberBody,
  CreateWorkspaceBody,
  MemberParams,
  Role,
  WorkspaceWithRole,
  WsParams,
} from '../schemas.ts';
import { loadExamples } from '../workspace.ts';

const Member = z.object({ id: z.string(), email: z.string(), name: z.string(), role: Role });

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
    handler: async ({ c, params, services }) =>
      c.json(
        (await services.store.members(params.ws)).map(({ id, email, name, role }) => ({
          id,
          email,
          name,
          role,
        })),
      ),
  }),
  route({
    method: 'post',
    path: '/api/workspaces/:ws/members',
    summary:
      'Adds a member by email with a role; a new account needs a name and an initial password to hand over',
    tag: 'workspaces',
    access: 'owner',
    params: WsParams,
    body: AddMemberBody,
    response: Member,
    status: 201,
    errors: [400, 403, 404],
    handler: async ({ c, params, body, services }) => {
      const { store } = services;
      let u = await store.userByEmail(body.email);
      if (!u) {
        if (!body.name || !body.password)
          throw new HttpError(
            400,
            'invalid_request',
            `no account for ${body.email}: give a name and an initial password to create one`,
          );
        const created = await store.createUser({
          email: body.email,
          name: body.name,
          passwordHash: await hashPassword(body.password),
        });
        u = { ...created, passwordHash: '' };
      }
      await store.setMember(params.ws, u.id, body.role);
      return c.json({ id: u.id, email: u.email, name: u.name, role: body.role }, 201);
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
