// Talks analyses in the background, as tasks of the server's one job queue (src/server/jobs.ts): one at
// a time on the server's thread in short slices, like the workbench's runs; their runs are tasks of the
// analysis kernel (src/talks/paired.ts: FlagsJob). An analysis is the gap
// ranking of each agenda scenario, or the protocol drafts, the package and the leak sweep. Results are
// sealed with the dialogue's key; a failure's message is sealed too (it may name agenda items), and the
// clear-text error column only says that the analysis failed.
import { DomainError } from '../../errors.ts';
import {
  Cancelled,
  DEFAULT_MAX_RUNS,
  type Declared,
  type DraftSpec,
  loadBase,
  rankGaps,
  selectTriggers,
  simulateProtocols,
  TalksError,
} from '../../talks/index.ts';
import { type RunQueue, SubmittedTasks, type TaskControl } from '../jobs.ts';
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
      // Progress in runs over every arm of the scenarios done and the one under way (its total grows
      // as the gap ranking adds the runs each gap needs).
      const progress: AnalysisProgress = { done: 0, total: 0 };
      this.progressOf.set(id, progress);
      let before = 0;
      const opts = {
        seed: settings.seed,
        runs: settings.runs,
        pause: ctl.pause,
        cancelled: () => ctl.cancelled() || this.stopped,
        onProgress: (done: number, total: number) => {
          progress.total = before + total;
          progress.done = before + done;
        },
      };
      const finished = () => {
        before = progress.total;
      };
      if (a.kind === 'gaps') {
        const results = [];
        for (const x of perScenario) {
          const base = loadBase(x.s.files, x.s.path);
          const r = await rankGaps(base, x.agenda, x.declared, {
            ...opts,
            threshold: settings.threshold,
            maxRuns: settings.maxRuns ?? DEFAULT_MAX_RUNS,
          });
          results.push(r);
          finished();
        }
        const result: AnalysisResult = { kind: 'gaps', settings, results, positionsAt };
        await talks.setAnalysis(id, {
          status: 'done',
          sealed: this.room.seal(dialogue, 'analysis', id, result),
          finishedAt: new Date().toISOString(),
        });
      } else {
        const results = [];
        for (const x of perScenario) {
          const base = loadBase(x.s.files, x.s.path);
          const list: DraftSpec[] = specs
            .filter((d) => d.content.mapping[x.s.path])
            .map((d) => ({ id: d.row.id, title: d.content.title, mapping: d.content.mapping[x.s.path]! }));
          const r = await simulateProtocols(base, x.agenda, x.declared, list, agreed, opts);
          results.push(r);
          finished();
        }
        const result: AnalysisResult = {
          kind: 'protocols',
          settings,
          drafts: specs.map((d) => ({ id: d.row.id, title: d.content.title })),
          agreed,
          results,
          positionsAt,
        };
        await talks.setAnalysis(id, {
          status: 'done',
          sealed: this.room.seal(dialogue, 'analysis', id, result),
          finishedAt: new Date().toISOString(),
        });
      }
      await this.room.talks.notify(
        dialogueId,
        [dialogue.hostId],
        `${dialogue.codename}: an analysis finished`,
      );
    } catch (e) {
      if (e instanceof Cancelled) return sealFail('cancelled', 'cancelled');
      const message =
        e instanceof TalksError || e instanceof DomainError
          ? e.message
          : `internal error (${e instanceof Error ? e.name : 'unknown'})`;
      await sealFail('failed', message);
    }
  }
}
