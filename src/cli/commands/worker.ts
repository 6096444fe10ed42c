import { createServer, type Server } from 'node:http';
import { InvalidArgumentError } from 'commander';
import { defaultWorkers } from '../../analysis/parallel.ts';
import { connect } from '../../distributed/connection.ts';
import {
  DEFAULT_LOCK_DURATION_MS,
  DEFAULT_STALLED_INTERVAL_MS,
  listWorkers,
  printable,
  QueueError,
  redactUrl,
  type ShardServer,
  serveShards,
  type WorkerStatus,
} from '../../distributed/queue.ts';
import { UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import { positiveInt, redisUrl, workerCount } from '../options.ts';

/** `PORT` or `HOST:PORT` (the host defaults to loopback). */
function healthAddress(value: string): { host: string; port: number } {
  const m = /^(?:(.+):)?(\d+)$/.exec(value);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new InvalidArgumentError('expected a port (8081) or HOST:PORT (0.0.0.0:8081)');
  return { host: m[1] ?? '127.0.0.1', port };
}

/** GET /health: the worker's status as JSON; 200 while it has Redis, 503 while it has not. */
function healthServer(server: ShardServer, at: { host: string; port: number }): Promise<Server> {
  const http = createServer((req, res) => {
    const s = server.status();
    const ok = s.redisDownMs === null;
    res.writeHead(req.url === '/health' || req.url === '/' ? (ok ? 200 : 503) : 404, {
      'content-type': 'application/json',
    });
    res.end(`${JSON.stringify({ status: ok ? 'ok' : 'redis-unreachable', ...s })}\n`);
  });
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(at.port, at.host, () => resolve(http));
  });
}

export const registerWorker: Registrar = (program, io) => {
  program
    .command('worker')
    .description('serve ensemble shards from a Redis queue (for `brink run --queue`) until stopped')
    .requiredOption('--queue <url>', 'the Redis queue, redis://[:password@]HOST:PORT[/db]', redisUrl)
    .option('--workers <n>', 'worker threads (shards at once; default: the cores)', workerCount)
    .option('--prefix <p>', 'prefix of the Redis keys (producers and workers must agree)', 'brink')
    .option(
      '--lock-duration <ms>',
      'a worker silent this long is taken for dead and its shard redone',
      positiveInt,
      DEFAULT_LOCK_DURATION_MS,
    )
    .option(
      '--stalled-interval <ms>',
      'how often to look for shards of dead workers',
      positiveInt,
      DEFAULT_STALLED_INTERVAL_MS,
    )
    .option(
      '--health-port <[host:]port>',
      'serve GET /health (JSON; 503 while Redis is unreachable) on this port (host default 127.0.0.1)',
      healthAddress,
    )
    .action(
      async (o: {
        queue: string;
        workers?: number;
        prefix: string;
        lockDuration: number;
        stalledInterval: number;
        healthPort?: { host: string; port: number };
      }) => {
        const workers = o.workers ?? defaultWorkers();
        let server: ShardServer;
        try {
          server = await serveShards({
            url: o.queue,
            prefix: o.prefix,
            workers,
            lockDuration: o.lockDuration,
            stalledInterval: o.stalledInterval,
            log: (line) => io.err(`${line}\n`),
          });
        } catch (e) {
          if (e instanceof QueueError) throw new UserError(e.message);
          throw e;
        }
        let health: Server | undefined;
        if (o.healthPort) {
          try {
            health = await healthServer(server, o.healthPort);
          } catch (e) {
            await server.close(true);
            throw new UserError(
              `--health-port: cannot listen on ${o.healthPort.host}:${o.healthPort.port}: ${e instanceof Error ? e.message : String(e)}`,
            );
          }
        }
        const s = server.status();
        io.err(
          `brink worker (engine ${s.engine}, format ${s.format}, pid ${process.pid}): serving queue ${server.queue} on ${redactUrl(o.queue)} with ${workers} thread${workers === 1 ? '' : 's'}${health ? `; health on http://${o.healthPort!.host}:${o.healthPort!.port}/health` : ''}\n`,
        );
        await new Promise<void>((resolve) => {
          let stopping = false;
          const done = () => {
            health?.close();
            resolve();
          };
          const stop = (signal: string) => {
            if (stopping) {
              // A second signal: drop the shards in hand (other workers redo them) and leave.
              io.err(`brink worker: ${signal} again, stopping now\n`);
              process.off('SIGINT', onInt);
              process.off('SIGTERM', onTerm);
              server.close(true).then(done, done);
              return;
            }
            stopping = true;
            io.err(`brink worker: ${signal}, finishing the shards in hand (again to stop now)\n`);
            server.close().then(done, done);
          };
          const onInt = () => stop('SIGINT');
          const onTerm = () => stop('SIGTERM');
          process.on('SIGINT', onInt);
          process.on('SIGTERM', onTerm);
        });
      },
    );

  program
    .command('workers')
    .description('list the `brink worker` processes alive on a Redis queue (from their heartbeats)')
    .requiredOption('--queue <url>', 'the Redis queue, redis://[:password@]HOST:PORT[/db]', redisUrl)
    .option('--prefix <p>', 'prefix of the Redis keys', 'brink')
    .option('--json', 'print one JSON array on stdout')
    .action(async (o: { queue: string; prefix: string; json?: boolean }) => {
      let list: WorkerStatus[];
      try {
        const redis = await connect(o.queue);
        try {
          list = await listWorkers(redis, o.prefix);
        } finally {
          redis.disconnect();
        }
      } catch (e) {
        if (e instanceof QueueError) throw new UserError(e.message);
        throw e;
      }
      if (o.json) {
        io.out(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      io.out(renderWorkers(list, redactUrl(o.queue), Date.now()));
    });
};

/** One line per live worker: where, which engine, how busy, what it computes. */
export function renderWorkers(list: WorkerStatus[], url: string, now: number): string {
  if (list.length === 0) return `no worker is alive on ${url}\n`;
  // Heartbeats are written by whoever can write to Redis: no control characters reach the terminal.
  const rows = list.map((raw) => {
    const w = {
      ...raw,
      name: printable(raw.name),
      host: printable(raw.host),
      engine: printable(raw.engine),
      format: printable(raw.format),
      running: (Array.isArray(raw.running) ? raw.running : []).map((r) => ({ ...r, job: printable(r.job) })),
    };
    const age = Math.max(0, Math.round((now - w.seenAt) / 1000));
    const up = Math.round((now - w.startedAt) / 1000);
    const busy = w.running.length
      ? `${w.running.length}/${w.threads} busy: ${w.running.map((r) => r.job).join(', ')}`
      : `idle (${w.threads} thread${w.threads === 1 ? '' : 's'})`;
    const redis = w.redisDownMs === null ? '' : '  REDIS UNREACHABLE';
    return `${w.name} on ${w.host}  engine ${w.engine} format ${w.format}  up ${up} s, seen ${age} s ago  ${w.done} done, ${w.failed} failed  ${busy}${redis}`;
  });
  return `${list.length} worker${list.length === 1 ? '' : 's'} alive on ${url}:\n${rows.map((r) => `  ${r}\n`).join('')}`;
}
