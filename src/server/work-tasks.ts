// The CPU-heavy work of HTTP requests, as plain data in and out so that it runs on a worker thread
// (src/server/work-worker.ts, through the pool in src/server/pool.ts): validating, compiling and hashing
// scenario files, describing a file's header, and rendering report downloads and talks playbooks. Each function gives
// exactly what the same call on the server's thread gave (the routes used to call these directly).
import type { Diagnostic } from '../scenario/diagnostics.ts';
import type { FileKind, RunRecord } from '../store/index.ts';
import { type PlaybookInput, playbookHtml, playbookMarkdown } from '../talks/playbook.ts';
import { reportDownload } from './report.ts';
import { describeFile, type Files, prepareInFiles, validateInFiles } from './workspace.ts';

export type WorkTask =
  | { op: 'validate'; files: Files; path: string }
  | { op: 'detail'; files: Files; path: string; kind: FileKind }
  | {
      op: 'prepare';
      files: Files;
      path: string;
      interventions?: string[];
      set?: Record<string, unknown>;
    }
  | { op: 'describe'; yaml: string; path: string }
  | { op: 'report'; run: RunRecord; format: 'html' | 'json' | 'csv' }
  | { op: 'playbook'; input: PlaybookInput; format: 'html' | 'md' };

/** `POST …/validate`: the CLI's diagnostics and, for a scenario that compiles, its hash. */
export interface ValidateResult {
  diagnostics: Diagnostic[];
  hash: string | null;
  kind: FileKind;
}

/** A stored file's diagnostics and (for a scenario) its interventions, as the file detail shows them. */
export interface DetailResult {
  diagnostics: Diagnostic[];
  interventions: { id: string; title: string }[];
}

/** A scenario compiled for a run: whether it compiled, its hash and the files it read. */
export interface PrepareResult {
  compiled: boolean;
  hash: string | undefined;
  diagnostics: Diagnostic[];
  snapshot: Files;
}

export type WorkResult<T extends WorkTask> = T extends { op: 'validate' }
  ? ValidateResult
  : T extends { op: 'detail' }
    ? DetailResult
    : T extends { op: 'prepare' }
      ? PrepareResult
      : T extends { op: 'describe' }
        ? { kind: FileKind; title: string }
        : T extends { op: 'report' }
          ? { body: string; type: string; filename: string }
          : string;

/** Does one task (on whatever thread calls it). */
export function doWork(task: WorkTask): unknown {
  switch (task.op) {
    case 'validate': {
      const v = validateInFiles(task.files, task.path);
      const p = v.kind === 'scenario' ? prepareInFiles(task.files, task.path) : undefined;
      return { diagnostics: v.diagnostics, hash: p?.hash ?? null, kind: v.kind } satisfies ValidateResult;
    }
    case 'detail': {
      if (task.kind === 'library')
        return {
          diagnostics: validateInFiles(task.files, task.path).diagnostics,
          interventions: [],
        } satisfies DetailResult;
      const p = prepareInFiles(task.files, task.path);
      const interventions = Object.entries(p.doc?.interventions ?? {}).map(([id, iv]) => ({
        id,
        title: iv.title ?? id,
      }));
      return { diagnostics: p.diagnostics, interventions } satisfies DetailResult;
    }
    case 'prepare': {
      const p = prepareInFiles(task.files, task.path, {
        ...(task.interventions ? { interventions: task.interventions } : {}),
        ...(task.set ? { set: task.set } : {}),
      });
      return {
        compiled: p.model !== undefined,
        hash: p.hash,
        diagnostics: p.diagnostics,
        snapshot: p.snapshot,
      } satisfies PrepareResult;
    }
    case 'describe':
      return describeFile(task.yaml, task.path);
    case 'report':
      return reportDownload(task.run, task.format);
    case 'playbook':
      return task.format === 'md' ? playbookMarkdown(task.input) : playbookHtml(task.input);
  }
}
