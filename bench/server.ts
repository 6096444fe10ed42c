// The workbench under load (issue 18): `brink serve` in a child process on a fresh SQLite database,
// driven over HTTP with an API token, while /api/health is polled every 10 ms:
//   1. 30 simultaneous validations of korea-intercept;
//   2. 30 simultaneous run submissions (small ensembles), then the 30 jobs executing one after another;
//   2b. 30 simultaneous analysis submissions (comparisons of korea-intercept with two arms, whose designs
//      are checked by compiling the scenario with each arm), then the 30 jobs executing;
//   3. 20 simultaneous sign-ins (latency of each, the server's RSS growth);
//   4. reads (8 clients listing scenarios) alone, then while 4 large ensembles run in the background;
//   5. the talks room: 10 simultaneous convenings of korea-intercept (each derives its agenda from 300
//      pilot runs), then one gap ranking (two delegations joined and declared) computing;
//   6. exercises: 10 simultaneous look-aheads of one exercise (5,000 continuations each) computing.
//   7. moves: 4 exercises of korea-intercept, 2 teams each (US, DPRK; the server's join limit is 10 an
//      address), every team and facilitator watching its live view (12 event streams); 4 rounds of: the
//      8 teams each send a message at once, the 4 clocks advance at once, the teams take the decisions
//      waiting for them (the 4 exercises in parallel).
// `--before REF` also builds REF (git archive into a temp directory, tsc) and runs the same scenarios
// against it first, for before/after figures. Results go to stdout and, with --json-out, to a file that
// scripts/docs/workbench.ts turns into docs/workbench.md's table.
//   npm run bench:server -- [--before main] [--quick] [--ensemble-runs N] [--only analyses,...]
//                           [--cpu-prof-dir DIR] [--json-out bench/results/server.json]
// `--only` runs some sections (validations, submissions, analyses, signIns, reads, talks, exercises, moves); with --json-out it
// writes them into the existing file (each side's section with the ref, command and machine that
// measured it), keeping the other sections as they were measured.
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = flag('--quick');
const ENSEMBLE_RUNS = Number(option('--ensemble-runs') ?? (quick ? 200_000 : 2_000_000));
const READ_SECONDS = quick ? 3 : 8;
const SECTIONS = [
  'validations',
  'submissions',
  'analyses',
  'signIns',
  'reads',
  'talks',
  'exercises',
  'moves',
] as const;
type Section = (typeof SECTIONS)[number];
const only = option('--only')?.split(',');
for (const x of only ?? [])
  if (!(SECTIONS as readonly string[]).includes(x))
    throw new Error(`--only takes sections among ${SECTIONS.join(', ')}, got '${x}'`);
const runs = (x: Section) => !only || only.includes(x);
const KOREA = 'korea-intercept.yaml';
const PASSWORD = 'bench password 123';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const r0 = (x: number) => Math.round(x);

