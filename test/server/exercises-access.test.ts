// Authorisation of the exercise routes through every route and every role, driven by the route table:
// the facilitator, two teams (blue: US, yellow: PRC), a workspace member outside the exercise, and
// anonymous. A route added without a row here fails the first test. A secret planted in blue's message
// to Pyongyang must never reach yellow: not through any route, error, export or the event stream; and
// refused requests leave the log as it was.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RouteDef } from '../../src/server/http.ts';
import { exerciseRoutes } from '../../src/server/routes/exercises.ts';
import { type Drill, jobDone, settle, setupDrill } from './exercises-helpers.ts';
import { Client } from './helpers.ts';
import { ok } from './talks-helpers.ts';

type Who = 'facilitator' | 'blue' | 'yellow' | 'outsider' | 'anonymous';
const WHO: Who[] = ['anonymous', 'outsider', 'yellow', 'blue', 'facilitator'];
const SECRET = 'secret-8e1: we will stand down the interceptors';
const key = (r: RouteDef) => `${r.method} ${r.path}`;
/** The review built before the table runs (its result holds blue's message: the facilitator's only). */
const jobs = { review: '' };

interface Sample {
  params?: Record<string, string>;
  body?: unknown;
}
type Row = { expect: Partial<Record<Who, number>>; sample?: (who: Who) => Sample };
const FAC = (status: number): Row['expect'] => ({ facilitator: status, blue: 403, yellow: 403 });
const EVERY = (status: number): Row['expect'] => ({ facilitator: status, blue: status, yellow: status });

// Expected status per member (outsider: 404 and anonymous: 401 on every exercise route).
const TABLE: Record<string, Row> = {
  'get /api/exercises/:ex': { expect: EVERY(200) },
  'get /api/exercises/:ex/view': { expect: EVERY(200) },
  // Blue's own view: blue and the facilitator; yellow asking for it is refused.
  'get /api/exercises/:ex/teams/:team/view': {
    expect: { facilitator: 200, blue: 200, yellow: 403 },
    sample: () => ({ params: { team: 'blue' } }),
  },
  'get /api/exercises/:ex/truth': { expect: FAC(200) },
  'get /api/exercises/:ex/events': { expect: EVERY(200) },
  // Nothing waits for anyone: a team's choice is refused as invalid (400), the facilitator's by role.
  'post /api/exercises/:ex/decisions': {
    expect: { facilitator: 403, blue: 400, yellow: 400 },
    sample: () => ({ body: { key: 'US#0', action: 'US.wait' } }),
  },
  'post /api/exercises/:ex/messages': {
    expect: { facilitator: 403, blue: 400, yellow: 400 },
    sample: () => ({ body: { action: 'DPRK.statement', text: 'x' } }),
  },
  'post /api/exercises/:ex/clock': { expect: FAC(200), sample: () => ({ body: {} }) },
  'post /api/exercises/:ex/pause': { expect: FAC(200) },
  'post /api/exercises/:ex/resume': { expect: FAC(200) },
  'post /api/exercises/:ex/end': { expect: FAC(200) },
  'post /api/exercises/:ex/injects/:inject/fire': {
    expect: FAC(200),
    sample: () => ({ params: { inject: '3' } }),
  },
  'put /api/exercises/:ex/msel': { expect: FAC(400), sample: () => ({ body: { msel: [] } }) },
  'post /api/exercises/:ex/injects': {
    expect: FAC(200),
    sample: (who) => ({ body: { id: `x-${who}`, trigger: { manual: true }, synopsis: 'Extra', to: ['US'] } }),
  },
  'get /api/exercises/:ex/msel.csv': { expect: FAC(200) },
  'post /api/exercises/:ex/msel.csv': { expect: FAC(400), sample: () => ({ body: { csv: 'MSEL #\r\n' } }) },
  'post /api/exercises/:ex/overrides': {
    expect: FAC(400),
    sample: () => ({ body: { key: 'NOPE#9', action: 'US.wait', reason: 'no such decision' } }),
  },
  'post /api/exercises/:ex/rewind': { expect: FAC(400), sample: () => ({ body: { to: 999999 } }) },
  'post /api/exercises/:ex/lookahead': { expect: FAC(202), sample: () => ({ body: { runs: 100, days: 3 } }) },
  'post /api/exercises/:ex/review': { expect: FAC(202) },
  'get /api/exercises/:ex/jobs': { expect: FAC(200) },
  'get /api/exercises/:ex/jobs/:job': { expect: FAC(200), sample: () => ({ params: { job: jobs.review } }) },
  // The job is done: nothing to cancel (the facilitator's 404); a team is refused by role.
  'delete /api/exercises/:ex/jobs/:job': {
    expect: FAC(404),
    sample: () => ({ params: { job: jobs.review } }),
  },
  'get /api/exercises/:ex/log': { expect: FAC(200) },
  'get /api/exercises/:ex/aar': { expect: FAC(200) },
  'get /api/exercises/:ex/aar.md': { expect: FAC(200) },
  'get /api/exercises/:ex/aar.html': { expect: FAC(200) },
  'get /api/exercises/:ex/members': { expect: FAC(200) },
  'get /api/exercises/:ex/invitations': { expect: FAC(200) },
  'post /api/exercises/:ex/invitations': { expect: FAC(201), sample: () => ({ body: { team: 'red' } }) },
  'delete /api/exercises/:ex/invitations/:inv': {
    expect: FAC(404),
    sample: () => ({ params: { inv: '00000000-0000-4000-8000-000000000000' } }),
  },
};
const OUTSIDE = [
  'get /api/workspaces/:ws/exercises/actors',
  'post /api/workspaces/:ws/exercises',
  'get /api/exercises',
  'post /api/exercises/invitation',
  'post /api/exercises/join',
];

