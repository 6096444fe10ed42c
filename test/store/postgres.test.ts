import { after, before } from 'node:test';
import { openPostgres } from '../../src/store/index.ts';
import { createDatabase, type PgCluster, startPostgres } from '../pg.ts';
import { storeContract } from './contract.ts';

let cluster: PgCluster;
before(async () => {
  cluster = await startPostgres();
});
after(() => cluster?.stop());

storeContract('PostgreSQL', async () => openPostgres(await createDatabase(cluster, 'contract')));
