// Authorisation of the talks room through every route and every role, driven by the route table: the
// host, two delegations (US, PRC), an observer, a user of another dialogue, and anonymous. A route added
// without a row here fails the first test. Secrets planted in the dialogue (the PRC's declared numbers,
// the host's notes, a draft the PRC is not party to, the codename) must never reach a caller who may
// not see them, and refused requests change nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROUTES } from '../../src/server/app.ts';
import type { RouteDef } from '../../src/server/http.ts';
import { talksRoutes } from '../../src/server/routes/talks.ts';
import { Client } from './helpers.ts';
import { joinAs, ok, type Room, setupRoom, submitForm } from './talks-helpers.ts';

type Who = 'host' | 'us' | 'prc' | 'observer' | 'outsider' | 'anonymous';
const ORDER: Who[] = ['anonymous', 'outsider', 'observer', 'prc', 'us', 'host'];

interface Ctx {
  room: Room;
  ids: Record<string, string>;
}
interface Sample {
  params?: Record<string, string>;
  query?: string;
  body?: unknown;
}

const key = (r: RouteDef) => `${r.method} ${r.path}`;
const PRC_SECRET = { protest: 0.613, wait: 0.387 };
const NOTE = 'private note 7f3: PRC red line is regime change';
const BILATERAL = 'US-only draft title 4c1';

// Expected status per member role (outsider: 404 and anonymous: 401 on every dialogue route).
type Row = { expect: Partial<Record<Who, number>>; sample: (ctx: Ctx, who: Who) => Promise<Sample> | Sample };
const host = (status: number): Row['expect'] => ({ host: status, us: 403, prc: 403, observer: 403 });
const none = async () => ({});

async function freshDraft(ctx: Ctx, parties: string[]): Promise<string> {
  const r = await ctx.room.host.post(`/api/talks/${ctx.room.dlg}/drafts`, {
    title: BILATERAL,
    text: '',
    parties,
    mapping: { 'korea-intercept.yaml': { interventions: ['hotline'], set: {} } },
  });
  await ok(r, 201);
  return r.body.id;
}

