// The browser's client of the workbench API: JSON in and out, the session cookie sent by the browser,
// the CSRF token added to every write.
import type { CompareReport, Comparison, PairedDelta } from '../../src/analysis/compare.ts';
import type { RunReport } from '../../src/analysis/ensemble.ts';
import type { SensitivityReport } from '../../src/analysis/sensitivity.ts';
import type { JobKind, RunManifest, RunSummary } from '../../src/contract/runs.ts';
import type { TraceRecord } from '../../src/engine/trace.ts';
import type { Diagnostic } from '../../src/scenario/diagnostics.ts';

export type Role = 'owner' | 'analyst' | 'viewer';
export interface User {
  id: string;
  email: string;
  name: string;
}
export interface WorkspaceRef {
  id: string;
  name: string;
  role: Role;
}
export interface Me {
  user: User;
  workspaces: WorkspaceRef[];
  csrfToken: string;
}
export interface ScenarioSummary {
  id: string;
  workspaceId: string;
  path: string;
  kind: 'scenario' | 'library';
  title: string;
  version: number;
  tags: string[];
  updatedAt: string;
}
export interface ScenarioDetail extends ScenarioSummary {
  yaml: string;
  diagnostics: Diagnostic[];
  interventions: { id: string; title: string }[];
}
export type { JobKind, ManifestOf } from '../../src/contract/runs.ts';
/** A job's manifest: the contract's discriminated union (src/contract/runs.ts). */
export type Manifest = RunManifest;
/** An uncertain parameter of a scenario, as the sensitivity analysis varies it. */
export interface UncertainParam {
  path: string;
  nominal: number;
  distribution: string | null;
  source: string | null;
  citation: string | null;
  where: string | null;
}
export const kindOf = (m: Manifest): JobKind => m.kind;
export type { RunStatus, RunSummary } from '../../src/contract/runs.ts';
export interface RunDetail extends RunSummary {
  report: RunReport | null;
}
export interface TraceReply {
  run: number;
  seed: number;
  outcome: string;
  peak: string;
  actors: string[];
  types: string[];
  rungs: string[];
  tickHours: number;
  interventions: string[];
  trace: TraceRecord[];
}
export type { CompareReport, Comparison, Diagnostic, PairedDelta, RunReport, SensitivityReport, TraceRecord };

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly body: { error?: { code?: string; message?: string; current?: ScenarioDetail } } | undefined;
  constructor(status: number, code: string, message: string, body?: ApiError['body']) {
    super(message);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/** What to show for a failed call: the server's message, or the error itself. */
export const errText = (e: unknown): string => (e instanceof ApiError ? e.message : String(e));

let csrf = '';
export const setCsrf = (t: string) => {
  csrf = t;
};

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => undefined)) as (T & { csrfToken?: string }) | ApiError['body'];
  if (!res.ok) {
    const e = (json as ApiError['body'])?.error;
    throw new ApiError(
      res.status,
      e?.code ?? 'error',
      e?.message ?? `${res.status} ${res.statusText}`,
      json as ApiError['body'],
    );
  }
  const t = (json as { csrfToken?: string })?.csrfToken;
  if (t) csrf = t;
  return json as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => api<T>('POST', path, body);
export const put = <T>(path: string, body: unknown) => api<T>('PUT', path, body);
export const patch = <T>(path: string, body: unknown) => api<T>('PATCH', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);
