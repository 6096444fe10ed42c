// Two-stage sensitivity (screening, then variance-based) on a toy whose ranking is known in closed form
// (test/fixtures/valid/screening.yaml): P(war) = 1 - (1 - q1)(1 - q2), q1 ~ U(0.05, 0.6) dominant,
// q2 ~ U(0.02, 0.1) small, and three probabilities of acts nobody takes (no effect at all).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { executeSync, stepJob } from '../../src/analysis/kernel/executor.ts';
import { sourceOf } from '../../src/analysis/kernel/task.ts';
import { checkOptions, SensitivityOptionsSchema, SOBOL_TOP } from '../../src/analysis/options.ts';
import { ANALYSES, type PrepareWith } from '../../src/analysis/registry.ts';
import { SensitivityJob, type SensitivityOptions, sensitivity } from '../../src/analysis/sensitivity.ts';
import type { ManifestOf } from '../../src/contract/runs.ts';
import { ENGINE_VERSION } from '../../src/engine/model.ts';
import { prepare } from '../../src/scenario/index.ts';
import type { Scenario } from '../../src/scenario/schema.ts';
import { ROOT } from '../scenarios.ts';

const meta = { hash: 'h', interventions: [], engine: 't' };
const GAMBLE = 'actors.Red.actions.gamble.outcomes.war.p';
const PROBE = 'actors.Red.actions.probe.outcomes.war.p';
const IDLE = ['idle-a', 'idle-b', 'idle-c'].map((a) => `actors.Red.actions.${a}.outcomes.war.p`);

function toy(): Scenario {
  const p = prepare(`${ROOT}test/fixtures/valid/screening.yaml`, {
    readFile: (f: string) => readFileSync(f, 'utf8'),
  });
  assert.ok(p.doc, JSON.stringify(p.diagnostics));
  return p.doc;
}

const small: SensitivityOptions = { seed: 2, tornadoRuns: 2000, samples: 8, runs: 150, bootstrap: 60 };

test('sensitivity with sobolTop 2: the dominant parameter ranks first, the two that matter enter Sobol, the three without effect are held at nominal', () => {
  const doc = toy();
  const r = sensitivity(doc, meta, { ...small, sobolTop: 2 });
  assert.deepEqual(
    r.tornado.bars.map((b) => b.path),
    [GAMBLE, PROBE, ...IDLE],
  );
  // Closed form: d = (q1(0.95) - q1(0.05)) (1 - q2) = (0.5725 - 0.0775) 0.95 = 0.47025.
  const [lo, hi] = r.tornado.bars[0]!.ci95;
  assert.ok(lo < 0.47025 && 0.47025 < hi, `gamble ${r.tornado.bars[0]!.d} [${lo}, ${hi}]`);
  for (const b of r.tornado.bars.slice(2)) assert.equal(b.d, 0, b.path);
  const s = r.sobol!;
  assert.deepEqual(s.screening, {
    top: 2,
    by: 'tornado-swing',
    parameters: [GAMBLE, PROBE],
    heldAtNominal: 3,
  });
  assert.equal(s.designPoints, 8 * (2 + 2));
  assert.deepEqual(s.indices.map((i) => i.path).sort(), [GAMBLE, PROBE]);
  // Every parameter is still listed, and the tornado has a bar for each.
  assert.equal(r.params.length, 5);
});

test('sensitivity: the screened Sobol design is the design run with `only` those parameters (same indices)', () => {
  const doc = toy();
  const screened = sensitivity(doc, meta, { ...small, sobolTop: 2 }).sobol!;
  const only = sensitivity(doc, meta, { ...small, only: [PROBE, GAMBLE] }).sobol!;
  assert.deepEqual(only.screening, {
    top: SOBOL_TOP,
    by: 'all',
    parameters: [GAMBLE, PROBE],
    heldAtNominal: 0,
  });
  const { screening: _a, ...a } = screened;
  const { screening: _b, ...b } = only;
  assert.deepEqual(a, b);
});

test('sensitivity: sobolTop 0 or at least the number of parameters varies all of them (no screening)', () => {
  const doc = toy();
  const opts = { ...small, tornadoRuns: 300, samples: 2, runs: 40, bootstrap: 10 };
  const all = sensitivity(doc, meta, { ...opts, sobolTop: 0 });
  assert.equal(all.sobol!.screening!.by, 'all');
  assert.equal(all.sobol!.screening!.heldAtNominal, 0);
  assert.equal(all.sobol!.designPoints, 2 * (5 + 2));
  assert.equal(all.sobol!.indices.length, 5);
  const many = sensitivity(doc, meta, { ...opts, sobolTop: 9 });
  assert.deepEqual(many.sobol!.indices, all.sobol!.indices);
  assert.deepEqual(many.tornado, all.tornado);
  assert.equal(new SensitivityJob(doc, meta, { ...opts, sobolTop: 2 }).totalRuns, 300 * 11 + 2 * 4 * 40);
});

