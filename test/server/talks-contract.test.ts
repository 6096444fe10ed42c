// The talks API contract (src/talks/contract.ts) is what the API really returns: every view of a whole
// dialogue, read by the host, a delegation and an observer, parses with its schema to exactly itself
// (zod drops keys a schema does not name, so a field the server sends and the contract lacks fails
// here, and so does a field of the wrong type). The web app's types are `z.infer` of these schemas.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { z } from 'zod';
import * as C from '../../src/talks/contract.ts';
import type { Client } from './helpers.ts';
import { ok, type Room, setupRoom, submitForm, waitAnalysis } from './talks-helpers.ts';

async function view(c: Client, path: string, schema: z.ZodType): Promise<void> {
  const r = await c.get(path);
  await ok(r);
  assert.deepEqual(schema.parse(r.body), r.body, `${path} as the contract has it`);
}

describe('talks API contract', () => {
  let room: Room;
  before(async () => {
    room = await setupRoom();
  });
  after(() => room.srv.close());

  test('every view of a dialogue parses with its contract schema to exactly itself', async () => {
    const { dlg, host, us, prc, observer, ids } = room;
    const base = `/api/talks/${dlg}`;
    for (const c of [host, us, observer]) {
      await view(c, '/api/talks', C.DialogueRef.array());
      await view(c, base, C.Overview);
    }
    await view(us, `${base}/form`, C.Form);
    await submitForm(us, dlg);
    await submitForm(prc, dlg);
    await view(host, base, C.Overview);
    await view(us, base, C.Overview);

    const gaps = await host.post(`${base}/analyses`, { kind: 'gaps' });
    await ok(gaps, 202);
    assert.equal((await waitAnalysis(room, gaps.body.id)).status, 'done');
    await view(host, `${base}/analyses/${gaps.body.id}`, C.AnalysisView);
    await ok(await host.post(`${base}/analyses/${gaps.body.id}/publish`, {}), 204);
    await ok(
      await prc.post(`${base}/releases`, {
        kind: 'gap',
        scenario: 'korea-intercept.yaml',
        trigger: 'US.limited-strike',
        to: ids.us,
      }),
      201,
    );
    await ok(
      await prc.post(`${base}/releases`, {
        kind: 'response',
        scenario: 'korea-intercept.yaml',
        trigger: 'US.intercept',
        to: ids.us,
      }),
      201,
    );
    await view(us, `${base}/gaps`, C.SharedGaps);
    await view(us, `${base}/released`, C.ReleasedItem.array());
    await view(prc, `${base}/releases`, C.ReleaseRow.array());

    await view(us, `${base}/interventions`, C.InterventionList.array());
    const draft = await host.post(`${base}/drafts`, {
      title: 'Each side notifies the other of an interception',
      text: 'Within 30 minutes.',
      parties: [ids.us, ids.prc],
      mapping: { 'korea-intercept.yaml': { interventions: ['interception-notice'], set: {} } },
    });
    await ok(draft, 201);
    await ok(await us.post(`${base}/drafts/${draft.body.id}/agree`, { agree: true }));
    await view(us, `${base}/drafts`, C.DraftView.array());
    await view(host, `${base}/drafts/${draft.body.id}`, C.DraftView);

    const sim = await host.post(`${base}/analyses`, { kind: 'protocols' });
    await ok(sim, 202);
    assert.equal((await waitAnalysis(room, sim.body.id)).status, 'done');
    await view(host, `${base}/analyses/${sim.body.id}`, C.AnalysisView);
    await view(host, `${base}/analyses`, C.AnalysisRef.array());
    await ok(await host.post(`${base}/analyses/${sim.body.id}/publish`, {}), 204);
    await view(us, `${base}/effects`, C.SharedEffects);
    await view(observer, `${base}/effects`, C.SharedEffects);

    await view(host, `${base}/audit`, C.AuditLog);
    await view(host, '/api/talks/notifications', C.NotificationView.array());
  });
});