interface Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function startServer(dir: string, data: string): Promise<Server> {
  // --cpu-prof-dir DIR: the server writes V8 CPU profiles of its threads there (bench/cpuprofile-summary.ts).
  const prof = option('--cpu-prof-dir');
  const node = prof ? ['--cpu-prof', '--cpu-prof-dir', resolve(prof)] : [];
  const child = spawn(
    process.execPath,
    [...node, join(dir, 'bin/brink.js'), 'serve', '--port', '0', '--data', data],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  for (let i = 0; i < 1200 && !/Brink workbench on (\S+)/.test(out); i++) await sleep(50);
  const m = /Brink workbench on (\S+?)\s/.exec(out);
  if (!m) {
    child.kill('SIGKILL');
    throw new Error(`the server did not start:\n${out}`);
  }
  return {
    url: m[1]!,
    pid: child.pid!,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

class Api {
  bearer = '';
  /** A browser session instead of a token (the talks room takes sessions only): cookie and CSRF token. */
  session: { cookie: string; csrf: string } | undefined;
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }
  async req(
    method: string,
    path: string,
    body?: unknown,
    // biome-ignore lint/suspicious/noExplicitAny: replies of many shapes
  ): Promise<{ status: number; body: any; ms: number }> {
    const t0 = performance.now();
    const res = await fetch(this.base + path, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(this.bearer ? { authorization: `Bearer ${this.bearer}` } : {}),
        ...(this.session ? { cookie: this.session.cookie, 'x-csrf-token': this.session.csrf } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const ms = performance.now() - t0;
    const set = res.headers.getSetCookie();
    if (set.length && this.session) this.session.cookie = set.map((c) => c.split(';')[0]).join('; ');
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed, ms };
  }
}

/** Health polls retried after a reset connection (reported with the results). */
let healthResets = 0;

/** Polls /api/health every 10 ms (one at a time) until stopped; returns each wait in ms. */
function pollHealth(base: string): { stop(): Promise<number[]> } {
  const waits: number[] = [];
  let on = true;
  const loop = (async () => {
    while (on) {
      const t0 = performance.now();
      // A keep-alive connection the server closed as the request went out (ECONNRESET) is retried at
      // once; the wait counts from the first attempt. Five failures in a row: the server is gone.
      for (let attempt = 1; ; attempt++) {
        try {
          await (await fetch(`${base}/api/health`)).arrayBuffer();
          break;
        } catch (e) {
          if (attempt >= 5) throw e;
          healthResets++;
        }
      }
      const ms = performance.now() - t0;
      waits.push(ms);
      if (ms < 10) await sleep(10 - ms);
    }
  })();
  return {
    stop: async () => {
      on = false;
      await loop;
      return waits;
    },
  };
}

const rss = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
};

async function waitJobs(api: Api, ws: string, ids: string[], timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const runs = (await api.req('GET', `/api/workspaces/${ws}/runs?limit=500`)).body as {
      id: string;
      status: string;
    }[];
    const open = runs.filter((r) => ids.includes(r.id) && (r.status === 'queued' || r.status === 'running'));
    if (open.length === 0) return true;
    await sleep(200);
  }
  return false;
}

interface Ctx {
  url: string;
  pid: number;
  api: Api;
  ws: string;
  korea: { id: string };
  yaml: string;
}

/** Runs `burst` while /api/health is polled every 10 ms; the longest wait, p99 and number of polls. */
async function underPolling<T>(url: string, burst: () => Promise<T>) {
  const poll = pollHealth(url);
  await sleep(100);
  const result = await burst();
  const waits = await poll.stop();
  return {
    result,
    healthMaxMs: r0(Math.max(...waits)),
    healthP99Ms: r0(pct(waits, 99)),
    healthPolls: waits.length,
  };
}

// 1. 30 validations
async function validationsSection({ url, api, ws, yaml }: Ctx) {
  const { result: v, ...health } = await underPolling(url, () =>
    Promise.all(
      Array.from({ length: 30 }, () =>
        api.req('POST', `/api/workspaces/${ws}/validate`, { path: KOREA, yaml }),
      ),
    ),
  );
  return {
    ...health,
    requestMinMs: r0(Math.min(...v.map((x) => x.ms))),
    requestMaxMs: r0(Math.max(...v.map((x) => x.ms))),
    statuses: countStatuses(v),
  };
}

/** 30 simultaneous submissions (`body(i)` to `path`), then their 30 jobs executing, health polled throughout. */
async function submitSection({ url, api, ws }: Ctx, path: string, body: (i: number) => unknown) {
  const { result: subs, ...health } = await underPolling(url, () =>
    Promise.all(
      Array.from({ length: 30 }, (_, i) => api.req('POST', `/api/workspaces/${ws}${path}`, body(i))),
    ),
  );
  const ids = subs.filter((s) => s.status === 202).map((s) => s.body.id as string);
  const jobs = await underPolling(url, () => waitJobs(api, ws, ids, 600_000));
  return {
    healthMaxMs: health.healthMaxMs,
    healthP99Ms: health.healthP99Ms,
    healthPolls: health.healthPolls,
    requestMinMs: r0(Math.min(...subs.map((x) => x.ms))),
    requestMaxMs: r0(Math.max(...subs.map((x) => x.ms))),
    statuses: countStatuses(subs),
    jobsHealthMaxMs: jobs.healthMaxMs,
    jobsHealthP99Ms: jobs.healthP99Ms,
    jobsFinished: jobs.result,
  };
}

// 2. 30 run submissions, then their execution
const submissionsSection = (c: Ctx) =>
  submitSection(c, '/runs', (i) => ({ scenarioId: c.korea.id, runs: 2000, seed: 100 + i }));

// 2b. 30 comparison submissions (each compiles korea-intercept three times: baseline and two arms), then
// their execution. `/comparisons` is the path every version of the workbench has.
const analysesSection = (c: Ctx) =>
  submitSection(c, '/comparisons', (i) => ({
    scenarioId: c.korea.id,
    arms: ['hotline', 'eu-hosted-talks'],
    runs: 1000,
    seed: 300 + i,
  }));

// 3. 20 sign-ins
async function signInsSection({ url, pid }: Ctx) {
  await sleep(1000);
  const rss0 = rss(pid);
  let peak = rss0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rss(pid));
  }, 20);
  const logins = await Promise.all(
    Array.from({ length: 20 }, () =>
      new Api(url).req('POST', '/api/auth/login', { email: 'bench@example.org', password: PASSWORD }),
    ),
  );
  clearInterval(sampler);
  peak = Math.max(peak, rss(pid));
  return {
    minMs: r0(Math.min(...logins.map((x) => x.ms))),
    maxMs: r0(Math.max(...logins.map((x) => x.ms))),
    over1s: logins.filter((x) => x.ms > 1000).length,
    over2s: logins.filter((x) => x.ms > 2000).length,
    rssBeforeMB: r0(rss0),
    rssGrowthMB: r0(peak - rss0),
    statuses: countStatuses(logins),
  };
}

