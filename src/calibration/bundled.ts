// ICB base rates for the sanity panel (CLI and workbench) and `brink base-rates`: read from the calibrated library that ships
// with Brink (scenarios/lib/calibrated.yaml, written by `brink calibrate`).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { type BaseRates, baseRatesFromParams } from './violence.ts';

/** Where the calibrated library is, from this module (same depth under src/ and dist/). */
export const CALIBRATED_LIBRARY = new URL('../../scenarios/lib/calibrated.yaml', import.meta.url);

let cached: BaseRates | undefined;

/** ICB base rates by trigger type; empty when the library cannot be read (the panel then says so). */
export function bundledBaseRates(): BaseRates {
  if (cached) return cached;
  try {
    const doc = parse(readFileSync(CALIBRATED_LIBRARY, 'utf8')) as { params?: Record<string, unknown> };
    cached = baseRatesFromParams(doc.params ?? {});
  } catch {
    cached = {};
  }
  return cached;
}
