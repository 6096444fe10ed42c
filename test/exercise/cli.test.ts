// `brink exercise replay`: the log a facilitator exports replays to the same true events from the
// command line; a broken log is refused with the field at fault.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { renderTrace } from '../../src/analysis/trace.ts';
import { brink } from '../cli.ts';
import { koreaSetup, Log, playTurns } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'brink-exercise-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('brink exercise replay prints the true events of the logged game, and the AAR with --aar md', async () => {
  const log = new Log(koreaSetup({ coach: { runs: 200, windowDays: 14 } }));
  const game = playTurns(log, 6, (_k, o) => o.at(-1)!);
  const file = join(dir, 'log.json');
  writeFileSync(file, JSON.stringify(log.entries));
  const r = await brink(['exercise', 'replay', file]);
  assert.equal(r.code, 0, r.err);
  assert.ok(r.out.includes(renderTrace(game.model, game.run.trace)));
  const aar = await brink(['exercise', 'replay', file, '--aar', 'md', '--runs', '200']);
  assert.equal(aar.code, 0, aar.err);
  assert.match(aar.out, /^# After-Action Report \/ Improvement Plan: Intercept tabletop/);
});

test('brink exercise replay names the entry at fault in a broken log', async () => {
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify([{ seq: 0, at: 'x', userId: 'u', entry: { kind: 'clock', now: -3 } }]));
  const r = await brink(['exercise', 'replay', file]);
  assert.equal(r.code, 1);
  assert.match(r.err, /bad\.json: 0\.entry\.now: /);
  assert.ok(!r.err.includes('    at '), 'no stack trace');
});
