// Where the runs go and why: escalation paths as a tree (the nodes and links of a Sankey diagram),
// the share of war runs whose chain began with each misperception, and counterfactual replays of the
// war runs with that misperception removed and every other draw unchanged.
import type { Model } from '../engine/model.ts';
import { OUTCOMES } from '../engine/run.ts';
import { proportion } from '../engine/stats.ts';
import { type Aggregate, causeParts, emptyAggregate, type MisperceptionCause, record } from './ensemble.ts';
import { ownSimulator } from './kernel/simulator.ts';
import { warOrWorseRung } from './metrics.ts';
import { sig } from './stats.ts';

export interface PathNode {
  /** The path prefix (act ids joined by ' > '), `other` groups below the share threshold, or an outcome. */
  id: string;
  label: string;
  /** 0 for the first act; outcomes come after the longest path. */
  depth: number;
  runs: number;
  kind: 'act' | 'other' | 'outcome';
}

export interface PathTree {
  /** Runs in the tree (those whose peak reached `minPeak`). */
  runs: number;
  /** Only runs whose peak reached this rung are in the tree. */
  minPeak: { rung: number; id: string };
  nodes: PathNode[];
  links: { source: string; target: string; runs: number }[];
}

/**
 * Aggregates the escalation paths (acts that raised the peak) of an ensemble into a prefix tree ending
 * in the outcomes. Branches with fewer than `minShare` of the runs are grouped into one `other` node
 * per parent, so the diagram stays readable.
 */
export function pathTree(
  m: Model,
  agg: Aggregate,
  opts: { minShare?: number; maxDepth?: number; minPeak?: number } = {},
): PathTree {
  const minPeak = opts.minPeak ?? 0;
  const peakOf = (path: string) => {
    if (path === '') return 0;
    const last = Number(path.slice(path.lastIndexOf(',') + 1));
    return m.actions[m.actAction[last]!]!.outcomes[m.actOutcome[last]!]!.rung;
  };
  const entries = Object.entries(agg.pathOutcomes).filter(([key]) => peakOf(key.split('|')[0]!) >= minPeak);
  const n = entries.reduce((a, [, c]) => a + c, 0);
  const minRuns = Math.max(1, Math.ceil((opts.minShare ?? 0.002) * n));
  const maxDepth = opts.maxDepth ?? 6;
  const nodes = new Map<string, PathNode>();
  const links = new Map<string, number>();
  const counts = new Map<string, number>();
  // Runs through each prefix.
  for (const [key, c] of entries) {
    const [path] = key.split('|') as [string, string];
    const acts = path === '' ? [] : path.split(',').map((x) => m.actIds[Number(x)]!);
    for (let d = 1; d <= Math.min(acts.length, maxDepth); d++) {
      const p = acts.slice(0, d).join(' > ');
      counts.set(p, (counts.get(p) ?? 0) + c);
    }
  }
  const addLink = (s: string, t: string, c: number) => {
    const k = `${s}\u0000${t}`;
    links.set(k, (links.get(k) ?? 0) + c);
  };
  const addNode = (node: Omit<PathNode, 'runs'>, c: number) => {
    const x = nodes.get(node.id);
    if (x) x.runs += c;
    else nodes.set(node.id, { ...node, runs: c });
  };
  let deepest = 0;
  const routes: { ids: string[]; outcome: string; c: number }[] = [];
  for (const [key, c] of entries) {
    const [path, o] = key.split('|') as [string, string];
    const acts = path === '' ? [] : path.split(',').map((x) => m.actIds[Number(x)]!);
    const ids: string[] = [];
    for (let d = 0; d < Math.min(acts.length, maxDepth); d++) {
      const p = acts.slice(0, d + 1).join(' > ');
      if ((counts.get(p) ?? 0) < minRuns) {
        const parent = ids.length ? ids[ids.length - 1]! : '';
        const other = `${parent} > other`;
        addNode({ id: other, label: 'other', depth: d, kind: 'other' }, c);
        ids.push(other);
        break;
      }
      addNode({ id: p, label: acts[d]!, depth: d, kind: 'act' }, c);
      ids.push(p);
    }
    deepest = Math.max(deepest, ids.length);
    routes.push({ ids, outcome: OUTCOMES[Number(o)] ?? o, c });
  }
  for (const r of routes) {
    addNode({ id: `outcome:${r.outcome}`, label: r.outcome, depth: deepest, kind: 'outcome' }, r.c);
    const chain = [...r.ids, `outcome:${r.outcome}`];
    for (let k = 0; k + 1 < chain.length; k++) addLink(chain[k]!, chain[k + 1]!, r.c);
  }
  const nodeList = [...nodes.values()].sort(
    (a, b) => a.depth - b.depth || b.runs - a.runs || (a.id < b.id ? -1 : 1),
  );
  const linkList = [...links.entries()]
    .map(([k, runs]) => {
      const [source, target] = k.split('\u0000') as [string, string];
      return { source, target, runs };
    })
    .sort((a, b) => b.runs - a.runs || (a.source + a.target < b.source + b.target ? -1 : 1));
  return { runs: n, minPeak: { rung: minPeak, id: m.rungIds[minPeak]! }, nodes: nodeList, links: linkList };
}

