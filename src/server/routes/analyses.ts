// Analyses in the background: paired comparisons of interventions and sensitivity analyses. Both are
// stored as jobs in the run history (same table, `manifest.kind`), so following (SSE), cancelling,
// resuming, re-running and downloading the report go through the `…/runs/{run}/…` routes.
import { z } from 'zod';
import { scenarioAssumptions } from '../../analysis/report/index.ts';
import { SensitivityJob } from '../../analysis/sensitivity.ts';
import { ENGINE_VERSION } from '../../engine/model.ts';
import { applyInterventions, loadDocument } from '../../scenario/load.ts';
import { sensitivityOptions } from '../analysis-jobs.ts';
import { HttpError, route } from '../http.ts';
import {
  CompareOptions,
  Id,
  MAX_SENSITIVITY_RUNS,
  RunSummary,
  ScenarioParams,
  SensitivityOptions,
  UncertainParam,
  WsParams,
} from '../schemas.ts';
import { type Files, prepareInFiles, workspaceFiles } from '../workspace.ts';
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

export const analysisRoutes = [
  route({
    method: 'post',
    path: '/api/workspaces/:ws/comparisons',
    summary:
      'Compares interventions (or combinations a+b) with the baseline on common random numbers in the background (202): paired differences, saved and harmed runs, mechanisms (as `brink compare`)',
    tag: 'analyses',
    access: 'analyst',
    params: WsParams,
    body: CompareOptions.extend({ scenarioId: Id }),
    response: RunSummary,
    status: 202,
    errors: [400, 403, 404, 422],
    handler: async ({ c, params, body, user, services }) => {
      const { store, jobs } = services;
      const s = await runnableScenario(store, params.ws, body.scenarioId);
      const files = await workspaceFiles(store, params.ws);
      const base = prepareInFiles(files, s.path);
      if (!base.model || base.hash === undefined) throw notRunnable(s.path, base.diagnostics);
      const snapshot: Files = { ...base.snapshot };
      for (const arm of body.arms) {
        const p = prepareInFiles(files, s.path, { interventions: [arm] });
        if (!p.model) throw notRunnable(`${s.path} with ${arm}`, p.diagnostics);
        if (p.model.rungIds.join() !== base.model.rungIds.join())
          throw new HttpError(
            422,
            'not_comparable',
            `${arm} changes the escalation ladder; arms must share it`,
          );
        Object.assign(snapshot, p.snapshot);
      }
      const run = await store.createRun({
        workspaceId: params.ws,
        scenarioId: s.id,
        manifest: {
          kind: 'compare',
          scenarioId: s.id,
          scenarioPath: s.path,
          scenarioVersion: s.version,
          hash: base.hash,
          engine: ENGINE_VERSION,
          seed: body.seed,
          runs: body.runs,
          interventions: [],
          set: {},
          compare: { arms: body.arms, traceRuns: body.traceRuns },
        },
        files: snapshot,
        by: user.id,
      });
      jobs.enqueue(params.ws, run.id);
      return c.json(summary(run), 202);
    },
  }),
  route({
    method: 'post',
    path: '/api/workspaces/:ws/sensitivity',
    summary:
      'Sensitivity of a metric to every uncertain parameter in the background (202): tornado (one at a time) and Sobol first-order and total indices with bootstrap intervals (as `brink sensitivity`)',
    tag: 'analyses',
    access: 'analyst',
    params: WsParams,
    body: SensitivityOptions.safeExtend({ scenarioId: Id }),
    response: RunSummary,
    status: 202,
    errors: [400, 403, 404, 422],
    handler: async ({ c, params, body, user, services }) => {
      const { store, jobs } = services;
      const s = await runnableScenario(store, params.ws, body.scenarioId);
      const files = await workspaceFiles(store, params.ws);
      const p = prepareInFiles(files, s.path, { interventions: body.interventions });
      if (!p.model || !p.doc || p.hash === undefined) throw notRunnable(s.path, p.diagnostics);
      const settings = {
        metric: body.metric,
        tornadoRuns: body.tornadoRuns,
        low: body.low,
        high: body.high,
        samples: body.samples,
        runsPerPoint: body.runsPerPoint,
        bootstrap: body.bootstrap,
        only: body.only,
        parameters: 0,
      };
      let job: SensitivityJob;
      try {
        job = new SensitivityJob(
          p.doc,
          { hash: p.hash, interventions: p.model.interventions, engine: ENGINE_VERSION },
          sensitivityOptions(body.seed, settings),
        );
      } catch (e) {
        if (e instanceof RangeError) throw new HttpError(422, 'invalid_analysis', e.message);
        throw e;
      }
      if (job.totalRuns > MAX_SENSITIVITY_RUNS)
        throw new HttpError(
          422,
          'too_large',
          `this design needs ${job.totalRuns.toLocaleString('en-US')} engine runs; at most ${MAX_SENSITIVITY_RUNS.toLocaleString('en-US')} (lower the samples, runs per point or tornado runs)`,
        );
      settings.parameters = job.targets.length;
      const run = await store.createRun({
        workspaceId: params.ws,
        scenarioId: s.id,
        manifest: {
          kind: 'sensitivity',
          scenarioId: s.id,
          scenarioPath: s.path,
          scenarioVersion: s.version,
          hash: p.hash,
          engine: ENGINE_VERSION,
          seed: body.seed,
          runs: job.totalRuns,
          interventions: body.interventions,
          set: {},
          sensitivity: settings,
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
