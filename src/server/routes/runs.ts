// Ensembles in the background: start, follow (SSE), cancel, resume after a crash, re-run from the
// manifest, read the report, trace one run, download the report.
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { RunReport } from '../../analysis/ensemble.ts';
import { ENGINE_VERSION } from '../../engine/model.ts';
import type { Diagnostic } from '../../scenario/diagnostics.ts';
import type { RunListing, RunRecord, ScenarioRecord, Store } from '../../store/index.ts';
import { HttpError, route } from '../http.ts';
import { DiagnosticSchema, Id, RunDetail, RunOptions, RunParams, RunSummary, WsParams } from '../schemas.ts';
import type { TracedRun } from '../work-tasks.ts';
import { workspaceFiles } from '../workspace.ts';

/** A run as the API lists it (also the answer to starting any background job). */
export const summary = (r: RunListing) => ({
  id: r.id,
  workspaceId: r.workspaceId,
  scenarioId: r.scenarioId,
  status: r.status,
  manifest: r.manifest,
  doneRuns: r.doneRuns,
  error: r.error,
  createdAt: r.createdAt,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
});

const detail = (r: RunRecord) => ({
  ...summary(r),
  report: r.report ? (JSON.parse(r.report) as RunReport) : null,
});

/** A stored scenario (not an actor library or intervention file), or 404. */
export async function runnableScenario(store: Store, ws: string, id: string): Promise<ScenarioRecord> {
  const s = await store.getScenario(ws, id);
  if (s?.kind !== 'scenario') throw new HttpError(404, 'not_found', 'no such scenario');
  return s;
}

/** 422 with the errors that keep `what` from compiling. */
export function notRunnable(what: string, diagnostics: Diagnostic[]): HttpError {
  return new HttpError(422, 'not_runnable', `${what} is not runnable: fix its errors first`, {
    diagnostics: z.array(DiagnosticSchema).parse(diagnostics.filter((d) => d.severity === 'error')),
  });
}

async function getRun(store: Store, ws: string, id: string): Promise<RunRecord> {
  const r = await store.getRun(ws, id);
  if (!r) throw new HttpError(404, 'not_found', 'no such run');
  return r;
}

const noLongerCompiles = () => new HttpError(422, 'not_runnable', "the run's scenario no longer compiles");

