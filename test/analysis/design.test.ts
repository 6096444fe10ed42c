import assert from 'node:assert/strict';
import { test } from 'node:test';
import { breakeven } from '../../src/analysis/breakeven.ts';
import { compileAt, paramTarget, uncertainTargets } from '../../src/analysis/design.ts';
import { runRange } from '../../src/analysis/ensemble.ts';
import { stepJob } from '../../src/analysis/kernel/executor.ts';
import { metric } from '../../src/analysis/metrics.ts';
import { SensitivityJob, sensitivity } from '../../src/analysis/sensitivity.ts';
import { parseSweepParam, sweep } from '../../src/analysis/sweep.ts';
import { applyInterventions } from '../../src/scenario/index.ts';
import { load, loadDoc } from '../scenarios.ts';

const DECAP = 'scenarios/korea-decapitation-misread.yaml';
const INTERCEPT = 'scenarios/korea-intercept.yaml';
const MISREAD = 'actors.DPRK.perception.misread.US.bomber-flight.US.strike-package';
const meta = { hash: 'h', interventions: [], engine: 't' };
const MISREAD_NAME = 'actors.DPRK.perception.misread["US.bomber-flight"]["US.strike-package"]';

test('compileAt: a parameter at its nominal value compiles to the same runs as the scenario', () => {
  const doc = loadDoc(DECAP);
  const targets = uncertainTargets(doc);
  assert.ok(targets.length >= 10, `only ${targets.length} uncertain parameters`);
  const m = compileAt(
    doc,
    targets,
    targets.map((t) => t.nominal),
    meta,
  );
  assert.deepEqual(runRange(m, 2, 0, 2000).outcomes, runRange(load(DECAP), 2, 0, 2000).outcomes);
  const t = paramTarget(doc, MISREAD);
  assert.equal(t.nominal, 0.03);
  assert.ok(t.dist && 'triangular' in t.dist);
  assert.throws(() => paramTarget(doc, 'actors.DPRK.perception.misread.US.bomber-flite'), /does not exist/);
  assert.throws(() => compileAt(doc, [t], [1.5], meta), /probability/);
});

test('compileAt: one outcome probability moves, the others share the rest (named parameters too)', () => {
  const doc = loadDoc('scenarios/korea-test-failure.yaml');
  const t = paramTarget(doc, 'params.dprk-irbm-test-success');
  const m = compileAt(doc, [t], [0.5], meta);
  const irbm = m.actions.find((a) => a.id === 'DPRK.irbm-test')!;
  const p = Object.fromEntries(irbm.outcomes.map((o) => [o.id, o.p]));
  assert.ok(Math.abs(p.success! - 0.5) < 1e-12);
  const base = load('scenarios/korea-test-failure.yaml').actions.find((a) => a.id === 'DPRK.irbm-test')!;
  const b = Object.fromEntries(base.outcomes.map((o) => [o.id, o.p]));
  // failure : casualties keep their ratio and take the remaining half.
  assert.ok(Math.abs(p.failure! + p.casualties! - 0.5) < 1e-9);
  assert.ok(Math.abs(p.failure! / p.casualties! - b.failure! / b.casualties!) < 1e-6);
  // Every entry of the table varied at once (a Sobol row): the table is normalised.
  const all = ['success', 'failure', 'casualties'].map((k) => paramTarget(doc, `params.dprk-irbm-test-${k}`));
  const m2 = compileAt(doc, all, [0.9, 0.3, 0.3], meta);
  const q = m2.actions.find((a) => a.id === 'DPRK.irbm-test')!.outcomes.map((o) => o.p);
  assert.ok(Math.abs(q[0]! - 0.6) < 1e-9 && Math.abs(q[1]! - 0.2) < 1e-9);
});

test('parseSweepParam: PATH=LO..HI:STEPS, with clear errors', () => {
  assert.deepEqual(parseSweepParam('a.b=0..0.2:5'), { path: 'a.b', lo: 0, hi: 0.2, steps: 5 });
  assert.throws(() => parseSweepParam('a.b=0-1'), /PATH=LO\.\.HI:STEPS/);
});

