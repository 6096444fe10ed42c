// The analysis commands give the same numbers on 1, 2 and 7 workers (issue 5), and the range tasks
// behind them (src/analysis/kernel/) merge exactly: in order, from a checkpoint, and with a bounded
// window of tasks in flight.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { openBreakeven } from '../../src/analysis/breakeven.ts';
import { compare, PairedComparison } from '../../src/analysis/compare.ts';
import {
  type Executor,
  execute,
  InlineExecutor,
  runInOrder,
  runJob,
  stepJob,
} from '../../src/analysis/kernel/executor.ts';
import { modelSourceOf, ranges } from '../../src/analysis/kernel/task.ts';
import { ThreadExecutor } from '../../src/analysis/parallel.ts';
import { progressOf, SensitivityJob, sensitivity } from '../../src/analysis/sensitivity.ts';
import { openSweep, parseSweepParam } from '../../src/analysis/sweep.ts';
import { ENGINE_VERSION } from '../../src/engine/model.ts';
import { applyInterventions, prepare } from '../../src/scenario/index.ts';
import { loadDocument } from '../../src/scenario/load.ts';
import type { Scenario } from '../../src/scenario/schema.ts';
import { brink } from '../cli.ts';
import { ROOT } from '../scenarios.ts';

const INTERCEPT = 'scenarios/korea-intercept.yaml';
const DECAP = 'scenarios/korea-decapitation-misread.yaml';
const read = (f: string) => readFileSync(f, 'utf8');

function prepared(file: string, interventions: string[] = []) {
  const p = prepare(`${ROOT}${file}`, { readFile: read, interventions });
  return { model: p.model!, source: modelSourceOf(p) };
}

function doc(file: string): Scenario {
  return loadDocument(`${ROOT}${file}`, { readFile: read }).doc!;
}

// Two pools for the whole file (threads start once): 2 workers, and 7 (more threads than cores).
let pool: ThreadExecutor;
let pool7: ThreadExecutor;
const here = new InlineExecutor();
before(() => {
  pool = new ThreadExecutor(2);
  pool7 = new ThreadExecutor(7);
});
after(async () => {
  await Promise.all([pool.close(), pool7.close()]);
});

/** The JSON of an analysis on this thread, on 2 and on 7 worker threads: the same text. */
async function sameOnAnyWorkers(name: string, run: (executor: Executor) => Promise<unknown>) {
  const one = JSON.stringify(await run(here));
  const [two, seven] = await Promise.all([run(pool), run(pool7)]);
  assert.equal(JSON.stringify(two), one, `${name}: 2 workers differ from 1`);
  assert.equal(JSON.stringify(seven), one, `${name}: 7 workers differ from 1`);
}

test('execute: compare, sweep, sensitivity and break-even give the same JSON report on 1, 2 and 7 workers', async () => {
  const base = prepared(INTERCEPT);
  const arms = ['hotline', 'eu-hosted-talks+launch-notification'].map((label) => ({
    label,
    ...prepared(INTERCEPT, [label]),
  }));
  await sameOnAnyWorkers('compare', (executor) =>
    execute(
      new PairedComparison({
        base: base.model,
        baseSource: base.source,
        arms,
        seed: 4,
        runs: 5500,
        traceRuns: 20,
        engine: ENGINE_VERSION,
      }),
      executor,
    ),
  );
  const intercept = doc(INTERCEPT);
  const withTalks = applyInterventions(intercept, ['eu-hosted-talks'], {}).doc!;
  const meta = { hash: 'h', interventions: ['eu-hosted-talks'], engine: ENGINE_VERSION };
  const grid = ['talks.eu-hosted.leak.DPRK.p=0..0.3:3', 'talks.eu-hosted.convergence=0.2..0.6:2'];
  await sameOnAnyWorkers('sweep', (executor) =>
    execute(
      openSweep(withTalks, grid.map(parseSweepParam), meta, {
        seed: 2,
        runs: 1500,
        metrics: ['warOrWorse', 'war', 'peak>=lethal-clash'],
      }),
      executor,
    ),
  );
  const decap = doc(DECAP);
  await sameOnAnyWorkers('sensitivity', (executor) =>
    execute(
      new SensitivityJob(
        decap,
        { hash: 'h', interventions: [], engine: ENGINE_VERSION },
        {
          seed: 3,
          only: [
            'actors.DPRK.perception.isr.air.detect',
            'hazards.bomber-flights.ratePerDay',
            'channels.dtl.acceptance.PRC',
          ],
          tornadoRuns: 1200,
          samples: 3,
          runs: 80,
          bootstrap: 30,
          // Screened: the Sobol design over the two with the largest tornado swing.
          sobolTop: 2,
        },
      ),
      executor,
    ),
  );
  const be = { ...meta, with: 'eu-hosted-talks' };
  await sameOnAnyWorkers('breakeven', (executor) =>
    execute(
      openBreakeven(intercept, withTalks, 'talks.eu-hosted.leak.DPRK.p', be, {
        seed: 1,
        runs: 2000,
        range: [0, 0.4],
        grid: 3,
        bisect: 2,
        bootstrap: 100,
      }),
      executor,
    ),
  );
});

