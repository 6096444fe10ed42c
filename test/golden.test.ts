// Golden playthroughs: a few runs rendered as text, committed, and worth reading. When the engine or
// the scenarios change on purpose, regenerate with `UPDATE_GOLDEN=1 npm test` and review the diff.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { findRun, renderTrace, traceRun } from '../src/analysis/trace.ts';
import { load, ROOT } from './scenarios.ts';

const GOLDEN: { name: string; file: string; with?: string[]; seed: number; find?: string; run?: number }[] = [
  {
    name: 'decapitation-misread-first-war',
    file: 'scenarios/korea-decapitation-misread.yaml',
    seed: 1,
    find: 'war',
  },
  { name: 'intercept-run-0', file: 'scenarios/korea-intercept.yaml', seed: 1, run: 0 },
  {
    name: 'intercept-eu-talks-first-war',
    file: 'scenarios/korea-intercept.yaml',
    with: ['eu-hosted-talks'],
    seed: 1,
    find: 'war',
  },
  {
    name: 'test-failure-first-nuclear-brink',
    file: 'scenarios/korea-test-failure.yaml',
    seed: 1,
    find: 'nuclear-brink',
  },
];

for (const g of GOLDEN) {
  test(`renderTrace matches the golden playthrough ${g.name}`, () => {
    const m = load(g.file, g.with ?? []);
    const run = g.find ? findRun(m, g.seed, g.find, 0, 200_000) : (g.run ?? 0);
    assert.ok(run >= 0);
    const text = `${g.file} seed ${g.seed} run ${run}${g.with ? ` with ${g.with.join(', ')}` : ''}\n\n${renderTrace(m, traceRun(m, g.seed, run).trace)}`;
    const path = `${ROOT}test/golden/${g.name}.txt`;
    if (process.env.UPDATE_GOLDEN || !existsSync(path)) writeFileSync(path, text);
    assert.equal(text, readFileSync(path, 'utf8'));
  });
}
