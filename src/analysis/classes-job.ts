// Runs of one model counted by their classes on ICB's crisis scales, as an analysis job (its own module:
// the kernel's task function imports crisis-classes.ts, and a job class needs ensemble.ts loaded first).
import { type CrisisClasses, emptyClasses, mergeClasses } from './crisis-classes.ts';
import { RunRangeJob } from './ensemble.ts';
import type { ModelSource } from './kernel/task.ts';

/**
 * Runs [0, runs) of `seed` of one model counted by class, as an analysis job: `classes` tasks, their
 * counts merged in run order (a checkpoint resumes from them).
 */
export class ClassesJob extends RunRangeJob<CrisisClasses> {
  constructor(
    source: ModelSource,
    opts: { seed: number; runs: number; horizonDays: number; engine: string },
    checkpoint?: string,
  ) {
    const { seed, horizonDays, engine } = opts;
    super(
      {
        runs: opts.runs,
        empty: emptyClasses,
        task: (start, count) => ({ kind: 'classes', source, horizonDays, seed, start, count, engine }),
        merge: mergeClasses,
      },
      checkpoint,
    );
  }
}