const TABLE: Record<string, Row> = {
  'get /api/talks/:dlg': { expect: { host: 200, us: 200, prc: 200, observer: 200 }, sample: none },
  'put /api/talks/:dlg/agenda': {
    expect: { ...host(204) },
    sample: async (ctx) => {
      const ov = await ctx.room.host.get(`/api/talks/${ctx.room.dlg}`);
      const s = ov.body.fullAgenda[0];
      return { body: { selected: { [s.path]: s.selected } } };
    },
  },
  'put /api/talks/:dlg/settings': { expect: host(200), sample: () => ({ body: { runs: 200 } }) },
  'get /api/talks/:dlg/members': { expect: host(200), sample: none },
  'delete /api/talks/:dlg/members/:user': {
    expect: host(204),
    sample: (ctx) => ({ params: { user: ctx.ids.spare! } }),
  },
  'get /api/talks/:dlg/invitations': { expect: host(200), sample: none },
  'post /api/talks/:dlg/invitations': {
    expect: host(201),
    sample: (ctx) => ({ body: { delegation: ctx.ids.us! } }),
  },
  'delete /api/talks/:dlg/invitations/:inv': {
    expect: host(204),
    sample: async (ctx) => {
      const r = await ctx.room.host.post(`/api/talks/${ctx.room.dlg}/invitations`, {
        delegation: ctx.ids.prc,
      });
      return { params: { inv: r.body.id } };
    },
  },
  'get /api/talks/:dlg/form': { expect: { host: 403, us: 200, prc: 200, observer: 403 }, sample: none },
  'put /api/talks/:dlg/positions': {
    expect: { host: 403, us: 200, prc: 200, observer: 403 },
    sample: async (ctx, who) => {
      // Each delegation re-submits its own positions unchanged; others send the PRC's (and must fail).
      const c = who === 'us' ? ctx.room.us : ctx.room.prc;
      const form = await c.get(`/api/talks/${ctx.room.dlg}/form`);
      const scenarios: Record<string, unknown> = {};
      for (const s of form.body.scenarios) scenarios[s.path] = s.positions;
      return { body: { version: form.body.version, submit: true, scenarios } };
    },
  },
  'get /api/talks/:dlg/delegations/:del/positions': {
    expect: { host: 200, us: 403, prc: 200, observer: 403 },
    sample: (ctx) => ({ params: { del: ctx.ids.prc! } }),
  },
  'get /api/talks/:dlg/releases': { expect: { host: 403, us: 200, prc: 200, observer: 403 }, sample: none },
  'post /api/talks/:dlg/releases': {
    expect: { host: 403, us: 201, prc: 201, observer: 403 },
    sample: () => ({
      body: { kind: 'gap', scenario: 'korea-intercept.yaml', trigger: '*', to: 'observers' },
    }),
  },
  'delete /api/talks/:dlg/releases/:rel': {
    expect: { host: 403, us: 204, prc: 404, observer: 403 },
    sample: (ctx) => ({ params: { rel: ctx.ids.usRelease! } }),
  },
  'get /api/talks/:dlg/released': { expect: { host: 403, us: 200, prc: 200, observer: 200 }, sample: none },
  'get /api/talks/:dlg/interventions': {
    expect: { host: 200, us: 200, prc: 200, observer: 403 },
    sample: none,
  },
  'get /api/talks/:dlg/drafts': { expect: { host: 200, us: 200, prc: 200, observer: 200 }, sample: none },
  'post /api/talks/:dlg/drafts': {
    expect: { host: 201, us: 201, prc: 201, observer: 403 },
    sample: (ctx) => ({
      body: {
        title: 'Hotline drill',
        text: '',
        parties: [ctx.ids.us, ctx.ids.prc],
        mapping: { 'korea-intercept.yaml': { interventions: ['hotline'], set: {} } },
      },
    }),
  },
  'get /api/talks/:dlg/drafts/:draft': {
    expect: { host: 200, us: 200, prc: 404, observer: 404 },
    sample: (ctx) => ({ params: { draft: ctx.ids.bilateral! } }),
  },
  'put /api/talks/:dlg/drafts/:draft': {
    expect: { host: 200, us: 403, prc: 404, observer: 403 },
    sample: async (ctx) => {
      const d = await ctx.room.host.get(`/api/talks/${ctx.room.dlg}/drafts/${ctx.ids.bilateral}`);
      return {
        params: { draft: ctx.ids.bilateral! },
        body: {
          version: d.body.version,
          title: BILATERAL,
          text: 'revised',
          parties: [ctx.ids.us],
          mapping: { 'korea-intercept.yaml': { interventions: ['hotline'], set: {} } },
        },
      };
    },
  },
  'delete /api/talks/:dlg/drafts/:draft': {
    expect: { host: 204, us: 403, prc: 404, observer: 403 },
    sample: async (ctx) => ({ params: { draft: await freshDraft(ctx, [ctx.ids.us!]) } }),
  },
  'post /api/talks/:dlg/drafts/:draft/agree': {
    expect: { host: 403, us: 200, prc: 404, observer: 403 },
    sample: (ctx) => ({ params: { draft: ctx.ids.bilateral! }, body: { agree: true } }),
  },
  'post /api/talks/:dlg/drafts/:draft/release': {
    expect: host(200),
    sample: (ctx) => ({ params: { draft: ctx.ids.shared! }, body: { observers: false } }),
  },
  'post /api/talks/:dlg/analyses': { expect: host(202), sample: () => ({ body: { kind: 'gaps' } }) },
  'get /api/talks/:dlg/analyses': { expect: host(200), sample: none },
  'get /api/talks/:dlg/analyses/:an': {
    expect: host(200),
    sample: (ctx) => ({ params: { an: ctx.ids.analysis! } }),
  },
  'post /api/talks/:dlg/analyses/:an/cancel': {
    expect: host(202),
    sample: (ctx) => ({ params: { an: ctx.ids.analysis! } }),
  },
  'post /api/talks/:dlg/analyses/:an/publish': {
    expect: host(204),
    sample: (ctx) => ({ params: { an: ctx.ids.analysis! }, body: { published: true } }),
  },
  'get /api/talks/:dlg/gaps': { expect: { host: 403, us: 200, prc: 200, observer: 200 }, sample: none },
  'get /api/talks/:dlg/effects': { expect: { host: 403, us: 200, prc: 200, observer: 200 }, sample: none },
  'get /api/talks/:dlg/notes': { expect: host(200), sample: none },
  'put /api/talks/:dlg/notes': { expect: host(204), sample: () => ({ body: { text: NOTE } }) },
  'put /api/talks/:dlg/playbook/distribution': {
    expect: host(200),
    sample: () => ({ body: { users: [], extra: [] } }),
  },
  'post /api/talks/:dlg/playbook/issue': { expect: host(200), sample: none },
  'get /api/talks/:dlg/playbook': { expect: host(200), sample: () => ({ query: 'format=md' }) },
  'get /api/talks/:dlg/audit': { expect: host(200), sample: none },
};