// 4. reads alone, then during 4 ensembles
async function readsSection({ api, ws, korea }: Ctx) {
  const quiet = await reads(api, ws, READ_SECONDS);
  const big = await Promise.all(
    Array.from({ length: 4 }, (_, i) =>
      api.req('POST', `/api/workspaces/${ws}/runs`, {
        scenarioId: korea.id,
        runs: ENSEMBLE_RUNS,
        seed: 900 + i,
      }),
    ),
  );
  await sleep(500);
  const busy = await reads(api, ws, READ_SECONDS);
  for (const b of big)
    if (b.status === 202) await api.req('POST', `/api/workspaces/${ws}/runs/${b.body.id}/cancel`);
  return { quiet, duringEnsembles: busy, ensembleRuns: ENSEMBLE_RUNS };
}

/** A browser session for `email` (signs in; with `join`, joins by an invitation token, creating the account). */
async function sessionOf(
  url: string,
  email: string,
  join?: string,
  joinPath = '/api/talks/join',
): Promise<Api> {
  const api = new Api(url);
  const res = await fetch(`${url}${join ? joinPath : '/api/auth/login'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      join
        ? { token: join, email, password: PASSWORD, name: email.split('@')[0], create: true }
        : { email, password: PASSWORD },
    ),
  });
  const body = (await res.json()) as { csrfToken?: string };
  if (!res.ok) throw new Error(`sign-in of ${email}: ${res.status} ${JSON.stringify(body)}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  api.session = { cookie, csrf: body.csrfToken ?? '' };
  if (!api.session.csrf) api.session.csrf = (await api.req('GET', '/api/auth/me')).body.csrfToken ?? '';
  return api;
}

/** Polls `done()` every 200 ms until it is true (or the timeout). */
async function until(done: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await done()) return true;
    await sleep(200);
  }
  return false;
}

const DELEGATIONS = [
  { label: 'US delegation', actor: 'US' },
  { label: 'PRC delegation', actor: 'PRC' },
];

