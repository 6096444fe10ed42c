// The CLI's contact with the world: files, stdout, stderr. Commands receive an Io so tests can run them
// in-process and read what they printed.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { colorByDefault } from './color.ts';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Reads a file as text; undefined when it does not exist. */
  readFile(path: string): string | undefined;
  /** Whether stderr is an interactive terminal (progress bars only then). */
  errIsTty: boolean;
  /** Whether human reports may use terminal colours (false or absent: plain text). */
  color?: boolean;
  cwd: string;
  /** Writes a text file (reports); absent in read-only settings. */
  writeFile?(path: string, text: string): void;
}

export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export function nodeIo(): Io {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    readFile: (p) => {
      try {
        const st = statSync(p);
        if (!st.isFile()) return undefined;
        // Oversized files are not read whole: the parser reports them by size.
        if (st.size > MAX_FILE_BYTES) return `\u0000BRINK-OVERSIZE:${st.size}`;
        return readFileSync(p, 'utf8');
      } catch {
        return undefined;
      }
    },
    errIsTty: Boolean(process.stderr.isTTY),
    color: colorByDefault(),
    cwd: process.cwd(),
    writeFile: (p, text) => writeFileSync(p, text, 'utf8'),
  };
}

export function absolute(io: Io, p: string): string {
  return resolve(io.cwd, p);
}

/** A user mistake: printed as one line, exit code 1 (or `code`), never a stack trace. */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}
