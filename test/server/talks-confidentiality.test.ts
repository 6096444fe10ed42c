// Confidentiality of what leaves the talks room (issue 12): the offline guessing attack of finding 1
// against every export a delegation receives, the playbook and views filtered per reader like the routes
// (finding 2), Markdown that carries no HTML from names, and analyses marked stale once a delegation
// resubmits (finding 6).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AnalysisResult } from '../../src/server/talks/room.ts';
import {
  declareScenario,
  deriveAgenda,
  loadBase,
  type Positions,
  prefillPositions,
  selectTriggers,
} from '../../src/talks/index.ts';
import { type Client, EXAMPLES, member, setupOwner, type TestServer, testServer } from './helpers.ts';
import { joinAs, ok } from './talks-helpers.ts';

const XSS_LABEL = 'US <script>alert(1)</script>';
const US_ONLY = {
  title: 'US-only: <img src=x onerror=alert(2)> launch windows',
  text: 'Washington alone notifies launch windows [click](javascript:alert(3))',
};
const BOTH = { title: 'Each side notifies the other within 30 minutes', text: 'Agreed by both.' };
/** The PRC's secret answer to an interception (the scenario's default is protest 0.8, wait 0.2). */
const SECRET = { protest: 0.65, wait: 0.35 };

describe('what leaves the talks room', () => {
  let srv: TestServer;
  let host: Client;
  let us: Client;
  let prc: Client;
  let observer: Client;
  let dlg: string;
  const ids = { us: '', prc: '', obs: '' };
  const users = { us: '', prc: '', obs: '' };
  let gapsId = '';
  let protocolsId = '';

  const submit = async (c: Client, edit: (p: Positions) => void = () => {}) => {
    const form = await c.get(`/api/talks/${dlg}/form`);
    await ok(form);
    const scenarios: Record<string, Positions> = {};
    for (const s of form.body.scenarios) scenarios[s.path] = s.positions;
    edit(scenarios['korea-intercept.yaml']!);
    await ok(
      await c.put(`/api/talks/${dlg}/positions`, { version: form.body.version, submit: true, scenarios }),
    );
  };

  const analyse = async (kind: 'gaps' | 'protocols') => {
    const r = await host.post(`/api/talks/${dlg}/analyses`, { kind });
    await ok(r, 202);
    await srv.services.talks!.jobs.idle();
    const a = await host.get(`/api/talks/${dlg}/analyses/${r.body.id}`);
    assert.equal(a.body.status, 'done', JSON.stringify(a.body.result?.error));
    await ok(await host.post(`/api/talks/${dlg}/analyses/${r.body.id}/publish`, {}), 204);
    return r.body.id as string;
  };

  /** Everything a member receives: every view, every draft, and the playbook in both formats. */
  const everything = async (c: Client): Promise<Record<string, string>> => {
    const out: Record<string, string> = {};
    for (const path of ['', '/gaps', '/effects', '/released', '/drafts', '/form', '/releases'])
      out[`GET ${path || '/'}`] = (await c.get(`/api/talks/${dlg}${path}`)).text;
    for (const f of ['html', 'md']) {
      const r = await c.get(`/api/talks/${dlg}/playbook?format=${f}`);
      await ok(r);
      out[`playbook.${f}`] = r.text;
    }
    out.notifications = (await c.get('/api/talks/notifications')).text;
    return out;
  };

  before(async () => {
    srv = await testServer();
    const { owner, ws } = await setupOwner(srv.app);
    host = await member(srv.app, owner, ws, 'host@example.org', 'analyst');
    const conv = await host.post(`/api/workspaces/${ws}/talks`, {
      codename: 'BLUE HERON',
      scenarios: ['korea-intercept.yaml'],
      delegations: [
        { label: XSS_LABEL, actor: 'US' },
        { label: 'PRC delegation', actor: 'PRC' },
        { label: 'Observer', actor: null, kind: 'observer' },
      ],
      settings: { runs: 200, maxRuns: 200 },
    });
    await ok(conv, 201);
    dlg = conv.body.id;
    const ov = await host.get(`/api/talks/${dlg}`);
    const del = (label: string) => ov.body.delegations.find((d: { label: string }) => d.label === label).id;
    ids.us = del(XSS_LABEL);
    ids.prc = del('PRC delegation');
    ids.obs = del('Observer');
    us = await joinAs(srv.app, host, dlg, ids.us, 'us@example.org');
    prc = await joinAs(srv.app, host, dlg, ids.prc, 'prc@example.org');
    observer = await joinAs(srv.app, host, dlg, ids.obs, 'observer@example.org');
    const members = (await host.get(`/api/talks/${dlg}/members`)).body;
    const userOf = (d: string) => members.find((m: { delegationId: string }) => m.delegationId === d).userId;
    users.us = userOf(ids.us);
    users.prc = userOf(ids.prc);
    users.obs = userOf(ids.obs);

    await submit(us);
    await submit(prc, (p) => {
      p.responses['US.intercept'] = SECRET;
    });
    // Both parties agree to show each other every gap, and the observers too.
    for (const [c, to] of [
      [prc, ids.us],
      [us, ids.prc],
      [prc, 'observers'],
      [us, 'observers'],
    ] as const)
      await ok(
        await c.post(`/api/talks/${dlg}/releases`, {
          kind: 'gap',
          scenario: 'korea-intercept.yaml',
          trigger: '*',
          to,
        }),
        201,
      );
    const draft = async (d: { title: string; text: string }, parties: string[], interventions: string[]) => {
      const r = await host.post(`/api/talks/${dlg}/drafts`, {
        ...d,
        parties,
        mapping: { 'korea-intercept.yaml': { interventions, set: {} } },
      });
      await ok(r, 201);
      return r.body.id as string;
    };
    const usOnly = await draft(US_ONLY, [ids.us], ['launch-notification']);
    const both = await draft(BOTH, [ids.us, ids.prc], ['interception-notice']);
    await ok(await us.post(`/api/talks/${dlg}/drafts/${usOnly}/agree`, { agree: true }));
    for (const c of [us, prc])
      await ok(await c.post(`/api/talks/${dlg}/drafts/${both}/agree`, { agree: true }));
    await ok(await host.post(`/api/talks/${dlg}/drafts/${both}/release`, { observers: true }));
    gapsId = await analyse('gaps');
    protocolsId = await analyse('protocols');
    await ok(
      await host.put(`/api/talks/${dlg}/playbook/distribution`, {
        users: [users.us, users.prc, users.obs],
        extra: [{ name: 'Envoy <b>bold</b>', role: 'EU' }],
      }),
    );
    await ok(await host.post(`/api/talks/${dlg}/playbook/issue`, {}));
  });
  after(async () => {
    await srv.services.talks?.jobs.stop();
    await srv.close();
  });

  test("finding 1: guessing the PRC's positions offline against everything the US receives confirms nothing", async () => {
    // The attacker: the US delegation. It knows its own positions, the scenario's defaults and the
    // agenda (from its form), and enumerates the PRC's answer to an interception with the project's own
    // functions, 0.05 apart, as the attacker did (3,177 guesses there; 21 here, same method).
    const files: Record<string, string> = {};
    for (const f of ['korea-intercept.yaml', 'lib/korea-actors.yaml', 'lib/calibrated.yaml'])
      files[f] = readFileSync(join(EXAMPLES, f), 'utf8');
    const base = loadBase(files, 'korea-intercept.yaml');
    const form = (await us.get(`/api/talks/${dlg}/form`)).body.scenarios[0];
    const selected = {
      US: form.mine.map((t: { id: string }) => t.id),
      PRC: form.others[0].triggers.map((t: { id: string }) => t.id),
    };
    const agenda = selectTriggers(deriveAgenda(base, ['US', 'PRC'], { pilotRuns: 300, seed: 1 }), selected);
    const mine: Positions = form.positions;
    const prcDefaults = prefillPositions(base, agenda, 'PRC', ['US', 'PRC']).positions;
    const candidates: { guess: { protest: number; wait: number }; hashes: string[] }[] = [];
    for (let k = 0; k <= 20; k++) {
      const protest = Math.round(k * 5) / 100;
      const guess = { protest, wait: Math.round((1 - protest) * 100) / 100 };
      const theirs: Positions = {
        ...prcDefaults,
        responses: { ...prcDefaults.responses, 'US.intercept': guess },
      };
      const ds = declareScenario(base, agenda, [
        { actor: 'US', positions: mine },
        { actor: 'PRC', positions: theirs },
      ]);
      candidates.push({ guess, hashes: [ds.hash, ds.model.hash] });
    }
    const confirmed = (text: string) =>
      candidates.filter((c) => c.hashes.some((h) => text.includes(h.slice(0, 12)))).map((c) => c.guess);

    // Control: against the manifests as they are stored (sealed, opened here through the server), the
    // same attack singles out the PRC's true positions: an unkeyed hash would have given them away.
    const room = srv.services.talks!.room;
    const d = (await room.talks.dialogue(dlg))!;
    const rows = await Promise.all([room.talks.analysis(dlg, gapsId), room.talks.analysis(dlg, protocolsId)]);
    const internal = rows
      .map((a) => JSON.stringify(room.open<AnalysisResult>(d, 'analysis', a!.id, a!.sealed!)))
      .join('\n');
    assert.deepEqual(confirmed(internal), [SECRET], 'the attack works against an unkeyed hash');

    // What the US actually receives: no candidate is confirmed, and no seed to re-run the numbers with.
    const got = await everything(us);
    for (const [what, text] of Object.entries(got)) {
      assert.deepEqual(confirmed(text), [], `${what} confirms a guess`);
      assert.doesNotMatch(text, /seed \d|"seed":\s*\d/, `${what} carries the seed`);
    }
    assert.match(got['playbook.md']!, /positions id [0-9a-f]{16}/);
    assert.match(got['playbook.md']!, /seed withheld/);
    // The host's own copy and views carry keyed identifiers too.
    const hostViews = [
      (await host.get(`/api/talks/${dlg}/analyses/${gapsId}`)).text,
      (await host.get(`/api/talks/${dlg}/analyses/${protocolsId}`)).text,
      (await host.get(`/api/talks/${dlg}/playbook?format=md`)).text,
    ];
    for (const text of hostViews) assert.deepEqual(confirmed(text), []);
    // The same positions keep the same identifier (the host can tell runs on the same positions apart).
    const ids16 = [...got['playbook.md']!.matchAll(/positions id ([0-9a-f]{16})/g)].map((m) => m[1]);
    assert.equal(new Set(ids16).size, 1);
  });

  test('finding 2: each copy of the playbook, in each format, holds only what its reader may see', async () => {
    const copies = {
      host: await everything(host),
      us: await everything(us),
      prc: await everything(prc),
      obs: await everything(observer),
    };
    for (const f of ['playbook.html', 'playbook.md']) {
      // The US-only draft: in the host's and the US's copies, never in the PRC's or the observer's.
      for (const who of ['host', 'us'] as const)
        assert.ok(copies[who][f]!.includes('launch windows'), `${who} ${f} has the US-only draft`);
      for (const who of ['prc', 'obs'] as const) {
        assert.ok(!copies[who][f]!.includes('launch windows'), `${who} ${f} shows the US-only draft's title`);
        assert.ok(
          !copies[who][f]!.includes('Washington alone'),
          `${who} ${f} shows the US-only draft's text`,
        );
        assert.ok(
          copies[who][f]!.includes('within 30 minutes'),
          `${who} ${f} has the agreed, released draft`,
        );
      }
      // The routes agree: the PRC gets 404 on the draft, the observer sees released drafts only.
      assert.ok(!copies.prc['GET /drafts']!.includes('launch windows'));
      assert.ok(!copies.obs['GET /drafts']!.includes('launch windows'));
      // A party's copy says what it is; only the host's counts what is withheld.
      assert.match(copies.prc[f]!, /This copy shows what its reader may see/);
      assert.doesNotMatch(copies.host[f]!, /This copy shows what its reader may see/);
    }
    // The US-only draft's effect row is in the US's effects, not the PRC's.
    assert.ok(copies.us['GET /effects']!.includes('launch windows'));
    assert.ok(!copies.prc['GET /effects']!.includes('launch windows'));
  });

  test('finding 6: Markdown and HTML copies carry no HTML from names, titles or texts', async () => {
    for (const who of [host, us]) {
      const md = (await who.get(`/api/talks/${dlg}/playbook?format=md`)).text;
      const html = (await who.get(`/api/talks/${dlg}/playbook?format=html`)).text;
      for (const text of [md, html]) {
        assert.doesNotMatch(text, /<script|<img|<b>bold/i);
        assert.match(text, /&lt;script&gt;/, 'the label is there, escaped');
      }
      assert.doesNotMatch(md, /\]\(javascript:/, 'no Markdown link from a draft text');
      assert.match(md, /US &lt;script&gt;alert\\\(1\\\)&lt;\/script&gt;/);
    }
  });

  test('finding 6: after a delegation resubmits, every view of the analyses says they are stale, with the date used', async () => {
    const before = await host.get(`/api/talks/${dlg}/analyses/${gapsId}`);
    assert.equal(before.body.stale, false);
    const ov = await host.get(`/api/talks/${dlg}`);
    const submitted = ov.body.delegations
      .map((x: { positions: { submittedAt: string } | null }) => x.positions?.submittedAt)
      .filter(Boolean)
      .sort()
      .at(-1);
    assert.equal(before.body.positionsAt, submitted);
    assert.equal((await us.get(`/api/talks/${dlg}/gaps`)).body.analysis.stale, false);
    assert.doesNotMatch((await us.get(`/api/talks/${dlg}/playbook?format=md`)).text, /STALE/);

    await submit(prc, (p) => {
      p.responses['US.intercept'] = { protest: 0.5, wait: 0.5 };
    });
    for (const id of [gapsId, protocolsId]) {
      const a = await host.get(`/api/talks/${dlg}/analyses/${id}`);
      assert.equal(a.body.stale, true);
      assert.equal(a.body.positionsAt, submitted);
    }
    const list = (await host.get(`/api/talks/${dlg}/analyses`)).body;
    assert.ok(list.every((a: { stale: boolean }) => a.stale === true));
    for (const c of [us, prc, observer]) {
      assert.equal((await c.get(`/api/talks/${dlg}/gaps`)).body.analysis.stale, true);
      assert.equal((await c.get(`/api/talks/${dlg}/effects`)).body.analysis.stale, true);
    }
    for (const c of [host, us])
      for (const f of ['md', 'html']) {
        const text = (await c.get(`/api/talks/${dlg}/playbook?format=${f}`)).text;
        assert.match(
          text,
          /STALE: this gap ranking used the positions submitted up to \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
        );
        assert.match(text, /STALE: this simulation used the positions submitted up to/);
      }
  });
});
