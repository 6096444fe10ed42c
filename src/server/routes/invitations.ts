// The invitee's side of workspace invitations: the invitations addressed to the signed-in account
// (accept or decline), and accepting a link (signed in, with an existing account, or creating one).
import type { Context } from 'hono';
import { z } from 'zod';
import { BODY_LIMITS, HttpError, route, type Services } from '../http.ts';
import { acceptInvitation, pendingByToken, previewInvitation } from '../invitations.ts';
import { countTry, limiter } from '../ratelimit.ts';
import { Email, Id, Name, User, WorkspaceWithRole } from '../schemas.ts';
import { clientAddress, invitedAccount } from '../signin.ts';

const Token = z.string().min(10).max(200);

/**
 * Counts a failed use of an invitation link from the caller's address (invalid token, wrong password),
 * and refuses an address that failed too often: link guessing is slowed, people joining are not.
 */
async function guessing<T>(c: Context, services: Services, what: string, fn: () => Promise<T>): Promise<T> {
  const l = limiter(services, `workspace-${what}`, { limit: 30, windowMs: 15 * 60_000 });
  const address = clientAddress(c, services.auth);
  countTry(c, l, address, 'invalid invitation links', true);
  try {
    return await fn();
  } catch (e) {
    if (e instanceof HttpError && (e.status === 404 || e.status === 401))
      l.hit(address, 'invalid invitation links');
    throw e;
  }
}
const Pending = z.object({ id: z.string(), workspace: z.string(), role: z.string(), expiresAt: z.string() });

export const invitationRoutes = [
  route({
    method: 'get',
    path: '/api/invitations',
    summary: 'The pending invitations addressed to the signed-in account (to accept or decline)',
    tag: 'invitations',
    access: 'user',
    response: z.array(Pending),
    handler: async ({ c, user, services }) => {
      const { store } = services;
      const rows = await store.security.pendingInvitationsFor(user.email, new Date().toISOString());
      const names = new Map((await store.listWorkspaces()).map((w) => [w.id, w.name]));
      return c.json(
        rows.map((i) => ({
          id: i.id,
          workspace: names.get(i.workspaceId) ?? '',
          role: i.role,
          expiresAt: i.expiresAt,
        })),
      );
    },
  }),
  route({
    method: 'post',
    path: '/api/invitations/:inv/accept',
    summary: 'Accepts an invitation addressed to the signed-in account; it becomes a member with its role',
    tag: 'invitations',
    access: 'user',
    params: z.object({ inv: Id }),
    response: WorkspaceWithRole,
    errors: [403, 404, 409],
    handler: async ({ c, params, user, services }) => {
      const inv = await services.store.security.workspaceInvitation(params.inv);
      // Someone else's invitation does not exist for this caller.
      if (!inv || inv.email !== user.email.toLowerCase())
        throw new HttpError(404, 'invalid_invitation', 'no such invitation');
      return c.json(await acceptInvitation(services.store, inv, user));
    },
  }),
  route({
    method: 'post',
    path: '/api/invitations/:inv/decline',
    summary: 'Declines an invitation addressed to the signed-in account',
    tag: 'invitations',
    access: 'user',
    params: z.object({ inv: Id }),
    status: 204,
    errors: [404],
    handler: async ({ c, params, user, services }) => {
      const { security } = services.store;
      const inv = await security.workspaceInvitation(params.inv);
      if (
        !inv ||
        inv.email !== user.email.toLowerCase() ||
        !(await security.revokeWorkspaceInvitation(inv.id, new Date().toISOString()))
      )
        throw new HttpError(404, 'invalid_invitation', 'no such invitation');
      return c.body(null, 204);
    },
  }),
  route({
    method: 'post',
    path: '/api/invitations/preview',
    summary: 'What an invitation link is for (the workspace and the role), before accepting it',
    tag: 'invitations',
    access: 'public',
    maxBody: BODY_LIMITS.auth,
    body: z.object({ token: Token }),
    response: z.object({ workspace: z.string(), role: z.string(), addressed: z.boolean() }),
    errors: [404, 429],
    handler: ({ c, body, services }) =>
      guessing(c, services, 'preview', async () => {
        const inv = await pendingByToken(services.store, body.token);
        return c.json(await previewInvitation(services.store, inv));
      }),
  }),
  route({
    method: 'post',
    path: '/api/invitations/join',
    summary:
      'Accepts an invitation link (single use): signed in, or with an existing account’s email and password, or creating an account',
    tag: 'invitations',
    access: 'public',
    maxBody: BODY_LIMITS.auth,
    body: z.object({
      token: Token,
      email: Email.optional(),
      password: z.string().max(200).optional(),
      name: Name.optional(),
      create: z.boolean().default(false),
    }),
    response: z.object({ workspace: WorkspaceWithRole, user: User, csrfToken: z.string().optional() }),
    errors: [401, 403, 404, 409, 429],
    handler: ({ c, body, services, auth }) =>
      guessing(c, services, 'join', async () => {
        const { store } = services;
        let user = auth?.user;
        let csrfToken = auth?.session.csrf;
        if (!user) {
          ({ user, csrf: csrfToken } = await invitedAccount(c, store, services.auth, body, async () => {
            const inv = await pendingByToken(store, body.token);
            // A new account for an addressed invitation takes the address it was sent to.
            if (body.create && inv.email && inv.email !== body.email)
              throw new HttpError(
                403,
                'wrong_account',
                'this invitation is addressed to another email: create the account with that email',
              );
          }));
        }
        const inv = await pendingByToken(store, body.token);
        const workspace = await acceptInvitation(store, inv, user);
        return c.json({ workspace, user: { id: user.id, email: user.email, name: user.name }, csrfToken });
      }),
  }),
];
