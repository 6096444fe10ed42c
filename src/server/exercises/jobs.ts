// The exercises' background jobs (the coach's look-ahead, the after-action review) as tasks of the
// server's one job queue (src/server/jobs.ts), like the talks room's analyses: queued behind the
// workbench's runs, stepped in slices of the analysis kernel's tasks (src/exercise/coach.ts: PlayJob,
// ReviewJob) on this thread, yielding between slices so the server keeps answering. Progress reaches
// the facilitator's event stream; the result is stored sealed with the exercise's key. A job computes
// on the game as it was at its log entry (`head`): the same numbers as the same analysis run at once.
import { stepJob } from '../../analysis/kernel/executor.ts';
import { DomainError } from '../../errors.ts';
import { buildAar, ExerciseError, lookaheadJob, ReviewJob } from '../../exercise/index.ts';
import { type RunQueue, SubmittedTasks, type TaskControl } from '../jobs.ts';
import { type ExerciseRoom, jobInfo } from './room.ts';

/** Runs per slice: one kernel task of the continuations (250 runs). */
const SLICE_RUNS = 250;
/** At most this often is progress written to the store (the stream hears every slice). */
const PROGRESS_MS = 250;

export class ExerciseJobs extends SubmittedTasks {
  private readonly room: ExerciseRoom;
  /** Jobs the facilitator cancelled (a job stopped by the server stopping is not one of them). */
  private readonly cancelled = new Set<string>();

  constructor(room: ExerciseRoom, queue: RunQueue) {
    super(queue);
    this.room = room;
    room.onJob = (exerciseId, id) =>
      this.submit(id, (ctl) => this.execute(exerciseId, id, ctl).finally(() => this.cancelled.delete(id)));
    room.onCancel = (id) => {
      this.cancelled.add(id);
      this.cancel(id);
    };
  }

  private async execute(exerciseId: string, id: string, ctl: TaskControl): Promise<void> {
    const store = this.room.store.exercises;
    const row = await store.job(exerciseId, id);
    const exercise = await this.room.store.exercises.exercise(exerciseId);
    if (!row || !exercise || row.status !== 'queued') return;
    const tell = async () => {
      const now = await store.job(exerciseId, id);
      if (now) this.room.jobMoved(exerciseId, jobInfo(now));
    };
    const end = async (status: 'failed' | 'cancelled', error: string) => {
      await store.setJob(id, { status, error, finishedAt: new Date().toISOString() });
      await tell();
    };
    // Stopped by the facilitator: cancelled; by the server stopping: left as it is (marked interrupted
    // when the server starts again).
    const stop = () => (this.cancelled.has(id) ? end('cancelled', 'cancelled') : undefined);
    if (ctl.cancelled() || this.stopped) return stop();
    try {
      const game = await this.room.gameAt(exerciseId, row.head);
      // Replaying the game and (for a review) each decision's prefix take a while: let requests in.
      await ctl.pause();
      const options = JSON.parse(row.options) as { runs: number; days?: number };
      const job =
        row.kind === 'review'
          ? new ReviewJob(game, options.runs)
          : lookaheadJob(game, {
              runs: options.runs,
              days: options.days ?? game.state.setup.coach.windowDays,
            });
      await ctl.pause();
      await store.setJob(id, { status: 'running', total: job.total, done: 0 });
      await tell();
      let written = performance.now();
      while (job.done() < job.total) {
        if (ctl.cancelled() || this.stopped) return stop();
        await stepJob(job, SLICE_RUNS);
        const info = { ...jobInfo(row), status: 'running' as const, done: job.done(), total: job.total };
        if (performance.now() - written >= PROGRESS_MS) {
          await store.setJob(id, { done: job.done() });
          written = performance.now();
        }
        this.room.jobMoved(exerciseId, info);
        await ctl.pause();
      }
      const report = await job.report();
      const result =
        row.kind === 'review' ? buildAar(game, report as Awaited<ReturnType<ReviewJob['report']>>) : report;
      await store.setJob(id, {
        status: 'done',
        done: job.total,
        sealed: this.room.seal(exerciseId, exercise.wrappedKey, 'job', id, result),
        finishedAt: new Date().toISOString(),
      });
      await tell();
    } catch (e) {
      // The message says what went wrong in the domain's words, or only that it failed (a bug's
      // message may quote the game).
      const message =
        e instanceof ExerciseError || e instanceof DomainError
          ? e.message
          : `internal error (${e instanceof Error ? e.name : 'unknown'})`;
      await end('failed', message);
    }
  }
}
