// Analyses in the background, one route per analysis of the registry (src/analysis/registry.ts):
// `POST /api/workspaces/{ws}/analyses/{kind}` for compare, sensitivity, sweep, break-even and rare-event
// estimates (and the older `/comparisons` and `/sensitivity` paths of the first two). Each is stored as
// a job in the run history (same table, `manifest.kind`), so following (SSE), cancelling, resuming,
// re-running and downloading the report go through the `…/runs/{run}/…` routes.
// The scenario's parsing, compiling and the design's check run on the request pool (src/server/pool.ts).
import { z } from 'zod';
import { ANALYSES, ANALYSIS_KINDS, type AnalysisKind } from '../../analyses.ts';
import { backtestTree, workspaceTree } from '../../calibration/case-backtest.ts';
import { LIBRARY_FILE } from '../../calibration/icb-inputs.ts';
import type { RunManifest } from '../../contract/runs.ts';
import { ENGINE_VERSION } from '../../engine/model.ts';
import type { ScenarioRecord, Store } from '../../store/index.ts';
import { HttpError, type RouteDef, route } from '../http.ts';
import {
  Id,
  MAX_SENSITIVITY_RUNS,
  RunSummary,
  ScenarioParams,
  UncertainParam,
  WsParams,
} from '../schemas.ts';
import { workspaceFiles } from '../workspace.ts';
import { notRunnable, runnableScenario, summary } from './runs.ts';

/** A library of the workspace (what a backtest's cases extend). */
async function library(store: Store, ws: string, id: string): Promise<ScenarioRecord> {
  const s = await store.getScenario(ws, id);
  if (s?.kind !== 'library') throw new HttpError(404, 'not_found', 'no such library');
  return s;
}

/** The generic crisis library, as a workspace path: what the ICB backtest scores. */
const GENERIC_LIBRARY = LIBRARY_FILE.slice('scenarios/'.length);

/** A RangeError of the use case as a 422. */
function invalid<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) throw new HttpError(422, 'invalid_analysis', e.message);
    throw e;
  }
}

/** The route that starts an analysis of `kind` in the background (202), from its registry entry. */
function analysisRoute(kind: AnalysisKind, path: string): RouteDef {
  const def = ANALYSES[kind];
  return route({
    method: 'post',
    path,
    summary: `${def.summary}, in the background (202)`,
    tag: 'analyses',
    access: 'analyst',
    params: WsParams,
    body: (def.options as z.ZodObject).safeExtend({ scenarioId: Id }),
    response: RunSummary,
    status: 202,
    errors: [400, 403, 404, 422],
    handler: async ({ c, params, body, user, services }) => {
      const { store, jobs } = services;
      const id = (body as { scenarioId: string }).scenarioId;
      const s = kind.startsWith('backtest')
        ? await library(store, params.ws, id)
        : await runnableScenario(store, params.ws, id);
      let files = await workspaceFiles(store, params.ws);
      let options = body;
      if (kind === 'backtest') {
        // The library's cases among those shipped with Brink, beside the workspace's files.
        const tree = invalid(() => backtestTree(files, s.path, (body as { cases: string[] }).cases));
        files = tree.files;
        options = { ...(body as object), cases: tree.cases };
      } else if (kind === 'backtest-icb') {
        // The generic library as saved here; ICB's data and the saved fits shipped with Brink.
        if (s.path !== GENERIC_LIBRARY)
          throw new HttpError(
            422,
            'invalid_analysis',
            `the ICB backtest scores the generic crisis library, ${GENERIC_LIBRARY} (the library \`brink fit\` fits), not ${s.path}`,
          );
        files = workspaceTree(files);
      }
      // The design is checked (and its work counted) by opening the job once, on a pool thread.
      const a = await services.pool.run(params.ws, {
        op: 'analysis',
        kind,
        files,
        path: s.path,
        options,
      });
      if (!a.ok) {
        if ('notRunnable' in a) {
          const { what, diagnostics } = a.notRunnable;
          throw notRunnable(
            what.startsWith('the scenario') ? `${s.path}${what.slice('the scenario'.length)}` : what,
            diagnostics,
          );
        }
        throw new HttpError(422, 'invalid_analysis', a.invalid);
      }
      const fields = a.fields as ReturnType<(typeof def)['manifest']>;
      if (kind === 'sensitivity' && fields.runs > MAX_SENSITIVITY_RUNS)
        throw new HttpError(
          422,
          'too_large',
          `this design needs ${fields.runs.toLocaleString('en-US')} engine runs; at most ${MAX_SENSITIVITY_RUNS.toLocaleString('en-US')} (lower the samples, runs per point or tornado runs)`,
        );
      const manifest = {
        ...fields,
        scenarioId: s.id,
        scenarioPath: s.path,
        scenarioVersion: s.version,
        engine: ENGINE_VERSION,
        set: {},
      } as RunManifest;
      const run = await store.createRun({
        workspaceId: params.ws,
        scenarioId: s.id,
        manifest,
        files: a.snapshot,
        by: user.id,
      });
      jobs.enqueue(params.ws, run.id);
      return c.json(summary(run), 202);
    },
  });
}

export const analysisRoutes = [
  ...ANALYSIS_KINDS.map((kind) => analysisRoute(kind, `/api/workspaces/:ws/analyses/${kind}`)),
  // The first two analyses' paths, kept for clients written against them.
  analysisRoute('compare', '/api/workspaces/:ws/comparisons'),
  analysisRoute('sensitivity', '/api/workspaces/:ws/sensitivity'),
  route({
    method: 'get',
    path: '/api/workspaces/:ws/scenarios/:id/parameters',
    summary:
      "The scenario's uncertain parameters (with interventions applied): path, nominal value, distribution, source and where it is set",
    tag: 'analyses',
    access: 'viewer',
    params: ScenarioParams,
    query: z.object({
      interventions: z
        .string()
        .max(2000)
        .optional()
        .transform((v) => (v ? v.split(',').filter(Boolean) : [])),
    }),
    response: z.array(UncertainParam),
    errors: [404, 422],
    handler: async ({ c, params, query, services }) => {
      const s = await runnableScenario(services.store, params.ws, params.id);
      const files = await workspaceFiles(services.store, params.ws);
      const rows = await services.pool.run(params.ws, {
        op: 'parameters',
        files,
        path: s.path,
        interventions: query.interventions,
      });
      if (!rows) throw new HttpError(422, 'not_runnable', `${s.path} does not load: fix its errors first`);
      return c.json(
        rows.map((a) => ({
          path: a.path,
          nominal: a.value,
          distribution: a.distribution,
          source: a.source,
          citation: a.citation,
          where: a.where,
        })),
      );
    },
  }),
];
