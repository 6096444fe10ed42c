// The talks room's server side: the room (use cases), its background analyses, and how a server gets
// its master key.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Store } from '../../store/index.ts';
import type { RunQueue } from '../jobs.ts';
import { loadMasterKey } from './crypto.ts';
import { TalksJobs } from './jobs.ts';
import { TalksRoom, type Work } from './room.ts';
import { resolvePendingRotation } from './rotate.ts';

export interface TalksServices {
  room: TalksRoom;
  jobs: TalksJobs;
}

export interface TalksOptions {
  /** The master key itself (tests); otherwise BRINK_MASTER_KEY or the key file. */
  masterKey?: Buffer;
  /** Where the key file lives (default: beside the SQLite database, or $BRINK_DATA/.brink for PostgreSQL). */
  keyFile?: string;
  sessionHours?: number;
}

/** The default key file for a database: beside a SQLite file, else in $BRINK_DATA or ./.brink. */
export function defaultKeyFile(database: string): string {
  const sqliteFile = !/^postgres(ql)?:\/\//.test(database) ? database.replace(/^sqlite:(\/\/)?/, '') : null;
  if (sqliteFile && sqliteFile !== ':memory:') return join(dirname(sqliteFile), 'talks-master.key');
  return join(process.env.BRINK_DATA ?? '.brink', 'talks-master.key');
}

/** Opens the talks room on a store, its analyses on the server's job queue; marks analyses a stopped server left unfinished as interrupted. */
export async function openTalks(
  store: Store,
  database: string,
  queue: RunQueue,
  opts: TalksOptions & { work?: Work } = {},
): Promise<TalksServices> {
  // An in-memory database lives as long as the process: so may its key.
  const ephemeral = database === ':memory:' && !process.env.BRINK_MASTER_KEY && !opts.keyFile;
  const keyFile = opts.keyFile ?? defaultKeyFile(database);
  // A `brink keys rotate` that stopped between the database and the key file is finished (or undone).
  if (opts.masterKey === undefined && !ephemeral && !process.env.BRINK_MASTER_KEY)
    await resolvePendingRotation(store, keyFile);
  const load = () =>
    opts.masterKey ??
    (ephemeral ? randomBytes(32) : loadMasterKey({ env: process.env.BRINK_MASTER_KEY, keyFile }));
  // A key that is given, or a key file that exists, is checked now (a bad one stops the server); a key
  // file that does not exist yet is made when the first dialogue needs it.
  const now =
    opts.masterKey !== undefined || ephemeral || !!process.env.BRINK_MASTER_KEY || existsSync(keyFile);
  const master = now ? load() : load;
  const envHours = Number(process.env.BRINK_TALKS_SESSION_HOURS);
  const sessionHours = opts.sessionHours ?? (envHours > 0 ? envHours : undefined);
  const room = new TalksRoom(store, master, {
    ...(sessionHours !== undefined ? { sessionHours } : {}),
    ...(opts.work ? { work: opts.work } : {}),
  });
  await room.talks.markInterrupted();
  const jobs = new TalksJobs(room, queue);
  return { room, jobs };
}

export type { TalksJobs, TalksRoom };
