// Running brink in-process and reading scenario files in tests.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Io, nodeIo } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';
import type { LoadIo } from '../../src/scenario/load.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Reads files the way the CLI does (oversized files come back as the size sentinel). */
export const fsIo: LoadIo = { readFile: (p) => nodeIo().readFile(p) };

/** An in-memory file system for the loader. */
export function memoryIo(files: Record<string, string>): LoadIo {
  return { readFile: (p) => files[p] };
}

export interface BrinkResult {
  code: number;
  out: string;
  err: string;
  ms: number;
}

/** Runs `brink ARGV` in-process with the working directory `cwd`, capturing what it prints. */
export async function brink(argv: string[], cwd = ROOT): Promise<BrinkResult> {
  let out = '';
  let err = '';
  const io: Io = {
    ...nodeIo(),
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    errIsTty: false,
    color: false,
    cwd,
  };
  const t0 = performance.now();
  const code = await main(argv, io);
  return { code, out, err, ms: performance.now() - t0 };
}

/** Every file below `dir` (relative to the repository) whose name ends in one of `exts`. */
export function filesUnder(dir: string, exts: string[]): string[] {
  const abs = join(ROOT, dir);
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (exts.some((e) => name.endsWith(e))) out.push(relative(ROOT, p));
    }
  };
  walk(abs);
  return out;
}
