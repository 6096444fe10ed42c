// A server killed in the middle of a run (or a comparison) whose jobs are computed on its own threads:
// no half-written result, the job is marked interrupted on restart, and resuming it gives exactly the
// numbers of an uninterrupted one (test/server/crash-cases.ts; the same over a Redis queue in
// jobs-queue.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { killChildren } from './child-server.ts';
import { crashMidComparison, crashMidRun } from './crash-cases.ts';

const dir = mkdtempSync(join(tmpdir(), 'brink-crash-'));
after(async () => {
  await killChildren();
  rmSync(dir, { recursive: true, force: true });
});

test('brink serve killed mid-run: the run is interrupted, resumes from its checkpoint to the uninterrupted numbers', () =>
  crashMidRun(join(dir, 'run')));

test('brink serve killed mid-comparison: the comparison is interrupted, resumes from its checkpoint to the numbers of compare()', () =>
  crashMidComparison(join(dir, 'compare')));