// 5. the talks room: 10 convenings, then a gap ranking
async function talksSection({ url, ws }: Ctx) {
  const host = await sessionOf(url, 'bench@example.org');
  const convene = (i: number, settings?: object) =>
    host.req('POST', `/api/workspaces/${ws}/talks`, {
      codename: `BENCH ${i}`,
      hostLabel: 'Host',
      scenarios: [KOREA],
      delegations: DELEGATIONS,
      ...(settings ? { settings } : {}),
    });
  const { result: conv, ...health } = await underPolling(url, () =>
    Promise.all(Array.from({ length: 10 }, (_, i) => convene(i))),
  );
  // A dialogue whose delegations declare, and its gap ranking (4,000 to 8,000 runs per arm).
  const d = await convene(99, { runs: 4000, maxRuns: 8000, seed: 5 });
  if (d.status !== 201) throw new Error(`convene: ${d.status} ${JSON.stringify(d.body)}`);
  const dlg = d.body.id as string;
  const ov = (await host.req('GET', `/api/talks/${dlg}`)).body as {
    delegations: { id: string; label: string }[];
  };
  const parties: Api[] = [];
  for (const [k, del] of DELEGATIONS.entries()) {
    const id = ov.delegations.find((x) => x.label === del.label)!.id;
    const inv = await host.req('POST', `/api/talks/${dlg}/invitations`, { delegation: id });
    parties.push(await sessionOf(url, `party${k}-${Date.now()}@example.org`, inv.body.token));
  }
  for (const [k, p] of parties.entries()) {
    const form = (await p.req('GET', `/api/talks/${dlg}/form`)).body;
    const scenarios: Record<string, unknown> = {};
    for (const s of form.scenarios) scenarios[s.path] = s.positions;
    if (k === 0)
      (scenarios[KOREA] as { responses: Record<string, unknown> }).responses['DPRK.artillery-fire'] = {
        protest: 0.2,
        'show-of-force': 0.3,
        alert: 0.2,
        'limited-strike': 0.3,
      };
    const put = await p.req('PUT', `/api/talks/${dlg}/positions`, {
      version: form.version,
      submit: true,
      scenarios,
    });
    if (put.status !== 200) throw new Error(`positions: ${put.status} ${JSON.stringify(put.body)}`);
  }
  const t0 = performance.now();
  const analysis = await underPolling(url, async () => {
    const a = await host.req('POST', `/api/talks/${dlg}/analyses`, { kind: 'gaps' });
    if (a.status !== 202) throw new Error(`analysis: ${a.status} ${JSON.stringify(a.body)}`);
    let status = '';
    await until(async () => {
      status = (await host.req('GET', `/api/talks/${dlg}/analyses/${a.body.id}`)).body.status;
      return status !== 'queued' && status !== 'running';
    }, 600_000);
    return status;
  });
  return {
    ...health,
    requestMinMs: r0(Math.min(...conv.map((x) => x.ms))),
    requestMaxMs: r0(Math.max(...conv.map((x) => x.ms))),
    statuses: countStatuses(conv),
    gapsStatus: analysis.result,
    gapsSeconds: Math.round((performance.now() - t0) / 100) / 10,
    gapsHealthMaxMs: analysis.healthMaxMs,
    gapsHealthP99Ms: analysis.healthP99Ms,
  };
}

const TEAMS = [
  { id: 'blue', label: 'Washington', actor: 'US' },
  { id: 'red', label: 'Pyongyang', actor: 'DPRK' },
  { id: 'yellow', label: 'Beijing', actor: 'PRC' },
];

/** Reads an event stream until `stop()`: the number of events it brought. */
function watch(api: Api, path: string): { stop(): Promise<number> } {
  const ac = new AbortController();
  let events = 0;
  const done = (async () => {
    try {
      const res = await fetch(api.base + path, {
        headers: { cookie: api.session!.cookie, accept: 'text/event-stream' },
        signal: ac.signal,
      });
      const dec = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
        events += (dec.decode(chunk, { stream: true }).match(/^event: /gm) ?? []).length;
    } catch {
      // aborted
    }
  })();
  return {
    stop: async () => {
      ac.abort();
      await done;
      return events;
    },
  };
}