// Routes outside one dialogue: what each caller gets.
const OUTSIDE: Record<string, { expect: Record<Who, number>; sample: (ctx: Ctx) => Sample }> = {
  'post /api/workspaces/:ws/talks': {
    // The delegations and the observer are not members of the host's workspace.
    expect: { host: 201, us: 404, prc: 404, observer: 404, outsider: 201, anonymous: 401 },
    sample: (ctx) => ({
      params: { ws: ctx.room.ws },
      body: {
        codename: 'RED KITE',
        scenarios: ['korea-intercept.yaml'],
        delegations: [
          { label: 'One', actor: 'US' },
          { label: 'Two', actor: 'PRC' },
        ],
      },
    }),
  },
  'get /api/workspaces/:ws/talks/actors': {
    expect: { host: 200, us: 404, prc: 404, observer: 404, outsider: 200, anonymous: 401 },
    sample: (ctx) => ({ params: { ws: ctx.room.ws }, query: 'scenario=korea-intercept.yaml' }),
  },
  'get /api/talks': {
    expect: { host: 200, us: 200, prc: 200, observer: 200, outsider: 200, anonymous: 401 },
    sample: () => ({}),
  },
  'get /api/talks/notifications': {
    expect: { host: 200, us: 200, prc: 200, observer: 200, outsider: 200, anonymous: 401 },
    sample: () => ({}),
  },
  'post /api/talks/notifications/read': {
    expect: { host: 204, us: 204, prc: 204, observer: 204, outsider: 204, anonymous: 401 },
    sample: () => ({}),
  },
};
const PUBLIC = ['post /api/talks/invitation', 'post /api/talks/join'];

