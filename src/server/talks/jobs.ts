// Talks analyses in the background, as tasks of the server's one job queue (src/server/jobs.ts): one at
// a time, like the workbench's runs, each computed on a background thread of its own
// (src/server/background-thread.ts, talks/compute.ts) from the positions and drafts opened here; their
// runs are tasks of the analysis kernel (src/talks/paired.ts: FlagsJob). An analysis is the gap
// ranking of each agenda scenario, or the protocol drafts, the package and the leak sweep. Results are
// sealed with the dialogue's key; a failure's message is sealed too (it may name agenda items), and the
// clear-text error column only says that the analysis failed.
import { DomainError } from '../../errors.ts';
import {
  type Declared,
  type GapRanking,
  type ProtocolResults,
  selectTriggers,
  TalksError,
} from '../../talks/index.ts';
import { BackgroundError, runInBackground } from '../background-thread.ts';
import { type RunQueue, SubmittedTasks, type TaskControl } from '../jobs.ts';
import type { TalksAnalysisInput } from './compute.ts';
import type { AnalysisResult, DialogueConfig, DraftContent, TalksRoom } from './room.ts';

export interface AnalysisProgress {
  done: number;
  total: number;
}

/**
 * The talks room's analyses as tasks of the server's one job queue (src/server/jobs.ts): queued behind
 * the workbench's runs, cancelled and stopped the same way. Progress is kept here while one runs.
 */
export class TalksJobs extends SubmittedTasks {
  private readonly room: TalksRoom;
  private readonly progressOf = new Map<string, AnalysisProgress>();

  constructor(room: TalksRoom, queue: RunQueue) {
    super(queue);
    this.room = room;
    room.onAnalysis = (dialogueId, id) => this.enqueue(dialogueId, id);
  }

  enqueue(dialogueId: string, id: string): void {
    // Stopped while queued: the analysis stays queued (marked interrupted on the next start).
    this.submit(id, async (ctl) => {
      try {
        await this.execute(dialogueId, id, ctl);
      } finally {
        this.progressOf.delete(id);
      }
    });
  }

  progress(id: string): AnalysisProgress | undefined {
    return this.progressOf.get(id);
  }

  private async execute(dialogueId: string, id: string, ctl: TaskControl): Promise<void> {
    const { talks } = this.room;
    const dialogue = await talks.dialogue(dialogueId);
    const a = await talks.analysis(dialogueId, id);
    if (!dialogue || !a || a.status !== 'queued') return;
    const config = this.room.open<DialogueConfig>(dialogue, 'config', dialogue.id, dialogue.sealed);
    const settings = config.settings;
    const sealFail = async (status: 'failed' | 'cancelled', message: string) => {
      const result = { kind: a.kind, settings, results: [], error: message } as unknown as AnalysisResult;
      await talks.setAnalysis(id, {
        status,
        error: status === 'failed' ? 'the analysis failed (the reason is in the sealed result)' : null,
        sealed: this.room.seal(dialogue, 'analysis', id, result),
        finishedAt: new Date().toISOString(),
      });
    };
    if (ctl.cancelled()) return sealFail('cancelled', 'cancelled before it started');
    await talks.setAnalysis(id, { status: 'running' });
    try {
      const declared = await this.room.declaredPositions(dialogue, config);
      const positionsAt = Object.fromEntries(declared.map((d) => [d.delegation.id, d.submittedAt]));
      const perScenario = config.scenarios.map((s) => ({
        s,
        agenda: selectTriggers(s.agenda, s.selected),
        declared: declared.map(
          (d): Declared => ({ actor: d.delegation.actor!, positions: d.positions.scenarios[s.path]! }),
        ),
      }));
      const drafts = a.kind === 'protocols' ? await talks.drafts(dialogueId) : [];
      const specs = drafts.map((d) => ({
        row: d,
        content: this.room.open<DraftContent>(dialogue, 'draft', d.id, d.sealed),
      }));
      const agreed = drafts
        .filter((d) => d.parties.length && d.parties.every((p) => d.agreed.includes(p)))
        .map((d) => d.id);
      // The runs compute on a thread of the analysis's own (talks/compute.ts); progress in runs over
      // every arm of the scenarios done and the one under way.
      const progress: AnalysisProgress = { done: 0, total: 0 };
      this.progressOf.set(id, progress);
      const input: TalksAnalysisInput = {
        kind: a.kind,
        settings,
        scenarios: perScenario.map((x) => ({
          files: x.s.files,
          path: x.s.path,
          agenda: x.agenda,
          declared: x.declared,
          drafts:
            a.kind === 'protocols'
              ? specs
                  .filter((d) => d.content.mapping[x.s.path])
                  .map((d) => ({
                    id: d.row.id,
                    title: d.content.title,
                    mapping: d.content.mapping[x.s.path]!,
                  }))
              : [],
        })),
        agreed,
      };
      const results = await runInBackground(
        { kind: 'talks', input },
        {
          cancelled: () => ctl.cancelled() || this.stopped,
          progress: (done, total) => {
            progress.done = done;
            progress.total = total;
          },
        },
      );
      const result: AnalysisResult =
        a.kind === 'gaps'
          ? { kind: 'gaps', settings, results: results as GapRanking[], positionsAt }
          : {
              kind: 'protocols',
              settings,
              drafts: specs.map((d) => ({ id: d.row.id, title: d.content.title })),
              agreed,
              results: results as ProtocolResults[],
              positionsAt,
            };
      await talks.setAnalysis(id, {
        status: 'done',
        sealed: this.room.seal(dialogue, 'analysis', id, result),
        finishedAt: new Date().toISOString(),
      });
      await this.room.talks.notify(
        dialogueId,
        [dialogue.hostId],
        `${dialogue.codename}: an analysis finished`,
      );
    } catch (e) {
      if (e instanceof BackgroundError && e.kind === 'cancelled') return sealFail('cancelled', 'cancelled');
      const message =
        e instanceof TalksError ||
        e instanceof DomainError ||
        (e instanceof BackgroundError && e.kind === 'domain')
          ? e.message
          : `internal error (${e instanceof Error ? e.name : 'unknown'})`;
      await sealFail('failed', message);
    }
  }
}
