// Operator commands on a workbench's data: `brink users unlock EMAIL` (clears a sign-in lock) and
// `brink keys rotate` (re-encrypts the talks room under a new master key). Both take the database the
// way `brink serve` does (--data, --database, BRINK_DATA, DATABASE_URL).
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { unlockAccount } from '../../server/signin.ts';
import { fingerprint, loadMasterKey, parseKey } from '../../server/talks/crypto.ts';
import { defaultKeyFile } from '../../server/talks/index.ts';
import {
  pendingKeyFile,
  resolvePendingRotation,
  retiredKeyFile,
  rotateMasterKey,
} from '../../server/talks/rotate.ts';
import { openStore, type Store } from '../../store/index.ts';
import { writePrivateFile } from '../../store/private-files.ts';
import { type Io, UserError } from '../io.ts';
import type { Registrar } from '../main.ts';

interface DataOptions {
  data?: string;
  database?: string;
}

/** The database `brink serve` would open with these options. */
export function databaseOf(o: DataOptions, io: Io): string {
  const data = o.data ?? process.env.BRINK_DATA ?? join(io.cwd, '.brink');
  return o.database ?? process.env.DATABASE_URL ?? join(data, 'brink.db');
}

const dataOptions = (cmd: Command) =>
  cmd
    .option('--data <dir>', 'directory of the SQLite database (default: $BRINK_DATA or .brink)')
    .option('--database <url>', 'database URL or SQLite file (default: $DATABASE_URL or DATA/brink.db)');

async function existingStore(database: string): Promise<Store> {
  const postgres = /^postgres(ql)?:\/\//.test(database);
  if (!postgres && !existsSync(database))
    throw new UserError(`no database at ${database} (give --data or --database)`);
  try {
    return await openStore(database);
  } catch (e) {
    throw new UserError(`cannot open the database: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export const registerAdmin: Registrar = (program, io) => {
  const users = program.command('users').description('accounts of a workbench');
  dataOptions(
    users
      .command('unlock <email>')
      .description('clears the sign-in lock of an account after too many failed sign-ins'),
  ).action(async (email: string, o: DataOptions) => {
    const store = await existingStore(databaseOf(o, io));
    try {
      const had = await unlockAccount(store, email);
      io.out(had ? `Cleared the sign-in lock of ${email}.\n` : `${email} had no sign-in lock.\n`);
    } finally {
      await store.close();
    }
  });

  const keys = program.command('keys').description('the talks room’s master key');
  dataOptions(
    keys
      .command('rotate')
      .description(
        're-encrypts every dialogue (new data keys) under a new master key, in one transaction; stop the server first',
      )
      .option('--key-file <file>', 'the key file (default: talks-master.key beside the database)'),
  ).action(async (o: DataOptions & { keyFile?: string }) => {
    const database = databaseOf(o, io);
    const store = await existingStore(database);
    try {
      if (process.env.BRINK_MASTER_KEY) {
        // The key lives in the environment: the operator supplies the new one the same way.
        const next = process.env.BRINK_NEW_MASTER_KEY;
        if (!next)
          throw new UserError(
            'BRINK_MASTER_KEY is set: give the new key in BRINK_NEW_MASTER_KEY (openssl rand -base64 32), then set BRINK_MASTER_KEY to it',
          );
        const r = await rotateMasterKey(
          store,
          parseKey(process.env.BRINK_MASTER_KEY, 'BRINK_MASTER_KEY'),
          parseKey(next, 'BRINK_NEW_MASTER_KEY'),
        );
        io.out(
          `Re-encrypted ${r.dialogues} dialogue(s), ${r.exercises} exercise(s), ${r.records} record(s). Now set BRINK_MASTER_KEY to the new key and restart the server.\n`,
        );
        return;
      }
      const keyFile = o.keyFile ?? defaultKeyFile(database);
      const resolved = await resolvePendingRotation(store, keyFile);
      if (resolved) io.out(`An interrupted rotation was ${resolved}.\n`);
      if (!existsSync(keyFile)) throw new UserError(`no key file at ${keyFile}: nothing to rotate`);
      const oldText = readFileSync(keyFile, 'utf8');
      const old = loadMasterKey({ keyFile });
      const next = randomBytes(32);
      const pending = pendingKeyFile(keyFile);
      writePrivateFile(pending, `${next.toString('base64')}\n`, dirname(keyFile));
      let r: Awaited<ReturnType<typeof rotateMasterKey>>;
      try {
        r = await rotateMasterKey(store, old, next);
      } catch (e) {
        // Nothing changed in the database: the old key stays.
        await resolvePendingRotation(store, keyFile);
        throw new UserError(
          `the rotation failed and changed nothing (the old key still opens everything): ${e instanceof Error ? e.message : String(e)}`,
        );
      }
      const retired = retiredKeyFile(keyFile, oldText);
      renameSync(keyFile, retired);
      renameSync(pending, keyFile);
      io.out(
        `Re-encrypted ${r.dialogues} dialogue(s), ${r.exercises} exercise(s), ${r.records} record(s) under a new master key (fingerprint ${fingerprint(next)}) in ${keyFile}.\n` +
          `The old key is now ${retired}: keep it with the backups made before this rotation (they need it), or delete it.\n`,
      );
    } finally {
      await store.close();
    }
  });
};
