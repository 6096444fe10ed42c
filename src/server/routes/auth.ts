// First-start setup, sign-in and sign-out, the caller's identity, API tokens.
import { z } from 'zod';
import { clearSessionCookie, hashPassword, openSession, safeEqual, setSessionCookie } from '../auth.ts';
import { BODY_LIMITS, HttpError, route } from '../http.ts';
import { Email, Name, SetupBody, User, WorkspaceWithRole } from '../schemas.ts';
import { signIn } from '../signin.ts';

const Me = z.object({ user: User, workspaces: z.array(WorkspaceWithRole), csrfToken: z.string() });

export const authRoutes = [
  route({
    method: 'get',
    path: '/api/setup',
    summary: 'Whether the first account still has to be created, and whether that needs the setup token',
    tag: 'auth',
    access: 'public',
    response: z.object({ needed: z.boolean(), tokenRequired: z.boolean() }),
    handler: async ({ c, services }) =>
      c.json({
        needed: (await services.store.countUsers()) === 0,
        tokenRequired: !!services.auth.setupToken,
      }),
  }),
  route({
    method: 'post',
    path: '/api/setup',
    summary: 'Creates the first account: it becomes owner of the default workspace (with the examples)',
    tag: 'auth',
    access: 'public',
    maxBody: BODY_LIMITS.auth,
    body: SetupBody,
    response: Me,
    status: 201,
    errors: [400, 403, 409],
    handler: async ({ c, body, services }) => {
      const { store, auth } = services;
      if (auth.setupToken && !(body.token && safeEqual(body.token, auth.setupToken)))
        throw new HttpError(
          403,
          'setup_token',
          'the setup token is missing or wrong (the server printed the setup link)',
        );
      if ((await store.countUsers()) > 0)
        throw new HttpError(409, 'setup_done', 'setup is done: sign in, or ask an owner for an account');
      const user = await store.createUser({
        email: body.email,
        name: body.name,
        passwordHash: await hashPassword(body.password),
      });
      if ((await store.countUsers()) > 1) {
        // Lost a race with another first sign-up: this account gets no workspace.
        throw new HttpError(409, 'setup_done', 'setup is done: sign in, or ask an owner for an account');
      }
      let [ws] = await store.listWorkspaces();
      ws ??= await store.createWorkspace('Default');
      await store.setMember(ws.id, user.id, 'owner');
      const { token, session } = await openSession(store, user.id, 'cookie');
      setSessionCookie(c, token, auth);
      return c.json({ user, workspaces: await store.workspacesOf(user.id), csrfToken: session.csrf }, 201);
    },
  }),
  route({
    method: 'post',
    path: '/api/auth/login',
    summary:
      'Signs in with email and password; sets the httpOnly session cookie and returns the CSRF token. Throttled by client address and by account (429 with Retry-After)',
    tag: 'auth',
    access: 'public',
    maxBody: BODY_LIMITS.auth,
    body: z.object({ email: Email, password: z.string().max(200) }),
    response: Me,
    errors: [400, 401, 429],
    handler: async ({ c, body, services }) => {
      const { store, auth } = services;
      const u = await signIn(c, store, auth, body.email, body.password);
      const { token, session } = await openSession(store, u.id, 'cookie');
      setSessionCookie(c, token, auth);
      const user = { id: u.id, email: u.email, name: u.name };
      return c.json({ user, workspaces: await store.workspacesOf(u.id), csrfToken: session.csrf });
    },
  }),
  route({
    method: 'post',
    path: '/api/auth/logout',
    summary: 'Signs out (ends this session or revokes this API token)',
    tag: 'auth',
    access: 'user',
    status: 204,
    handler: async ({ c, auth, services }) => {
      await services.store.deleteSession(auth!.session.tokenHash);
      clearSessionCookie(c);
      return c.body(null, 204);
    },
  }),
  route({
    method: 'get',
    path: '/api/auth/me',
    summary: 'The signed-in user, their workspaces and roles, and the CSRF token for writes',
    tag: 'auth',
    access: 'user',
    response: Me,
    handler: async ({ c, auth, services }) =>
      c.json({
        user: { id: auth!.user.id, email: auth!.user.email, name: auth!.user.name },
        workspaces: await services.store.workspacesOf(auth!.user.id),
        csrfToken: auth!.session.csrf,
      }),
  }),
  route({
    method: 'post',
    path: '/api/auth/tokens',
    summary: 'Creates an API token for scripts (send it as `Authorization: Bearer TOKEN`; shown once)',
    tag: 'auth',
    access: 'user',
    body: z.object({ name: Name }),
    response: z.object({ token: z.string(), expiresAt: z.string() }),
    status: 201,
    handler: async ({ c, body, user, services }) => {
      const { token, session } = await openSession(services.store, user.id, 'token', body.name);
      return c.json({ token, expiresAt: session.expiresAt }, 201);
    },
  }),
];
