// The two public routes of an invitation link, shared by the talks room and the exercises: what the
// token is for (before accepting), and accepting it (signed in, with an existing account's email and
// password, or creating an account), both rate-limited per address and per account.
import type { Context } from 'hono';
import { z } from 'zod';
import type { User } from '../../store/index.ts';
import { BODY_LIMITS, type RouteDef, route, type Services } from '../http.ts';
import { countTry, limiter, SIGN_IN } from '../ratelimit.ts';
import { Email, Name } from '../schemas.ts';
import { clientAddress, invitedAccount } from '../signin.ts';

/** What a feature's invitations answer: a preview of a token, and joining with it. */
export interface InvitationPort {
  previewInvitation(token: string): Promise<unknown>;
  join(user: User, token: string): Promise<object>;
}

/** `POST {base}/invitation` and `POST {base}/join` for a feature (`scope` names its rate limits). */
export function invitationLinkRoutes(opts: {
  base: string;
  tag: string;
  scope: string;
  /** What a token is for, in the preview route's summary. */
  what: string;
  port: (services: Services) => InvitationPort;
  guard: <T>(where: string, fn: () => Promise<T>) => Promise<T>;
}): RouteDef[] {
  const { base, tag, scope } = opts;
  return [
    route({
      method: 'post',
      path: `${base}/invitation`,
      summary: `What an invitation token is for (${opts.what}), before accepting it`,
      tag,
      access: 'public',
      maxBody: BODY_LIMITS.auth,
      body: z.object({ token: z.string().min(10).max(200) }),
      errors: [404, 429],
      handler: ({ c, body, services }) =>
        opts.guard(`POST ${base}/invitation`, async () => {
          const limit = limiter(services, `${scope}-invitation`, { limit: 30, windowMs: 15 * 60_000 });
          countTry(c, limit, clientAddress(c, services.auth), 'invitation checks');
          return c.json(await opts.port(services).previewInvitation(body.token));
        }),
    }),
    route({
      method: 'post',
      path: `${base}/join`,
      summary:
        'Accepts an invitation (single use): signed in, or with an existing account’s email and password, or creating an account',
      tag,
      access: 'public',
      maxBody: BODY_LIMITS.auth,
      body: z.object({
        token: z.string().min(10).max(200),
        email: Email.optional(),
        password: z.string().max(200).optional(),
        name: Name.optional(),
        create: z.boolean().default(false),
      }),
      errors: [401, 404, 409, 429],
      handler: ({ c, body, services, auth }) =>
        opts.guard(`POST ${base}/join`, () => join(c, services, auth, body, scope, opts.port(services))),
    }),
  ];
}

async function join(
  c: Context,
  services: Services,
  auth: { user: User; session: { csrf: string } } | undefined,
  body: {
    token: string;
    email?: string | undefined;
    password?: string | undefined;
    name?: string | undefined;
    create: boolean;
  },
  scope: string,
  port: InvitationPort,
): Promise<Response> {
  countTry(
    c,
    limiter(services, `${scope}-join`, SIGN_IN.perAddress),
    clientAddress(c, services.auth),
    'attempts to join',
  );
  let user: User | undefined = auth?.user;
  let csrfToken = auth?.session.csrf;
  if (!user) {
    if (body.email)
      countTry(
        c,
        limiter(services, `${scope}-join-account`, SIGN_IN.perAccount),
        body.email,
        'sign-in attempts for this account',
      );
    ({ user, csrf: csrfToken } = await invitedAccount(c, services.store, services.auth, body, async () => {
      await port.previewInvitation(body.token);
    }));
  }
  const joined = await port.join(user, body.token);
  return c.json({ ...joined, user: { id: user.id, email: user.email, name: user.name }, csrfToken });
}