// Routes that change the game: run last, in this order, so the rest see the game as it was set up.
const CHANGES = [
  'post /api/exercises/:ex/pause',
  'post /api/exercises/:ex/resume',
  'post /api/exercises/:ex/clock',
  'post /api/exercises/:ex/injects/:inject/fire',
  'post /api/exercises/:ex/end',
];

describe('exercise authorisation through every route and role', () => {
  let d: Drill;
  const clients: Partial<Record<Who, Client>> = {};
  const seen: { who: Who; route: string; status: number; text: string }[] = [];

  async function call(who: Who, r: RouteDef, s: Sample) {
    const params: Record<string, string> = { ex: d.ex, ws: d.ws, ...s.params };
    const path = r.path.replace(/:(\w+)/g, (_, p: string) => params[p] ?? 'missing');
    if (r.path.endsWith('/events')) {
      // The stream: its first event, then the connection is dropped.
      const res = await streamFirst(clients[who]!, path);
      seen.push({ who, route: key(r), ...res });
      return res;
    }
    const res = await clients[who]!.request(r.method.toUpperCase(), path, s.body);
    seen.push({ who, route: key(r), status: res.status, text: res.text });
    return res;
  }

  before(async () => {
    d = await setupDrill({ runs: 100 });
    Object.assign(clients, {
      facilitator: d.facilitator,
      blue: d.blue,
      yellow: d.yellow,
      outsider: d.outsider,
      anonymous: new Client(d.app),
    });
    // Play into the crisis; blue writes to Pyongyang over the hotline with a secret; red reads it.
    await ok(await d.facilitator.post(`/api/exercises/${d.ex}/clock`, {}));
    await settle(d);
    const hotline = (await d.blue.get(`/api/exercises/${d.ex}/view`)).body.messages.find(
      (m: { to: string }) => m.to === 'DPRK',
    );
    await ok(await d.blue.post(`/api/exercises/${d.ex}/messages`, { action: hotline.act, text: SECRET }));
    // The hotline is down in this game: the message goes through New York (a day).
    let red = '';
    for (let k = 0; k < 8 && !red.includes(SECRET); k++) {
      await ok(await d.facilitator.post(`/api/exercises/${d.ex}/clock`, {}));
      await settle(d);
      red = (await d.red.get(`/api/exercises/${d.ex}/view`)).text;
    }
    assert.ok(red.includes(SECRET), 'the secret reached its addressee (else this test proves nothing)');
    const review = await d.facilitator.post(`/api/exercises/${d.ex}/review`, {});
    assert.equal(review.status, 202);
    jobs.review = (await jobDone(d, review.body)).id;
    const aar = await d.facilitator.get(`/api/exercises/${d.ex}/aar`);
    assert.ok(
      aar.text.includes(SECRET),
      "the review holds blue's message (else the leak checks prove nothing)",
    );
  });
  after(async () => {
    await d.srv.close();
  });

  test('every exercise route is in this table, and a role outside a route is refused', () => {
    const routes = exerciseRoutes.map(key);
    const known = [...Object.keys(TABLE), ...OUTSIDE];
    assert.deepEqual(
      routes.filter((k) => !known.includes(k)),
      [],
    );
    assert.deepEqual(
      known.filter((k) => !routes.includes(k)),
      [],
    );
    for (const r of exerciseRoutes.filter((x) => x.exerciseRoles)) {
      const row = TABLE[key(r)]!;
      if (!r.exerciseRoles!.includes('facilitator')) assert.equal(row.expect.facilitator, 403, key(r));
      if (!r.exerciseRoles!.includes('team')) assert.equal(row.expect.blue, 403, key(r));
    }
  });

  test('each route answers each caller as the table says; refusals leave the log as it was', async () => {
    const order = exerciseRoutes
      .filter((r) => r.exerciseRoles)
      .sort((a, b) => CHANGES.indexOf(key(a)) - CHANGES.indexOf(key(b)));
    for (const r of order) {
      const row = TABLE[key(r)]!;
      for (const who of WHO) {
        const want = row.expect[who] ?? (who === 'anonymous' ? 401 : 404);
        const logBefore = (await d.facilitator.get(`/api/exercises/${d.ex}/log`)).body.length;
        const res = await call(who, r, row.sample?.(who) ?? {});
        assert.equal(res.status, want, `${who} on ${key(r)}: ${res.text.slice(0, 200)}`);
        if (res.status >= 400)
          assert.equal(
            (await d.facilitator.get(`/api/exercises/${d.ex}/log`)).body.length,
            logBefore,
            `${who} on ${key(r)} was refused but changed the log`,
          );
      }
    }
  });

  test("yellow never receives blue's message to Pyongyang, the true state or another team's view", () => {
    const leaks = seen.filter((s) => s.who !== 'facilitator' && s.who !== 'blue' && s.text.includes(SECRET));
    assert.deepEqual(
      leaks.map((s) => `${s.who} ${s.route}`),
      [],
    );
    for (const s of seen.filter((x) => x.who === 'yellow' || x.who === 'blue')) {
      // The true state's fields: the trace, intent types, another team's picture.
      assert.ok(!s.text.includes('"trace"'), `${s.who} ${s.route} carries the trace`);
      assert.ok(!s.text.includes('"types"'), `${s.who} ${s.route} carries intent types`);
      const other = s.who === 'blue' ? 'yellow' : 'blue';
      assert.ok(
        !s.text.includes(`"id":"${other}","label"`) || s.route === 'get /api/exercises/:ex',
        `${s.who} ${s.route}`,
      );
    }
  });

  test("the event stream sends each team its own view only, and nothing of blue's message to yellow", async () => {
    const streams = await Promise.all(
      (['yellow', 'blue'] as const).map((who) =>
        // The table test ended the exercise: `end` is what may still be appended.
        collect(clients[who]!, `/api/exercises/${d.ex}/events`, 3, async () => {
          await ok(await d.facilitator.post(`/api/exercises/${d.ex}/end`, {}));
          await ok(await d.facilitator.post(`/api/exercises/${d.ex}/end`, {}));
        }),
      ),
    );
    const [yellow, blue] = streams;
    assert.ok(yellow!.length >= 2 && blue!.length >= 2, 'the streams carried the changes');
    for (const e of yellow!) {
      assert.equal(e.event, 'view');
      assert.equal(JSON.parse(e.data).team.id, 'yellow');
      assert.ok(!e.data.includes(SECRET));
      assert.ok(!e.data.includes('"trace"'));
    }
    for (const e of blue!) assert.equal(JSON.parse(e.data).team.id, 'blue');
  });
});

