// `brink validate` of files at the 10 MB limit, end to end through the compiled CLI (issue 20: a 4 MB
// value in a field with fixed choices took 6.7 s in "did you mean"; the target is under 5 s at 10 MB).
// Wall and CPU time (user + system, /usr/bin/time) of the whole command, CLI start-up included; the
// start-up alone (`brink --version`) is measured beside it.
//
//   node --import tsx bench/validate-large.ts     (after `npx tsc -p tsconfig.build.json`)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/brink.js');

export interface ValidateTiming {
  file: string;
  bytes: number;
  /** The first diagnostic code printed (the file is invalid by construction). */
  code: string;
  wallSeconds: number;
  cpuSeconds: number;
}

/** A scenario of exactly `bytes` characters with `value` (padded) in `field`. */
function bigScenario(bytes: number, field: 'domain' | 'target', value: number): string {
  const head = (v: string, pad: string) => `version: 1
id: big
title: A large value in a checked field
description: "${pad}"
actors:
  US:
    name: United States
    actions:
      protest: { rung: coercion, domain: ${field === 'domain' ? v : 'political'}, visibility: public${field === 'target' ? `, target: ${v}` : ''} }
    doctrine: {}
  CN:
    name: China
    actions: {}
    doctrine: {}
`;
  const v = `${field === 'domain' ? 'air' : 'CN'}${'a'.repeat(value - 2)}`;
  const fixed = head(v, '').length;
  return head(v, 'd'.repeat(bytes - fixed));
}

function timed(args: string[]): { wall: number; cpu: number; out: string } {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', 'node', BIN, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  if (!m) throw new Error(`no timing from /usr/bin/time: ${r.error?.message ?? r.stderr?.slice(0, 200)}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), out: r.stdout ?? '' };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median of `repeats` runs of `brink validate` on each large file, and of `brink --version`. */
export function measureLargeValidation(repeats = 3): { startup: ValidateTiming; files: ValidateTiming[] } {
  const dir = mkdtempSync(join(tmpdir(), 'brink-validate-large-'));
  try {
    const bytes = 10_000_000;
    const cases = [
      { name: '9 MB value in an enumerated field (domain)', field: 'domain' as const },
      { name: '9 MB actor reference (target)', field: 'target' as const },
    ];
    const files: ValidateTiming[] = [];
    for (const c of cases) {
      const path = join(dir, `${c.field}.yaml`);
      writeFileSync(path, bigScenario(bytes, c.field, 9_000_000));
      const runs = Array.from({ length: repeats }, () => timed(['validate', path]));
      files.push({
        file: c.name,
        bytes,
        code: /error (\w+)/.exec(runs[0]!.out)?.[1] ?? 'none',
        wallSeconds: median(runs.map((r) => r.wall)),
        cpuSeconds: median(runs.map((r) => r.cpu)),
      });
    }
    const starts = Array.from({ length: repeats }, () => timed(['--version']));
    const startup = {
      file: 'brink --version (start-up only)',
      bytes: 0,
      code: '',
      wallSeconds: median(starts.map((r) => r.wall)),
      cpuSeconds: median(starts.map((r) => r.cpu)),
    };
    return { startup, files };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = measureLargeValidation();
  for (const t of [...r.files, r.startup])
    console.log(
      `${t.file}: ${t.code ? `${t.code}, ` : ''}${t.wallSeconds.toFixed(2)} s wall, ${t.cpuSeconds.toFixed(2)} s CPU`,
    );
}
