// The model as coach, through the analysis kernel (tasks of kind `play`, src/analysis/kernel/task.ts):
// the look-ahead ("from here, with the model playing everyone, what is P(war) in the next D days?") and
// the after-action review's counterfactuals (each team decision against the doctrine's choice at the
// same point, replayed on common random numbers, the model playing everyone afterwards).
import { type AnalysisJob, type Executor, execute } from '../analysis/kernel/executor.ts';
import { type PlayTask, ranges, sourceOf, type Task } from '../analysis/kernel/task.ts';
import { type Choices, type ContinuationSpec, play } from '../analysis/play.ts';
import { pairedDifferenceCi } from '../analysis/stats.ts';
import { ENGINE_VERSION } from '../engine/model.ts';
import { wilson } from '../engine/stats.ts';
import { choicesOf, type Game, overridable } from './game.ts';

/** The continuations of one spec as a kernel job: integer pattern counts, merged in task order. */
class PlayJob implements AnalysisJob<number[]> {
  readonly total: number;
  private readonly counts: number[];
  private readonly tasks: PlayTask[];
  private absorbed = 0;
  private handed = 0;
  constructor(game: Game, spec: ContinuationSpec, runs: number) {
    const source = sourceOf(game.doc, game.model);
    this.total = runs;
    this.counts = new Array<number>(1 << spec.arms.length).fill(0);
    this.tasks = ranges(0, runs, { size: 250 }).map((r) => ({
      kind: 'play',
      source,
      spec,
      start: r.start,
      count: r.count,
      engine: ENGINE_VERSION,
    }));
  }
  done(): number {
    return this.tasks.slice(0, this.absorbed).reduce((s, t) => s + t.count, 0);
  }
  /** Every task left, or with `units` about that many runs (at least one task: a background slice). */
  next(sizing: { units?: number } = {}): PlayTask[] {
    let end = this.tasks.length;
    if (sizing.units !== undefined) {
      let runs = 0;
      end = this.handed;
      while (end < this.tasks.length && (end === this.handed || runs < sizing.units))
        runs += this.tasks[end++]!.count;
    }
    const out = this.tasks.slice(this.handed, end);
    this.handed = end;
    return out;
  }
  finished(): boolean {
    return this.absorbed === this.tasks.length;
  }
  absorb(_task: unknown, result: unknown): void {
    (result as number[]).forEach((c, k) => {
      this.counts[k]! += c;
    });
    this.absorbed++;
  }
  checkpoint(): string {
    return JSON.stringify({ counts: this.counts, absorbed: this.absorbed });
  }
  report(): number[] {
    return this.counts;
  }
}

/** The seed of the continuations: the exercise's seed and the branch point (so asking twice gives the same answer). */
const branchSeed = (seed: number, from: number) => (seed * 1_000_003 + from * 7919 + 1) >>> 0;

export interface Lookahead {
  /** The tick the continuations start from (the game's time). */
  from: number;
  days: number;
  runs: number;
  war: number;
  p: number;
  ci95: [number, number];
}

/** P(war within `days`) from the game's time, with the model playing everyone from here. */
export async function lookahead(
  game: Game,
  executor: Executor,
  opts: { runs: number; days: number },
): Promise<Lookahead> {
  return execute(lookaheadJob(game, opts), executor);
}

/** The look-ahead as a kernel job (a background job of the server, or `execute` on any executor). */
export function lookaheadJob(game: Game, opts: { runs: number; days: number }): AnalysisJob<Lookahead> {
  const m = game.model;
  const from = game.t;
  const spec: ContinuationSpec = {
    seed: game.state.setup.seed,
    run: 0,
    arms: [{ choices: choicesOf(game.state) }],
    from,
    windowTicks: Math.round((opts.days * 24) / m.tickHours),
    branchSeed: branchSeed(game.state.setup.seed, from),
  };
  return new Mapped(new PlayJob(game, spec, opts.runs), (counts) => {
    const war = counts[1] ?? 0;
    const p = war / opts.runs;
    // Wilson's bounds, kept around p (at 0 or 1 rounding can put a bound a hair past it).
    const [lo, hi] = wilson(war, opts.runs);
    return { from, days: opts.days, runs: opts.runs, war, p, ci95: [Math.min(lo, p), Math.max(hi, p)] };
  });
}

/** A job whose report is another job's, transformed. */
class Mapped<A, R> implements AnalysisJob<R> {
  readonly total: number;
  readonly #job: AnalysisJob<A>;
  readonly #map: (a: A) => R;
  constructor(job: AnalysisJob<A>, map: (a: A) => R) {
    this.#job = job;
    this.#map = map;
    this.total = job.total;
  }
  done(): number {
    return this.#job.done();
  }
  next(sizing: { parallelism: number; units?: number }) {
    return this.#job.next(sizing);
  }
  absorb(task: Task, result: unknown): void {
    this.#job.absorb(task, result);
  }
  checkpoint(): string {
    return this.#job.checkpoint();
  }
  async report(): Promise<R> {
    return this.#map(await this.#job.report());
  }
}

