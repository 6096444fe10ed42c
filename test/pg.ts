// A hermetic PostgreSQL 15 cluster for tests: initdb in a temp dir, started on a free loopback port,
// removed afterwards. As root (CI), the server runs as the `postgres` user, which initdb requires.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Whatever major version the distribution ships (15 on Debian 12, 16 on Ubuntu 24.04, 17 on Debian 13).
const BIN = (existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [])
  .map((v) => `/usr/lib/postgresql/${v}/bin`)
  .filter((d) => existsSync(join(d, 'initdb')))
  .sort((a, b) => Number(a.split('/')[4]) - Number(b.split('/')[4]))
  .at(-1);

export interface PgCluster {
  url: string;
  stop(): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function asPostgres(cmd: string, args: string[]): void {
  const root = process.getuid?.() === 0;
  const r = root
    ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8' })
    : spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
}

/** Starts a throwaway cluster; throws with a clear message when PostgreSQL is not installed. */
export async function startPostgres(): Promise<PgCluster> {
  if (!BIN)
    throw new Error('PostgreSQL server binaries not found: apt-get install -y postgresql (.ci/run does)');
  const dir = mkdtempSync(join(tmpdir(), 'brink-pg-'));
  const data = join(dir, 'data');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  const port = await freePort();
  asPostgres(join(BIN, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'brink', '--no-sync', '-E', 'UTF8']);
  asPostgres(join(BIN, 'pg_ctl'), [
    '-D',
    data,
    '-w',
    '-l',
    join(dir, 'log'),
    '-o',
    `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off`,
    'start',
  ]);
  const stop = () => {
    try {
      asPostgres(join(BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { url: `postgres://brink@127.0.0.1:${port}/postgres`, stop };
}

/** A fresh database in the cluster, so suites do not see each other's rows. */
export async function createDatabase(cluster: PgCluster, name: string): Promise<string> {
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: cluster.url });
  await c.connect();
  await c.query(`create database "${name}"`);
  await c.end();
  return cluster.url.replace(/\/postgres$/, `/${name}`);
}