/** The JSON a command printed, without its `timing`; and the timing. */
function printed(r: { code: number; out: string; err: string }) {
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as Record<string, unknown>;
  const timing = j.timing as Record<string, unknown>;
  delete j.timing;
  return { json: JSON.stringify(j), timing };
}

test('brink compare, sweep, sensitivity, breakeven --workers 2 --json: the report of --workers 1', async () => {
  const commands = [
    ['compare', INTERCEPT, '--with', 'hotline', '--with', 'us-china-talks', '--runs', '2500', '--seed', '4'],
    [
      'sweep',
      INTERCEPT,
      '--with',
      'eu-hosted-talks',
      '--param',
      'talks.eu-hosted.leak.DPRK.p=0..0.3:3',
      '--runs',
      '1000',
    ],
    [
      'sensitivity',
      DECAP,
      '--only',
      'actors.DPRK.perception.isr.air.detect',
      '--only',
      'channels.dtl.acceptance.PRC',
      '--sobol-top',
      '1',
      '--tornado-runs',
      '1000',
      '--samples',
      '3',
      '--runs',
      '50',
      '--bootstrap',
      '20',
    ],
    [
      'breakeven',
      INTERCEPT,
      '--with',
      'eu-hosted-talks',
      '--param',
      'talks.eu-hosted.leak.DPRK.p',
      '--range',
      '0..0.4',
      '--runs',
      '1500',
      '--grid',
      '3',
      '--bisect',
      '1',
    ],
  ];
  for (const args of commands) {
    const one = printed(await brink([...args, '--workers', '1', '--json']));
    const two = printed(await brink([...args, '--workers', '2', '--json']));
    assert.equal(one.timing.workers, 1);
    assert.equal(two.timing.workers, 2);
    assert.equal(two.json, one.json, `brink ${args[0]}`);
  }
});

test('brink compare --workers 0 and sweep --queue without a URL are option errors', async () => {
  const w = await brink(['compare', INTERCEPT, '--with', 'hotline', '--workers', '0']);
  assert.equal(w.code, 2);
  assert.match(w.err, /number of worker threads/);
  const q = await brink(['sweep', INTERCEPT, '--param', 'x=0..1:2', '--queue', 'localhost:6379']);
  assert.equal(q.code, 2);
  assert.match(q.err, /expected a Redis URL/);
});

test('PairedComparison: resumed from a checkpoint on worker threads, the report of compare() on one', async () => {
  const base = prepared(INTERCEPT);
  const arms = ['hotline', 'us-china-talks'].map((label) => ({ label, ...prepared(INTERCEPT, [label]) }));
  const setup = {
    base: base.model,
    baseSource: base.source,
    arms,
    seed: 9,
    traceRuns: 25,
    runs: 4321,
    engine: ENGINE_VERSION,
  };
  const whole = compare(base.model, arms, setup);
  // A workbench job's first slices on this thread, a checkpoint, then the rest on the pool in shards.
  const first = new PairedComparison(setup);
  await stepJob(first, 777);
  assert.equal(first.done(), 777);
  const resumed = new PairedComparison({ ...setup, shardSize: 500 }, first.checkpoint());
  const seen: number[] = [];
  await runJob(resumed, pool, { onProgress: (runs) => void seen.push(runs) });
  assert.equal(resumed.state.runs, 4321);
  assert.deepEqual(resumed.report(), whole);
  assert.deepEqual(
    seen,
    [...seen].sort((a, b) => a - b),
  );
  assert.equal(seen.at(-1), 4321);
});

