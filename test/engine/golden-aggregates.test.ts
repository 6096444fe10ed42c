import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { computeGolden, GOLDEN_CASES, type Golden, goldenPath } from '../../scripts/golden.ts';

// The engine's numbers are part of its contract (same scenario + seed + engine version -> same
// numbers). Performance work must keep them bit for bit; scripts/golden.ts --write re-records them.
for (const c of GOLDEN_CASES) {
  test(`runRange: ${c.name} (seed ${c.seed}, ${c.runs} runs) reproduces the golden aggregate and traces`, () => {
    const want = JSON.parse(readFileSync(goldenPath(c), 'utf8')) as Golden;
    const got = computeGolden(c);
    assert.equal(got.scenarioHash, want.scenarioHash, 'the scenario changed: re-record the golden file');
    assert.deepEqual(got.aggregate, want.aggregate);
    assert.equal(got.traceSha256, want.traceSha256, 'traces of the first runs changed');
  });
}