// 7. moves: 4 exercises, 8 teams and 4 facilitators watching, 4 rounds of messages, clocks, decisions
async function movesSection({ url, ws }: Ctx) {
  const fac = await sessionOf(url, 'bench@example.org');
  const games: { id: string; teams: Record<string, Api> }[] = [];
  const PLAYED = TEAMS.slice(0, 2);
  for (let e = 0; e < 4; e++) {
    const ex = await fac.req('POST', `/api/workspaces/${ws}/exercises`, {
      title: `Moves ${e}`,
      scenario: KOREA,
      seed: 20 + e,
      teams: PLAYED,
      turnHours: 6,
      msel: [],
      coach: { runs: 300, windowDays: 14 },
    });
    if (ex.status !== 201) throw new Error(`exercise: ${ex.status} ${JSON.stringify(ex.body)}`);
    const id = ex.body.id as string;
    const teams: Record<string, Api> = {};
    for (const t of PLAYED) {
      const inv = await fac.req('POST', `/api/exercises/${id}/invitations`, { team: t.id });
      teams[t.id] = await sessionOf(
        url,
        `${t.id}${e}-${Date.now()}@example.org`,
        inv.body.token,
        '/api/exercises/join',
      );
    }
    games.push({ id, teams });
  }
  const streams = games.flatMap((g) =>
    [fac, ...Object.values(g.teams)].map((a) => watch(a, `/api/exercises/${g.id}/events`)),
  );
  await sleep(500);
  const moves: { status: number; ms: number }[] = [];
  const move = async (api: Api, path: string, body: unknown) => {
    const r = await api.req('POST', path, body);
    moves.push({ status: r.status, ms: r.ms });
    return r;
  };
  const { result: rounds, ...health } = await underPolling(url, async () => {
    for (let round = 0; round < 4; round++) {
      // Each team's own message: a new document for the game (compiled on the pool).
      await Promise.all(
        games.flatMap((g) =>
          PLAYED.map(async (t) => {
            const api = g.teams[t.id]!;
            const v = (await api.req('GET', `/api/exercises/${g.id}/view`)).body as {
              messages: { act: string }[];
            };
            const m = v.messages[round % v.messages.length];
            if (m)
              await move(api, `/api/exercises/${g.id}/messages`, { action: m.act, text: `round ${round}` });
          }),
        ),
      );
      await Promise.all(games.map((g) => move(fac, `/api/exercises/${g.id}/clock`, {})));
      // The decisions waiting, taken by their teams (the exercises in parallel).
      await Promise.all(
        games.map(async (g) => {
          for (let k = 0; k < 30; k++) {
            const p = (await fac.req('GET', `/api/exercises/${g.id}/view`)).body.pending as {
              team: string;
              key: string;
              options: { act: string }[];
            } | null;
            if (!p) break;
            const r = await move(g.teams[p.team]!, `/api/exercises/${g.id}/decisions`, {
              key: p.key,
              action: p.options.at(-1)!.act,
            });
            if (r.status !== 200) break;
          }
        }),
      );
    }
    return 4;
  });
  const events = await Promise.all(streams.map((s) => s.stop()));
  return {
    ...health,
    rounds,
    moves: moves.length,
    requestP50Ms: r0(
      pct(
        moves.map((x) => x.ms),
        50,
      ),
    ),
    requestMaxMs: r0(Math.max(...moves.map((x) => x.ms))),
    statuses: countStatuses(moves),
    streams: streams.length,
    events: events.reduce((a, b) => a + b, 0),
  };
}

