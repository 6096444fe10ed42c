// The talks room through its API, in process: a whole dialogue from invitation to playbook, and the
// rules that keep each delegation's positions its own.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client, PASSWORD } from './helpers.ts';
import { ok, type Room, setupRoom, submitForm, waitAnalysis } from './talks-helpers.ts';

describe('talks room API', () => {
  let room: Room;
  before(async () => {
    room = await setupRoom();
  });
  after(async () => {
    await room.srv.services.talks?.jobs.stop();
    await room.srv.close();
  });

  test('POST /api/workspaces/:ws/talks derives the agenda: the PRC faces the interception, the US the DPRK answers', () => {
    const s = (room.overview.scenarios as { path: string; triggers: Record<string, { id: string }[]> }[])[0]!;
    assert.equal(s.path, 'korea-intercept.yaml');
    assert.ok(s.triggers.PRC!.some((t) => t.id === 'US.intercept'));
    assert.ok(s.triggers.PRC!.some((t) => t.id === 'US.limited-strike'));
    assert.ok(s.triggers.US!.some((t) => t.id === 'DPRK.artillery-fire'));
  });

  test('GET /api/talks/:dlg shows the host who joined, and a delegation only the parties', async () => {
    const h = await room.host.get(`/api/talks/${room.dlg}`);
    const us = h.body.delegations.find((d: { id: string }) => d.id === room.ids.us);
    assert.equal(us.members[0].name, 'us');
    assert.equal(us.invitations[0].status, 'used');
    const d = await room.us.get(`/api/talks/${room.dlg}`);
    await ok(d);
    assert.equal(d.body.role, 'delegation');
    assert.equal(d.body.me.label, 'US delegation');
    assert.equal(d.body.delegations, undefined, 'a delegation does not see who joined');
    assert.ok(!d.text.includes('prc@example.org'));
  });

  test('POST /api/talks/join refuses a used, revoked or unknown invitation', async () => {
    const inv = await room.host.post(`/api/talks/${room.dlg}/invitations`, { delegation: room.ids.prc });
    await ok(inv, 201);
    const preview = await new Client(room.app).post('/api/talks/invitation', { token: inv.body.token });
    assert.deepEqual(preview.body, {
      codename: 'BLUE HERON',
      delegation: 'PRC delegation',
      kind: 'delegation',
    });
    await ok(await room.host.delete(`/api/talks/${room.dlg}/invitations/${inv.body.id}`), 204);
    const c = new Client(room.app);
    const revoked = await c.post('/api/talks/join', {
      token: inv.body.token,
      email: 'late@example.org',
      password: PASSWORD,
      name: 'Late',
      create: true,
    });
    assert.equal(revoked.status, 404);
    assert.equal(revoked.body.error.code, 'invalid_invitation');
    // No account was created for a refused invitation.
    assert.equal(await room.srv.services.store.userByEmail('late@example.org'), undefined);
    const inv2 = await room.host.post(`/api/talks/${room.dlg}/invitations`, { delegation: room.ids.prc });
    const first = new Client(room.app);
    await ok(
      await first.post('/api/talks/join', {
        token: inv2.body.token,
        email: 'prc2@example.org',
        password: PASSWORD,
        name: 'Second',
        create: true,
      }),
    );
    const again = await new Client(room.app).post('/api/talks/join', {
      token: inv2.body.token,
      email: 'prc3@example.org',
      password: PASSWORD,
      name: 'Third',
      create: true,
    });
    assert.equal(again.status, 404, 'an invitation is single-use');
    await ok(
      await room.host.delete(
        `/api/talks/${room.dlg}/members/${(await first.get('/api/auth/me')).body.user.id}`,
      ),
      204,
    );
    assert.equal((await first.get(`/api/talks/${room.dlg}`)).status, 404, 'a removed member is out');
  });

  test('PUT /api/talks/:dlg/positions validates the form and says what is wrong', async () => {
    const form = await room.prc.get(`/api/talks/${room.dlg}/form`);
    await ok(form);
    const s = form.body.scenarios[0];
    assert.deepEqual(s.positions.responses['US.intercept'], { protest: 0.8, wait: 0.2 });
    assert.equal(s.sources.US['DPRK.artillery-fire'], 'truth');
    const bad = structuredClone(s.positions);
    bad.responses['US.intercept'] = { protest: 0.5 };
    const r = await room.prc.put(`/api/talks/${room.dlg}/positions`, {
      version: 0,
      submit: true,
      scenarios: { [s.path]: bad },
    });
    assert.equal(r.status, 400);
    assert.match(r.body.error.message, /add up to 50.0%, not 100%/);
  });

  test('a whole dialogue: positions, gaps, releases, drafts, simulation, playbook, audit', async () => {
    const { dlg, host, us, prc, observer } = room;
    await submitForm(us, dlg, (s) => {
      s['korea-intercept.yaml'].responses['DPRK.artillery-fire'] = {
        protest: 0.2,
        'show-of-force': 0.3,
        alert: 0.2,
        'limited-strike': 0.3,
      };
    });
    // Before the PRC submits, the host cannot rank gaps.
    const early = await host.post(`/api/talks/${dlg}/analyses`, { kind: 'gaps' });
    assert.equal(early.status, 409);
    assert.match(early.body.error.message, /1 delegation\(s\) have not submitted/);
    await submitForm(prc, dlg);

    // The US cannot read the PRC's positions; the host can.
    assert.equal((await us.get(`/api/talks/${dlg}/delegations/${room.ids.prc}/positions`)).status, 403);
    const hp = await host.get(`/api/talks/${dlg}/delegations/${room.ids.prc}/positions`);
    await ok(hp);
    assert.deepEqual(hp.body.scenarios['korea-intercept.yaml'].responses['US.intercept'], {
      protest: 0.8,
      wait: 0.2,
    });

    const start = await host.post(`/api/talks/${dlg}/analyses`, { kind: 'gaps' });
    await ok(start, 202);
    const gaps = await waitAnalysis(room, start.body.id);
    assert.equal(gaps.status, 'done', JSON.stringify(gaps.result?.error));
    const ranked = gaps.result.results[0].ranked;
    assert.ok(ranked.length >= 1);
    const strike = ranked.find(
      (g: { holder: string; trigger: string }) => g.holder === 'US' && g.trigger === 'US.limited-strike',
    );
    assert.ok(strike, 'the US expectation of Beijing after a US strike is a gap');
    assert.ok(strike.size > 0.4);

    // Nothing is shown to delegations until the host shares it and the other party consents.
    assert.equal((await us.get(`/api/talks/${dlg}/gaps`)).body.analysis, null);
    await ok(await host.post(`/api/talks/${dlg}/analyses/${start.body.id}/publish`, {}), 204);
    const before = await us.get(`/api/talks/${dlg}/gaps`);
    assert.equal(before.body.scenarios[0].gaps.length, 0);
    assert.equal(
      before.body.scenarios[0].withheld,
      null,
      'no count of withheld gaps (derived from positions)',
    );
    await ok(
      await prc.post(`/api/talks/${dlg}/releases`, {
        kind: 'gap',
        scenario: 'korea-intercept.yaml',
        trigger: 'US.limited-strike',
        to: room.ids.us,
      }),
      201,
    );
    const shown = await us.get(`/api/talks/${dlg}/gaps`);
    const g = shown.body.scenarios[0].gaps.find(
      (x: { trigger: string }) => x.trigger === 'US.limited-strike',
    );
    assert.ok(g, 'the gap is shown once the PRC agreed');
    assert.equal(g.holder, 'US delegation');
    assert.equal(g.expected, undefined, 'without the underlying numbers');
    assert.equal(g.declared, undefined);
    assert.ok(!shown.text.includes('military-support'), "no trace of the PRC's declared responses");

    // A released answer reaches the party it was released to, and only it.
    await ok(
      await prc.post(`/api/talks/${dlg}/releases`, {
        kind: 'response',
        scenario: 'korea-intercept.yaml',
        trigger: 'US.intercept',
        to: room.ids.us,
      }),
      201,
    );
    const rel = await us.get(`/api/talks/${dlg}/released`);
    assert.deepEqual(rel.body[0].dist, { protest: 0.8, wait: 0.2 });
    assert.equal(rel.body[0].from, 'PRC delegation');
    assert.deepEqual((await observer.get(`/api/talks/${dlg}/released`)).body, []);

    // Drafts: the host drafts three protocols; the parties agree to two.
    const ivs = await us.get(`/api/talks/${dlg}/interventions`);
    assert.ok(ivs.body[0].interventions.some((i: { id: string }) => i.id === 'interception-notice'));
    const draft = async (title: string, interventions: string[]) => {
      const r = await host.post(`/api/talks/${dlg}/drafts`, {
        title,
        text: '',
        parties: [room.ids.us, room.ids.prc],
        mapping: { 'korea-intercept.yaml': { interventions, set: {} } },
      });
      await ok(r, 201);
      return r.body.id as string;
    };
    const notice = await draft('Each side notifies the other within 30 minutes of an interception', [
      'interception-notice',
    ]);
    const relay = await draft('The PRC relays a reassurance to Pyongyang', ['eu-hosted-talks']);
    const launch = await draft('Launch windows are notified', ['launch-notification']);
    for (const id of [notice, relay]) {
      await ok(await us.post(`/api/talks/${dlg}/drafts/${id}/agree`, { agree: true }));
      await ok(await prc.post(`/api/talks/${dlg}/drafts/${id}/agree`, { agree: true }));
    }
    assert.equal(
      (await observer.get(`/api/talks/${dlg}/drafts/${notice}`)).status,
      404,
      'not released to observers',
    );
    await ok(await host.post(`/api/talks/${dlg}/drafts/${notice}/release`, { observers: true }));
    assert.equal((await observer.get(`/api/talks/${dlg}/drafts/${notice}`)).status, 200);
    assert.equal((await observer.get(`/api/talks/${dlg}/drafts`)).body.length, 1);

    const sim = await host.post(`/api/talks/${dlg}/analyses`, { kind: 'protocols' });
    await ok(sim, 202);
    const p = await waitAnalysis(room, sim.body.id);
    assert.equal(p.status, 'done', JSON.stringify(p.result?.error));
    const r0 = p.result.results[0];
    assert.equal(r0.drafts.length, 3);
    assert.deepEqual(r0.package.manifest.interventions, ['interception-notice', 'eu-hosted-talks']);
    assert.equal(r0.leak.venues[0].talks, 'eu-hosted');
    assert.ok(r0.leak.points.length >= 10);
    void launch;

    await ok(await host.post(`/api/talks/${dlg}/analyses/${sim.body.id}/publish`, {}), 204);
    const eff = await us.get(`/api/talks/${dlg}/effects`);
    assert.equal(eff.body.scenarios[0].drafts.length, 3);
    const effObs = await observer.get(`/api/talks/${dlg}/effects`);
    assert.equal(
      effObs.body.scenarios[0].drafts.length,
      1,
      'observers see the effects of released drafts only',
    );

    // The playbook: the host's at once; a member's once issued to a distribution list naming it.
    const md = await host.get(`/api/talks/${dlg}/playbook?format=md`);
    await ok(md);
    assert.match(md.text, /^# BLUE HERON: playbook/);
    assert.match(md.text, /Each side notifies the other within 30 minutes of an interception/);
    assert.ok(!md.text.includes('Launch windows are notified'), 'only agreed protocols');
    assert.match(md.headers.get('content-disposition') ?? '', /filename="blue-heron-playbook.md"/);
    assert.equal((await us.get(`/api/talks/${dlg}/playbook`)).status, 403);
    const members = await host.get(`/api/talks/${dlg}/members`);
    const usId = members.body.find((m: { delegationId: string }) => m.delegationId === room.ids.us).userId;
    await ok(
      await host.put(`/api/talks/${dlg}/playbook/distribution`, {
        users: [usId],
        extra: [{ name: 'EU Special Envoy', role: 'EU' }],
      }),
    );
    await ok(await host.post(`/api/talks/${dlg}/playbook/issue`, {}));
    const html = await us.get(`/api/talks/${dlg}/playbook?format=html`);
    await ok(html);
    assert.match(html.text, /<title>BLUE HERON: playbook<\/title>/);
    assert.match(html.text, /EU Special Envoy/);
    assert.equal((await prc.get(`/api/talks/${dlg}/playbook`)).status, 403, 'the PRC is not on the list');

    // Notifications carry the codename and nothing of the subject.
    const notes = await host.get('/api/talks/notifications');
    assert.ok(notes.body.length > 0);
    for (const n of notes.body) {
      assert.match(n.subject, /^BLUE HERON: /);
      assert.doesNotMatch(n.subject, /korea|intercept|US|PRC|DPRK|strike/i);
    }

    // The audit log records who saw what, and verifies.
    const audit = await host.get(`/api/talks/${dlg}/audit`);
    await ok(audit);
    assert.equal(audit.body.verification.ok, true);
    const actions = audit.body.entries.map((e: { action: string }) => e.action);
    for (const a of [
      'dialogue.convene',
      'invitation.accept',
      'positions.submit',
      'positions.read',
      'release.add',
      'draft.agree',
      'playbook.export',
    ])
      assert.ok(actions.includes(a), a);
    const denied = audit.body.entries.filter((e: { outcome: string }) => e.outcome === 'denied');
    assert.ok(
      denied.some(
        (e: { action: string; role: string }) => e.action === 'positions.read' && e.role === 'delegation',
      ),
    );
  });
});
