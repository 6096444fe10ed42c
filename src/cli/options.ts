// Option parsers and shared steps of the commands that load a scenario and run it.
import { InvalidArgumentError } from 'commander';
import { ESTIMATORS, type Estimator } from '../analysis/rare.ts';
import { dyadFeaturesOf, featureOverrides } from '../calibration/generic-library.ts';
import { type Diagnostic, formatDiagnostic } from '../scenario/diagnostics.ts';
import type { Scenario } from '../scenario/index.ts';
import { displayPaths } from './commands/validate.ts';
import { type Io, UserError } from './io.ts';

export function positiveInt(value: string): number {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError('expected a whole number > 0 (e.g. 100000)');
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number >= 0');
  return n;
}

/** `--epistemic N`: parameter draws of a second-order Monte Carlo (2..5000). */
export function drawCount(value: string): number {
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 2 || n > 5000)
    throw new InvalidArgumentError('expected a number of parameter draws from 2 to 5000 (e.g. 200)');
  return n;
}

/** The help of `--epistemic N`, the same on every command. */
export const EPISTEMIC_HELP =
  'also give the parameter-uncertainty band: N draws of the uncertain parameters (Latin hypercube), each with --runs runs on common random numbers';

/** `--estimator KIND`: a rare-event estimator. */
export function estimatorOption(value: string): Estimator {
  if (!(ESTIMATORS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${ESTIMATORS.join(', ')}`);
  return value as Estimator;
}

/** `--workers N`: worker threads (1 = this thread only). */
export function workerCount(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1 || n > 1024)
    throw new InvalidArgumentError('expected a number of worker threads from 1 to 1024');
  return n;
}

/** `--queue URL`: a Redis URL. */
export function redisUrl(value: string): string {
  if (!/^rediss?:\/\/[^/]/.test(value))
    throw new InvalidArgumentError('expected a Redis URL such as redis://127.0.0.1:6379 (rediss:// for TLS)');
  return value;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `--set PATH=VALUE`: VALUE is JSON when it parses as JSON (numbers, true/false), else a string. */
export function parseSets(sets: string[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of sets ?? []) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UserError(`--set needs PATH=VALUE, got '${s}'`);
    const raw = s.slice(eq + 1);
    let v: unknown = raw;
    try {
      v = JSON.parse(raw);
    } catch {
      v = raw;
    }
    out[s.slice(0, eq)] = v;
  }
  return out;
}

/** The `params.NAME` overrides that a document's `features:` imply (none without features or without the generic fit). */
export function featureSets(doc: Scenario | undefined, shown: string): Record<string, number> {
  if (!doc?.features) return {};
  const { features, problems } = dyadFeaturesOf(doc.features);
  if (problems.length) throw new UserError(`${shown}: ${problems.join('; ')}`);
  const out = featureOverrides(doc.params, features);
  if (!out) {
    throw new UserError(
      `${shown}: \`features:\` needs the generic crisis library (extend scenarios/lib/generic-actors.yaml), whose fitted coefficients turn them into kernels`,
    );
  }
  return out;
}

export function printDiagnostics(io: Io, ds: Diagnostic[], shown: string, abs: string): void {
  for (const d of displayPaths(io, ds, abs, shown)) io.err(`${formatDiagnostic(d)}\n`);
}