test("a job's progress reaches the facilitator's stream and no team's", async () => {
  const d = await setupDrill({ runs: 100 });
  try {
    let ready = 0;
    let go!: () => void;
    const both = new Promise<void>((r) => {
      go = r;
    });
    let work: Promise<void> | undefined;
    let jobId = '';
    const run = async () => {
      const asked = await d.facilitator.post(`/api/exercises/${d.ex}/lookahead`, { runs: 600, days: 3 });
      assert.equal(asked.status, 202);
      jobId = asked.body.id;
      await jobDone(d, asked.body);
      // A change after the job: every stream hears it (so the team's stream has its second event).
      await ok(await d.facilitator.post(`/api/exercises/${d.ex}/pause`, {}));
    };
    const during = () => {
      if (++ready === 2) go();
      work ??= both.then(run);
      return work;
    };
    const [fac, yellow] = await Promise.all([
      collect(d.facilitator, `/api/exercises/${d.ex}/events`, 7, during),
      collect(d.yellow, `/api/exercises/${d.ex}/events`, 2, during),
    ]);
    const jobEvents = fac.filter((e) => e.event === 'job').map((e) => JSON.parse(e.data));
    assert.ok(jobEvents.length >= 3, `the facilitator heard the job (${fac.map((e) => e.event).join(', ')})`);
    assert.ok(jobEvents.every((j) => j.id === jobId));
    assert.ok(jobEvents.some((j) => j.status === 'running' && j.done > 0 && j.done < j.total));
    assert.equal(jobEvents.at(-1).status, 'done');
    assert.deepEqual(
      yellow.map((e) => e.event),
      ['view', 'view'],
    );
    assert.ok(yellow.every((e) => !e.data.includes(jobId)));
  } finally {
    await d.srv.close();
  }
});

