// Sweeps: a grid over one or more parameters, an ensemble per cell on common random numbers (every cell
// uses runs 0..N-1 of the same seed), and each metric with its Wilson 95% interval per cell.
import { proportion } from '../engine/stats.ts';
import type { Scenario } from '../scenario/schema.ts';
import { compileAt, grid, type ParamTarget, paramTarget } from './design.ts';
import { type Band, bandOf, EpistemicDesign } from './epistemic.ts';
import { executeSync } from './kernel/executor.ts';
import { hitsOf } from './kernel/task.ts';
import { metric, metricDef } from './metrics.ts';
import { PlanJob, type Point, type PointJob, type PointPlan } from './points.ts';
import { type ReportHead, reportHead } from './report-head.ts';
import { sig } from './stats.ts';

export interface SweepParam {
  /** Dotted path as `--set` accepts it. */
  path: string;
  lo: number;
  hi: number;
  steps: number;
}

export interface SweepOptions {
  seed: number;
  runs: number;
  /** Metrics per cell (default: warOrWorse, war, nuclearUse). */
  metrics?: string[];
  /** Parameter draws per cell of the other uncertain parameters (0 or absent: none). */
  epistemic?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface SweepCell {
  values: number[];
  metrics: Record<string, { p: number; ci95: [number, number] }>;
  /** With parameter draws: each metric's parameter-uncertainty band in this cell. */
  epistemic?: Record<string, Band>;
}

export interface SweepReport extends ReportHead {
  runs: number;
  interventions: string[];
  params: { path: string; values: number[]; nominal: number; distribution: unknown; source: string | null }[];
  metrics: { id: string; label: string }[];
  cells: SweepCell[];
  /** With parameter draws: the design (the swept parameters are not drawn). */
  epistemic?: ReturnType<EpistemicDesign['summary']>;
}

/** Parses `PATH=LO..HI:STEPS`. */
export function parseSweepParam(spec: string): SweepParam {
  const m = /^(.+)=(-?[\d.eE+-]+)\.\.(-?[\d.eE+-]+):(\d+)$/.exec(spec.trim());
  if (!m)
    throw new RangeError(`'${spec}' is not PATH=LO..HI:STEPS (e.g. talks.eu-hosted.leak.DPRK.p=0..0.2:5)`);
  const lo = Number(m[2]);
  const hi = Number(m[3]);
  const steps = Number(m[4]);
  if (!Number.isFinite(lo) || !Number.isFinite(hi))
    throw new RangeError(`'${spec}': LO and HI must be numbers`);
  if (steps < 1 || steps > 1000) throw new RangeError(`'${spec}': STEPS must be 1..1000`);
  return { path: m[1]!, lo, hi, steps };
}

type SweepMeta = { hash: string; interventions: string[]; engine: string };

/** The sweep as a plan of design points (one batch: every cell). */
function* sweepPlan(
  doc: Scenario,
  params: readonly SweepParam[],
  meta: SweepMeta,
  opts: SweepOptions,
): PointPlan<SweepReport> {
  if (params.length === 0) throw new RangeError('a sweep needs at least one --param');
  const targets: ParamTarget[] = params.map((p) => paramTarget(doc, p.path));
  const axes = params.map((p) => grid(p.lo, p.hi, p.steps));
  const nCells = axes.reduce((a, x) => a * x.length, 1);
  if (nCells > 10000) throw new RangeError(`the grid has ${nCells} cells; at most 10000`);
  const cellValues: number[][] = [];
  const idx = new Array<number>(params.length).fill(0);
  for (let c = 0; c < nCells; c++) {
    cellValues.push(axes.map((a, k) => a[idx[k]!]!));
    // Next combination (last parameter fastest).
    for (let k = params.length - 1; k >= 0; k--) {
      idx[k]!++;
      if (idx[k]! < axes[k]!.length) break;
      idx[k] = 0;
    }
  }
  const cm = { hash: meta.hash, interventions: meta.interventions };
  // Metrics name rungs and outcomes, which no parameter value changes: resolved on the first cell.
  const first = compileAt(doc, targets, cellValues[0]!, cm);
  const ms = (opts.metrics ?? ['warOrWorse', 'war', 'nuclearUse']).map((s) => metricDef(metric(first, s)));
  const job = (settings: Point[]): PointJob => ({
    settings,
    seed: opts.seed,
    runs: opts.runs,
    metrics: ms,
    perRun: false,
  });
  // With parameter draws, every cell also runs at each draw of the other uncertain parameters (the
  // same draws in every cell), after the cells at nominal values.
  const design = opts.epistemic
    ? new EpistemicDesign(
        [doc],
        opts.epistemic,
        opts.seed,
        targets.map((t) => t.path),
      )
    : null;
  const jobs = cellValues.map((values) => job([{ doc, meta: cm, targets, values }]));
  if (design)
    for (const values of cellValues)
      for (let d = 0; d < design.draws; d++) jobs.push(job([design.point(doc, cm, d, { targets, values })]));
  const tallies = yield jobs;
  const cells: SweepCell[] = cellValues.map((values, c) => {
    const counts = tallies[c]!.counts;
    const out: SweepCell['metrics'] = {};
    ms.forEach((x, k) => {
      const pr = proportion(hitsOf(counts[k]!), opts.runs);
      out[x.id] = { p: sig(pr.p), ci95: [sig(pr.ci95[0]), sig(pr.ci95[1])] };
    });
    if (!design) return { values, metrics: out };
    const epistemic: Record<string, Band> = {};
    const at = nCells + c * design.draws;
    ms.forEach((x, k) => {
      epistemic[x.id] = bandOf(
        Array.from({ length: design.draws }, (_, d) => hitsOf(tallies[at + d]!.counts[k]!) / opts.runs),
      );
    });
    return { values, metrics: out, epistemic };
  });
  return {
    ...reportHead(doc.id, meta.hash, meta.engine, opts.seed),
    runs: opts.runs,
    interventions: meta.interventions,
    params: targets.map((t, k) => ({
      path: t.name,
      values: axes[k]!,
      nominal: t.nominal,
      distribution: t.dist ?? null,
      source: t.source ?? null,
    })),
    metrics: ms.map((x) => ({ id: x.id, label: x.label })),
    cells,
    ...(design ? { epistemic: design.summary(opts.runs) } : {}),
  };
}

/** The cells of a grid, for progress. */
function cellsOf(params: readonly SweepParam[], draws = 0): number {
  return params.reduce((a, p) => a * Math.max(1, p.steps), 1) * (1 + draws);
}

/**
 * The sweep as an analysis job (run it with `execute` on any executor, or `sweep` on this thread):
 * the grid of every combination of the parameters' values. `doc` has its interventions applied.
 */
export function openSweep(
  doc: Scenario,
  params: readonly SweepParam[],
  meta: SweepMeta,
  opts: SweepOptions,
  checkpoint?: string,
): PlanJob<SweepReport> {
  let done = 0;
  const total = cellsOf(params, opts.epistemic ?? 0);
  return new PlanJob(
    sweepPlan(doc, params, meta, opts),
    { engine: meta.engine, total, onPoint: () => opts.onProgress?.(++done, total) },
    checkpoint,
  );
}

/** Runs the grid on this thread. */
export function sweep(
  doc: Scenario,
  params: readonly SweepParam[],
  meta: SweepMeta,
  opts: SweepOptions,
): SweepReport {
  return executeSync(openSweep(doc, params, meta, opts));
}
