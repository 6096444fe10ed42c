// Sign tests of the model (docs/model.md): paired comparisons on common random numbers (every arm runs
// runs 0..N-1 of the same seed) through the compare and sweep machinery, with 95% intervals.
import { compare, type PairedDelta } from '../../src/analysis/compare.ts';
import { ENGINE_VERSION, type Model } from '../../src/engine/model.ts';

export const DECAP = 'scenarios/korea-decapitation-misread.yaml';
export const INTERCEPT = 'scenarios/korea-intercept.yaml';
export const TEST_FAILURE = 'scenarios/korea-test-failure.yaml';

/** The paired difference alt - base of P(peak >= war) and of every other outcome and rung. */
export function paired(base: Model, alt: Model, runs: number, seed = 1): Record<string, PairedDelta> {
  const r = compare(base, [{ label: 'alt', model: alt }], {
    seed,
    runs,
    traceRuns: 0,
    engine: ENGINE_VERSION,
  });
  const c = r.comparisons[0]!;
  const out: Record<string, PairedDelta> = { ...c.delta };
  for (const e of c.exceedance) out[`peak>=${e.id}`] = e;
  return out;
}

/** `d [lo, hi]` in percentage points, for messages. */
export function show(x: PairedDelta): string {
  const pp = (v: number) => (v * 100).toFixed(2);
  return `${pp(x.base)}% -> ${pp(x.alt)}%: d ${pp(x.d)} [${pp(x.ci95[0])}, ${pp(x.ci95[1])}] pp`;
}
