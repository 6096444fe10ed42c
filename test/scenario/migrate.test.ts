// Format migrations: a v1 file upgraded to v2 (frozen fixtures) runs exactly as the v1 file does.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { runRange } from '../../src/analysis/ensemble.ts';
import { prepare } from '../../src/scenario/index.ts';
import { upgradeText } from '../../src/scenario/migrate.ts';
import { brink } from '../cli.ts';
import { ROOT } from '../scenarios.ts';

const V1 = 'test/fixtures/migrations/v1-two-actors.yaml';
const V2 = 'test/fixtures/migrations/v1-two-actors.v2.yaml';
const read = (f: string) => readFileSync(`${ROOT}${f}`, 'utf8');

test('upgradeText: a v1 file becomes the frozen v2 fixture, comments kept', () => {
  const r = upgradeText(read(V1), V1);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.from, 1);
  assert.equal(r.text, read(V2));
  assert.match(r.text!, /^# A two-actor toy/);
  assert.match(r.text!, /readinessSlack: 1/);
});

test('upgradeText: the upgraded file runs exactly as the v1 file', () => {
  const model = (f: string) => {
    const p = prepare(`${ROOT}${f}`, { readFile: (x) => readFileSync(x, 'utf8') });
    assert.ok(p.model, JSON.stringify(p.diagnostics));
    return p.model;
  };
  const a = runRange(model(V1), 3, 0, 3000);
  const b = runRange(model(V2), 3, 0, 3000);
  assert.deepEqual(a, b);
});

test('upgradeText: a v2 file is only formatted; an unknown version is an error', () => {
  const v2 = upgradeText(read(V2), V2);
  assert.equal(v2.text, read(V2));
  const v3 = upgradeText('version: 3\nid: x\ntitle: X\nactors: {}\n', 'x.yaml');
  assert.equal(v3.text, undefined);
  assert.equal(v3.diagnostics[0]!.code, 'E_VERSION');
});

test('brink fmt --upgrade prints the upgraded file', async () => {
  const r = await brink(['fmt', '--upgrade', V1]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, read(V2));
});
