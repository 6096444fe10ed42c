// Every example file (scenarios, libraries, cases) is valid and in canonical form.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { brink } from './cli.ts';
import { ROOT } from './scenarios.ts';

const yamlUnder = (dir: string) =>
  readdirSync(`${ROOT}${dir}`, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => `${dir}/${f}`)
    .sort();

const EXAMPLES = [...yamlUnder('scenarios'), ...yamlUnder('cases')];

test('brink validate: every example scenario, library and case is valid', async () => {
  const r = await brink(['validate', ...EXAMPLES.filter((f) => !f.includes('/lib/'))]);
  assert.equal(r.code, 0, r.out + r.err);
  const libs = await brink(['validate', ...EXAMPLES.filter((f) => f.includes('/lib/'))]);
  assert.equal(libs.code, 0, libs.out + libs.err);
});

test('brink fmt --check: every example file is in canonical form (run brink fmt --write)', async () => {
  const r = await brink(['fmt', '--check', ...EXAMPLES]);
  assert.equal(r.code, 0, r.out + r.err);
});
