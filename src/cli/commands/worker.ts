import { defaultWorkers } from '../../analysis/parallel.ts';
import { QUEUE_NAME, QueueError, redactUrl, serveShards } from '../../distributed/queue.ts';
import { ENGINE_VERSION } from '../../engine/model.ts';
import { UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import { positiveInt, redisUrl, workerCount } from '../options.ts';

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
      30000,
    )
    .option('--stalled-interval <ms>', 'how often to look for shards of dead workers', positiveInt, 30000)
    .action(
      async (o: {
        queue: string;
        workers?: number;
        prefix: string;
        lockDuration: number;
        stalledInterval: number;
      }) => {
        const workers = o.workers ?? defaultWorkers();
        let server: Awaited<ReturnType<typeof serveShards>>;
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
        io.err(
          `brink worker (engine ${ENGINE_VERSION}, pid ${process.pid}): serving queue ${QUEUE_NAME} on ${redactUrl(o.queue)} with ${workers} thread${workers === 1 ? '' : 's'}\n`,
        );
        await new Promise<void>((resolve) => {
          let stopping = false;
          const stop = (signal: string) => {
            if (stopping) {
              // A second signal: drop the shards in hand (other workers redo them) and leave.
              io.err(`brink worker: ${signal} again, stopping now\n`);
              process.off('SIGINT', onInt);
              process.off('SIGTERM', onTerm);
              server.close(true).then(resolve, resolve);
              return;
            }
            stopping = true;
            io.err(`brink worker: ${signal}, finishing the shards in hand (again to stop now)\n`);
            server.close().then(resolve, resolve);
          };
          const onInt = () => stop('SIGINT');
          const onTerm = () => stop('SIGTERM');
          process.on('SIGINT', onInt);
          process.on('SIGTERM', onTerm);
        });
      },
    );
};
