// A progress bar on stderr for long ensembles: only on a terminal, and only after a second.
import cliProgress from 'cli-progress';
import type { Io } from './io.ts';

export interface Progress {
  onProgress: (done: number, total: number) => Promise<void>;
  stop(): void;
}

export function progressBar(io: Io, unit = 'runs'): Progress {
  const started = performance.now();
  let bar: cliProgress.SingleBar | undefined;
  return {
    async onProgress(done, total) {
      if (!bar && io.errIsTty && performance.now() - started > 1000 && done < total) {
        bar = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: `running [{bar}] {percentage}% | {value}/{total} ${unit} | eta {eta}s`,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done);
      }
      if (bar) {
        bar.update(done);
        await new Promise((r) => setImmediate(r));
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