describe('talks authorisation through every route and role', () => {
  let room: Room;
  let ctx: Ctx;
  const clients: Partial<Record<Who, Client>> = {};
  const log: { who: Who; route: string; status: number; text: string }[] = [];

  async function call(
    who: Who,
    r: RouteDef,
    s: Sample,
    dlg: string,
  ): Promise<{ status: number; text: string }> {
    const params: Record<string, string> = { dlg, ...s.params };
    const path =
      r.path.replace(/:(\w+)/g, (_, p: string) => params[p] ?? 'missing') + (s.query ? `?${s.query}` : '');
    const res = await clients[who]!.request(r.method.toUpperCase(), path, s.body);
    log.push({ who, route: key(r), status: res.status, text: res.text });
    return res;
  }

  before(async () => {
    room = await setupRoom({ runs: 150 });
    Object.assign(clients, {
      host: room.host,
      us: room.us,
      prc: room.prc,
      observer: room.observer,
      outsider: room.outsider,
      anonymous: new Client(room.app),
    });
    const spare = await joinAs(room.app, room.host, room.dlg, room.ids.obs, 'spare@example.org');
    await submitForm(room.us, room.dlg);
    await submitForm(room.prc, room.dlg, (s) => {
      s['korea-intercept.yaml'].responses['US.intercept'] = PRC_SECRET;
    });
    const ids: Record<string, string> = { ...room.ids };
    ids.spare = (await spare.get('/api/auth/me')).body.user.id;
    ctx = { room, ids };
    ids.bilateral = await freshDraft(ctx, [room.ids.us]);
    const shared = await room.host.post(`/api/talks/${room.dlg}/drafts`, {
      title: 'Shared draft',
      text: '',
      parties: [room.ids.us, room.ids.prc],
      mapping: { 'korea-intercept.yaml': { interventions: ['hotline'], set: {} } },
    });
    ids.shared = shared.body.id;
    const rel = await room.us.post(`/api/talks/${room.dlg}/releases`, {
      kind: 'response',
      scenario: 'korea-intercept.yaml',
      trigger: 'DPRK.alert',
      to: room.ids.prc,
    });
    ids.usRelease = rel.body.id;
    const an = await room.host.post(`/api/talks/${room.dlg}/analyses`, { kind: 'gaps' });
    ids.analysis = an.body.id;
    await room.srv.services.talks!.jobs.idle();
    await ok(await room.host.put(`/api/talks/${room.dlg}/notes`, { text: NOTE }), 204);
  });
  after(async () => {
    await room.srv.services.talks?.jobs.stop();
    await room.srv.close();
  });

  test('every talks route is in this table, and the table has no stale rows', () => {
    const routes = talksRoutes.map(key);
    const known = [...Object.keys(TABLE), ...Object.keys(OUTSIDE), ...PUBLIC];
    assert.deepEqual(
      routes.filter((k) => !known.includes(k)),
      [],
    );
    assert.deepEqual(
      known.filter((k) => !routes.includes(k)),
      [],
    );
    for (const r of talksRoutes.filter((x) => x.talksRoles))
      for (const role of ['host', 'delegation', 'observer'] as const) {
        const who: Who[] = role === 'delegation' ? ['us', 'prc'] : [role];
        for (const w of who) {
          const want: number = TABLE[key(r)]!.expect[w]!;
          if (!r.talksRoles!.includes(role)) assert.equal(want, 403, `${w} on ${key(r)} is refused by role`);
        }
      }
    // And the talks routes are in the server's route table.
    for (const r of talksRoutes) assert.ok(ROUTES.includes(r), key(r));
  });

  test('every route answers each role as the table says', async () => {
    for (const r of talksRoutes) {
      const row = TABLE[key(r)];
      if (!row) continue;
      for (const who of ORDER) {
        const s = await row.sample(
          ctx,
          who === 'anonymous' || who === 'outsider' || who === 'observer' || who === 'host' ? 'prc' : who,
        );
        const res = await call(who, r, s, room.dlg);
        const want: number = who === 'anonymous' ? 401 : who === 'outsider' ? 404 : row.expect[who]!;
        assert.equal(res.status, want, `${who} on ${key(r)}: ${res.text.slice(0, 200)}`);
      }
      await room.srv.services.talks!.jobs.idle();
    }
    for (const [k, row] of Object.entries(OUTSIDE)) {
      const r = talksRoutes.find((x) => key(x) === k)!;
      for (const who of ORDER) {
        const s = row.sample(ctx);
        const res = await call(who, r, s, room.dlg);
        assert.equal(res.status, row.expect[who], `${who} on ${k}: ${res.text.slice(0, 200)}`);
      }
    }
  });

  test('a user of another dialogue learns nothing, not even that the dialogue exists', () => {
    const secrets = [
      'BLUE HERON',
      'US delegation',
      'PRC delegation',
      'EU facilitator',
      room.ids.us,
      room.ids.prc,
      NOTE,
      BILATERAL,
      '0.613',
    ];
    for (const e of log.filter((x) => x.who === 'outsider' || x.who === 'anonymous'))
      for (const s of secrets) assert.ok(!e.text.includes(s), `${e.who} on ${e.route} sees ${s}`);
    // The same 404 for a dialogue that does not exist and for one the caller is not in.
    const mine = log.filter((x) => x.who === 'outsider' && x.status === 404).map((x) => x.text);
    assert.ok(
      mine.every((t) => t === mine[0]),
      'one and the same answer',
    );
  });

  test("no one reads what is not theirs: the PRC's numbers, the host's notes, a draft one is not party to", () => {
    for (const e of log) {
      if (e.who !== 'host' && e.who !== 'prc')
        assert.ok(!e.text.includes('0.613'), `${e.who} on ${e.route} sees the PRC's positions`);
      if (e.who !== 'host')
        assert.ok(!e.text.includes('private note 7f3'), `${e.who} on ${e.route} sees the host's notes`);
      if (e.who === 'prc' || e.who === 'observer' || e.who === 'outsider' || e.who === 'anonymous')
        assert.ok(!e.text.includes(BILATERAL), `${e.who} on ${e.route} sees a draft it is not party to`);
    }
  });

  test('refused requests change nothing, and each refusal of a member is in the audit log', async () => {
    const us = await room.host.get(`/api/talks/${room.dlg}/delegations/${room.ids.us}/positions`);
    const prc = await room.host.get(`/api/talks/${room.dlg}/delegations/${room.ids.prc}/positions`);
    // Submitted once in setup, once by themselves in the table.
    assert.equal(us.body.version, 2);
    assert.equal(prc.body.version, 2);
    assert.deepEqual(prc.body.scenarios['korea-intercept.yaml'].responses['US.intercept'], PRC_SECRET);
    assert.equal((await room.host.get(`/api/talks/${room.dlg}/notes`)).body.text, NOTE);
    const draft = await room.host.get(`/api/talks/${room.dlg}/drafts/${ctx.ids.bilateral}`);
    assert.equal(draft.body.authorId, 'host');
    const audit = await room.host.get(`/api/talks/${room.dlg}/audit`);
    assert.equal(audit.body.verification.ok, true);
    const denied = audit.body.entries.filter((e: { outcome: string }) => e.outcome === 'denied').length;
    const refused = log.filter((e) => ['us', 'prc', 'observer'].includes(e.who) && e.status === 403).length;
    assert.ok(denied >= refused, `${denied} denied entries for ${refused} refusals`);
  });
});
