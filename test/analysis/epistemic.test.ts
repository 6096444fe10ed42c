// Second-order Monte Carlo (issue 16): the parameter-uncertainty band against a closed form, against
// the Monte Carlo interval on the decapitation scenario, its JSON in `brink run` and `brink compare`,
// EVPPI on a case with a known answer, and the same numbers on 1 and 2 worker threads and from a
// checkpoint of a background job.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { openBreakeven } from '../../src/analysis/breakeven.ts';
import { compileAt, uncertainTargets } from '../../src/analysis/design.ts';
import {
  bandOf,
  dirichletShapes,
  EPISTEMIC_DESIGN,
  EpistemicDesign,
  importanceOf,
  latinHypercube,
  openEpistemicCompare,
  openEpistemicRun,
} from '../../src/analysis/epistemic.ts';
import {
  type Executor,
  execute,
  executeSync,
  InlineExecutor,
  stepJob,
} from '../../src/analysis/kernel/executor.ts';
import { sourceOf } from '../../src/analysis/kernel/task.ts';
import { ThreadExecutor } from '../../src/analysis/parallel.ts';
import { ANALYSES, type PrepareWith } from '../../src/analysis/registry.ts';
import { SensitivityJob } from '../../src/analysis/sensitivity.ts';
import { openSweep } from '../../src/analysis/sweep.ts';
import type { ManifestOf } from '../../src/contract/runs.ts';
import { ENGINE_VERSION } from '../../src/engine/model.ts';
import { randomStream } from '../../src/engine/rng.ts';
import { prepare } from '../../src/scenario/index.ts';
import { betaQuantile, sumGroup } from '../../src/scenario/params.ts';
import { brink } from '../cli.ts';
import { ROOT } from '../scenarios.ts';

const INTERCEPT = 'scenarios/korea-intercept.yaml';
const DECAP = 'scenarios/korea-decapitation-misread.yaml';
const BETA = 'test/fixtures/valid/beta-war.yaml';
const read = (f: string) => readFileSync(f, 'utf8');

function prepared(file: string, interventions: string[] = []) {
  const p = prepare(`${ROOT}${file}`, { readFile: read, interventions });
  assert.ok(p.model && p.doc && p.hash, `${file} compiles`);
  return { doc: p.doc, model: p.model, hash: p.hash, source: sourceOf(p.doc, p.model) };
}

const metaOf = (p: ReturnType<typeof prepared>) => ({
  hash: p.hash,
  interventions: p.model.interventions,
  engine: ENGINE_VERSION,
});

let pool: ThreadExecutor;
before(() => {
  pool = new ThreadExecutor(2);
});
after(async () => {
  await pool.close();
});

test('latinHypercube: each column has exactly one point in each of the N strata', () => {
  const rows = latinHypercube(randomStream(3, 1), 40, 5);
  for (let c = 0; c < 5; c++) {
    const strata = rows.map((r) => Math.floor(r[c]! * 40)).sort((a, b) => a - b);
    assert.deepEqual(
      strata,
      Array.from({ length: 40 }, (_, i) => i),
    );
  }
});

test('openEpistemicRun: with P(war) = q and q ~ Beta(2, 6), the band has the quantiles of Beta(2, 6)', () => {
  const p = prepared(BETA);
  const r = executeSync(openEpistemicRun(p.doc, metaOf(p), { seed: 7, runs: 10_000, draws: 200 }));
  assert.equal(r.design, EPISTEMIC_DESIGN);
  assert.deepEqual(
    r.drawn.map((x) => x.path),
    ['actors.Red.actions.gamble.outcomes.war.p'],
  );
  const war = r.outcomes.war!;
  // Every draw meets the same 10,000 uniforms (common random numbers), so a draw's estimate is their
  // empirical CDF at q: off by a Brownian bridge of sd <= 0.005, shared by all draws; the sample
  // quantile of 200 stratified draws adds < 1/200 of probability (about 0.01 in q in the upper tail).
  const tol = 0.02;
  assert.ok(Math.abs(war.median - betaQuantile(2, 6, 0.5)) < tol, `median ${war.median}`);
  assert.ok(Math.abs(war.band90[0] - betaQuantile(2, 6, 0.05)) < tol, `5% ${war.band90[0]}`);
  assert.ok(Math.abs(war.band90[1] - betaQuantile(2, 6, 0.95)) < tol, `95% ${war.band90[1]}`);
  assert.ok(Math.abs(war.mean - 0.25) < 0.015, `mean ${war.mean}`);
  // The other outcome is the complement, draw by draw.
  assert.ok(Math.abs(r.outcomes.horizon!.median - (1 - war.median)) < 0.01);
  assert.ok(war.noiseShare < 0.01, `noise share ${war.noiseShare}`);
});

