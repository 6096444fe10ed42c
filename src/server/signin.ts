// Signing in with an email and a password, throttled in the store (so a restart does not reset the
// counters, and several server processes share them):
// - by client address: after ADDRESS_FAILURES failed sign-ins from one address within the window, every
//   sign-in from it gets 429 with Retry-After until the window ends (password spraying is slowed);
// - by account: after ACCOUNT_FAILURES failed sign-ins for one email within the window (from browsers not
//   trusted for it), the email is locked for LOCK_MS: 429 even with the right password, the same for an
//   email with or without an account;
// - a browser that signed in to an account before carries a trusted-device cookie: a lock on the account
//   does not apply to it (its own failures are counted apart), so guessing from elsewhere cannot lock the
//   real user out of the browser they use. A workspace owner (POST …/members/:user/unlock) or an
//   operator (`brink users unlock EMAIL`) clears a lock at once.
// docs/security.md states the figures and the argon2 parameters.
import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { Store, User, UserWithHash } from '../store/index.ts';
import {
  type AuthConfig,
  dummyPasswordHash,
  hashIsOutdated,
  hashPassword,
  isSecureRequest,
  openSession,
  setSessionCookie,
  tokenHash,
  verifyPassword,
} from './auth.ts';
import { HttpError } from './http.ts';
import { Password } from './schemas.ts';

export const SIGN_IN_WINDOW_MS = 15 * 60_000;
export const ADDRESS_FAILURES = 20;
export const ACCOUNT_FAILURES = 10;
export const DEVICE_FAILURES = 10;
export const LOCK_MS = 15 * 60_000;
export const DEVICE_COOKIE = 'brink_device';
const DEVICE_DAYS = 180;

export const accountKey = (email: string) => `acct:${email.trim().toLowerCase()}`;
const addressKey = (address: string) => `addr:${address}`;
const deviceKey = (hash: string) => `dev:${hash}`;

/**
 * The caller's network address: the socket's, or with `trustProxy` = N, the address N hops from the
 * right of X-Forwarded-For (the one the N-th trusted proxy saw). Never a header the client controls alone.
 */
export function clientAddress(c: Context, config?: Pick<AuthConfig, 'trustProxy'>): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  const socket = env?.incoming?.socket?.remoteAddress ?? 'local';
  const hops = config?.trustProxy ?? 0;
  if (hops <= 0) return socket;
  const chain = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return chain[chain.length - hops] ?? socket;
}

function refuse(c: Context, until: number, now: number, code: string, message: string): HttpError {
  const wait = Math.max(1, Math.ceil((until - now) / 1000));
  c.header('retry-after', String(wait));
  return new HttpError(429, code, message, { retryAfter: wait });
}

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

/** The account a trusted-device cookie vouches for (its token's hash and user), if any. */
async function trustedDevice(c: Context, store: Store, now: string) {
  const token = getCookie(c, DEVICE_COOKIE);
  if (!token || token.length > 100) return undefined;
  const hash = tokenHash(token);
  const userId = await store.security.deviceUser(hash, now);
  return userId ? { hash, userId } : undefined;
}

/**
 * Checks an email and password under the throttles; returns the account, or throws 401 (wrong email
 * or password, the same words either way) or 429 (with Retry-After).
 */
