// Request limits at the edge (issue 12, finding 3): a 200 MB body to a route, before or after sign-in,
// gets 413 without being read, and the server process's resident memory barely moves. The server runs as
// a real child process (`brink serve`); its memory is read from /proc, and the test streams the body from
// one reused 1 MB buffer so that nothing of it accumulates on either side.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BODY_LIMITS, jsonDepth, MAX_JSON_DEPTH } from '../../src/server/http.ts';
import { freePort } from '../pg.ts';
import { Client, PASSWORD, setupOwner, type TestServer, testServer } from './helpers.ts';

const ENTRY = fileURLToPath(new URL('./serve-entry.ts', import.meta.url));
const MB = 1024 * 1024;

/** Resident memory of a process (kB fields of /proc/PID/status), in bytes. */
function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1]) * 1024;
  return { rss: field('VmRSS'), hwm: field('VmHWM') };
}

/** Resets the process's peak-RSS mark (VmHWM), so that the next reading is the peak from now on. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

interface Sent {
  status: number;
  body: string;
  /** Bytes the client managed to write before the server answered and closed. */
  written: number;
}

/**
 * Streams `total` bytes of a JSON-looking body to `path`, with a Content-Length or chunked, from one
 * reused buffer; resolves with the server's answer.
 */
function flood(
  port: number,
  method: string,
  path: string,
  total: number,
  headers: Record<string, string>,
  chunked = false,
): Promise<Sent> {
  const chunk = Buffer.alloc(MB, 0x20);
  chunk.write('{"email":"x@example.org","password":"', 0);
  return new Promise((resolve, reject) => {
    let written = 0;
    let status = 0;
    let body = '';
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      req.destroy();
      resolve({ status, body, written });
    };
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: {
          'content-type': 'application/json',
          ...headers,
          ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(total) }),
        },
      },
      (res) => {
        status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', done);
        // The server closes the connection once it stops draining: what was read stands.
        res.on('error', done);
        res.on('aborted', done);
      },
    );
    req.on('error', (e) => {
      // Writing fails once the server closes; the answer came before that, or the test fails.
      if (status) done();
      else if (!settled) {
        settled = true;
        reject(e);
      }
    });
    const pump = () => {
      while (written < total && !req.destroyed) {
        const n = Math.min(chunk.length, total - written);
        written += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      if (!req.destroyed) req.end();
    };
    pump();
  });
}

