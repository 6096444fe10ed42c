// Rotating the talks master key (`brink keys rotate`): every dialogue gets a new data key, wrapped by the
// new master key, and every sealed record (configuration, positions, releases, drafts, notes, analyses)
// is decrypted with the old data key and sealed again with the new one, all in one database
// transaction: if anything fails midway, nothing changes and the old key still opens everything.
// The key file is replaced only after the transaction commits; a rotation interrupted between the two
// leaves `talks-master.key.next`, which the next start (or rotation) resolves by asking the database
// which key it is sealed with.
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import type { Store } from '../../store/index.ts';
import { exerciseScope, fingerprint, KeyError, Keyring, parseKey } from './crypto.ts';

export interface RotationReport {
  dialogues: number;
  /** Tabletop exercises (their logs and job results are sealed with the same master key). */
  exercises: number;
  records: number;
}

/** The fingerprints of the master keys the stored dialogue keys are wrapped with. */
export async function sealedWith(store: Store): Promise<Set<string>> {
  const keys = [...(await store.talks.wrappedKeys()), ...(await store.exercises.wrappedKeys())];
  return new Set(keys.map((k) => k.split('.')[1] ?? ''));
}

/**
 * Re-encrypts every dialogue under `next` (new data keys wrapped by the new master key), in one
 * transaction. `onRecord` is called after each record is re-sealed (a test makes it throw midway).
 */
export async function rotateMasterKey(
  store: Store,
  old: Buffer,
  next: Buffer,
  onRecord: (n: number) => void = () => {},
): Promise<RotationReport> {
  if (old.equals(next)) throw new KeyError('the new master key is the old one');
  const from = new Keyring(old);
  const to = new Keyring(next);
  let records = 0;
  // A key owner (a dialogue, or an exercise under its own scope) gets a new data key; its records move.
  const rewrap = (scope: string, wrappedKey: string) => {
    const wrapped = to.newDataKey(scope);
    return {
      wrappedKey: wrapped,
      reseal: (kind: string, id: string, sealed: string) => {
        const value = from.open<unknown>(scope, wrappedKey, kind, id, sealed);
        records++;
        onRecord(records);
        return to.seal(scope, wrapped, kind, id, value);
      },
    };
  };
  let exercises = 0;
  const dialogues = await store.talks.rewrap(
    (d) => rewrap(d.id, d.wrappedKey),
    async (tx) => {
      exercises = await store.exercises.rewrap(tx, (e) => rewrap(exerciseScope(e.id), e.wrappedKey));
    },
  );
  return { dialogues, exercises, records };
}

/** The file a rotation writes the new key to before the database is re-encrypted. */
export const pendingKeyFile = (keyFile: string) => `${keyFile}.next`;

/**
 * Finishes or abandons a rotation that stopped between the database and the key file: if the database
 * is sealed with the pending key, the pending key becomes the key file; otherwise it is removed.
 * Returns what it did (undefined when there was nothing pending).
 */
export async function resolvePendingRotation(
  store: Store,
  keyFile: string,
): Promise<'finished' | 'abandoned' | undefined> {
  const pending = pendingKeyFile(keyFile);
  if (!existsSync(pending)) return undefined;
  const next = parseKey(readFileSync(pending, 'utf8'), pending);
  const used = await sealedWith(store);
  if (used.has(fingerprint(next))) {
    if (existsSync(keyFile)) renameSync(keyFile, retiredKeyFile(keyFile, readFileSync(keyFile, 'utf8')));
    renameSync(pending, keyFile);
    return 'finished';
  }
  rmSync(pending);
  return 'abandoned';
}

/** Where the old key goes after a rotation (the backups made before it still need it). */
export function retiredKeyFile(keyFile: string, oldKeyText: string): string {
  return `${keyFile}.${fingerprint(parseKey(oldKeyText, keyFile))}.retired`;
}
