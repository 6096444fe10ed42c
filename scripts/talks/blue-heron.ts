// The example dialogue of docs/talks.md without the web room: BLUE HERON on korea-intercept.yaml, the
// same agenda, positions and drafts as the end-to-end test (test/e2e/talks.test.ts), the gap ranking and
// the protocol simulation with a fixed number of runs per arm, and, for a gap, the first decision that
// differs in the runs where closing it changes the outcome. Used by scripts/talks-example.ts (printed)
// and scripts/docs/talks.ts (the walkthrough's generated figures).
import { ownSimulator } from '../../src/analysis/kernel/simulator.ts';
import type { TraceRecord } from '../../src/engine/trace.ts';
import {
  applyOverlay,
  type DraftSpec,
  declareScenario,
  type GapRanking,
  loadBase,
  type ProtocolResults,
  rankGaps,
  resolveVenue,
  simulateProtocols,
  withExpectation,
} from '../../src/talks/index.ts';
import { type Base, compileDoc, withProtocols } from '../../src/talks/scenario.ts';
import type { Declared, Gap, ScenarioAgenda } from '../../src/talks/types.ts';
import { blueHeron, koreaFiles } from '../../test/talks/helpers.ts';

export const SCENARIO = 'korea-intercept.yaml';
/** Pilot runs of the agenda (how often each trigger comes up), as in the room. */
export const PILOT_RUNS = 300;

/** The host's three drafts; the first two are agreed by both parties (the package). */
export const DRAFTS: DraftSpec[] = [
  {
    id: 'notice',
    title: 'interception notice',
    mapping: { interventions: ['interception-notice'], set: {} },
  },
  {
    id: 'relay',
    title: 'PRC relay (EU-hosted talks)',
    mapping: { interventions: ['eu-hosted-talks'], set: {} },
  },
  {
    id: 'launch',
    title: 'launch notification',
    mapping: { interventions: ['launch-notification'], set: {} },
  },
];
export const AGREED = ['notice', 'relay'];

export interface Example {
  runs: number;
  seed: number;
  base: Base;
  agenda: ScenarioAgenda;
  declared: Declared[];
  gaps: GapRanking;
  protocols: ProtocolResults;
}

/** The gap ranking and the protocol simulation with `runs` runs per arm (the room adapts them per gap). */
export async function blueHeronExample(runs: number, seed: number): Promise<Example> {
  const base = loadBase(koreaFiles(), SCENARIO);
  const { agenda, declared: positions } = blueHeron(base, PILOT_RUNS);
  const declared = positions();
  const gaps = await rankGaps(base, agenda, declared, { seed, runs, maxRuns: runs });
  const protocols = await simulateProtocols(base, agenda, declared, DRAFTS, AGREED, { seed, runs });
  return { runs, seed, base, agenda, declared, gaps, protocols };
}

/** One kind of first differing decision, and in how many changed runs it came first. */
export interface FirstDifference {
  /** The outcome that changed (`war` or `lethal`) and which way: true when closing the gap reaches it. */
  outcome: 'war' | 'lethal';
  reached: boolean;
  actor: string;
  stimulus: string;
  declared: string;
  closed: string;
  runs: number;
}

type Decide = Extract<TraceRecord, { kind: 'decide' }>;

function traceDecisions(sim: ReturnType<typeof ownSimulator>, seed: number, i: number): Decide[] {
  const t: TraceRecord[] = [];
  sim.run(seed, i, { trace: t });
  return t.filter((r): r is Decide => r.kind === 'decide');
}

/**
 * Why closing `gap` moves the risk: over runs 0..runs-1 where the venue's talks take place (as in the
 * ranking, decision 0021) and the war or lethal-clash outcome differs between the declared positions and
 * the gap closed, the first decision that differs, counted by kind.
 */
export function firstDifferences(ex: Example, gap: Gap): FirstDifference[] {
  const { base, agenda, declared, runs, seed } = ex;
  const ds = declareScenario(base, agenda, declared);
  const closed = compileDoc(
    applyOverlay(base.doc, withExpectation(ds, declared, gap.holder, gap.of, gap.trigger, gap.declared)),
    [],
    base.path,
  ).model;
  const venue = resolveVenue(base.doc, base.path);
  const held = venue
    ? compileDoc(
        applyOverlay(withProtocols(base, [venue.intervention], {}), ds.overlay),
        [venue.intervention],
        base.path,
      ).model
    : null;
  // Traced replays beside their runs: simulators of their own (src/analysis/kernel/simulator.ts).
  const a = ownSimulator(ds.model);
  const b = ownSimulator(closed);
  const h = held ? ownSimulator(held) : null;
  const counts = new Map<string, FirstDifference>();
  for (let i = 0; i < runs; i++) {
    if (h && !h.run(seed, i).talksHappened.some((x) => x !== 0)) continue;
    const pa = a.run(seed, i).peak;
    const pb = b.run(seed, i).peak;
    const outcome =
      pa >= ds.model.warRung !== pb >= closed.warRung
        ? 'war'
        : pa >= ds.model.lethalRung !== pb >= closed.lethalRung
          ? 'lethal'
          : null;
    if (!outcome) continue;
    const reached = outcome === 'war' ? pb >= closed.warRung : pb >= closed.lethalRung;
    const da = traceDecisions(a, seed, i);
    const db = traceDecisions(b, seed, i);
    let k = 0;
    // The first choice that differs (its probabilities may differ earlier with the same act chosen).
    const same = (x: Decide, y: Decide) =>
      x.t === y.t && x.actor === y.actor && x.stimulus === y.stimulus && x.chosen === y.chosen;
    while (k < da.length && k < db.length && same(da[k]!, db[k]!)) k++;
    const u = da[k];
    const v = db[k];
    const f: FirstDifference = {
      outcome,
      reached,
      actor: String(u?.actor ?? v?.actor),
      stimulus: String(u?.stimulus ?? v?.stimulus),
      declared: String(u?.chosen ?? '(none)'),
      closed: String(v?.chosen ?? '(none)'),
      runs: 0,
    };
    const key = JSON.stringify({ ...f, runs: 0 });
    const c = counts.get(key) ?? f;
    c.runs++;
    counts.set(key, c);
  }
  return [...counts.values()].sort((x, y) => y.runs - x.runs || x.actor.localeCompare(y.actor));
}
