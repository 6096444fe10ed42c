// A talks analysis as it computes on its background thread (src/server/background-thread.ts): the gap
// ranking of each agenda scenario, or the protocol drafts, the package and the leak sweep, from the
// inputs the server's thread opened (declared positions, drafts). The same calls, in the same order, as
// the server made on its own thread; progress counts runs over every arm of the scenarios done and the
// one under way (its total grows as the gap ranking adds the runs each gap needs).
import {
  DEFAULT_MAX_RUNS,
  type Declared,
  type DraftSpec,
  type GapRanking,
  loadBase,
  type ProtocolResults,
  rankGaps,
  type ScenarioAgenda,
  simulateProtocols,
} from '../../talks/index.ts';
import type { Files, Settings } from './room.ts';

export interface TalksAnalysisInput {
  kind: 'gaps' | 'protocols';
  settings: Settings;
  scenarios: {
    files: Files;
    path: string;
    /** The agenda as selected. */
    agenda: ScenarioAgenda;
    declared: Declared[];
    /** Protocols: the drafts mapped onto this scenario. */
    drafts: DraftSpec[];
  }[];
  /** Protocols: the drafts every party agreed to. */
  agreed: string[];
}

export interface ComputeControl {
  cancelled(): boolean;
  pause(): Promise<void>;
  progress(done: number, total: number): void;
}

/** Each scenario's gap ranking or protocol results, in agenda order. */
export async function computeTalksAnalysis(
  input: TalksAnalysisInput,
  ctl: ComputeControl,
): Promise<GapRanking[] | ProtocolResults[]> {
  const { settings } = input;
  let before = 0;
  let total = 0;
  const opts = {
    seed: settings.seed,
    runs: settings.runs,
    pause: ctl.pause,
    cancelled: ctl.cancelled,
    onProgress: (done: number, all: number) => {
      total = before + all;
      ctl.progress(before + done, total);
    },
  };
  const results: (GapRanking | ProtocolResults)[] = [];
  for (const x of input.scenarios) {
    const base = loadBase(x.files, x.path);
    results.push(
      input.kind === 'gaps'
        ? await rankGaps(base, x.agenda, x.declared, {
            ...opts,
            threshold: settings.threshold,
            maxRuns: settings.maxRuns ?? DEFAULT_MAX_RUNS,
          })
        : await simulateProtocols(base, x.agenda, x.declared, x.drafts, input.agreed, opts),
    );
    before = total;
  }
  return results as GapRanking[] | ProtocolResults[];
}
