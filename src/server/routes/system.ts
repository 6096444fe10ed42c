// Health, the API description and the scenario JSON Schema: public.
import { z } from 'zod';
import { ENGINE_VERSION } from '../../engine/model.ts';
import { scenarioJsonSchema } from '../../scenario/index.ts';
import { route } from '../http.ts';
import { loadReport } from '../metrics.ts';

export const systemRoutes = [
  route({
    method: 'get',
    path: '/api/health',
    summary:
      'Whether the server and its database answer, the event-loop delay (ms, last 10-20 s) and the queues: request pool, jobs, password hashing',
    tag: 'system',
    access: 'public',
    response: z.object({
      ok: z.boolean(),
      engine: z.string(),
      database: z.string(),
      setupNeeded: z.boolean(),
      eventLoopDelayMs: z.object({ p50: z.number(), p99: z.number(), max: z.number(), window: z.number() }),
      queue: z.object({
        pool: z.object({ threads: z.number(), running: z.number(), waiting: z.number() }),
        jobs: z.object({
          queued: z.number(),
          running: z.number(),
          /** Where jobs' tasks are computed: this server's threads, or `brink worker` processes (BRINK_JOBS). */
          computedOn: z.enum(['thread', 'queue']),
        }),
        passwordHashing: z.object({ running: z.number(), waiting: z.number() }),
      }),
    }),
    handler: async ({ c, services }) => {
      const users = await services.store.countUsers();
      return c.json({
        ok: true,
        engine: ENGINE_VERSION,
        database: services.store.dialect,
        setupNeeded: users === 0,
        ...loadReport(services),
      });
    },
  }),
  route({
    method: 'get',
    path: '/api/schema/scenario.json',
    summary: 'The JSON Schema of the scenario format (for editor completion)',
    tag: 'system',
    access: 'public',
    handler: ({ c }) => c.json(scenarioJsonSchema() as object),
  }),
];
