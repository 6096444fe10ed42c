// One mutant through the pipeline a user's file goes through: `validateFile` (what `brink validate`
// does), and when it is valid, a 200-run ensemble of the baseline and of one intervention. Anything
// thrown is a finding, except RunawayError from the engine (the one way a valid scenario may stop).
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { runRange } from '../../src/analysis/ensemble.ts';
import { RunawayError } from '../../src/engine/run.ts';
import { hasErrors } from '../../src/scenario/diagnostics.ts';
import { type LoadIo, loadDocument, prepareLoaded, validateFile } from '../../src/scenario/load.ts';
import { MAX_FILE_BYTES, OVERSIZE_SENTINEL, type Parsed, parseText } from '../../src/scenario/parse.ts';
import type { Mutant } from './mutate.ts';

export const ENSEMBLE_RUNS = 200;

export interface Checked {
  outcome: 'invalid' | 'valid' | 'runaway' | 'library';
  /** Distinct diagnostic codes of errors (invalid) or warnings (valid). */
  codes: string[];
  /** CPU milliseconds of validation (validateFile) and of the ensembles (compile and runs). */
  validateCpuMs: number;
  ensembleCpuMs: number;
}

const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

const disk = new Map<string, string | undefined>();

/** Reads like the CLI (an oversized file becomes the size sentinel), with the mutant's files on top. */
export function mutantIo(m: Mutant): LoadIo {
  return {
    readFile: (p) => {
      if (Object.hasOwn(m.files, p)) {
        const t = m.files[p]!;
        return Buffer.byteLength(t) > MAX_FILE_BYTES ? `${OVERSIZE_SENTINEL}${Buffer.byteLength(t)}` : t;
      }
      if (!disk.has(p)) {
        try {
          const st = statSync(p);
          disk.set(
            p,
            !st.isFile()
              ? undefined
              : st.size > MAX_FILE_BYTES
                ? `${OVERSIZE_SENTINEL}${st.size}`
                : readFileSync(p, 'utf8'),
          );
        } catch {
          disk.set(p, undefined);
        }
      }
      return disk.get(p);
    },
    resolve: (from, rel) => resolve(dirname(from), rel),
    // The corpus files a mutant did not change (the libraries) are parsed once per process.
    parse: (text, file) => {
      if (Object.hasOwn(m.files, file) || disk.get(file) !== text) return parseText(text, file);
      let p = parsedDisk.get(file);
      if (!p) {
        p = parseText(text, file);
        parsedDisk.set(file, p);
      }
      return p;
    },
  };
}

const parsedDisk = new Map<string, Parsed>();

/** Validates a mutant and, when valid, runs it. Throws what the pipeline throws. */
export function check(m: Mutant, seed: number): Checked {
  const io = mutantIo(m);
  const c0 = cpuMs();
  const v = validateFile(m.entry, io);
  const validateCpuMs = cpuMs() - c0;
  if (hasErrors(v.diagnostics)) {
    const codes = [...new Set(v.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code))];
    return { outcome: 'invalid', codes, validateCpuMs, ensembleCpuMs: 0 };
  }
  const codes = [...new Set(v.diagnostics.map((d) => d.code))];
  if (v.kind === 'library') return { outcome: 'library', codes, validateCpuMs, ensembleCpuMs: 0 };
  const c1 = cpuMs();
  const outcome = ensembles(m, io, seed);
  return { outcome, codes, validateCpuMs, ensembleCpuMs: cpuMs() - c1 };
}

function ensembles(m: Mutant, io: LoadIo, seed: number): 'valid' | 'runaway' {
  const loaded = loadDocument(m.entry, io);
  const names = Object.keys(loaded.doc?.interventions ?? {});
  const arms: string[][] = [[]];
  if (names.length) arms.push([names[seed % names.length]!]);
  for (const interventions of arms) {
    const p = prepareLoaded(loaded, { interventions }, m.entry);
    if (!p.model) {
      // validateFile said every intervention applies alone: a model must come out.
      throw new Error(
        `validated, but ${interventions.join('+') || 'the baseline'} does not compile: ${p.diagnostics
          .map((d) => d.code)
          .join(', ')}`,
      );
    }
    try {
      runRange(p.model, seed, 0, ENSEMBLE_RUNS);
    } catch (e) {
      if (e instanceof RunawayError) return 'runaway';
      throw e;
    }
  }
  return 'valid';
}