test('SensitivityJob with screening: the Sobol points are planned only after the tornado, and any slicing through checkpoints gives the report of sensitivity()', async () => {
  const doc = toy();
  const opts = { ...small, tornadoRuns: 400, samples: 3, runs: 50, bootstrap: 20, sobolTop: 2 };
  const whole = sensitivity(doc, meta, opts);
  const fresh = new SensitivityJob(doc, meta, opts);
  // The first plan covers the nominal and the five tornado bars (paired: two settings each), no more.
  const first = fresh.next({ parallelism: 2 });
  const runs = first.reduce((n, t) => n + (t.kind === 'point' ? t.count * t.settings.length : 0), 0);
  assert.equal(runs, 400 * (1 + 2 * 5));
  let job = new SensitivityJob(doc, meta, opts);
  const sizes = [1, 399, 450, 77, 1000, 13];
  for (let i = 0; !job.finished; i++) {
    await stepJob(job, sizes[i % sizes.length]!);
    job = new SensitivityJob(doc, meta, opts, job.checkpoint());
  }
  assert.equal(job.state.doneRuns, job.totalRuns);
  assert.deepEqual(job.report(), whole);
});

test('sobolTop: a negative or fractional value is refused with the field named', () => {
  const doc = toy();
  assert.throws(
    () => new SensitivityJob(doc, meta, { seed: 1, sobolTop: -1 }),
    /sobolTop: expected a whole number >= 0/,
  );
  assert.throws(
    () => new SensitivityJob(doc, meta, { seed: 1, sobolTop: 2.5 }),
    /sobolTop: expected a whole number >= 0/,
  );
  for (const bad of [-1, 2.5]) {
    const r = SensitivityOptionsSchema.safeParse({ sobolTop: bad });
    assert.ok(!r.success);
    assert.deepEqual(r.error.issues[0]!.path, ['sobolTop']);
    assert.throws(
      () => checkOptions(SensitivityOptionsSchema, { sobolTop: bad }, { sobolTop: '--sobol-top' }),
      /^RangeError: --sobol-top: /,
    );
  }
  assert.equal(SensitivityOptionsSchema.parse({}).sobolTop, SOBOL_TOP);
});

test('the registry: a manifest records sobolTop; one stored before screening (no sobolTop) opens as every parameter, to its own design', async () => {
  const p = prepare(`${ROOT}test/fixtures/valid/screening.yaml`, {
    readFile: (f: string) => readFileSync(f, 'utf8'),
  });
  assert.ok(p.doc && p.model && p.hash);
  const prep: PrepareWith = () => ({
    doc: p.doc!,
    model: p.model!,
    hash: p.hash!,
    source: sourceOf(p.doc!, p.model!),
  });
  const o = SensitivityOptionsSchema.parse({
    tornadoRuns: 200,
    samples: 2,
    runsPerPoint: 30,
    bootstrap: 10,
    sobolTop: 2,
  });
  const fields = ANALYSES.sensitivity.manifest(prep, o, ENGINE_VERSION);
  assert.equal(fields.sensitivity.sobolTop, 2);
  assert.equal(fields.runs, 200 * 11 + 2 * 4 * 30);
  const manifest = {
    ...fields,
    scenarioId: 's',
    scenarioPath: 'screening.yaml',
    scenarioVersion: 1,
    engine: ENGINE_VERSION,
    set: {},
  } as ManifestOf<'sensitivity'>;
  const screened = ANALYSES.sensitivity.open(prep, manifest);
  executeSync(screened.job);
  assert.equal((await screened.finish(async () => {})).sobol!.screening!.by, 'tornado-swing');
  // Before 2026-12-03 a manifest had no sobolTop, and its runs counted the design over all 5.
  const { sobolTop: _, ...old } = manifest.sensitivity;
  const before = { ...manifest, runs: 200 * 11 + 2 * 7 * 30, sensitivity: old } as ManifestOf<'sensitivity'>;
  const opened = ANALYSES.sensitivity.open(prep, before);
  executeSync(opened.job);
  const r = await opened.finish(async () => {});
  assert.equal(r.sobol!.screening!.by, 'all');
  assert.equal(r.sobol!.indices.length, 5);
});