// 6. exercises: 10 look-aheads of one exercise
async function exercisesSection({ url, ws }: Ctx) {
  const fac = await sessionOf(url, 'bench@example.org');
  const ex = await fac.req('POST', `/api/workspaces/${ws}/exercises`, {
    title: 'Bench drill',
    scenario: KOREA,
    seed: 11,
    teams: [
      { id: 'blue', label: 'Washington', actor: 'US' },
      { id: 'red', label: 'Pyongyang', actor: 'DPRK' },
      { id: 'yellow', label: 'Beijing', actor: 'PRC' },
    ],
    turnHours: 6,
    msel: [],
    coach: { runs: 300, windowDays: 14 },
  });
  if (ex.status !== 201) throw new Error(`exercise: ${ex.status} ${JSON.stringify(ex.body)}`);
  const id = ex.body.id as string;
  const t0 = performance.now();
  const { result, ...health } = await underPolling(url, async () => {
    const asked = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        fac.req('POST', `/api/exercises/${id}/lookahead`, { runs: 5000 + i, days: 14 }),
      ),
    );
    const finished = await until(async () => {
      const jobs = (await fac.req('GET', `/api/exercises/${id}/jobs`)).body as { status: string }[];
      return jobs.every((j) => j.status !== 'queued' && j.status !== 'running');
    }, 600_000);
    return { asked, finished };
  });
  const jobs = (await fac.req('GET', `/api/exercises/${id}/jobs`)).body as { status: string }[];
  return {
    ...health,
    requestMaxMs: r0(Math.max(...result.asked.map((x) => x.ms))),
    statuses: countStatuses(result.asked),
    jobs: countStatuses(jobs.map((j) => ({ status: j.status as unknown as number }))),
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  };
}

const SECTION_RUN: Record<Section, [string, (c: Ctx) => Promise<unknown>]> = {
  validations: ['30 validations', validationsSection],
  submissions: ['30 run submissions', submissionsSection],
  analyses: ['30 comparison submissions', analysesSection],
  signIns: ['20 sign-ins', signInsSection],
  reads: ['reads', readsSection],
  talks: ['talks room (10 convenings, a gap ranking)', talksSection],
  exercises: ['exercises (10 look-aheads)', exercisesSection],
  moves: ['exercise moves (4 exercises, 8 teams, 12 live streams)', movesSection],
};