export const runRoutes = [
  route({
    method: 'post',
    path: '/api/workspaces/:ws/runs',
    summary:
      'Starts an ensemble of a stored scenario in the background (202); follow it with GET …/runs/{run}/events',
    tag: 'runs',
    access: 'analyst',
    params: WsParams,
    body: RunOptions.extend({ scenarioId: Id }),
    response: RunSummary,
    status: 202,
    errors: [400, 403, 404, 422],
    handler: async ({ c, params, body, user, services }) => {
      const { store, jobs } = services;
      const s = await runnableScenario(store, params.ws, body.scenarioId);
      const files = await workspaceFiles(store, params.ws);
      const p = await services.pool.run(params.ws, {
        op: 'prepare',
        files,
        path: s.path,
        interventions: body.interventions,
        set: body.set,
      });
      if (!p.compiled || p.hash === undefined) throw notRunnable(s.path, p.diagnostics);
      const run = await store.createRun({
        workspaceId: params.ws,
        scenarioId: s.id,
        manifest: {
          kind: 'run',
          scenarioId: s.id,
          scenarioPath: s.path,
          scenarioVersion: s.version,
          hash: p.hash,
          engine: ENGINE_VERSION,
          seed: body.seed,
          runs: body.runs,
          interventions: body.interventions,
          set: body.set,
          ...(body.epistemic ? { epistemic: body.epistemic } : {}),
        },
        files: p.snapshot,
        by: user.id,
      });
      jobs.enqueue(params.ws, run.id);
      return c.json(summary(run), 202);
    },
  }),
  route({
    method: 'get',
    path: '/api/workspaces/:ws/runs',
    summary: 'Run history, newest first, with each manifest (filter by scenarioId)',
    tag: 'runs',
    access: 'viewer',
    params: WsParams,
    query: z.object({
      scenarioId: Id.optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
    response: z.array(RunSummary),
    handler: async ({ c, params, query, services }) => {
      const runs = await services.store.listRuns(params.ws, {
        limit: query.limit,
        ...(query.scenarioId ? { scenarioId: query.scenarioId } : {}),
      });
      return c.json(runs.map(summary));
    },
  }),
  route({
    method: 'get',
    path: '/api/workspaces/:ws/runs/:run',
    summary: 'A run: manifest, status, progress and (when done) its report',
    tag: 'runs',
    access: 'viewer',
    params: RunParams,
    response: RunDetail,
    errors: [404],
    handler: async ({ c, params, services }) =>
      c.json(detail(await getRun(services.store, params.ws, params.run))),
  }),
  route({
    method: 'get',
    path: '/api/workspaces/:ws/runs/:run/events',
    summary: 'Server-sent events: `progress` {status, doneRuns, totalRuns} until the run ends',
    tag: 'runs',
    access: 'viewer',
    params: RunParams,
    produces: 'text/event-stream',
    errors: [404],
    handler: async ({ c, params, services }) => {
      const r = await getRun(services.store, params.ws, params.run);
      const { jobs } = services;
      return streamSSE(c, async (stream) => {
        const initial = jobs.progress(r.id) ?? {
          id: r.id,
          status: r.status,
          doneRuns: r.doneRuns,
          totalRuns: r.manifest.runs,
          error: r.error,
        };
        await stream.writeSSE({ event: 'progress', data: JSON.stringify(initial) });
        if (initial.status !== 'running' && initial.status !== 'queued') return;
        await new Promise<void>((resolve) => {
          let last = 0;
          const off = jobs.subscribe(r.id, (p) => {
            const end = p.status !== 'running' && p.status !== 'queued';
            const now = Date.now();
            if (!end && now - last < 150) return;
            last = now;
            void stream.writeSSE({ event: 'progress', data: JSON.stringify(p) }).then(() => {
              if (end) {
                off();
                resolve();
              }
            });
          });
          stream.onAbort(() => {
            off();
            resolve();
          });
        });
      });
    },
  }),
  route({
    method: 'post',
    path: '/api/workspaces/:ws/runs/:run/cancel',
    summary: 'Cancels a queued or running run',
    tag: 'runs',
    access: 'analyst',
    params: RunParams,
    response: RunSummary,
    errors: [403, 404, 409],
    handler: async ({ c, params, services }) => {
      const r = await getRun(services.store, params.ws, params.run);
      if (r.status === 'interrupted') {
        await services.store.endRun(r.id, 'cancelled', null, new Date().toISOString());
      } else if (r.status === 'queued' || r.status === 'running') {
        services.jobs.cancel(r.id);
      } else throw new HttpError(409, 'finished', `the run is already ${r.status}`);
      return c.json(summary(await getRun(services.store, params.ws, params.run)));
    },
  }),
  route({
    method: 'post',
    path: '/api/workspaces/:ws/runs/:run/resume',
    summary:
      'Resumes a run interrupted by a server stop, from its last checkpoint (same numbers as an uninterrupted run)',
    tag: 'runs',
    access: 'analyst',
    params: RunParams,
    response: RunSummary,
    status: 202,
    errors: [403, 404, 409],
    handler: async ({ c, params, services }) => {
      const r = await getRun(services.store, params.ws, params.run);
      if (r.status !== 'interrupted')
        throw new HttpError(
          409,
          'not_interrupted',
          `only an interrupted run resumes; this one is ${r.status}`,
        );
      services.jobs.enqueue(params.ws, r.id);
      return c.json(summary(r), 202);
    },
  }),
  route({
    method: 'post',
    path: '/api/workspaces/:ws/runs/:run/rerun',
    summary:
      "Runs a run's manifest again as a new run, on the files it read (the same numbers on the same engine)",
    tag: 'runs',
    access: 'analyst',
    params: RunParams,
    response: RunSummary,
    status: 202,
    errors: [403, 404],
    handler: async ({ c, params, user, services }) => {
      const r = await getRun(services.store, params.ws, params.run);
      const run = await services.store.createRun({
        workspaceId: params.ws,
        scenarioId: r.scenarioId,
        manifest: { ...r.manifest, engine: ENGINE_VERSION },
        files: r.files,
        by: user.id,
      });
      services.jobs.enqueue(params.ws, run.id);
      return c.json(summary(run), 202);
    },
  }),
  route({
    method: 'get',
    path: '/api/workspaces/:ws/runs/:run/trace',
    summary:
      'One run of the ensemble as a trace: true events beside what each actor perceived, believed and chose (index, or find=war|nuclearUse|resolved|horizon|RUNG); for a comparison, `arm` replays the same run with that arm',
    tag: 'runs',
    access: 'viewer',
    params: RunParams,
    query: z.object({
      index: z.coerce.number().int().min(0).max(100_000_000).default(0),
      find: z.string().max(60).optional(),
      arm: z.string().max(200).optional(),
    }),
    errors: [400, 404, 422],
    handler: async ({ c, params, query, services }) => {
      const r = await getRun(services.store, params.ws, params.run);
      const arms = r.manifest.kind === 'compare' ? r.manifest.compare.arms : null;
      if (query.arm !== undefined && !arms?.includes(query.arm))
        throw new HttpError(
          400,
          'invalid_request',
          `arm '${query.arm}' is not an arm of this job${arms ? ` (arms: ${arms.join(', ')})` : ''}`,
        );
      // Compiling the run's model and replaying runs happen on the request pool (each thread keeps the
      // models of recent jobs); a search for an outcome goes in tasks of 2,000 runs, so other
      // requests take their turn between them.
      const run: TracedRun = { id: r.id, files: r.files, manifest: r.manifest };
      const arm = query.arm !== undefined ? { arm: query.arm } : {};
      let index = query.index;
      if (query.find) {
        index = -1;
        for (let from = query.index; index < 0 && from < query.index + 200_000; from += 2000) {
          const found = await services.pool.run(params.ws, {
            op: 'find',
            run,
            ...arm,
            outcome: query.find,
            from,
            limit: 2000,
          });
          if (found === null) throw noLongerCompiles();
          index = found;
        }
        if (index < 0)
          throw new HttpError(404, 'not_found', `no run ending in '${query.find}' among the next 200000`);
      }
      const t = await services.pool.run(params.ws, { op: 'trace', run, ...arm, index });
      if (!t) throw noLongerCompiles();
      return c.json(t);
    },
  }),
  route({
    method: 'get',
    path: '/api/workspaces/:ws/runs/:run/report',
    summary:
      'Downloads the report of a finished run, comparison or sensitivity analysis: self-contained HTML (charts, assumptions, manifest), JSON (report + manifest) or CSV',
    tag: 'runs',
    access: 'viewer',
    params: RunParams,
    query: z.object({ format: z.enum(['json', 'csv', 'html']).default('json') }),
    produces: 'application/json, text/csv, text/html',
    errors: [404, 409, 422],
    handler: async ({ c, params, query, services }) => {
      const r = await getRun(services.store, params.ws, params.run);
      if (!r.report) throw new HttpError(409, 'not_finished', `the job is ${r.status}: no report yet`);
      if (r.manifest.kind.startsWith('backtest') && query.format !== 'json')
        throw new HttpError(
          422,
          'unsupported_format',
          "a backtest's report downloads as JSON (format=json); its table is on the job's page",
        );
      const d = await services.pool.run(params.ws, { op: 'report', run: r, format: query.format });
      c.header('content-disposition', `attachment; filename="${d.filename}"`);
      return c.body(d.body, 200, { 'content-type': d.type });
    },
  }),
];
