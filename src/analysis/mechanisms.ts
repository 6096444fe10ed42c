// Mechanisms behind a difference between two arms: which traced events (messages delivered or refused,
// relays, advance notices, leaks, talks breaking off, misreadings, acts) appear in the runs an
// intervention changed, with the intervention and without it on the same random numbers.
import type { Model } from '../engine/model.ts';
import type { TraceRecord } from '../engine/trace.ts';
import { ownSimulator } from './kernel/simulator.ts';
import { warOrWorseRung } from './metrics.ts';

/**
 * The mechanism events of one run, as readable keys (each counted once per run). Acts on `outcomeRungs`
 * (war and above) are left out: they are the difference itself, not a mechanism behind it.
 */
export function mechanismEvents(
  trace: readonly TraceRecord[],
  outcomeRungs: ReadonlySet<string> = new Set(),
): Set<string> {
  const out = new Set<string>();
  for (const r of trace) {
    switch (r.kind) {
      case 'message':
        if (r.status !== 'sent') out.add(`message ${r.from}->${r.to} via ${r.channel} ${r.status}`);
        break;
      case 'leak':
        out.add(`leak to ${r.to} (${r.source})`);
        break;
      case 'talks':
        if (r.round === 0 && r.declined?.length)
          out.add(`talks ${r.talks} declined by ${r.declined.join(', ')}`);
        else if (r.convened === false) out.add(`talks ${r.talks} not convened`);
        else if (r.broken) out.add(`talks ${r.talks} broke off`);
        break;
      case 'notify':
        out.add(
          `notice ${r.by}->${r.to} ${r.delivered ? 'delivered' : r.complied ? 'not delivered' : 'not given'}`,
        );
        break;
      case 'perceive':
        if (r.disbelieved) out.add(`${r.observer} disbelieved ${r.act}`);
        else if (r.perceived !== r.act) out.add(`${r.observer} misread ${r.act} as ${r.perceived}`);
        break;
      case 'review':
        if (r.corrected) out.add(`${r.observer} corrected its reading ${r.perceived} (${r.by})`);
        break;
      case 'cancel':
        out.add(`${r.actor} held ${r.act}`);
        break;
      case 'consult':
        if (r.status === 'vetoed') out.add(`${r.ally} vetoed ${r.actor}'s ${r.act}`);
        break;
      case 'false-alarm':
        out.add(`${r.observer} false alarm: ${r.perceived}`);
        break;
      case 'event':
        if (!outcomeRungs.has(r.rung)) out.add(`act ${r.act}`);
        break;
    }
  }
  return out;
}

export interface MechanismShare {
  /** The mechanism event. */
  mechanism: string;
  /** Share of the changed runs in which it happens with the intervention. */
  withIntervention: number;
  /** Share of the same runs in which it happens at baseline. */
  atBaseline: number;
}

export interface MechanismSummary {
  /** Runs traced (the first ones, up to the limit). */
  traced: number;
  /** Events more frequent with the intervention in these runs (what it added). */
  present: MechanismShare[];
  /** Events less frequent with the intervention (what it took away). */
  absent: MechanismShare[];
  /** One sentence per leading mechanism. */
  sentences: string[];
}

/**
 * Traces `runs` in both arms and ranks mechanism events by how much more (or less) often they appear
 * with the intervention than at baseline in the same runs.
 */
export function traceMechanisms(
  base: Model,
  alt: Model,
  seed: number,
  runs: readonly number[],
  what: 'saved' | 'harmed',
  top = 6,
): MechanismSummary {
  const outcomeRungs = new Set(base.rungIds.slice(warOrWorseRung(base)));
  const sb = ownSimulator(base);
  const sa = ownSimulator(alt);
  const inAlt = new Map<string, number>();
  const inBase = new Map<string, number>();
  for (const run of runs) {
    const tb: TraceRecord[] = [];
    const ta: TraceRecord[] = [];
    sb.run(seed, run, { trace: tb });
    sa.run(seed, run, { trace: ta });
    for (const k of mechanismEvents(ta, outcomeRungs)) inAlt.set(k, (inAlt.get(k) ?? 0) + 1);
    for (const k of mechanismEvents(tb, outcomeRungs)) inBase.set(k, (inBase.get(k) ?? 0) + 1);
  }
  const n = runs.length;
  const keys = [...new Set([...inAlt.keys(), ...inBase.keys()])].sort();
  const rows = keys.map((mechanism) => ({
    mechanism,
    withIntervention: n ? (inAlt.get(mechanism) ?? 0) / n : 0,
    atBaseline: n ? (inBase.get(mechanism) ?? 0) / n : 0,
  }));
  const byGain = (x: MechanismShare, y: MechanismShare) =>
    y.withIntervention - y.atBaseline - (x.withIntervention - x.atBaseline) ||
    (x.mechanism < y.mechanism ? -1 : 1);
  // A difference of at least 5 points, so that noise is not read as a mechanism.
  const present = rows.filter((r) => r.withIntervention - r.atBaseline >= 0.05).sort(byGain);
  const absent = rows.filter((r) => r.atBaseline - r.withIntervention >= 0.05).sort((x, y) => byGain(y, x));
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const label = what === 'saved' ? 'saved' : 'harmed';
  const sentences = [
    ...present
      .slice(0, 3)
      .map(
        (r) =>
          `in ${pct(r.withIntervention)} of ${label} runs, ${r.mechanism} (${pct(r.atBaseline)} of the same runs without the intervention)`,
      ),
    ...absent
      .slice(0, 2)
      .map(
        (r) =>
          `in ${pct(r.atBaseline)} of ${label} runs, ${r.mechanism} at baseline; with the intervention in ${pct(r.withIntervention)}`,
      ),
  ];
  return { traced: n, present: present.slice(0, top), absent: absent.slice(0, top), sentences };
}