export interface DecisionEffect {
  key: string;
  team: string;
  actor: string;
  t: number;
  stimulus: string;
  /** What the team chose, and what the doctrine drew at the same point (same random numbers). */
  chosen: string;
  doctrine: string;
  /** P(war by the horizon) with the team's choice and with the doctrine's, from the decision on. */
  pTeam: number;
  pDoctrine: number;
  /** pTeam - pDoctrine with its paired 95% interval (Newcombe). */
  effect: number;
  ci95: [number, number];
  runs: number;
}

/**
 * Every team decision of the game against the doctrine's choice at that point, ranked by the size of
 * its effect on P(war by the horizon). The doctrine's choice is the engine's own draw at the decision
 * (made whatever the team chose), so the two arms differ only in that decision.
 */
export async function decisionEffects(
  game: Game,
  executor: Executor,
  runs: number,
): Promise<DecisionEffect[]> {
  return execute(new ReviewJob(game, runs), executor);
}

type Reviewed = Omit<DecisionEffect, 'pTeam' | 'pDoctrine' | 'effect' | 'ci95'>;

/**
 * The review's counterfactuals as one kernel job: each team decision's paired continuations, one
 * decision after the other (a background job of the server steps it in slices; the CLI executes it).
 * Its numbers are those of the same continuations run in any slicing: integer counts added in task order.
 */
export class ReviewJob implements AnalysisJob<DecisionEffect[]> {
  readonly total: number;
  readonly #parts: { d: Reviewed; job: PlayJob }[] = [];
  #handing = 0;
  #absorbing = 0;
  constructor(game: Game, runs: number) {
    const st = game.state;
    const all = choicesOf(st);
    const doctrineRun = doctrineChoices(game);
    for (const d of overridable(game)) {
      const c = st.choices[d.key];
      if (!c || c.by === 'facilitator') continue;
      const team = st.setup.teams.find((t) => t.actor === d.actor);
      if (!team) continue;
      const without: Record<string, string> = { ...all };
      delete without[d.key];
      const spec: ContinuationSpec = {
        seed: st.setup.seed,
        run: 0,
        arms: [{ choices: without }, { choices: all }],
        from: d.t,
        windowTicks: game.model.horizon,
        branchSeed: branchSeed(st.setup.seed, d.t),
      };
      this.#parts.push({
        d: {
          key: d.key,
          team: team.id,
          actor: d.actor,
          t: d.t,
          stimulus: d.stimulus,
          chosen: c.action,
          doctrine: doctrineRun[d.key] ?? '?',
          runs,
        },
        job: new PlayJob(game, spec, runs),
      });
    }
    this.total = runs * this.#parts.length;
  }
  done(): number {
    return this.#parts.reduce((s, p) => s + p.job.done(), 0);
  }
  next(sizing: { parallelism: number; units?: number }): Task[] {
    for (; this.#handing < this.#parts.length; this.#handing++) {
      const tasks = this.#parts[this.#handing]!.job.next(sizing);
      if (tasks.length) return tasks;
    }
    return [];
  }
  absorb(task: Task, result: unknown): void {
    while (this.#parts[this.#absorbing]!.job.finished()) this.#absorbing++;
    this.#parts[this.#absorbing]!.job.absorb(task, result);
  }
  checkpoint(): string {
    return JSON.stringify(this.#parts.map((p) => JSON.parse(p.job.checkpoint())));
  }
  report(): DecisionEffect[] {
    return this.#parts
      .map(({ d, job }): DecisionEffect => {
        const counts = job.report();
        const [both, docOnly, teamOnly, neither] = [counts[3]!, counts[1]!, counts[2]!, counts[0]!];
        const { runs, ...rest } = d;
        return {
          ...rest,
          pTeam: (both + teamOnly) / runs,
          pDoctrine: (both + docOnly) / runs,
          effect: (teamOnly - docOnly) / runs,
          ci95: pairedDifferenceCi(both, docOnly, teamOnly, neither),
          runs,
        };
      })
      .sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect) || a.t - b.t);
  }
}

/** What the doctrine drew at each team decision (the same prefix, the decision left to the doctrine). */
function doctrineChoices(game: Game): Choices {
  const out: Record<string, string> = {};
  const st = game.state;
  const all = choicesOf(st);
  for (const key of Object.keys(all)) {
    const without: Record<string, string> = { ...all };
    delete without[key];
    const g = replayWith(game, without);
    const d = overridable(g).find((x) => x.key === key);
    if (d) out[key] = d.chosen;
  }
  return out;
}

/** The game replayed with other choices (no waiting: the doctrine takes what no one chose). */
function replayWith(game: Game, choices: Choices): Pick<Game, 'run' | 'model'> {
  const run = play(game.model, {
    seed: game.state.setup.seed,
    run: 0,
    choices,
    players: new Set(),
    until: game.t,
  });
  return { run, model: game.model };
}