describe('request limits in a real server process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brink-limits-'));
  let child: ChildProcess;
  let port: number;
  let cookie = '';
  let csrf = '';
  let ws = '';
  let scenario = '';

  before(async () => {
    port = await freePort();
    child = spawn(process.execPath, ['--import', 'tsx', ENTRY, '--port', String(port), '--data', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
    });
    child.stderr!.on('data', (d) => {
      out += d;
    });
    for (let i = 0; i < 300 && !out.includes('Brink workbench on'); i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.match(out, /Brink workbench on/);
    const base = `http://127.0.0.1:${port}`;
    const setup = await fetch(`${base}/api/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'owner@example.org', name: 'Owner', password: PASSWORD }),
    });
    assert.equal(setup.status, 201);
    cookie = setup.headers.get('set-cookie')!.split(';')[0]!;
    const me = (await setup.json()) as { csrfToken: string; workspaces: { id: string }[] };
    csrf = me.csrfToken;
    ws = me.workspaces[0]!.id;
    const list = await fetch(`${base}/api/workspaces/${ws}/scenarios`, { headers: { cookie } });
    scenario = ((await list.json()) as { id: string }[])[0]!.id;
    // Warm up the routes under test so that their code is loaded before memory is measured.
    for (let i = 0; i < 3; i++)
      await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'warm@example.org', password: 'not it at all' }),
      });
  });
  after(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  test('200 MB bodies to several routes, signed in or not, with or without a length: 413, RSS grows < 50 MB', async () => {
    const signedIn = { cookie, 'x-csrf-token': csrf };
    const cases: [string, string, Record<string, string>, boolean][] = [
      ['POST', '/api/auth/login', {}, false],
      ['POST', '/api/auth/login', {}, true],
      ['POST', '/api/setup', {}, false],
      ['POST', '/api/talks/join', {}, true],
      ['PUT', `/api/workspaces/${ws}/scenarios/${scenario}`, signedIn, false],
      ['PUT', `/api/workspaces/${ws}/scenarios/${scenario}`, signedIn, true],
      ['POST', `/api/workspaces/${ws}/runs`, signedIn, true],
      ['POST', `/api/workspaces/${ws}/invitations`, signedIn, false],
    ];
    const pid = child.pid!;
    const before = memory(pid);
    const peakReset = resetPeak(pid);
    let sampled = before.rss;
    const sampler = setInterval(() => {
      sampled = Math.max(sampled, memory(pid).rss);
    }, 5);
    try {
      for (const [method, path, headers, chunked] of cases) {
        const r = await flood(port, method, path, 200 * MB, headers, chunked);
        assert.equal(
          r.status,
          413,
          `${method} ${path}${chunked ? ' (chunked)' : ''}: ${r.body.slice(0, 200)}`,
        );
        assert.match(r.body, /too_large/);
        // The server stops reading: the client cannot push the whole body through.
        assert.ok(r.written < 200 * MB, `${method} ${path}: the whole body was sent`);
        console.log(
          `# ${method} ${path}${chunked ? ' chunked' : ''}: 413 after ${(r.written / MB).toFixed(0)} MB written`,
        );
      }
    } finally {
      clearInterval(sampler);
    }
    const afterwards = memory(pid);
    const peak = Math.max(sampled, peakReset ? afterwards.hwm : 0);
    const growth = peak - before.rss;
    console.log(
      `# RSS before ${(before.rss / MB).toFixed(1)} MB, peak during ${(peak / MB).toFixed(1)} MB (growth ${(growth / MB).toFixed(1)} MB; peak from ${peakReset ? 'VmHWM after clear_refs' : 'sampling every 5 ms'})`,
    );
    assert.ok(growth < 50 * MB, `the server's RSS grew by ${(growth / MB).toFixed(1)} MB`);
    // The server still answers.
    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    assert.equal(health.status, 200);
  });

  test('headers beyond 16 KB get 431 from the server itself', async () => {
    const r = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/api/health', headers: { 'x-filler': 'a'.repeat(64 * 1024) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(r, 431);
  });
});

describe('request limits in process', () => {
  let srv: TestServer;
  before(async () => {
    srv = await testServer();
    await setupOwner(srv.app);
  });
  after(() => srv.close());

  test('a declared length over the route limit is refused before sign-in is even looked at', async () => {
    const r = await srv.app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(BODY_LIMITS.auth + 1) },
      body: 'x'.repeat(BODY_LIMITS.auth + 1),
    });
    assert.equal(r.status, 413);
    const bad = await srv.app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': 'lots' },
      body: '{}',
    });
    assert.equal(bad.status, 413);
  });

  test('JSON nested deeper than the limit is refused with 400 before it is parsed', async () => {
    assert.equal(jsonDepth('{"a":[{"b":"[[[["}]}'), 3, 'brackets inside strings do not count');
    const deep = `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`;
    const r = await new Client(srv.app).post('/api/auth/login', JSON.parse(`{"email":${deep}}`));
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'too_deep');
    const ok = await new Client(srv.app).post('/api/auth/login', { email: 'a@example.org', password: 'x' });
    assert.equal(ok.status, 401);
  });

  test('every route has a body limit, small for sign-in, large only for scenario files', async () => {
    const { ROUTES } = await import('../../src/server/app.ts');
    const { bodyLimit } = await import('../../src/server/http.ts');
    for (const r of ROUTES) {
      const limit = bodyLimit(r);
      assert.ok(limit <= BODY_LIMITS.scenario, `${r.method} ${r.path}`);
      if (r.access === 'public')
        assert.ok(limit <= BODY_LIMITS.auth, `public ${r.method} ${r.path}: ${limit}`);
      if (limit > BODY_LIMITS.json)
        assert.match(r.path, /scenarios|validate/, `${r.method} ${r.path} takes ${limit} bytes`);
    }
  });
});