export async function signIn(
  c: Context,
  store: Store,
  config: AuthConfig,
  email: string,
  password: string,
): Promise<UserWithHash> {
  const now = Date.now();
  const at = new Date(now).toISOString();
  const sec = store.security;
  const address = addressKey(clientAddress(c, config));
  const byAddress = await sec.throttle(address);
  if (
    byAddress &&
    byAddress.failures >= ADDRESS_FAILURES &&
    Date.parse(byAddress.windowStart) + SIGN_IN_WINDOW_MS > now
  ) {
    const until = Date.parse(byAddress.windowStart) + SIGN_IN_WINDOW_MS;
    throw refuse(
      c,
      until,
      now,
      'too_many_attempts',
      `too many failed sign-ins from your address: try again in ${minutes(until - now)} minute(s)`,
    );
  }
  const account = accountKey(email);
  const u = await store.userByEmail(email);
  const device = await trustedDevice(c, store, at);
  const trusted = device !== undefined && u !== undefined && device.userId === u.id;
  if (trusted) {
    const d = await sec.throttle(deviceKey(device.hash));
    if (d && d.failures >= DEVICE_FAILURES && Date.parse(d.windowStart) + SIGN_IN_WINDOW_MS > now) {
      const until = Date.parse(d.windowStart) + SIGN_IN_WINDOW_MS;
      throw refuse(
        c,
        until,
        now,
        'too_many_attempts',
        `too many failed sign-ins: try again in ${minutes(until - now)} minute(s)`,
      );
    }
  } else {
    const a = await sec.throttle(account);
    if (a?.lockedUntil && Date.parse(a.lockedUntil) > now)
      throw refuse(
        c,
        Date.parse(a.lockedUntil),
        now,
        'too_many_attempts',
        `too many failed sign-ins for this account: it is locked for ${minutes(Date.parse(a.lockedUntil) - now)} minute(s). Sign in from a browser you used before, or ask a workspace owner (Members: clear the sign-in lock) or the operator (brink users unlock EMAIL) to clear it`,
      );
  }
  const ok = await verifyPassword(u?.passwordHash ?? (await dummyPasswordHash()), password);
  if (!u || !ok) {
    await sec.recordFailure(address, at, SIGN_IN_WINDOW_MS);
    if (trusted) await sec.recordFailure(deviceKey(device.hash), at, SIGN_IN_WINDOW_MS);
    else {
      const a = await sec.recordFailure(account, at, SIGN_IN_WINDOW_MS);
      if (a.failures >= ACCOUNT_FAILURES) await sec.lock(account, new Date(now + LOCK_MS).toISOString(), at);
    }
    throw new HttpError(401, 'bad_credentials', 'wrong email or password');
  }
  // A hash made with older (costlier) parameters is replaced now that the password is at hand.
  if (hashIsOutdated(u.passwordHash))
    await store.replacePasswordHash(u.id, u.passwordHash, await hashPassword(password));
  // A success clears what this sign-in was counted against (never the address: one good account
  // must not reset a sprayer's counter).
  if (trusted) await sec.clearThrottle(deviceKey(device.hash));
  else await sec.clearThrottle(account);
  if (!trusted) await trustDevice(c, store, config, u.id, now);
  return u;
}

/** Marks this browser as one the account signed in from (an httpOnly cookie with a random token). */
export async function trustDevice(
  c: Context,
  store: Store,
  config: AuthConfig,
  userId: string,
  now = Date.now(),
): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  await store.security.addDevice({
    tokenHash: tokenHash(token),
    userId,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + DEVICE_DAYS * 86_400_000).toISOString(),
  });
  setCookie(c, DEVICE_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: isSecureRequest(c, config),
    path: '/api/',
    maxAge: DEVICE_DAYS * 86_400,
  });
}

/** Clears the sign-in lock and failure count of an email; true if there was one. */
export function unlockAccount(store: Store, email: string): Promise<boolean> {
  return store.security.clearThrottle(accountKey(email));
}

/** Whether an email's sign-in is locked now. */
export async function accountLocked(store: Store, email: string): Promise<boolean> {
  const a = await store.security.throttle(accountKey(email));
  return !!a?.lockedUntil && Date.parse(a.lockedUntil) > Date.now();
}

/**
 * The account behind an invitation's acceptance by someone not signed in: an existing account (email
 * and password, under the sign-in throttles) or a new one (`create`, with a name). `check` runs first,
 * so that nothing is created for an invitation that is not valid. Opens a browser session.
 */
export async function invitedAccount(
  c: Context,
  store: Store,
  config: AuthConfig,
  body: {
    email?: string | undefined;
    password?: string | undefined;
    name?: string | undefined;
    create: boolean;
  },
  check: () => Promise<void>,
): Promise<{ user: User; csrf: string }> {
  if (!body.email || !body.password)
    throw new HttpError(
      401,
      'unauthenticated',
      'sign in, or give an email and password (and a name to create an account)',
    );
  await check();
  let user: User;
  if (body.create) {
    if (await store.userByEmail(body.email))
      throw new HttpError(
        409,
        'account_exists',
        'an account with this email exists: sign in with it instead',
      );
    const pw = Password.safeParse(body.password);
    if (!pw.success) throw new HttpError(400, 'invalid_request', pw.error.issues[0]!.message);
    if (!body.name) throw new HttpError(400, 'invalid_request', 'give your name to create an account');
    user = await store.createUser({
      email: body.email,
      name: body.name,
      passwordHash: await hashPassword(body.password),
    });
    await trustDevice(c, store, config, user.id);
  } else {
    const u = await signIn(c, store, config, body.email, body.password);
    user = { id: u.id, email: u.email, name: u.name, createdAt: u.createdAt };
  }
  const { token, session } = await openSession(store, user.id, 'cookie');
  setSessionCookie(c, token, config);
  return { user, csrf: session.csrf };
}