async function measure(dir: string): Promise<Partial<Record<Section, unknown>>> {
  const data = mkdtempSync(join(tmpdir(), 'brink-bench-server-'));
  const server = await startServer(dir, data);
  const api = new Api(server.url);
  try {
    const setup = await api.req('POST', '/api/setup', {
      email: 'bench@example.org',
      name: 'Bench',
      password: PASSWORD,
    });
    if (setup.status !== 201) throw new Error(`setup: ${setup.status} ${JSON.stringify(setup.body)}`);
    const ws = setup.body.workspaces[0].id as string;
    // A token through a browser-style sign-in would need CSRF; the setup answer's cookie is not kept,
    // so sign in once more to create the token with the session (cookie + CSRF).
    const login = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.org', password: PASSWORD }),
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
    const tok = await fetch(`${server.url}/api/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
      body: JSON.stringify({ name: 'bench' }),
    });
    api.bearer = ((await tok.json()) as { token: string }).token;
    const scenarios = (await api.req('GET', `/api/workspaces/${ws}/scenarios`)).body as {
      id: string;
      path: string;
    }[];
    const korea = scenarios.find((s) => s.path === KOREA)!;
    const yaml = (await api.req('GET', `/api/workspaces/${ws}/scenarios/${korea.id}`)).body.yaml as string;
    // Warm up (JIT, threads) with one of each.
    await api.req('POST', `/api/workspaces/${ws}/validate`, { path: KOREA, yaml });
    const ctx: Ctx = { url: server.url, pid: server.pid, api, ws, korea, yaml };
    const out: Partial<Record<Section, unknown>> = {};
    for (const section of SECTIONS) {
      if (!runs(section)) continue;
      const [label, run] = SECTION_RUN[section];
      healthResets = 0;
      try {
        out[section] = await run(ctx);
      } catch (e) {
        // A section whose feature this ref does not have (an older --before): recorded as absent.
        const m = (e as Error).message;
        if (!/\b404\b.*no API route/.test(m)) throw e;
        out[section] = { absent: `not at this ref: ${m.slice(0, 160)}` };
      }
      if (healthResets) (out[section] as Record<string, unknown>).healthResets = healthResets;
      console.log(`  ${label}`, JSON.stringify(out[section]));
    }
    return out;
  } finally {
    await server.stop();
    rmSync(data, { recursive: true, force: true });
  }
}

function countStatuses(xs: { status: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x.status] = (out[x.status] ?? 0) + 1;
  return out;
}

/** 8 clients listing the workspace's scenarios for `seconds`: requests per second and p99. */
async function reads(api: Api, ws: string, seconds: number) {
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (performance.now() < end)
        times.push((await api.req('GET', `/api/workspaces/${ws}/scenarios`)).ms);
    }),
  );
  return { perSecond: r0(times.length / seconds), p99Ms: r0(pct(times, 99)), maxMs: r0(Math.max(...times)) };
}

/** Builds `ref` of this repository in a temp directory (git archive, node_modules linked, tsc). */
function buildRef(ref: string): { dir: string; commit: string } {
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = join(tmpdir(), `brink-bench-${commit}`);
  // From scratch: a directory left by an earlier run may link a node_modules that no longer exists.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('bash', ['-c', `git archive ${commit} | tar -x -C ${dir}`], { cwd: ROOT });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: dir,
      stdio: 'inherit',
    },
  );
  return { dir, commit };
}

const machine = {
  cores: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  loadAverageAtStart: loadavg().map((x) => Math.round(x * 10) / 10),
  date: new Date().toISOString().slice(0, 10),
  node: process.version,
};
console.log(`machine: ${JSON.stringify(machine)}`);
const results: Record<string, unknown> = {};
const before = option('--before');
if (before) {
  const b = buildRef(before);
  console.log(`before (${before} = ${b.commit}):`);
  results.before = { ref: b.commit, ...(await measure(b.dir)) };
}
const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
console.log(`after (this checkout, ${head}):`);
results.after = { ref: head, ...(await measure(ROOT)) };
// The command as run from the repository (a --json-out inside it relative, as the docs print it).
const command = `npm run bench:server -- ${args
  .map((a, i) =>
    args[i - 1] === '--json-out' && resolve(ROOT, a).startsWith(`${ROOT}/`)
      ? relative(ROOT, resolve(ROOT, a))
      : a,
  )
  .join(' ')}`.trim();
const machineNow = { ...machine, loadAverageAtEnd: loadavg().map((x) => Math.round(x * 10) / 10) };
const jsonOutOption = option('--json-out');
// Relative to the repository (as the docs' command writes it), or absolute.
const jsonOut = jsonOutOption ? resolve(ROOT, jsonOutOption) : undefined;
let out: Record<string, unknown> = { command, machine: machineNow, ...results };
if (only && jsonOut && existsSync(jsonOut)) {
  // Some sections measured now, the rest as the file has them: each section measured now names its ref,
  // and `apart` records the command and the machine that measured it.
  out = JSON.parse(readFileSync(jsonOut, 'utf8')) as Record<string, unknown>;
  const apart = (out.apart ?? {}) as Record<string, unknown>;
  for (const side of ['before', 'after'] as const) {
    const now = results[side] as ({ ref: string } & Record<string, unknown>) | undefined;
    if (!now) continue;
    const kept = (out[side] ?? { ref: now.ref }) as Record<string, unknown>;
    for (const section of only) kept[section] = { ref: now.ref, ...(now[section] as object) };
    out[side] = kept;
  }
  for (const section of only) apart[section] = { command, machine: machineNow };
  out.apart = apart;
}
if (jsonOut) {
  writeFileSync(jsonOut, `${JSON.stringify(out, null, 2)}\n`);
  // In the repository's format (biome), so that `npm run lint` passes on the committed file.
  if (jsonOut.startsWith(`${ROOT}/`))
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules/@biomejs/biome/bin/biome'), 'format', '--write', jsonOut],
      {
        cwd: ROOT,
        stdio: 'ignore',
      },
    );
}
console.log(JSON.stringify(out));
