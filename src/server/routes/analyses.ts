// Analyses in the background, one route per analysis of the registry (src/analysis/registry.ts):
// `POST /api/workspaces/{ws}/analyses/{kind}` for compare, sensitivity, sweep, break-even and rare-event
// estimates (and the older `/comparisons` and `/sensitivity` paths of the first two). Each is stored as
// a job in the run history (same table, `manifest.kind`), so following (SSE), cancelling, resuming,
// re-running and downloading the report go through the `…/runs/{run}/…` routes.
import { z } from 'zod';
import { ANALYSES, ANALYSIS_KINDS, type AnalysisKind } from '../../analysis/registry.ts';
import { scenarioAssumptions } from '../../analysis/report/index.ts';
import type { RunManifest } from '../../contract/runs.ts';
import { ENGINE_VERSION } from '../../engine/model.ts';
import { applyInterventions, loadDocument } from '../../scenario/load.ts';
import { NotRunnableError, preparerIn } from '../analysis-jobs.ts';
import { HttpError, type RouteDef, route } from '../http.ts';
import {
  Id,
  MAX_SENSITIVITY_RUNS,
  RunSummary,
  ScenarioParams,
  UncertainParam,
  WsParams,
} from '../schemas.ts';
import { type Files, workspaceFiles } from '../workspace.ts';
import { notRunnable, runnableScenario, summary } from './runs.ts';

/** The validated document with interventions applied, and its source positions (for labels and sources). */
function documentWith(files: Files, path: string, interventions: string[]) {
  const loaded = loadDocument(path, {
    readFile: (p) => (Object.hasOwn(files, p) ? files[p] : undefined),
  });
  if (!loaded.doc) return undefined;
  if (!interventions.length) return { doc: loaded.doc, locations: loaded.locations };
  const a = applyInterventions(loaded.doc, interventions, loaded.locations);
  return a.doc ? { doc: a.doc, locations: a.locations } : undefined;
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
      const s = await runnableScenario(store, params.ws, (body as { scenarioId: string }).scenarioId);
      const files = await workspaceFiles(store, params.ws);
      const snapshot: Files = {};
      const prepare = preparerIn(files, s.path, {}, snapshot);
      let fields: ReturnType<(typeof def)['manifest']>;
      try {
        // The design is checked (and its work counted) by opening the job once.
        fields = (def.manifest as (p: typeof prepare, o: unknown, e: string) => typeof fields)(
          prepare,
          body,
          ENGINE_VERSION,
        );
      } catch (e) {
        if (e instanceof NotRunnableError)
          throw notRunnable(`${s.path}${e.what.replace(/^the scenario/, '')}`, e.diagnostics);
        if (e instanceof RangeError) throw new HttpError(422, 'invalid_analysis', e.message);
        throw e;
      }
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
        files: snapshot,
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
      const d = documentWith(files, s.path, query.interventions);
      if (!d) throw new HttpError(422, 'not_runnable', `${s.path} does not load: fix its errors first`);
      const rows = scenarioAssumptions(d.doc, {
        locations: d.locations,
        readText: (f) => (Object.hasOwn(files, f) ? files[f] : undefined),
      });
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