/** `runs`: war runs (war or nuclear use) whose chain began with this misperception. */
export interface Attribution extends MisperceptionCause {
  ci95: [number, number];
}

/**
 * The rung a report's Sankey starts from: the lethal rung when at least `enough` runs reached it (the
 * paths that matter, not the mass of quiet runs), else every run.
 */
export function sankeyFloor(m: Model, agg: Aggregate, enough = 20): number {
  let reached = 0;
  for (let r = m.lethalRung; r < agg.peak.length; r++) reached += agg.peak[r]!;
  return reached >= enough && reached < agg.runs ? m.lethalRung : 0;
}

/** For each (kind, observer, act, misreading), the share of war runs whose escalation chain began with it. */
export function attributeMisperceptions(
  m: Model,
  agg: Aggregate,
): { warRuns: number; causes: Attribution[] } {
  return {
    warRuns: agg.warRuns,
    causes: Object.entries(agg.warCauses)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .map(([key, runs]) => {
        const pr = proportion(runs, agg.warRuns);
        return {
          ...causeParts(m, key),
          runs,
          share: sig(pr.p),
          ci95: [sig(pr.ci95[0]), sig(pr.ci95[1])] as [number, number],
        };
      }),
  };
}

export interface Counterfactual {
  /** War runs replayed (the first `limit` of the ensemble). */
  warRuns: number;
  /** War runs whose chain began with a misperception. */
  withMisperception: number;
  /** Share of war runs that no longer reach war when that one misperception is removed. */
  avoidable: { runs: number; share: number; ci95: [number, number] };
  /** Share of war runs that no longer reach war when every misperception of the run is removed. */
  perfectPerception: { runs: number; share: number; ci95: [number, number] };
  /** Per root misperception: war runs it began, and how many no longer reach war without it. */
  byCause: (ReturnType<typeof causeParts> & { runs: number; avoided: number; share: number })[];
}

export interface EnsembleWithReplays {
  agg: Aggregate;
  counterfactual: Counterfactual | null;
}

/**
 * Runs an ensemble and, with `replay`, replays each war run (up to `limit`) twice: without the
 * misperception its chain began with (by observer, kind and ordinal of that observer's perception
 * draws, every other draw unchanged), and with no misperception at all.
 */
export function ensembleWithReplays(
  m: Model,
  opts: {
    seed: number;
    runs: number;
    replay?: boolean;
    limit?: number;
    onProgress?: (done: number, total: number) => void;
  },
): EnsembleWithReplays {
  const sim = ownSimulator(m);
  const cf = ownSimulator(m);
  const agg = emptyAggregate(m);
  const war = warOrWorseRung(m);
  const limit = opts.limit ?? 5000;
  let warRuns = 0;
  let withMp = 0;
  let avoided = 0;
  let perfect = 0;
  const byCause = new Map<string, { runs: number; avoided: number }>();
  for (let run = 0; run < opts.runs; run++) {
    const r = sim.run(opts.seed, run);
    record(agg, r);
    if (opts.replay && r.peak >= war && warRuns < limit) {
      warRuns++;
      const none = cf.run(opts.seed, run, { suppress: () => true });
      if (none.peak < war) perfect++;
      if (r.warMisperception === 1) {
        withMp++;
        const c = r.warCause;
        const kind = r.mpKind[c]!;
        const observer = r.mpObserver[c]!;
        const ordinal = r.mpOrdinal[c]!;
        const key = `${kind},${observer},${r.mpAct[c]},${r.mpPerceived[c]}`;
        const x = cf.run(opts.seed, run, {
          suppress: (k, o, ord) => k === kind && o === observer && ord === ordinal,
        });
        const e = byCause.get(key) ?? { runs: 0, avoided: 0 };
        e.runs++;
        if (x.peak < war) {
          avoided++;
          e.avoided++;
        }
        byCause.set(key, e);
      }
    }
    if ((run + 1) % 5000 === 0) opts.onProgress?.(run + 1, opts.runs);
  }
  opts.onProgress?.(opts.runs, opts.runs);
  if (!opts.replay) return { agg, counterfactual: null };
  const share = (k: number, n: number) => {
    const p = proportion(k, n);
    return { runs: k, share: sig(p.p), ci95: [sig(p.ci95[0]), sig(p.ci95[1])] as [number, number] };
  };
  return {
    agg,
    counterfactual: {
      warRuns,
      withMisperception: withMp,
      avoidable: share(avoided, warRuns),
      perfectPerception: share(perfect, warRuns),
      byCause: [...byCause.entries()]
        .sort((a, b) => b[1].runs - a[1].runs || (a[0] < b[0] ? -1 : 1))
        .map(([key, v]) => ({
          ...causeParts(m, key),
          runs: v.runs,
          avoided: v.avoided,
          share: sig(v.runs ? v.avoided / v.runs : 0),
        })),
    },
  };
}
