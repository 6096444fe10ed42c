import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { schemaText } from '../../src/cli/commands/schema.ts';
import { scenarioJsonSchema } from '../../src/scenario/schema.ts';
import { brink, ROOT } from './helpers.ts';

test('brink schema prints the JSON Schema of the scenario format', async () => {
  const r = await brink(['schema']);
  assert.equal(r.code, 0);
  const schema = JSON.parse(r.out) as Record<string, unknown>;
  assert.deepEqual(schema, scenarioJsonSchema());
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.deepEqual((schema as { required: string[] }).required.sort(), ['actors', 'id', 'title', 'version']);
});

test('brink schema --out writes the schema to a file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'brink-schema-'));
  try {
    const r = await brink(['schema', '--out', 'out.json'], dir);
    assert.equal(r.code, 0);
    assert.equal(r.out, '');
    assert.equal(readFileSync(join(dir, 'out.json'), 'utf8'), schemaText());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('brink schema output matches the committed scenario.schema.json (regenerate: npx tsx scripts/gen-schema.ts)', () => {
  const committed = readFileSync(join(ROOT, 'scenario.schema.json'), 'utf8');
  assert.ok(committed === schemaText(), 'scenario.schema.json is stale: run `npx tsx scripts/gen-schema.ts`');
});
