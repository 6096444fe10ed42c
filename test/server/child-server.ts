// `brink serve` as a child process (from the sources, with tsx) and a cookie-and-CSRF API client for it:
// what the crash/resume tests and the jobs-on-a-queue tests drive.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Proc } from '../services.ts';

const ENTRY = fileURLToPath(new URL('./serve-entry.ts', import.meta.url));
const live = new Set<Proc>();

/** Kills every child this module started that still runs (for `after`: a failed test leaves none). */
export async function killChildren(): Promise<void> {
  for (const p of live) p.kill('SIGKILL');
  await Promise.all([...live].map((p) => p.exited));
}

/** Starts `brink serve --port PORT --data DATA` with `env` added; resolves once it listens. */
export async function serveChild(
  port: number,
  data: string,
  env: Record<string, string> = {},
): Promise<Proc> {
  const p = new Proc(process.execPath, ['--import', 'tsx', ENTRY, '--port', String(port), '--data', data], {
    env,
  });
  live.add(p);
  void p.exited.then(() => live.delete(p));
  await p.waitFor(/Brink workbench on/, 60_000);
  return p;
}

/** Stops a served child (SIGTERM) and waits until it is gone. */
export async function stopChild(p: Proc, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  p.kill(signal);
  await p.exited;
}

/** A user's session over HTTP: keeps the session cookie and the CSRF token of the last reply that had one. */
export class Http {
  cookie = '';
  csrf = '';
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }
  // biome-ignore lint/suspicious/noExplicitAny: replies of many shapes
  async req(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(this.base + path, {
      method,
      headers: {
        'content-type': 'application/json',
        cookie: this.cookie,
        'x-csrf-token': this.csrf,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
    const json = (await res.json().catch(() => null)) as { csrfToken?: string } | null;
    if (json?.csrfToken) this.csrf = json.csrfToken;
    return { status: res.status, body: json };
  }

  /** Polls a run until `until` holds (or about `seconds`), returning its last state. */
  // biome-ignore lint/suspicious/noExplicitAny: a run's JSON
  async poll(url: string, until: (run: any) => boolean, seconds = 120): Promise<any> {
    let run = (await this.req('GET', url)).body;
    for (let i = 0; i < seconds * 20 && !until(run); i++) {
      await new Promise((r) => setTimeout(r, 50));
      run = (await this.req('GET', url)).body;
    }
    assert.ok(until(run), `run ${url} ended as ${run?.status} (${run?.doneRuns} runs): ${run?.error ?? ''}`);
    return run;
  }
}
