// An exercise's background job as it computes on its background thread (src/server/background-thread.ts):
// the game replayed from its log up to the job's entry, then the coach's look-ahead or the after-action
// review's counterfactuals stepped in slices of one kernel task, and the review built. The same calls,
// in the same order, as the server made on its own thread: the same numbers.
import { stepJob } from '../../analysis/kernel/executor.ts';
import {
  type Aar,
  buildAar,
  fold,
  type LoggedEntry,
  type Lookahead,
  lookaheadJob,
  ReviewJob,
  replay,
} from '../../exercise/index.ts';
import { Cancelled } from '../../talks/paired.ts';
import type { ComputeControl } from '../talks/compute.ts';

/** Runs per slice: one kernel task of the continuations (250 runs). */
export const SLICE_RUNS = 250;

export interface ExerciseJobInput {
  kind: 'lookahead' | 'review';
  /** The log up to the job's entry (`head`), opened. */
  log: LoggedEntry[];
  options: { runs: number; days?: number };
}

/** The look-ahead, or the review (built); progress first with done 0 once the job knows its total. */
export async function computeExerciseJob(
  input: ExerciseJobInput,
  ctl: ComputeControl,
): Promise<Lookahead | Aar> {
  const game = replay(fold(input.log));
  const { options } = input;
  const job =
    input.kind === 'review'
      ? new ReviewJob(game, options.runs)
      : lookaheadJob(game, { runs: options.runs, days: options.days ?? game.state.setup.coach.windowDays });
  ctl.progress(0, job.total);
  await ctl.pause();
  while (job.done() < job.total) {
    if (ctl.cancelled()) throw new Cancelled();
    await stepJob(job, SLICE_RUNS);
    ctl.progress(job.done(), job.total);
    await ctl.pause();
  }
  const report = await job.report();
  return input.kind === 'review'
    ? buildAar(game, report as Awaited<ReturnType<ReviewJob['report']>>)
    : (report as Lookahead);
}
