// Envelope encryption of the talks room's confidential records. Each dialogue has its own random data
// key (AES-256-GCM); the data key is stored wrapped by a master key that never enters the database: it
// comes from BRINK_MASTER_KEY or from a key file beside the database (created with mode 0600). Every
// ciphertext is bound to its place (dialogue, record kind, record id) as associated data, so a record
// copied onto another row does not decrypt. docs/talks.md says how to provide and back up the key.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { writePrivateFile } from '../../store/private-files.ts';

const ALG = 'aes-256-gcm';
const VERSION = 'v1';

export class KeyError extends Error {}

/** Parses a 32-byte key given as base64 (44 chars) or hex (64 chars). */
export function parseKey(text: string, where: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32)
    throw new KeyError(
      `${where}: a master key is 32 random bytes in base64 or hex (make one with: openssl rand -base64 32)`,
    );
  return key;
}

/**
 * The master key: BRINK_MASTER_KEY if set, else the key file (created on first use, mode 0600). A key
 * file that others can read is refused.
 */
export function loadMasterKey(opts: { env?: string | undefined; keyFile: string }): Buffer {
  if (opts.env) return parseKey(opts.env, 'BRINK_MASTER_KEY');
  const file = opts.keyFile;
  if (!existsSync(file)) writePrivateFile(file, `${randomBytes(32).toString('base64')}\n`, dirname(file));
  const mode = statSync(file).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0)
    throw new KeyError(
      `the talks master key file ${file} is readable by others (mode ${mode.toString(8)}): chmod 600 it`,
    );
  return parseKey(readFileSync(file, 'utf8'), file);
}

/** A short fingerprint of a key (first 8 bytes of its SHA-256), to name which master key wrapped a data key. */
export function fingerprint(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 16);
}

function seal(key: Buffer, plain: Buffer, aad: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv(ALG, key, iv);
  c.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), ct]).toString('base64');
}

function open(key: Buffer, sealed: string, aad: string): Buffer {
  const raw = Buffer.from(sealed, 'base64');
  if (raw.length < 28) throw new KeyError('a sealed record is truncated');
  const d = createDecipheriv(ALG, key, raw.subarray(0, 12));
  d.setAAD(Buffer.from(aad, 'utf8'));
  d.setAuthTag(raw.subarray(12, 28));
  try {
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]);
  } catch {
    throw new KeyError('a sealed record does not decrypt: wrong key, or the record was altered or moved');
  }
}

/**
 * The keyring scope of a tabletop exercise: its data key and records are bound to `exercise:<id>` (a
 * dialogue's scope is its bare id, a UUID), so an exercise's record never opens as a dialogue's.
 */
export const exerciseScope = (exerciseId: string) => `exercise:${exerciseId}`;

/**
 * Holds the master key and each key owner's unwrapped data key (in memory only): a dialogue's, or a
 * tabletop exercise's under `exerciseScope`.
 */
export class Keyring {
  private readonly load: () => Buffer;
  private key: { master: Buffer; fp: string } | undefined;
  private macKey: Buffer | undefined;
  private readonly cache = new Map<string, Buffer>();

  /** The master key, or how to get it on first use (so a server that never hosts talks makes no key file). */
  constructor(master: Buffer | (() => Buffer)) {
    this.load = typeof master === 'function' ? master : () => master;
    if (typeof master !== 'function') this.masterKey();
  }

  private masterKey(): { master: Buffer; fp: string } {
    if (!this.key) {
      const master = this.load();
      if (master.length !== 32) throw new KeyError('the master key must be 32 bytes');
      this.key = { master, fp: fingerprint(master) };
    }
    return this.key;
  }

  private get master(): Buffer {
    return this.masterKey().master;
  }

  private get fp(): string {
    return this.masterKey().fp;
  }

  /** A new data key for a dialogue, and its wrapped form to store. */
  newDataKey(dialogueId: string): string {
    const key = randomBytes(32);
    this.cache.set(dialogueId, key);
    return `${VERSION}.${this.fp}.${seal(this.master, key, `brink-talks-key:${dialogueId}`)}`;
  }

  private dataKey(dialogueId: string, wrapped: string): Buffer {
    const hit = this.cache.get(dialogueId);
    if (hit) return hit;
    const [v, fp, body] = wrapped.split('.');
    if (v !== VERSION || !fp || !body) throw new KeyError('the dialogue key record is not in a known format');
    if (fp !== this.fp)
      throw new KeyError(
        `this dialogue was sealed with another master key (fingerprint ${fp}, this server has ${this.fp})`,
      );
    const key = open(this.master, body, `brink-talks-key:${dialogueId}`);
    this.cache.set(dialogueId, key);
    return key;
  }

  /**
   * A keyed identifier of a confidential value of a dialogue (e.g. the hash of its positions in a run
   * manifest): HMAC-SHA-256 under a key derived from the master key with HKDF, bound to the dialogue and
   * a label, 128 bits in hex. Equal values get equal identifiers; without the key nobody can test a guess
   * against one (an unkeyed hash could be, offline). A rotated master key gives new identifiers.
   */
  mac(dialogueId: string, label: string, value: string): string {
    this.macKey ??= Buffer.from(
      hkdfSync('sha256', this.master, Buffer.from('brink'), Buffer.from('brink-talks-identifiers-v1'), 32),
    );
    return createHmac('sha256', this.macKey)
      .update(`${dialogueId}\u0000${label}\u0000${value}`)
      .digest('hex')
      .slice(0, 32);
  }

  /** Encrypts a JSON value for a record of a dialogue. */
  seal(dialogueId: string, wrapped: string, kind: string, id: string, value: unknown): string {
    const key = this.dataKey(dialogueId, wrapped);
    return seal(key, Buffer.from(JSON.stringify(value), 'utf8'), `brink-talks:${dialogueId}:${kind}:${id}`);
  }

  /** Decrypts a record sealed with `seal` (same dialogue, kind and id). */
  open<T>(dialogueId: string, wrapped: string, kind: string, id: string, sealed: string): T {
    const key = this.dataKey(dialogueId, wrapped);
    return JSON.parse(open(key, sealed, `brink-talks:${dialogueId}:${kind}:${id}`).toString('utf8')) as T;
  }
}
