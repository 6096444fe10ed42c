// Accounts and sessions: argon2id password hashes, random session tokens kept only as SHA-256 hashes,
// an httpOnly SameSite=Strict cookie for browsers (with a per-session CSRF token) and Bearer API tokens
// for scripts (no cookie, so no CSRF).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import argon2 from 'argon2';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Session, Store, User } from '../store/index.ts';
import { Limiter } from './limit.ts';

export const SESSION_COOKIE = 'brink_session';
const SESSION_DAYS = 14;
const TOKEN_DAYS = 365;

export interface AuthConfig {
  /** Set the cookie's Secure flag always (BRINK_SECURE_COOKIES=1). */
  secureCookies: boolean;
  /** When set, creating the first account needs this one-time token (servers not bound to loopback). */
  setupToken: string | undefined;
  /** The address users reach the server at (BRINK_PUBLIC_URL); an https URL makes cookies Secure. */
  publicUrl?: URL | undefined;
  /**
   * How many reverse proxies in front of the server to trust (BRINK_TRUST_PROXY): their
   * X-Forwarded-For names the client's address, and X-Forwarded-Proto: https makes cookies Secure.
   */
  trustProxy?: number;
}

/** Whether this request reached us over HTTPS (directly, per BRINK_PUBLIC_URL, or per a trusted proxy). */
export function isSecureRequest(c: Context, config: AuthConfig): boolean {
  if (config.secureCookies || config.publicUrl?.protocol === 'https:') return true;
  if (new URL(c.req.url).protocol === 'https:') return true;
  if ((config.trustProxy ?? 0) > 0) {
    const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
    return proto === 'https';
  }
  return false;
}

export interface Authenticated {
  user: User;
  session: Session;
}

/**
 * argon2id with OWASP's first recommended configuration (Password Storage Cheat Sheet): 19 MiB of
 * memory, 2 passes, 1 lane, a 16-byte random salt and a 32-byte hash. Until Brink 1.1 it was the argon2
 * package's default (64 MiB, 3 passes, 4 lanes: ~210 ms of CPU per sign-in, so 20 sign-ins at once
 * could not finish within 2 s on 2 cores); hashes made with those parameters still verify and are
 * replaced at their owner's next sign-in (docs/decisions/0018-server-load.md).
 */
export const ARGON2 = {
  type: argon2.argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
  hashLength: 32,
} as const;

/** BRINK_HASH_CONCURRENCY as a number of hashes at once (1-64), or undefined when unset or invalid. */
export function hashConcurrencyOf(v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 && n <= 64 ? n : undefined;
}

/**
 * Password hashing's limit: one hash at a time by default (BRINK_HASH_CONCURRENCY), each holding 19 MiB,
 * so a burst of sign-ins queues (at most 256 waiting; then 429) instead of exhausting memory.
 */
export const passwordHashing = new Limiter(hashConcurrencyOf(process.env.BRINK_HASH_CONCURRENCY) ?? 1, 256);

export const hashPassword = (password: string): Promise<string> =>
  passwordHashing.run(() => argon2.hash(password, ARGON2));

/** Whether a stored hash was made with other parameters than ARGON2 (replace it at the next sign-in). */
export function hashIsOutdated(hash: string): boolean {
  try {
    return argon2.needsRehash(hash, ARGON2);
  } catch {
    return false;
  }
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  // Outside the try: a full line (Busy, 429) is not a wrong password.
  return passwordHashing.run(async () => {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  });
}

// A hash to verify against when the email is unknown, so that both cases take the same time.
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}

export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Creates a session (or API token) for a user and returns the secret token (shown once). */
export async function openSession(
  store: Store,
  userId: string,
  kind: Session['kind'],
  name: string | null = null,
): Promise<{ token: string; session: Session }> {
  const token = randomBytes(32).toString('base64url');
  const created = new Date();
  const expires = new Date(created.getTime() + (kind === 'cookie' ? SESSION_DAYS : TOKEN_DAYS) * 86_400_000);
  const session: Session = {
    tokenHash: tokenHash(token),
    userId,
    csrf: randomBytes(24).toString('base64url'),
    kind,
    name,
    createdAt: created.toISOString(),
    expiresAt: expires.toISOString(),
  };
  await store.createSession(session);
  return { token, session };
}

export function setSessionCookie(c: Context, token: string, config: AuthConfig): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    secure: isSecureRequest(c, config),
    path: '/',
    maxAge: SESSION_DAYS * 86_400,
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

/** The caller's session from the cookie or an `Authorization: Bearer` token; undefined if none or expired. */
export async function authenticate(
  c: Context,
  store: Store,
  _config: AuthConfig,
): Promise<Authenticated | undefined> {
  const header = c.req.header('authorization');
  const bearer = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const token = bearer ?? getCookie(c, SESSION_COOKIE);
  if (!token) return undefined;
  const session = await store.sessionByHash(tokenHash(token));
  if (!session) return undefined;
  // A cookie cannot carry an API token, nor a Bearer header a browser session (a stolen cookie value is
  // not a way around CSRF).
  if ((bearer !== undefined) !== (session.kind === 'token')) return undefined;
  if (session.expiresAt < new Date().toISOString()) {
    await store.deleteSession(session.tokenHash);
    return undefined;
  }
  const user = await store.userById(session.userId);
  return user ? { user, session } : undefined;
}
