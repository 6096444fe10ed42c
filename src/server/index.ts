// Starting the workbench: open (and migrate) the store, load the examples on first start, mark runs a
// previous process left unfinished as interrupted, serve HTTP.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { redactUrl, ShardQueueClient } from '../distributed/queue.ts';
import { ENGINE_VERSION } from '../engine/model.ts';
import type { Clock } from '../exercise/clock.ts';
import { openStore, type Store } from '../store/index.ts';
import { createApp } from './app.ts';
import { ExerciseJobs } from './exercises/jobs.ts';
import { ExerciseRoom } from './exercises/room.ts';
import type { Services } from './http.ts';
import { jobsOnThreads } from './job-thread.ts';
import type { JobQueue } from './job-worker.ts';
import { RunQueue } from './jobs.ts';
import { RequestMetrics } from './metrics.ts';
import { type PoolOptions, WorkPool } from './pool.ts';
import { openTalks, type TalksOptions } from './talks/index.ts';
import { loadExamples } from './workspace.ts';

/** Checks BRINK_HASH_CONCURRENCY (for `brink serve`, which starts the server through this module only). */
export { hashConcurrencyOf } from './auth.ts';
/** Where jobs' tasks are computed (BRINK_JOBS), for `brink serve`. */
export type { JobQueue } from './job-worker.ts';

export interface ServerOptions {
  port: number;
  host: string;
  /** `postgres://…`, or a SQLite file path. */
  database: string;
  examplesDir?: string;
  webDir?: string;
  secureCookies?: boolean;
  /** BRINK_PUBLIC_URL: where users reach the server (https makes cookies Secure). */
  publicUrl?: string;
  /** BRINK_TRUST_PROXY: how many reverse proxies in front to trust for client address and scheme. */
  trustProxy?: number;
  /** BRINK_METRICS_TOKEN: lets callers off this machine read /metrics with it as a Bearer token. */
  metricsToken?: string;
  /** BRINK_JOBS=redis://…: jobs' tasks computed by `brink worker` processes on this queue. */
  jobs?: JobQueue;
  log?: (line: string) => void;
}

