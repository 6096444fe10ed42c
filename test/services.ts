// Real services for tests, started by the tests themselves on loopback: free ports, temp dirs.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './scenarios.ts';

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A child process whose output lines are kept, with a wait for a line that matches. */
export class Proc {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  /** What it printed on stdout, and its stderr lines (`lines` has both, in order). */
  out = '';
  readonly errLines: string[] = [];
  #waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  readonly exited: Promise<number | null>;

  constructor(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
    this.child = spawn(cmd, args, {
      cwd: opts.cwd ?? ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
    });
    for (const s of [this.child.stdout!, this.child.stderr!]) {
      let buf = '';
      const isErr = s === this.child.stderr;
      s.setEncoding('utf8');
      s.on('data', (d: string) => {
        if (!isErr) this.out += d;
        buf += d;
        let nl = buf.indexOf('\n');
        while (nl >= 0) {
          if (isErr) this.errLines.push(buf.slice(0, nl));
          this.#line(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          nl = buf.indexOf('\n');
        }
      });
    }
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  #line(line: string): void {
    this.lines.push(line);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.re.test(line)) return true;
      w.resolve(line);
      return false;
    });
  }

  /** The first line (already printed or to come) that matches; rejects after `ms`. */
  waitFor(re: RegExp, ms = 60_000): Promise<string> {
    const seen = this.lines.find((l) => re.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${re}; output:\n${this.lines.join('\n')}`)),
        ms,
      );
      this.#waiters.push({
        re,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

export interface RedisServer {
  url: string;
  port: number;
  /** The directory of its files (the AOF with `aof`). */
  dir: string;
  /** Kills the server (SIGKILL: no chance to save) and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and directory (empty, or from its AOF). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts Debian's redis-server on a free loopback port in a temp dir: no persistence, or with `aof` an
 * append-only file synced every second (what docs/distributed.md recommends).
 */
export async function startRedis(opts: { aof?: boolean } = {}): Promise<RedisServer> {
  if (!existsSync('/usr/bin/redis-server'))
    throw new Error('redis-server is not installed (apt-get install -y redis-server; .ci/run does it)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'brink-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir];
  args.push(...(opts.aof ? ['--appendonly', 'yes', '--appendfsync', 'everysec'] : ['--appendonly', 'no']));
  const start = async () => {
    const proc = new Proc('/usr/bin/redis-server', args);
    await proc.waitFor(/Ready to accept connections/, 20_000);
    return proc;
  };
  let p = await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    async kill() {
      p.kill('SIGKILL');
      await p.exited;
    },
    async restart() {
      p = await start();
    },
    async stop() {
      p.kill('SIGTERM');
      await p.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `brink` from the compiled dist/ (built by `npm test` before the tests) as a child process. */
export function brinkProcess(args: string[], env?: Record<string, string>): Proc {
  if (!existsSync(join(ROOT, 'dist/cli/main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  return new Proc(process.execPath, [join(ROOT, 'bin/brink.js'), ...args], env ? { env } : {});
}

export interface TcpProxy {
  /** `redis://127.0.0.1:PORT` when the target is Redis. */
  url: string;
  port: number;
  /**
   * A network partition: no byte goes through either way and no connection is closed (the peers only
   * see silence); connections opened meanwhile wait unanswered.
   */
  freeze(): void;
  /** The partition heals: everything held goes through. */
  thaw(): void;
  close(): Promise<void>;
}

/** A TCP proxy on a free loopback port to `127.0.0.1:targetPort`, to cut the network without root. */
export async function startProxy(targetPort: number): Promise<TcpProxy> {
  const port = await freePort();
  let frozen = false;
  const pairs = new Set<{ a: Socket; b: Socket | undefined }>();
  const link = (pair: { a: Socket; b: Socket | undefined }) => {
    const b = connect(targetPort, '127.0.0.1');
    pair.b = b;
    pair.a.pipe(b);
    b.pipe(pair.a);
    b.on('error', () => pair.a.destroy());
    b.on('close', () => pair.a.destroy());
  };
  const server = createServer((a) => {
    const pair: { a: Socket; b: Socket | undefined } = { a, b: undefined };
    pairs.add(pair);
    a.on('error', () => pair.b?.destroy());
    a.on('close', () => {
      pair.b?.destroy();
      pairs.delete(pair);
    });
    if (frozen) a.pause();
    else link(pair);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    freeze() {
      frozen = true;
      for (const { a, b } of pairs) {
        a.unpipe();
        b?.unpipe();
        a.pause();
        b?.pause();
      }
    },
    thaw() {
      frozen = false;
      for (const pair of pairs) {
        if (!pair.b) {
          link(pair);
        } else {
          pair.a.pipe(pair.b);
          pair.b.pipe(pair.a);
        }
        pair.a.resume();
        pair.b!.resume();
      }
    },
    async close() {
      for (const { a, b } of pairs) {
        a.destroy();
        b?.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A one-thread `brink worker` on `url` with short locks, so that a dead worker's task comes back
 * within seconds (`--lock-duration 1500 --stalled-interval 500`).
 */
export function quickWorker(url: string, extra: string[] = []): Proc {
  return brinkProcess([
    'worker',
    '--queue',
    url,
    '--workers',
    '1',
    '--lock-duration',
    '1500',
    '--stalled-interval',
    '500',
    ...extra,
  ]);
}
