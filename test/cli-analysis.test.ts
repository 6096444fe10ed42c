// The analysis commands: JSON contracts, determinism, formats and clear errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BreakevenOptionsSchema, SensitivityOptionsSchema } from '../src/analysis/options.ts';
import { brink } from './cli.ts';

const INTERCEPT = 'scenarios/korea-intercept.yaml';
const DECAP = 'scenarios/korea-decapitation-misread.yaml';
/** A sweep of the EU-hosted talks' leak probability, and the break-even search over it. */
const LEAK = 'talks.eu-hosted.leak.DPRK.p';
const SWEEP = ['sweep', INTERCEPT, '--with', 'eu-hosted-talks', '--param', `${LEAK}=0..0.2:3`];
const BREAKEVEN = ['breakeven', INTERCEPT, '--with', 'eu-hosted-talks', '--param', LEAK];

test('brink compare --json: comparisons with paired deltas beside the baseline run keys, same output for the same seed', async () => {
  const args = [
    'compare',
    INTERCEPT,
    '--with',
    'eu-hosted-talks',
    '--with',
    'hotline+launch-notification',
    '--runs',
    '3000',
    '--json',
  ];
  const a = await brink(args);
  assert.equal(a.code, 0, a.err);
  const ja = JSON.parse(a.out);
  for (const k of [
    'scenario',
    'engine',
    'seed',
    'runs',
    'exceedance',
    'outcomes',
    'paths',
    'misperception',
    'comparisons',
  ])
    assert.ok(k in ja, `missing ${k}`);
  const c = ja.comparisons[1];
  assert.equal(c.with, 'hotline+launch-notification');
  assert.deepEqual(c.interventions, ['hotline', 'launch-notification']);
  for (const k of ['war', 'nuclearUse', 'resolved', 'horizon', 'warOrWorse']) {
    assert.equal(typeof c.delta[k].d, 'number');
    assert.equal(c.delta[k].ci95.length, 2);
    assert.ok(c.delta[k].ci95[0] <= c.delta[k].d && c.delta[k].d <= c.delta[k].ci95[1]);
  }
  assert.equal(typeof c.saved, 'number');
  assert.equal(typeof c.harmed, 'number');
  assert.ok('saved' in c.mechanisms && 'harmed' in c.mechanisms);
  const b = JSON.parse((await brink(args)).out);
  delete ja.timing;
  delete b.timing;
  assert.deepEqual(ja, b);
});

test('brink compare: table and errors', async () => {
  const t = await brink(['compare', INTERCEPT, '--with', 'eu-hosted-talks', '--runs', '2000']);
  assert.equal(t.code, 0, t.err);
  assert.match(t.out, /war or worse/);
  assert.match(t.out, /ended in war/);
  assert.match(t.out, /Newcombe/);
  const none = await brink(['compare', INTERCEPT]);
  assert.equal(none.code, 1);
  assert.match(none.err, /at least one --with/);
  const typo = await brink(['compare', INTERCEPT, '--with', 'eu-hosted-talk', '--runs', '100']);
  assert.equal(typo.code, 1);
  assert.match(typo.err, /did you mean `eu-hosted-talks`/);
  assert.doesNotMatch(typo.err, /at .*\.ts:\d+/);
  // The same limits as the workbench's API (src/analysis/options.ts).
  const seed = await brink(['compare', INTERCEPT, '--with', 'hotline', '--seed', '5000000000']);
  assert.equal(seed.code, 1);
  assert.match(seed.err, /--seed: Too big: expected number to be <=4294967295/);
  // `brink run` takes its flags from the ensemble's and the rare-event estimate's schemas (the API's bodies).
  const runSeed = await brink(['run', INTERCEPT, '--seed', '5000000000']);
  assert.equal(runSeed.code, 1);
  assert.match(runSeed.err, /--seed: Too big: expected number to be <=4294967295/);
  const particles = await brink(['run', INTERCEPT, '--estimator', 'ams', '--particles', '5']);
  assert.equal(particles.code, 1);
  assert.match(particles.err, /--particles: Too small: expected number to be >=10/);
  const q = await brink(['sensitivity', INTERCEPT, '--low', '0.9', '--high', '0.1']);
  assert.equal(q.code, 1);
  assert.match(q.err, /--low: the low quantile must be below the high one/);
});

