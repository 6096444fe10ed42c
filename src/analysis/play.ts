// A run with players in the loop (tabletop exercises, src/exercise): run `run` of `seed` in which some
// decisions are taken by people instead of the doctrine, up to a clock. Decisions are named by the
// actor and the ordinal of that actor's doctrine decisions in the run (`US#2` is the US's third); the
// doctrine's draw is always made (RunOptions.choose), so the random streams, and so every number the
// players did not touch, stay as they were. The same function replays an exercise log exactly and
// starts the look-ahead and counterfactual tasks of the kernel (kernel/task.ts, kind `play`).
import type { Model } from '../engine/model.ts';
import { OUTCOME_NUCLEAR, type RunSnapshot, type Simulator } from '../engine/run.ts';
import type { TraceRecord } from '../engine/trace.ts';
import { ownSimulator } from './kernel/simulator.ts';

/** A decision taken by a player: `ACTOR#ordinal` -> the action id chosen (`US.intercept`). */
export type Choices = Readonly<Record<string, string>>;

/** A decision a player must take before the run can go on. */
export interface PendingDecision {
  key: string;
  actor: string;
  ordinal: number;
  t: number;
  /** What the actor decides on, as it perceived it (its stimulus). */
  stimulus: string;
  /** The options of the doctrine rule, with the doctrine's probabilities. */
  options: { act: string; p: number }[];
}

export interface PlayOptions {
  seed: number;
  run: number;
  choices: Choices;
  /** Actors whose decisions without a choice stop the run (`pending`); others follow their doctrine. */
  players: ReadonlySet<string>;
  /** Process every tick up to this one (the exercise clock), then stop. */
  until: number;
  /** Keep the trace (default true). */
  trace?: boolean;
}

export interface PlayResult {
  trace: TraceRecord[];
  /** The tick the run reached (the decision's tick when it waits for a player). */
  t: number;
  pending: PendingDecision | null;
  /** The end of the run when it ended before `until`. */
  ended: { outcome: string; peak: string; t: number } | null;
  /** Choices that named an action the decision did not offer (ignored: the doctrine's draw stood). */
  unusable: string[];
  /** The simulator at `t` (null when waiting: its state is mid-decision). */
  snapshot: RunSnapshot | null;
}

class Waiting {
  readonly decision: PendingDecision;
  constructor(decision: PendingDecision) {
    this.decision = decision;
  }
}

const keyOf = (actor: string, ordinal: number) => `${actor}#${ordinal}`;

/** Runs with players' choices up to `until`, or to the first decision a player still has to take. */
export function play(model: Model, opts: PlayOptions, sim: Simulator = ownSimulator(model)): PlayResult {
  const trace: TraceRecord[] = [];
  const ordinals = new Int32Array(model.actors.length);
  const unusable: string[] = [];
  const chooser = chooserOf(model, opts.choices, ordinals, unusable, (actor, ordinal, act, n, s) => {
    if (!opts.players.has(model.actors[actor]!.id)) return -1;
    const options: { act: string; p: number }[] = [];
    for (let k = 0; k < n; k++) options.push({ act: model.actions[s.distAct[k]!]!.id, p: s.dist[k]! });
    throw new Waiting({
      key: keyOf(model.actors[actor]!.id, ordinal),
      actor: model.actors[actor]!.id,
      ordinal,
      t: s.t,
      stimulus: model.actIds[act]!,
      options,
    });
  });
  sim.begin(opts.seed, opts.run, { ...(opts.trace === false ? {} : { trace }), choose: chooser });
  try {
    const outcome = sim.advance(Number.POSITIVE_INFINITY, undefined, opts.until);
    const end = trace.at(-1);
    return {
      trace,
      t: outcome >= 0 ? sim.result.endTick : opts.until,
      pending: null,
      ended:
        outcome >= 0
          ? {
              outcome: end?.kind === 'end' ? end.outcome : String(outcome),
              peak: model.rungIds[sim.result.peak]!,
              t: sim.result.endTick,
            }
          : null,
      unusable,
      snapshot: outcome >= 0 ? null : sim.snapshot(),
    };
  } catch (e) {
    if (!(e instanceof Waiting)) throw e;
    return { trace, t: e.decision.t, pending: e.decision, ended: null, unusable, snapshot: null };
  }
}

/**
 * The engine hook: a logged choice is carried out when the decision offers it; otherwise `missing`
 * decides (-1: the doctrine's draw).
 */
function chooserOf(
  model: Model,
  choices: Choices,
  ordinals: Int32Array,
  unusable: string[],
  missing: (actor: number, ordinal: number, act: number, n: number, sim: Simulator) => number,
) {
  return (actor: number, act: number, n: number, drawn: number, sim: Simulator): number => {
    const ordinal = ordinals[actor]!++;
    const key = keyOf(model.actors[actor]!.id, ordinal);
    const want = choices[key];
    if (want === undefined) {
      const k = missing(actor, ordinal, act, n, sim);
      return k >= 0 ? k : drawn;
    }
    for (let k = 0; k < n; k++) if (model.actions[sim.distAct[k]!]!.id === want) return k;
    unusable.push(key);
    return drawn;
  };
}

/** One arm of a continuation: the choices taken (a counterfactual replaces one by the doctrine's). */
export interface PlayArm {
  choices: Choices;
}

export interface ContinuationSpec {
  seed: number;
  run: number;
  arms: PlayArm[];
  /** The branch point: every tick up to it is played with each arm's choices, then the model plays everyone. */
  from: number;
  /** War (or nuclear use) counts when it starts at or before from + windowTicks. */
  windowTicks: number;
  /** Continuation k draws its randomness from (branchSeed, k): the same in every arm (common random numbers). */
  branchSeed: number;
}

/**
 * Continuations [start, start + count) from the branch point, in each arm: counts[pattern] is the
 * number of continuations in which war started within the window in exactly the arms of `pattern`
 * (bit a for arm a), so one arm gives [no war, war] and two the paired 2x2 table.
 */
export function continuations(model: Model, spec: ContinuationSpec, start: number, count: number): number[] {
  const counts = new Array<number>(1 << spec.arms.length).fill(0);
  const sims = spec.arms.map(() => ownSimulator(model));
  const snaps = spec.arms.map((arm, a) => {
    const r = play(
      model,
      {
        seed: spec.seed,
        run: spec.run,
        choices: arm.choices,
        players: new Set(),
        until: spec.from,
        trace: false,
      },
      sims[a],
    );
    return r.snapshot;
  });
  const limit = spec.from + spec.windowTicks;
  for (let k = start; k < start + count; k++) {
    let pattern = 0;
    spec.arms.forEach((_, a) => {
      const sim = sims[a]!;
      const snap = snaps[a] ?? null;
      let war: boolean;
      if (snap === null) war = sim.result.warTick >= 0 && sim.result.warTick <= limit;
      else {
        sim.restore(snap);
        sim.branch(spec.branchSeed, k);
        // Everyone follows the doctrine after the branch point.
        sim.choose = undefined;
        const outcome = sim.advance();
        const r = sim.result;
        war = (r.warTick >= 0 && r.warTick <= limit) || (outcome === OUTCOME_NUCLEAR && r.endTick <= limit);
      }
      if (war) pattern |= 1 << a;
    });
    counts[pattern]!++;
  }
  return counts;
}
