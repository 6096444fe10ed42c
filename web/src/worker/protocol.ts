import type { RunReport } from '../../../src/analysis/ensemble.ts';
import type { Diagnostic } from '../../../src/scenario/diagnostics.ts';

/** A preview ensemble: the files, the scenario's path, runs, seed, interventions and overrides. */
export interface PreviewRequest {
  files: Record<string, string>;
  path: string;
  runs: number;
  seed: number;
  interventions: string[];
  set: Record<string, unknown>;
}

export type WorkerRequest =
  | { type: 'validate'; id: number; files: Record<string, string>; path: string }
  | ({ type: 'preview'; id: number } & PreviewRequest);

export type WorkerReply =
  | { type: 'diagnostics'; id: number; diagnostics: Diagnostic[]; ms: number }
  | { type: 'preview'; id: number; report: RunReport | null; error: string | null; ms: number };