test('brink run --estimator ams|is --json: estimate, interval, relative error, ESS and work', async () => {
  for (const est of ['ams', 'is']) {
    const r = await brink([
      'run',
      'test/fixtures/valid/birth-death-ladder.yaml',
      '--estimator',
      est,
      '--particles',
      '200',
      '--replicates',
      '5',
      '--ce-runs',
      '500',
      '--is-runs',
      '2000',
      '--json',
    ]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.estimator, est);
    assert.equal(j.target.id, 'r9');
    for (const k of ['estimate', 'ci95', 'relativeError', 'ess', 'work', 'gainVsCrude'])
      assert.ok(k in j, `${est}: ${k}`);
    assert.ok(j.estimate > 1e-6 && j.estimate < 1e-5, `${est}: ${j.estimate}`);
  }
  const bad = await brink(['run', INTERCEPT, '--estimator', 'mcmc']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /crude, ams, is/);
  const rung = await brink(['run', INTERCEPT, '--estimator', 'ams', '--target', 'armageddon']);
  assert.equal(rung.code, 1);
  assert.match(rung.err, /no rung 'armageddon'/);
});

test('brink run --counterfactual --json: attribution, replay and path tree', async () => {
  const r = await brink(['run', DECAP, '--runs', '3000', '--counterfactual', '--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.ok(j.attribution.causes.length > 0);
  assert.ok(j.counterfactual.avoidable.share > 0);
  assert.ok(j.pathTree.nodes.length > 1 && j.pathTree.links.length > 0);
});

test('brink sweep: grid, csv, and path errors with a hint', async () => {
  const r = await brink([...SWEEP, '--runs', '1000', '--format', 'csv']);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n');
  assert.equal(lines[0], 'section,item,quantity,value,lo,hi');
  assert.equal(lines.filter((l) => l.startsWith('sweep,')).length, 9);
  const typo = await brink(['sweep', INTERCEPT, '--param', 'talks.eu-hosted.leak.DPRK.p=0..0.2:3']);
  assert.equal(typo.code, 1);
  assert.match(typo.err, /does not exist/);
  const syntax = await brink(['sweep', INTERCEPT, '--param', 'actors.DPRK.readiness']);
  assert.equal(syntax.code, 1);
  assert.match(syntax.err, /PATH=LO\.\.HI:STEPS/);
});

test('brink sensitivity and breakeven --format md', async () => {
  const s = await brink([
    'sensitivity',
    DECAP,
    '--only',
    'actors.DPRK.perception.isr.air.detect',
    '--tornado-runs',
    '500',
    '--samples',
    '4',
    '--runs',
    '20',
    '--bootstrap',
    '20',
    '--format',
    'md',
  ]);
  assert.equal(s.code, 0, s.err);
  assert.match(s.out, /## Tornado/);
  assert.match(s.out, /## Sobol indices/);
  const b = await brink([
    ...BREAKEVEN,
    '--range',
    '0..0.4',
    '--runs',
    '2000',
    '--grid',
    '3',
    '--bisect',
    '1',
    '--json',
  ]);
  assert.equal(b.code, 0, b.err);
  const j = JSON.parse(b.out);
  assert.equal(j.points.length, 3 + (j.verdict === 'crosses' ? 1 : 0));
  const missing = await brink(['breakeven', INTERCEPT, '--param', 'x']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /needs --with/);
});

test('brink sensitivity --sobol-top K --top N: Sobol over the K largest tornado swings, N rows shown, every bar in the JSON', async () => {
  const TOY = 'test/fixtures/valid/screening.yaml';
  const args = [
    'sensitivity',
    TOY,
    '--tornado-runs',
    '500',
    '--samples',
    '4',
    '--runs',
    '40',
    '--bootstrap',
    '20',
  ];
  const gamble = 'actors.Red.actions.gamble.outcomes.war.p';
  const probe = 'actors.Red.actions.probe.outcomes.war.p';
  const j = await brink([...args, '--sobol-top', '2', '--top', '3', '--json']);
  assert.equal(j.code, 0, j.err);
  const r = JSON.parse(j.out);
  assert.equal(r.tornado.bars.length, 5);
  assert.deepEqual(r.sobol.screening, {
    top: 2,
    by: 'tornado-swing',
    parameters: [gamble, probe],
    heldAtNominal: 3,
  });
  assert.equal(r.sobol.indices.length, 2);
  assert.equal(r.sobol.designPoints, 4 * 4);
  const t = await brink([...args, '--sobol-top', '2', '--top', '3']);
  assert.equal(t.code, 0, t.err);
  const text = t.out.replace(/\s+/g, ' ');
  assert.match(text, /varies only the 2 of 5 uncertain parameters with the largest tornado swing/);
  assert.match(text, /held at their nominal values, so these indices are conditional on them/);
  assert.match(text, /The 3 largest of 5 parameters; 2 more in the JSON and CSV \(--top 0 shows all\)/);
  assert.doesNotMatch(t.out, /idle-c/);
  const all = await brink([...args, '--sobol-top', '0', '--top', '0']);
  assert.equal(all.code, 0, all.err);
  assert.match(all.out, /idle-c/);
  assert.match(all.out, /varies all 5 uncertain parameters \(no screening\)/);
  assert.doesNotMatch(all.out, /more in the JSON/);
  const md = await brink([...args, '--top', '2', '--format', 'md']);
  assert.match(md.out, /The 2 largest of 5 parameters; 3 more in the JSON and CSV\./);
  assert.match(md.out, /\| Sobol parameters \| all 5 \|/);
  const help = (await brink(['sensitivity', '--help'])).out.replace(/\s+/g, ' ');
  assert.match(help, /--sobol-top <k> .* \(0: all\) \(default: 12\)/);
  assert.match(help, /--top <n> .* \(default: 20\)/);
  // A negative or fractional K is refused by the flag's parser; a K above the schema's limit by the schema.
  for (const bad of ['-1', '1.5']) {
    const e = await brink([...args, '--sobol-top', bad]);
    assert.equal(e.code, 2, e.err);
    assert.match(
      e.err,
      new RegExp(
        `--sobol-top <k>' argument '${bad.replace('.', '\\.')}' is invalid\\. expected a whole number >= 0`,
      ),
    );
  }
  const big = await brink([...args, '--sobol-top', '20000']);
  assert.equal(big.code, 1);
  assert.match(big.err, /--sobol-top: Too big: expected number to be <=10000/);
  const rows = await brink([...args, '--top', '-3']);
  assert.equal(rows.code, 2);
  assert.match(rows.err, /--top <n>' argument '-3' is invalid\. expected a whole number >= 0/);
});

test('brink sweep, breakeven and sensitivity: flags from the options schema (its defaults in the help, its limits as errors)', async () => {
  const help = await brink(['breakeven', '--help']);
  assert.equal(help.code, 0);
  const runs = BreakevenOptionsSchema.shape.runs.parse(undefined);
  assert.ok(help.out.replace(/\s+/g, ' ').includes(`paired runs per point (default: ${runs})`), help.out);
  const sens = await brink(['sensitivity', '--help']);
  const text = sens.out.replace(/\s+/g, ' ');
  const samples = SensitivityOptionsSchema.shape.samples.parse(undefined);
  assert.ok(text.includes(`Sobol base sample size N (0: tornado only) (default: ${samples})`), text);
  // The API's limits, named by the flag (before: any positive number was taken).
  const grid = await brink([...BREAKEVEN, '--grid', '2']);
  assert.equal(grid.code, 1);
  assert.match(grid.err, /--grid: Too small: expected number to be >=3/);
  const cells = await brink([...SWEEP, '--runs', '2000000']);
  assert.equal(cells.code, 1);
  assert.match(cells.err, /--runs: Too big: expected number to be <=1000000/);
  assert.doesNotMatch(cells.err, /at .*\.ts:\d+/);
});
