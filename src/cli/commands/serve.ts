import { redactUrl } from '../../distributed/queue.ts';
import { hashConcurrencyOf, type JobQueue, startServer } from '../../server/index.ts';
import { UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import { nonNegativeInt } from '../options.ts';
import { databaseOf } from './admin.ts';

function publicUrl(text: string): string {
  try {
    const u = new URL(text);
    if (u.protocol === 'https:' || u.protocol === 'http:') return u.toString();
  } catch {
    // below
  }
  throw new UserError(
    `BRINK_PUBLIC_URL must be an http(s) URL such as https://brink.example.org, got ${text}`,
  );
}

function trustProxy(text: string | undefined): number {
  if (text === undefined || text === '' || text === '0' || text === 'false') return 0;
  if (text === 'true') return 1;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 10)
    throw new UserError(
      `BRINK_TRUST_PROXY is the number of reverse proxies in front of the server (0-10), got ${text}`,
    );
  return n;
}

/**
 * BRINK_JOBS: unset, empty or `threads` computes jobs on this server's threads; `redis://…` sends their
 * tasks to `brink worker` processes on that queue (BRINK_JOBS_PREFIX: the Redis key prefix, default
 * `brink`, as `brink worker --prefix`).
 */
function jobsOf(text: string | undefined, prefix: string | undefined): JobQueue | undefined {
  if (text === undefined || text === '' || text === 'threads') return undefined;
  if (!/^rediss?:\/\/[^/]/.test(text))
    throw new UserError(
      `BRINK_JOBS is where jobs are computed: \`threads\` (default) or a Redis queue such as redis://127.0.0.1:6379 served by \`brink worker --queue URL\`, got ${redactUrl(text)}`,
    );
  if (prefix !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(prefix))
    throw new UserError(`BRINK_JOBS_PREFIX is a Redis key prefix (letters, digits, _ . -), got ${prefix}`);
  return { url: text, ...(prefix ? { prefix } : {}) };
}

export const registerServe: Registrar = (program, io) => {
  program
    .command('serve')
    .description(
      'serve the web workbench (SQLite in --data by default; DATABASE_URL=postgres://… for PostgreSQL)',
    )
    .option('-p, --port <port>', 'port (default: $PORT or 8080)', nonNegativeInt)
    .option('--host <host>', 'address to listen on (default: $HOST or 127.0.0.1)')
    .option('--data <dir>', 'directory of the SQLite database (default: $BRINK_DATA or .brink)')
    .option('--database <url>', 'database URL or SQLite file (default: $DATABASE_URL or DATA/brink.db)')
    .action(async (o: { port?: number; host?: string; data?: string; database?: string }) => {
      const port = o.port ?? Number(process.env.PORT ?? 8080);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UserError(`PORT must be a port number, got ${process.env.PORT}`);
      const host = o.host ?? process.env.HOST ?? '127.0.0.1';
      const database = databaseOf(o, io);
      const hashes = process.env.BRINK_HASH_CONCURRENCY;
      if (hashes !== undefined && hashes !== '' && hashConcurrencyOf(hashes) === undefined)
        throw new UserError(
          `BRINK_HASH_CONCURRENCY is how many password hashes run at once (1-64; each takes 64 MiB), got ${hashes}`,
        );
      const jobs = jobsOf(process.env.BRINK_JOBS, process.env.BRINK_JOBS_PREFIX);
      let running: Awaited<ReturnType<typeof startServer>>;
      try {
        running = await startServer({
          port,
          host,
          database,
          secureCookies: process.env.BRINK_SECURE_COOKIES === '1',
          ...(process.env.BRINK_PUBLIC_URL ? { publicUrl: publicUrl(process.env.BRINK_PUBLIC_URL) } : {}),
          trustProxy: trustProxy(process.env.BRINK_TRUST_PROXY),
          ...(process.env.BRINK_METRICS_TOKEN ? { metricsToken: process.env.BRINK_METRICS_TOKEN } : {}),
          ...(jobs ? { jobs } : {}),
          log: (l) => io.out(`${l}\n`),
        });
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        if (/EADDRINUSE/.test(msg))
          throw new UserError(`port ${port} is in use: set PORT or --port to another`);
        throw new UserError(`cannot start the workbench: ${msg}`);
      }
      await new Promise<void>((resolve) => {
        const stop = () => {
          io.out('Stopping…\n');
          void running.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
};