test('sweep: a grid of every combination; P(war or worse) rises with the misreading probability', () => {
  const doc = loadDoc(DECAP);
  const r = sweep(
    doc,
    [
      { path: MISREAD, lo: 0, hi: 0.15, steps: 3 },
      { path: 'actors.DPRK.perception.isr.air.detect', lo: 0.3, hi: 0.7, steps: 2 },
    ],
    meta,
    { seed: 1, runs: 3000 },
  );
  assert.equal(r.cells.length, 6);
  assert.deepEqual(r.params[0]!.values, [0, 0.075, 0.15]);
  const at = (x: number, y: number) =>
    r.cells.find((c) => c.values[0] === x && c.values[1] === y)!.metrics.warOrWorse!;
  assert.ok(at(0.15, 0.7).p > at(0, 0.7).p);
  assert.ok(at(0.15, 0.7).ci95[0] > at(0, 0.7).ci95[1]);
});

test('sensitivity: the tornado ranks the bomber misreading first and Sobol indices lie in range', () => {
  const doc = loadDoc(DECAP);
  const r = sensitivity(doc, meta, {
    seed: 1,
    only: [
      'actors.DPRK.perception.misread["US.bomber-flight"]["US.strike-package"]',
      'channels.dtl.acceptance.PRC',
    ],
    tornadoRuns: 4000,
    samples: 16,
    runs: 100,
    bootstrap: 100,
  });
  assert.equal(
    r.tornado.bars[0]!.path,
    'actors.DPRK.perception.misread["US.bomber-flight"]["US.strike-package"]',
  );
  assert.ok(r.tornado.bars[0]!.ci95[0] > 0);
  // The DTL is not used in this scenario: its bar is exactly zero on common random numbers.
  assert.equal(r.tornado.bars[1]!.d, 0);
  const s = r.sobol!;
  assert.equal(s.designPoints, 16 * 4);
  assert.ok(s.indices[0]!.total > s.indices[1]!.total);
  assert.equal(s.indices[1]!.total, 0);
  assert.throws(
    () => sensitivity(doc, meta, { seed: 1, only: ['nope'], samples: 0 }),
    /not an uncertain parameter/,
  );
});

test('SensitivityJob: any slicing, with the state through JSON between slices, gives the report of sensitivity()', async () => {
  const doc = loadDoc(DECAP);
  const opts = {
    seed: 3,
    only: [MISREAD_NAME, 'actors.DPRK.perception.isr.air.detect', 'hazards.bomber-flights.ratePerDay'],
    tornadoRuns: 300,
    samples: 4,
    runs: 60,
    bootstrap: 50,
  };
  const whole = sensitivity(doc, meta, opts);
  let job = new SensitivityJob(doc, meta, opts);
  assert.equal(job.totalRuns, 300 * 7 + 4 * 5 * 60);
  const sizes = [1, 299, 450, 77, 1000, 13];
  for (let i = 0; !job.finished; i++) {
    // A slice stays within one design point: slices of any size, checkpointed between them.
    await stepJob(job, sizes[i % sizes.length]!);
    job = new SensitivityJob(doc, meta, opts, job.checkpoint());
  }
  assert.equal(job.state.doneRuns, job.totalRuns);
  assert.deepEqual(job.report(), whole);
});

test('breakeven: EU-hosted talks stop paying at a leak probability inside the interval', () => {
  const base = loadDoc(INTERCEPT);
  const withDoc = applyInterventions(base, ['eu-hosted-talks'], {}).doc!;
  const r = breakeven(
    base,
    withDoc,
    'talks.eu-hosted.leak.DPRK.p',
    { hash: 'h', with: 'eu-hosted-talks', interventions: ['eu-hosted-talks'], engine: 't' },
    { seed: 1, runs: 8000, range: [0, 0.4], grid: 5, bisect: 2, bootstrap: 200 },
  );
  assert.equal(r.verdict, 'crosses');
  const c = r.crossing!;
  assert.equal(c.direction, 'stops-paying');
  assert.ok(c.ci95[0] <= c.x && c.x <= c.ci95[1]);
  assert.ok(c.x > 0 && c.x < 0.3, `crossing at ${c.x}`);
  assert.equal(r.param.inBaseline, false);
  assert.equal(r.points[0]!.x, 0);
  assert.ok(r.points[0]!.d < 0);
  assert.ok(r.points.at(-1)!.d > 0);
});

test('metric: names and clear errors', () => {
  const m = load(DECAP);
  assert.equal(metric(m, 'peak>=war').id, 'peak>=war');
  assert.equal(metric(m, 'peak>=8').id, 'peak>=war');
  assert.throws(() => metric(m, 'peak>=warr'), /unknown rung/);
  assert.throws(() => metric(m, 'wars'), /unknown metric/);
});