test('SensitivityJob: resumed mid-design on worker threads, the report of sensitivity() on one', async () => {
  const d = doc(DECAP);
  const meta = { hash: 'h', interventions: [], engine: ENGINE_VERSION };
  const opts = {
    seed: 5,
    only: ['actors.DPRK.perception.isr.air.detect', 'hazards.bomber-flights.ratePerDay'],
    tornadoRuns: 1500,
    samples: 3,
    runs: 70,
    bootstrap: 40,
    // Screened: the Sobol points are planned once the tornado's counts are in.
    sobolTop: 1,
  };
  const whole = sensitivity(d, meta, opts);
  const job = new SensitivityJob(d, meta, opts);
  // Slices within one design point each: the nominal point (1500 runs), then into the first tornado bar.
  await stepJob(job, 1700);
  await stepJob(job, 200);
  assert.deepEqual([job.state.point, job.state.runInPoint], [1, 100]);
  const resumed = new SensitivityJob(d, meta, opts, job.checkpoint());
  const points: number[] = [];
  await runJob(resumed, pool, {
    onProgress: progressOf(resumed, { onProgress: (p) => points.push(p) }),
  });
  assert.equal(resumed.state.doneRuns, resumed.totalRuns);
  assert.deepEqual(resumed.report(), whole);
  assert.deepEqual(
    points,
    Array.from({ length: resumed.points - 1 }, (_, i) => i + 2),
  );
  assert.deepEqual(await execute(new SensitivityJob(d, meta, opts), pool), whole);
});

test('sweep: a cell that does not compile fails with the error of the first such cell, as on one thread', async () => {
  const d = applyInterventions(doc(INTERCEPT), ['eu-hosted-talks'], {}).doc!;
  const meta = { hash: 'h', interventions: ['eu-hosted-talks'], engine: ENGINE_VERSION };
  // Probabilities above 1 do not compile: the cells at 1.5 and 2 fail, the first one is reported.
  const params = [parseSweepParam('talks.eu-hosted.leak.DPRK.p=0..2:5')];
  const first = /^with talks\.eu-hosted\.leak\.DPRK\.p=1\.5: a probability must lie in \[0, 1\]/;
  for (const executor of [here, pool, pool7])
    await assert.rejects(
      execute(openSweep(d, params, meta, { seed: 1, runs: 200 }), executor),
      (e: unknown) => {
        assert.ok(e instanceof RangeError, String(e));
        assert.match(e.message, first);
        return true;
      },
    );
});

test('runInOrder: results handed on in task order, never more than the window started and not handed on', async () => {
  const delays = [30, 1, 25, 2, 1, 15, 3, 1, 1, 8];
  let open = 0;
  let most = 0;
  const handed: number[] = [];
  await runInOrder(
    delays,
    async (ms) => {
      open++;
      most = Math.max(most, open);
      await new Promise((r) => setTimeout(r, ms));
      return ms;
    },
    (k, r) => {
      open--;
      assert.equal(r, delays[k]);
      handed.push(k);
    },
    { window: 3 },
  );
  assert.deepEqual(
    handed,
    delays.map((_, k) => k),
  );
  assert.ok(most <= 3, `at most 3 open, saw ${most}`);
  // The failure met first in task order wins, whichever fails first in time.
  await assert.rejects(
    runInOrder(
      [20, 1, 1],
      async (ms) => {
        await new Promise((r) => setTimeout(r, ms));
        throw new Error(`task ${ms}`);
      },
      () => {},
      { window: 3 },
    ),
    /task 20/,
  );
});

test('ranges by parts: consecutive ranges covering [from, to), none under the minimum', () => {
  assert.deepEqual(ranges(100, 1100, { parts: 4, minSize: 300 }), [
    { start: 100, count: 333 },
    { start: 433, count: 333 },
    { start: 766, count: 334 },
  ]);
  assert.deepEqual(ranges(0, 50, { parts: 8, minSize: 100 }), [{ start: 0, count: 50 }]);
  assert.deepEqual(ranges(5, 5, { parts: 8, minSize: 100 }), []);
});