/** Parses server-sent events from text. */
function events(text: string): { event: string; data: string }[] {
  return text
    .split('\n\n')
    .filter((b) => b.trim())
    .map((b) => {
      const ev = /^event: (.*)$/m.exec(b)?.[1] ?? 'message';
      const data = b
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return { event: ev, data };
    });
}

function headersOf(c: Client): Record<string, string> {
  const jar = [c.cookie, c.device].filter(Boolean).join('; ');
  return jar ? { cookie: jar } : {};
}

/** The first event of a stream (or its refusal), then the connection is closed. */
async function streamFirst(c: Client, path: string): Promise<{ status: number; text: string }> {
  const res = await c.app.request(path, { headers: headersOf(c) });
  if (!res.body || !res.headers.get('content-type')?.includes('text/event-stream'))
    return { status: res.status, text: await res.text() };
  const reader = res.body.getReader();
  let text = '';
  while (!text.includes('\n\n')) {
    const { done, value } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await reader.cancel();
  return { status: res.status, text };
}

/** `n` events of a stream, with `during` run after the first arrived. */
async function collect(c: Client, path: string, n: number, during: () => Promise<void>) {
  const res = await c.app.request(path, { headers: headersOf(c) });
  const reader = res.body!.getReader();
  let text = '';
  let started: Promise<void> | undefined;
  const deadline = Date.now() + 20_000;
  while (events(text).length < n && Date.now() < deadline) {
    const timeout = new Promise<{ done: true; value: undefined }>((resolve) =>
      setTimeout(() => resolve({ done: true, value: undefined }), deadline - Date.now()),
    );
    const { done, value } = await Promise.race([reader.read(), timeout]);
    if (done) break;
    text += new TextDecoder().decode(value);
    if (!started && text.includes('\n\n')) started = during();
  }
  await reader.cancel();
  await started;
  return events(text);
}
