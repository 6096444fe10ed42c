// The cost of parameter draws (issue 16): `--epistemic 200 --runs 2000` against 400,000 plain runs of
// the same scenario, both on this thread (the analysis kernel's `executeSync`), in CPU time,
// interleaved repetitions, median. The draws' models are timed on their own as well (as the analysis
// makes them, renumbered on one compiled structure, and compiled from scratch), and the engine alone
// (no analysis job, models made beforehand) on three sets of models: the nominal model, 200 separate
// compiles of it, and the 200 drawn models, to tell the draws' own cost from the engine's extra work
// at the drawn parameters and from the JIT meeting many model objects. Called by bench/bench.ts;
// alone: node --import tsx bench/epistemic.ts [--quick].
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileAt, compileFresh } from '../src/analysis/design.ts';
import { EnsembleJob } from '../src/analysis/ensemble.ts';
import { EpistemicDesign, openEpistemicRun } from '../src/analysis/epistemic.ts';
import { executeSync } from '../src/analysis/kernel/executor.ts';
import { simulatorOf } from '../src/analysis/kernel/simulator.ts';
import { modelSourceOf } from '../src/analysis/kernel/task.ts';
import { ENGINE_VERSION, type Model } from '../src/engine/model.ts';
import { prepare } from '../src/scenario/index.ts';
import { cpuMs, median } from './engines.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface EpistemicCost {
  scenario: string;
  draws: number;
  runsPerDraw: number;
  plainRuns: number;
  /** CPU seconds, median of the repetitions. */
  plainSeconds: number;
  epistemicSeconds: number;
  /** epistemic / plain: the target is at most 1.3. */
  ratio: number;
  /**
   * CPU seconds of making the draws' models alone (design point and `compileAt`, which renumbers one
   * compiled structure; once each; median of the repetitions).
   */
  compileSeconds: number;
  /** The same models compiled from scratch (`compileFresh`: the document with the values, compiled). */
  freshCompileSeconds: number;
  /**
   * Doctrine decisions per run at the drawn parameters over those at the nominal values (the first
   * `sampleRuns` runs of each draw, untimed): the engine's own extra work, since a drawn scenario
   * escalates more or less than the nominal one.
   */
  decisionRatio: number;
  /** `ratio` / `decisionRatio`: the cost of the draws per unit of engine work. */
  ratioPerDecision: number;
  /**
   * `epistemicSeconds` / `engineSeconds.drawn`: the analysis over the engine alone on the same drawn
   * models and runs, i.e. what the draws themselves add (design, models, tasks, scoring).
   */
  overDrawnEngine: number;
  /**
   * CPU seconds of the engine alone (`Simulator.run`, models compiled beforehand, no analysis job):
   * the nominal model for all the runs; `draws` separate compiles of the nominal model, `runsPerDraw`
   * runs each (as many model objects as the draws, same numbers); the drawn models, `runsPerDraw` runs
   * each.
   */
  engineSeconds: { nominal: number; nominalCopies: number; drawn: number };
  /** Doctrine decisions and engine events of those runs (nominal, drawn). */
  engineWork: {
    nominal: { decisions: number; events: number };
    drawn: { decisions: number; events: number };
  };
  repetitions: number;
}

