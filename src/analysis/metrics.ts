// What a run is scored on: an outcome, or reaching a rung. Shared by compare, sweep, sensitivity and
// break-even, so that every command names a quantity the same way.
import type { Model } from '../engine/model.ts';
import { OUTCOMES, type RunResult } from '../engine/run.ts';
import { quantityLabel } from './vocabulary.ts';

/**
 * A binary quantity of one run, as data (what worker threads are sent): the run ends in outcome `at`
 * (`kind: 'outcome'`), its peak reaches rung `at` (`kind: 'peak'`), or talks `at` (index in the model;
 * -1: any talks) took place (`kind: 'talksHappened'`) or leaked (`kind: 'talksLeaked'`).
 */
export interface MetricDef {
  /** As written: `war`, `nuclearUse`, `resolved`, `horizon`, `warOrWorse`, `peak>=lethal-clash`. */
  id: string;
  /** For people (src/analysis/vocabulary.ts): "P(war or worse)", "P(ended in war)", "P(peak >= lethal-clash)". */
  label: string;
  kind: 'outcome' | 'peak' | 'talksHappened' | 'talksLeaked';
  at: number;
}

/** A binary quantity of one run. */
export interface Metric extends MetricDef {
  of(r: RunResult): boolean;
}

/** The metric of a definition (as `metric` resolved it for some model). */
export function metricOf(def: MetricDef): Metric {
  const { id, label, kind, at } = def;
  switch (kind) {
    case 'outcome':
      return { id, label, kind, at, of: (r) => r.outcome === at };
    case 'peak':
      return { id, label, kind, at, of: (r) => r.peak >= at };
    case 'talksHappened':
      return { id, label, kind, at, of: (r) => flagAt(r.talksHappened, at) };
    case 'talksLeaked':
      return { id, label, kind, at, of: (r) => flagAt(r.talksLeaked, at) };
  }
}

/** Whether flag `at` of a run's per-talks flags is set (-1: any of them). */
function flagAt(flags: Uint8Array, at: number): boolean {
  return at < 0 ? flags.includes(1) : flags[at] === 1;
}

/** The definition of a metric, without its function. */
export function metricDef(m: MetricDef): MetricDef {
  return { id: m.id, label: m.label, kind: m.kind, at: m.at };
}

export const METRIC_HELP =
  'war, nuclearUse, resolved, horizon (outcomes), warOrWorse (peak at the war rung or above), or peak>=RUNG (a rung id or number)';

/** Parses a metric name for a model; throws a RangeError that says what would be valid. */
export function metric(m: Model, spec: string): Metric {
  const k = OUTCOMES.indexOf(spec as (typeof OUTCOMES)[number]);
  if (k >= 0) return metricOf({ id: spec, label: quantityLabel(spec), kind: 'outcome', at: k });
  if (spec === 'warOrWorse') {
    const w = Math.min(m.warRung, m.nuclearRung);
    return metricOf({ id: spec, label: quantityLabel(spec), kind: 'peak', at: w });
  }
  const mm = /^peak>=(.+)$/.exec(spec);
  if (mm) {
    const ref = mm[1]!;
    const rung = /^\d+$/.test(ref) ? Number(ref) : m.rungIds.indexOf(ref);
    if (rung >= 0 && rung < m.rungIds.length)
      return metricOf({
        id: `peak>=${m.rungIds[rung]}`,
        label: `P(peak >= ${m.rungIds[rung]})`,
        kind: 'peak',
        at: rung,
      });
    throw new RangeError(`unknown rung '${ref}' in metric '${spec}'; rungs: ${m.rungIds.join(', ')}`);
  }
  throw new RangeError(`unknown metric '${spec}'; use ${METRIC_HELP}`);
}

/** The rung at which "war or worse" starts (war, else nuclear use, else the top rung). */
export function warOrWorseRung(m: Model): number {
  const w = Math.min(m.warRung, m.nuclearRung);
  return w < m.rungIds.length ? w : m.rungIds.length - 1;
}
