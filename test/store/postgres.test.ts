import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openPostgres } from '../../src/store/index.ts';
import { createDatabase, type PgCluster, startPostgres } from '../pg.ts';
import { Client, setupOwner, testServer } from '../server/helpers.ts';
import { storeContract } from './contract.ts';

let cluster: PgCluster;
before(async () => {
  cluster = await startPostgres();
});
after(() => cluster?.stop());

storeContract('PostgreSQL', async () => openPostgres(await createDatabase(cluster, 'contract')));

test('the workbench on PostgreSQL: examples on first start, setup, a run to its report', async () => {
  const srv = await testServer(await createDatabase(cluster, 'workbench'));
  try {
    const health = await new Client(srv.app).get('/api/health');
    assert.equal(health.body.database, 'postgres');
    const anon = await new Client(srv.app).get('/api/scenarios');
    assert.equal(anon.body.length, 3);
    const { owner, ws } = await setupOwner(srv.app);
    const id = anon.body.find((s: { path: string }) => s.path === 'korea-intercept.yaml').id;
    const run = await owner.post(`/api/workspaces/${ws}/runs`, { scenarioId: id, runs: 500, seed: 2 });
    assert.equal(run.status, 202);
    await srv.services.jobs.idle();
    const done = await owner.get(`/api/workspaces/${ws}/runs/${run.body.id}`);
    assert.equal(done.body.status, 'done');
    assert.equal(done.body.report.runs, 500);
  } finally {
    await srv.close();
  }
});
