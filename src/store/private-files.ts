// Brink's data files are its own: the data folder is created 0700 and the database, its WAL and shared
// memory files and the key files 0600, whatever the umask. SQLite creates `-wal` and `-shm` with the
// mode of the database file, so creating that file first with 0600 covers them; files an older version
// made readable by others are tightened at start.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync, writeFileSync } from 'node:fs';

const posix = process.platform !== 'win32';

/** Creates `dir` (and its parents) if needed; the folder itself gets mode 0700 when Brink creates it. */
export function privateDir(dir: string): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (posix) chmodSync(dir, 0o700);
  }
}

/** Makes an existing file of ours 0600 if others may read or write it. */
export function tighten(file: string): void {
  if (!posix || !existsSync(file)) return;
  const st = statSync(file);
  if (st.uid === process.getuid?.() && (st.mode & 0o077) !== 0) chmodSync(file, 0o600);
}

/** The SQLite database file: created empty with 0600 before SQLite opens it; the folder 0700. */
export function prepareDatabaseFile(file: string, dir: string): void {
  privateDir(dir);
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) tighten(f);
}

/** Writes a new private file (fails if it exists), mode 0600. */
export function writePrivateFile(file: string, text: string, dir: string): void {
  privateDir(dir);
  writeFileSync(file, text, { mode: 0o600, flag: 'wx' });
  if (posix) chmodSync(file, 0o600);
}