test('brink run --epistemic 50 --runs 1000 --json: korea-decapitation-misread, the band of P(war) is wider than its Monte Carlo interval', async () => {
  const r = await brink(['run', DECAP, '--epistemic', '50', '--runs', '1000', '--workers', '1', '--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.epistemic.draws, 50);
  assert.equal(j.epistemic.design, 'latin-hypercube');
  for (const k of ['war', 'nuclearUse', 'warOrWorse']) {
    const b = j.epistemic.outcomes[k];
    assert.ok(b.band90[0] <= b.median && b.median <= b.band90[1], k);
  }
  const band = j.epistemic.outcomes.war.band90 as [number, number];
  const mc = j.outcomes.war.ci95 as [number, number];
  assert.ok(band[1] - band[0] > mc[1] - mc[0], `band ${band} vs Monte Carlo ${mc}`);
});

test('brink run without --epistemic: no epistemic key, and the same numbers as before', async () => {
  const plain = await brink(['run', BETA, '--runs', '500', '--workers', '1', '--json']);
  const withBand = await brink([
    'run',
    BETA,
    '--runs',
    '500',
    '--workers',
    '1',
    '--json',
    '--epistemic',
    '4',
  ]);
  const a = JSON.parse(plain.out);
  const b = JSON.parse(withBand.out);
  assert.equal('epistemic' in a, false);
  delete a.timing;
  delete b.timing;
  delete b.epistemic;
  assert.deepEqual(b, a);
});

test('brink compare --epistemic: per comparison P(helps) with its interval and every parameter with its importance, the leak multiplier of the talks among them', async () => {
  const r = await brink([
    'compare',
    INTERCEPT,
    '--with',
    'eu-hosted-talks',
    '--epistemic',
    '6',
    '--runs',
    '200',
    '--trace',
    '0',
    '--workers',
    '1',
    '--json',
  ]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  const e = j.comparisons[0].epistemic;
  assert.ok(e.pHelps.p >= 0 && e.pHelps.p <= 1);
  assert.ok(e.pHelps.ci95[0] <= e.pHelps.p && e.pHelps.p <= e.pHelps.ci95[1]);
  const leak = e.parameters.find((x: { path: string }) => x.path === 'params.leak-dprk-attack-lr');
  assert.ok(leak, 'the leak multiplier is drawn');
  assert.equal(typeof leak.importance, 'number');
  assert.equal(j.parameterDraws.draws, 6);
  assert.equal(e.parameters.length, j.parameterDraws.parameters);
  for (let i = 1; i < e.parameters.length; i++)
    assert.ok(e.parameters[i - 1].importance >= e.parameters[i].importance, 'sorted by EVPPI');
});

test('SensitivityJob: the leak multiplier of the talks is among the parameters of brink sensitivity --with eu-hosted-talks', () => {
  const p = prepared(INTERCEPT, ['eu-hosted-talks']);
  const job = new SensitivityJob(p.doc, metaOf(p), { seed: 1, tornadoRuns: 1, samples: 0 });
  assert.ok(job.targets.some((t) => t.name === 'params.leak-dprk-attack-lr'));
});

test('importanceOf: EVPPI is E[max(0, -d | u)] - max(0, -E d) for the parameter that flips the decision, near 0 for noise', () => {
  const rnd = randomStream(11, 2);
  const n = 400;
  const u0 = Array.from({ length: n }, () => rnd());
  const u1 = Array.from({ length: n }, () => rnd());
  // d = u0 - 0.5: the intervention helps when u0 < 0.5; E[max(0, 0.5 - u0)] = 1/8, E d = 0.
  const d = u0.map((u) => u - 0.5);
  const signal = importanceOf(d, (j) => u0[j]!);
  const noise = importanceOf(d, (j) => u1[j]!);
  assert.ok(Math.abs(signal.evppi - 0.125) < 0.01, `evppi ${signal.evppi}`);
  assert.ok(signal.first > 0.9, `first-order ${signal.first}`);
  assert.ok(noise.evppi < 0.03, `noise evppi ${noise.evppi}`);
  assert.ok(noise.first < 0.1, `noise first-order ${noise.first}`);
  // A decision no parameter can flip (d < 0 everywhere) has no value of information.
  assert.equal(
    importanceOf(
      d.map((x) => x - 1),
      (j) => u0[j]!,
    ).evppi,
    0,
  );
});

/** The JSON of an analysis on this thread and on 2 worker threads: the same text. */
async function sameOn1And2(name: string, run: (executor: Executor) => Promise<unknown>) {
  const one = JSON.stringify(await run(new InlineExecutor()));
  const two = JSON.stringify(await run(pool));
  assert.equal(two, one, `${name}: 2 workers differ from 1`);
}

test('execute: epistemic run, compare, sweep and break-even give the same JSON on 1 and 2 worker threads', async () => {
  const base = prepared(INTERCEPT);
  const arm = prepared(INTERCEPT, ['eu-hosted-talks']);
  await sameOn1And2('run', (x) =>
    execute(openEpistemicRun(base.doc, metaOf(base), { seed: 3, runs: 1500, draws: 4 }), x),
  );
  await sameOn1And2('compare', (x) =>
    execute(
      openEpistemicCompare(
        base.doc,
        [{ label: 'eu-hosted-talks', doc: arm.doc, interventions: arm.model.interventions }],
        { hash: base.hash, engine: ENGINE_VERSION },
        { seed: 3, runs: 1200, draws: 4 },
      ),
      x,
    ),
  );
  await sameOn1And2('sweep', (x) =>
    execute(
      openSweep(arm.doc, [{ path: 'talks.eu-hosted.leak.DPRK.p', lo: 0, hi: 0.2, steps: 2 }], metaOf(arm), {
        seed: 3,
        runs: 1000,
        epistemic: 3,
      }),
      x,
    ),
  );
  await sameOn1And2('breakeven', (x) =>
    execute(
      openBreakeven(
        base.doc,
        arm.doc,
        'talks.eu-hosted.leak.DPRK.p',
        {
          hash: base.hash,
          with: 'eu-hosted-talks',
          interventions: arm.model.interventions,
          engine: ENGINE_VERSION,
        },
        { seed: 3, runs: 1000, grid: 3, bisect: 1, bootstrap: 20, epistemic: 3 },
      ),
      x,
    ),
  );
});

test('registry: a background comparison with parameter draws resumes from a checkpoint to the numbers of an uninterrupted one', async () => {
  const prep: PrepareWith = (interventions) => prepared(INTERCEPT, interventions);
  const manifest = {
    scenarioId: 's',
    scenarioPath: INTERCEPT,
    scenarioVersion: 1,
    engine: ENGINE_VERSION,
    set: {},
    ...ANALYSES.compare.manifest(
      prep,
      { arms: ['hotline'], runs: 600, seed: 2, traceRuns: 0, epistemic: 3 },
      ENGINE_VERSION,
    ),
  } as ManifestOf<'compare'>;
  assert.equal(manifest.compare.epistemic, 3);
  const whole = ANALYSES.compare.open(prep, manifest);
  executeSync(whole.job);
  const expected = (await whole.finish(async () => {})).report;
  // A hotline arm draws only the parameters of its own documents (not the talks' leak multiplier).
  const paths = expected.comparisons[0]!.epistemic!.parameters.map((p) => p.path);
  assert.ok(paths.length > 0 && !paths.includes('params.leak-dprk-attack-lr'));

  // Stop in the paired comparison, and again in the parameter draws.
  let opened = ANALYSES.compare.open(prep, manifest);
  for (const units of [250, 900]) {
    await stepJob(opened.job, units);
    opened = ANALYSES.compare.open(prep, manifest, opened.job.checkpoint());
  }
  while (opened.job.done() < opened.job.total) await stepJob(opened.job, 700);
  const resumed = (await opened.finish(async () => {})).report;
  assert.equal(JSON.stringify(resumed), JSON.stringify(expected));
});

test('brink validate --strict: lists the judged numbers without a distribution, by field path and line, and not those drawn', async () => {
  const r = await brink(['validate', '--strict', '--json', 'test/fixtures/valid/two-actors.yaml', BETA]);
  assert.equal(r.code, 0, r.err);
  const [toy, beta] = JSON.parse(r.out).files as {
    diagnostics: { code: string; path: (string | number)[]; line?: number }[];
  }[];
  const fixed = (f: typeof toy) =>
    f!.diagnostics.filter((d) => d.code === 'W_FIXED_JUDGED').map((d) => d.path.join('.'));
  const acceptance = toy!.diagnostics.find((d) => d.path.join('.') === 'channels.hotline.acceptance');
  assert.equal(acceptance?.code, 'W_FIXED_JUDGED');
  assert.equal(acceptance?.line, 44);
  assert.ok(fixed(toy).includes('actors.Blue.doctrine.reassure-on-alert.respond.reassure'));
  assert.ok(fixed(toy).includes('actors.Red.perception.misread.Blue.bomber-flight.Blue.strike-package'));
  // Not judged numbers: hours, ids; and in the toy, the drawn probability and its complement.
  assert.ok(!fixed(toy).some((p) => p.startsWith('injects') || p.startsWith('time')));
  assert.deepEqual(fixed(beta), []);
  const plain = await brink(['validate', '--json', 'test/fixtures/valid/two-actors.yaml']);
  assert.ok(!plain.out.includes('W_FIXED_JUDGED'));
});

test('EpistemicDesign: a response table whose entries are beta with one a + b is drawn as a Dirichlet (exact marginals)', () => {
  const p = prepared('test/fixtures/valid/dirichlet-doctrine.yaml');
  const design = new EpistemicDesign([p.doc], 400, 5);
  const m = { hash: p.hash, interventions: [] };
  const shares: number[][] = [[], [], []];
  for (let d = 0; d < design.draws; d++) {
    const pt = design.point(p.doc, m, d);
    const total = pt.values.reduce((s, x) => s + x, 0);
    for (const [i, x] of pt.values.entries()) shares[i]!.push(x / total);
  }
  const shapes = [2, 3, 5];
  shapes.forEach((a, i) => {
    const s = shares[i]!.sort((x, y) => x - y);
    for (const q of [0.05, 0.5, 0.95]) {
      const got = s[Math.round(q * (s.length - 1))]!;
      const want = betaQuantile(a, 10 - a, q);
      assert.ok(Math.abs(got - want) < 0.02, `entry ${i} at ${q}: ${got} vs Beta(${a}, ${10 - a}) ${want}`);
    }
  });
  // The model compiled at a draw holds the normalised table.
  const pt = design.point(p.doc, m, 0);
  const model = compileAt(p.doc, pt.targets, pt.values, m);
  assert.ok(model);
});

test('a Dirichlet outcome table: the drawn models hold P(war) with mean the nominal 0.2 and the quantiles of Beta(2, 8); the band of P(war) is theirs', () => {
  const p = prepared('test/fixtures/valid/dirichlet-war.yaml');
  const m = { hash: p.hash, interventions: [] };
  // The war entry of the model compiled at each draw (the table normalised): no runs, no noise.
  const warAt = (design: EpistemicDesign) =>
    Array.from({ length: design.draws }, (_, d) => {
      const pt = design.point(p.doc, m, d);
      const outcomes = compileAt(p.doc, pt.targets, pt.values, m).actions.find(
        (a) => a.id === 'Red.gamble',
      )!.outcomes;
      const total = outcomes.reduce((s, o) => s + o.p, 0);
      assert.ok(Math.abs(total - 1) < 1e-9, `draw ${d}: the table sums to ${total}`);
      return outcomes.find((o) => o.id === 'war')!.p;
    });
  const design = new EpistemicDesign([p.doc], 2000, 11);
  assert.equal(design.parameters.length, 3);
  const war = warAt(design);
  const mean = war.reduce((s, x) => s + x, 0) / war.length;
  // Beta(2, 8): sd 0.121, so the mean of 2,000 draws has sd 0.0027, and the 95% quantile about 0.008
  // (a share of three Latin-hypercube columns is not stratified itself): 3 sd.
  assert.ok(Math.abs(mean - 0.2) < 0.008, `mean ${mean}`);
  war.sort((x, y) => x - y);
  for (const q of [0.05, 0.5, 0.95]) {
    const got = war[Math.round(q * (war.length - 1))]!;
    assert.ok(Math.abs(got - betaQuantile(2, 8, q)) < 0.025, `${q}: ${got} vs ${betaQuantile(2, 8, q)}`);
  }
  // Through the engine: P(war) at a draw is that draw's war entry (up to the empirical CDF of the
  // 10,000 common uniforms, sd <= 0.005), so the band is the band of the entries of the same design.
  const r = executeSync(openEpistemicRun(p.doc, metaOf(p), { seed: 7, runs: 10_000, draws: 200 }));
  const want = bandOf(warAt(new EpistemicDesign([p.doc], 200, 7)));
  const band = r.outcomes.war!;
  assert.ok(Math.abs(band.median - want.median) < 0.015, `median ${band.median} vs ${want.median}`);
  for (const k of [0, 1])
    assert.ok(Math.abs(band.band90[k]! - want.band90[k]!) < 0.015, `band ${band.band90} vs ${want.band90}`);
});

test('the Korea library: brink validate --strict lists no judged number without a distribution, every distribution has a source, and its tables that sum to 1 are drawn as Dirichlets', async () => {
  const files = ['korea-test-failure', 'korea-intercept', 'korea-decapitation-misread'].map(
    (s) => `scenarios/${s}.yaml`,
  );
  const r = await brink(['validate', '--strict', '--json', ...files]);
  assert.equal(r.code, 0, r.err);
  for (const f of JSON.parse(r.out).files as {
    file: string;
    diagnostics: { code: string; message: string }[];
  }[])
    assert.deepEqual(
      f.diagnostics.filter((d) => d.code === 'W_FIXED_JUDGED').map((d) => d.message),
      [],
      f.file,
    );
  for (const file of files) {
    const p = prepared(file);
    const targets = uncertainTargets(p.doc);
    const unsourced = targets.filter((t) => !t.source).map((t) => t.name);
    assert.deepEqual(unsourced, [], `${file}: distributions without a source`);
    // Every entry of a table that sums to 1 whose entries are all drawn is part of a Dirichlet.
    const shapes = dirichletShapes(p.doc, targets);
    const tabled = targets.map((t, i) => ({ t, i })).filter(({ t }) => sumGroup(t.path));
    assert.ok(tabled.length > 100, `${file}: ${tabled.length} table entries drawn`);
    const notDirichlet = tabled.filter(({ i }) => shapes[i] === null).map(({ t }) => t.name);
    assert.deepEqual(notDirichlet, [], `${file}: table entries drawn but not as a Dirichlet`);
  }
});
