import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openSqlite } from '../../src/store/index.ts';
import { storeContract } from './contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'brink-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));

storeContract('SQLite file', () => openSqlite(join(dir, 'sub', 'brink.db')));
storeContract('SQLite in memory', () => openSqlite(':memory:'));