export interface Running {
  url: string;
  store: Store;
  services: Services;
  close(): Promise<void>;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
export const DEFAULT_EXAMPLES = `${root}scenarios`;
export const DEFAULT_WEB = `${root}dist/web`;

/** The most header bytes a request may carry (Node answers 431 beyond). */
export const MAX_HEADER_BYTES = 16 * 1024;

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

/** Opens the store and prepares it: examples into a first workspace, interrupted runs marked. */
export async function prepareServices(opts: {
  database: string;
  examplesDir: string;
  setupToken: string | undefined;
  secureCookies: boolean;
  publicUrl?: string | undefined;
  trustProxy?: number | undefined;
  talks?: TalksOptions;
  /** The request worker pool's size and limits (default: BRINK_POOL_THREADS or the cores; 128 waiting). */
  pool?: PoolOptions;
  metricsToken?: string | undefined;
  /** Where jobs' tasks are computed: by the workers of this Redis queue, or (default) on threads here. */
  jobs?: JobQueue | undefined;
  /** The wall clock of real-time exercises (default: the server's; a test moves its own). */
  clock?: Clock;
}): Promise<Services & { interrupted: string[]; seeded: number }> {
  const store = await openStore(opts.database);
  let seeded = 0;
  if ((await store.listWorkspaces()).length === 0) {
    const ws = await store.createWorkspace('Default');
    seeded = await loadExamples(store, ws.id, opts.examplesDir, null);
  }
  const interrupted = await store.markInterrupted();
  await store.deleteExpiredSessions(new Date().toISOString());
  await store.security.deleteStaleThrottles(new Date(Date.now() - 86_400_000).toISOString());
  // Each job on a worker thread of its own, in slices of about 100 ms (a cancel waits at most one); with
  // a queue, the thread hands the job's tasks to `brink worker` processes and absorbs their results.
  const jobs = new RunQueue(store, {
    open: jobsOnThreads(opts.jobs),
    sliceMs: 100,
    computedOn: opts.jobs ? 'queue' : 'thread',
  });
  const pool = new WorkPool(opts.pool);
  // The talks room's scenario work (convening, a delegation's form, drafts' interventions) on the pool.
  const talks = await openTalks(store, opts.database, jobs, {
    ...opts.talks,
    work: (scope, task) => pool.run(scope, task),
  });
  // Exercise content is sealed under the talks room's master key (one keyring, one rotation).
  // Exercises compile their scenario and each game document (a team's act, a fired inject) on the pool.
  const exercises = new ExerciseRoom(store, talks.room.keys, opts.clock, (scope) => ({
    base: (scenario) => pool.run(scope, { op: 'exerciseBase', scenario }),
    model: (doc, path) => pool.run(scope, { op: 'exerciseModel', doc, path }),
  }));
  await store.exercises.markInterruptedJobs();
  const exerciseJobs = new ExerciseJobs(exercises, jobs);
  exercises.startClock();
  return {
    store,
    jobs,
    pool,
    metrics: new RequestMetrics(),
    metricsToken: opts.metricsToken,
    talks,
    exercises,
    exerciseJobs,
    auth: {
      secureCookies: opts.secureCookies,
      setupToken: opts.setupToken,
      publicUrl: opts.publicUrl ? new URL(opts.publicUrl) : undefined,
      trustProxy: opts.trustProxy ?? 0,
    },
    examplesDir: opts.examplesDir,
    interrupted,
    seeded,
  };
}

/** How long `brink serve` waits for the Redis of BRINK_JOBS at start before it refuses to start. */
const JOBS_PROBE_MS = 10_000;

/** Checks at start that the jobs' Redis answers; says how many workers are there now. */
async function probeJobQueue(queue: JobQueue): Promise<string> {
  const client = await ShardQueueClient.open({
    url: queue.url,
    timeoutMs: JOBS_PROBE_MS,
    ...(queue.prefix !== undefined ? { prefix: queue.prefix } : {}),
  });
  try {
    const n = await client.workers();
    return `Jobs are computed by \`brink worker\` processes on ${redactUrl(queue.url)} (${n} of engine ${ENGINE_VERSION} connected now${n === 0 ? ': start `brink worker --queue URL`' : ''}).`;
  } finally {
    await client.close();
  }
}

export async function startServer(opts: ServerOptions): Promise<Running> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const jobsLine = opts.jobs ? await probeJobQueue(opts.jobs) : undefined;
  // Off loopback, whoever reaches the server first could claim the owner account: require a token.
  const setupToken = isLoopback(opts.host) ? undefined : randomBytes(18).toString('base64url');
  const services = await prepareServices({
    database: opts.database,
    examplesDir: opts.examplesDir ?? DEFAULT_EXAMPLES,
    setupToken,
    secureCookies: opts.secureCookies ?? false,
    publicUrl: opts.publicUrl,
    trustProxy: opts.trustProxy,
    metricsToken: opts.metricsToken,
    jobs: opts.jobs,
  });
  const app = createApp(services, { webDir: opts.webDir ?? DEFAULT_WEB });
  const server = serve({
    fetch: app.fetch,
    port: opts.port,
    hostname: opts.host,
    // Header limits at the edge: Node answers 431 past 16 KB of headers; a client gets 60 s to send its
    // headers and 5 minutes for the whole request (docs/security.md).
    serverOptions: { maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: 60_000, requestTimeout: 300_000 },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  log(
    `Brink workbench on ${url} (database: ${services.store.dialect}${services.store.dialect === 'sqlite' ? ` ${opts.database}` : ''})`,
  );
  if (jobsLine) log(jobsLine);
  if (services.seeded) log(`Loaded ${services.seeded} example files into workspace "Default".`);
  if (services.interrupted.length)
    log(
      `${services.interrupted.length} run(s) were interrupted by the last stop: resume or re-run them from the run history.`,
    );
  if ((await services.store.countUsers()) === 0) {
    log(
      setupToken
        ? `First start: open ${url}/setup?token=${setupToken} to create the owner account (one-time link).`
        : `First start: open ${url} and create your account; it becomes owner of workspace "Default".`,
    );
  }
  return {
    url,
    store: services.store,
    services,
    close: async () => {
      await services.jobs.stop();
      await services.talks?.jobs.stop();
      services.exercises.stopClock();
      await services.exerciseJobs.stop();
      await services.pool.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Open event streams and keep-alive connections would hold close() forever.
      if ('closeAllConnections' in server) server.closeAllConnections();
      await closed;
      await services.store.close();
    },
  };
}