export function measureEpistemic(
  opts: { quick?: boolean; scenario?: string; seed?: number; repetitions?: number } = {},
): EpistemicCost {
  const scenario = opts.scenario ?? 'korea-decapitation-misread';
  const seed = opts.seed ?? 20261128;
  const [draws, runsPerDraw] = opts.quick ? [20, 500] : [200, 2000];
  const reps = opts.repetitions ?? (opts.quick ? 1 : 3);
  const p = prepare(`${ROOT}scenarios/${scenario}.yaml`, { readFile: (f) => readFileSync(f, 'utf8') });
  if (!p.model || !p.doc || !p.hash) throw new Error(`${scenario} does not compile`);
  const { model, doc, hash } = p;
  const source = modelSourceOf(p);
  const meta = { hash, interventions: [], engine: ENGINE_VERSION };
  const plainRuns = draws * runsPerDraw;
  const plain = (runs: number, s: number) =>
    executeSync(new EnsembleJob(source, model, { seed: s, runs, engine: ENGINE_VERSION }));
  const drawn = (n: number, runs: number, s: number) =>
    executeSync(openEpistemicRun(doc, meta, { seed: s, runs, draws: n }));
  // Warm-up: the JIT settles on both paths.
  plain(5000, seed + 1);
  drawn(5, 1000, seed + 1);
  const timed = (f: () => unknown) => {
    const t0 = cpuMs();
    f();
    return (cpuMs() - t0) / 1000;
  };
  const design = new EpistemicDesign([doc], draws, seed + 2);
  const compileAll = (how = compileAt) =>
    Array.from({ length: draws }, (_, d) => {
      const pt = design.point(doc, meta, d);
      return how(doc, pt.targets, pt.values, meta);
    });
  const models = compileAll();
  const copies = Array.from({ length: draws }, () => compileAt(doc, [], [], meta));
  // The engine alone: runs 0..n-1 of `s` of each model.
  const work = { decisions: 0, events: 0 };
  const engine = (ms: readonly Model[], n: number, s: number) => {
    work.decisions = 0;
    work.events = 0;
    for (const m of ms) {
      const sim = simulatorOf(m);
      for (let i = 0; i < n; i++) {
        const r = sim.run(s, i);
        work.decisions += r.decisions;
        work.events += r.events;
      }
    }
    return { ...work };
  };
  engine(copies.slice(0, 5), 1000, seed + 1);
  engine(models.slice(0, 5), 1000, seed + 1);
  const plainS: number[] = [];
  const drawnS: number[] = [];
  const compileS: number[] = [];
  const freshS: number[] = [];
  const engineS = { nominal: [] as number[], nominalCopies: [] as number[], drawn: [] as number[] };
  let engineWork = { nominal: { ...work }, drawn: { ...work } };
  for (let r = 0; r < reps; r++) {
    plainS.push(timed(() => plain(plainRuns, seed + 2 + r)));
    drawnS.push(timed(() => drawn(draws, runsPerDraw, seed + 2 + r)));
    compileS.push(timed(() => compileAll()));
    freshS.push(timed(() => compileAll(compileFresh)));
    engineS.nominal.push(timed(() => engine([model], plainRuns, seed + 2)));
    const nominalWork = { ...work };
    engineS.nominalCopies.push(timed(() => engine(copies, runsPerDraw, seed + 2)));
    engineS.drawn.push(timed(() => engine(models, runsPerDraw, seed + 2)));
    engineWork = { nominal: nominalWork, drawn: { ...work } };
  }
  const sampleRuns = Math.min(runsPerDraw, 200);
  let drawnDecisions = 0;
  for (const m of models) {
    const sim = simulatorOf(m);
    for (let i = 0; i < sampleRuns; i++) drawnDecisions += sim.run(seed + 2, i).decisions;
  }
  const nominalDecisions = plain(sampleRuns * draws, seed + 2).decisions;
  const decisionRatio = drawnDecisions / nominalDecisions;
  const plainSeconds = median(plainS);
  const epistemicSeconds = median(drawnS);
  return {
    scenario,
    draws,
    runsPerDraw,
    plainRuns,
    plainSeconds,
    epistemicSeconds,
    ratio: epistemicSeconds / plainSeconds,
    compileSeconds: median(compileS),
    freshCompileSeconds: median(freshS),
    decisionRatio,
    ratioPerDecision: epistemicSeconds / plainSeconds / decisionRatio,
    overDrawnEngine: epistemicSeconds / median(engineS.drawn),
    engineSeconds: {
      nominal: median(engineS.nominal),
      nominalCopies: median(engineS.nominalCopies),
      drawn: median(engineS.drawn),
    },
    engineWork,
    repetitions: reps,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  process.stdout.write(
    `${JSON.stringify(measureEpistemic({ quick: process.argv.includes('--quick') }), null, 2)}\n`,
  );
