// The talks room on PostgreSQL: the same migration and queries as on SQLite (hermetic cluster).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createApp } from '../../src/server/app.ts';
import { prepareServices } from '../../src/server/index.ts';
import { createDatabase, type PgCluster, startPostgres } from '../pg.ts';
import { EXAMPLES, member, setupOwner } from './helpers.ts';
import { joinAs, ok, submitForm } from './talks-helpers.ts';

let cluster: PgCluster;
before(async () => {
  cluster = await startPostgres();
});
after(() => cluster?.stop());

test('a dialogue on PostgreSQL: convene, join, submit, rank gaps, audit chain verifies', async () => {
  const services = await prepareServices({
    database: await createDatabase(cluster, 'talks'),
    examplesDir: EXAMPLES,
    setupToken: undefined,
    secureCookies: false,
    talks: { masterKey: Buffer.alloc(32, 5) },
  });
  try {
    const app = createApp(services);
    const { owner, ws } = await setupOwner(app);
    const host = await member(app, owner, ws, 'host@example.org', 'analyst');
    const conv = await host.post(`/api/workspaces/${ws}/talks`, {
      codename: 'BLUE HERON',
      scenarios: ['korea-intercept.yaml'],
      delegations: [
        { label: 'US delegation', actor: 'US' },
        { label: 'PRC delegation', actor: 'PRC' },
      ],
      settings: { runs: 100, maxRuns: 100 },
    });
    await ok(conv, 201);
    const dlg = conv.body.id;
    const ids = (await host.get(`/api/talks/${dlg}`)).body.delegations.map((d: { id: string }) => d.id);
    const us = await joinAs(app, host, dlg, ids[0], 'us@example.org');
    const prc = await joinAs(app, host, dlg, ids[1], 'prc@example.org');
    await submitForm(us, dlg);
    await submitForm(prc, dlg);
    assert.equal((await us.get(`/api/talks/${dlg}/delegations/${ids[1]}/positions`)).status, 403);
    const an = await host.post(`/api/talks/${dlg}/analyses`, { kind: 'gaps' });
    await ok(an, 202);
    await services.talks!.jobs.idle();
    const r = await host.get(`/api/talks/${dlg}/analyses/${an.body.id}`);
    assert.equal(r.body.status, 'done');
    assert.equal(r.body.result.results[0].base.manifest.runs, 100);
    const audit = await host.get(`/api/talks/${dlg}/audit`);
    assert.equal(audit.body.verification.ok, true);
    assert.ok(audit.body.entries.length > 8);
  } finally {
    await services.talks?.jobs.stop();
    await services.jobs.stop();
    await services.store.close();
  }
});
