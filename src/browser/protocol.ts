// Messages between a page (the workbench) and the engine's Web Worker (engine-worker.ts).
import type { Aggregate, RunReport } from '../analysis/ensemble.ts';
import type { Diagnostic } from '../scenario/diagnostics.ts';

/** Run an ensemble of the scenario `entry`, whose text and extended libraries are in `files`. */
export interface RunRequest {
  type: 'run';
  id: number;
  /** Scenario texts by path (POSIX style, e.g. `/scenarios/x.yaml` and `/scenarios/lib/y.yaml`). */
  files: Record<string, string>;
  entry: string;
  interventions?: string[];
  set?: Record<string, unknown>;
  seed: number;
  runs: number;
  /** How many escalation paths the report lists (default 10). */
  topPaths?: number;
  /** Runs between progress messages (default 2000). */
  chunk?: number;
}

/** Stop the ensemble `id` (it answers with an error `cancelled`). */
export interface CancelRequest {
  type: 'cancel';
  id: number;
}

export type EngineRequest = RunRequest | CancelRequest;

export type EngineResponse =
  | { type: 'progress'; id: number; done: number; total: number }
  | {
      type: 'result';
      id: number;
      report: RunReport;
      aggregate: Aggregate;
      diagnostics: Diagnostic[];
      /** Wall-clock time of the runs in the worker. */
      seconds: number;
    }
  | { type: 'error'; id: number; message: string; diagnostics: Diagnostic[] };
