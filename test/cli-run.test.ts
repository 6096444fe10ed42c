// `brink run` and `brink trace`: the JSON contract, determinism, and sanity against history.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brink } from './cli.ts';
import { exampleScenarios } from './scenarios.ts';

test('brink run --json holds the contract keys and is identical outside timing for the same command', async () => {
  const args = ['run', 'scenarios/korea-intercept.yaml', '--runs', '3000', '--seed', '1', '--json'];
  const a = await brink(args);
  const b = await brink(args);
  assert.equal(a.code, 0, a.err);
  const ja = JSON.parse(a.out);
  const jb = JSON.parse(b.out);
  for (const k of [
    'scenario',
    'engine',
    'seed',
    'runs',
    'interventions',
    'ladder',
    'exceedance',
    'outcomes',
    'paths',
    'misperception',
  ])
    assert.ok(k in ja, `missing ${k}`);
  assert.match(ja.scenario.hash, /^[0-9a-f]{64}$/);
  assert.equal(ja.ladder.length, 10);
  assert.deepEqual(Object.keys(ja.outcomes).sort(), ['horizon', 'nuclearUse', 'resolved', 'war']);
  for (const e of ja.exceedance) {
    assert.ok(e.ci95[0] <= e.p && e.p <= e.ci95[1]);
    assert.equal(typeof e.id, 'string');
  }
  const total = Object.values(ja.outcomes as Record<string, { p: number }>).reduce((s, o) => s + o.p, 0);
  assert.ok(Math.abs(total - 1) < 1e-12);
  for (const p of ja.paths) assert.ok(Array.isArray(p.events) && p.share > 0 && p.share <= 1);
  assert.ok(ja.misperception.ci95.length === 2);
  assert.ok('timing' in ja);
  delete ja.timing;
  delete jb.timing;
  assert.deepEqual(ja, jb);
});

test('brink run: a different seed gives different numbers, interventions are recorded', async () => {
  const a = JSON.parse(
    (await brink(['run', 'scenarios/korea-intercept.yaml', '-n', '2000', '-s', '1', '--json'])).out,
  );
  const b = JSON.parse(
    (
      await brink([
        'run',
        'scenarios/korea-intercept.yaml',
        '-n',
        '2000',
        '-s',
        '2',
        '--json',
        '--with',
        'hotline',
      ])
    ).out,
  );
  assert.notDeepEqual(a.exceedance, b.exceedance);
  assert.deepEqual(b.interventions, ['hotline']);
  assert.equal(b.seed, 2);
});

test('brink run prints the human table', async () => {
  const r = await brink(['run', 'scenarios/korea-test-failure.yaml', '--runs', '1000']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /P\(peak >= rung\)/);
  assert.match(r.out, /lethal-clash/);
  assert.match(r.out, /Most frequent escalation paths/);
  assert.match(r.out, /Misperception/);
});

test('brink run: bad arguments and files give one clear line and exit codes, no stack trace', async () => {
  const cases: [string[], number, RegExp][] = [
    [['run', 'scenarios/nope.yaml'], 1, /E_FILE_NOT_FOUND|cannot be read/],
    [['run', 'scenarios/korea-intercept.yaml', '--runs', 'many'], 2, /not a whole number|whole number/],
    [['run', 'scenarios/korea-intercept.yaml', '--with', 'hotlin'], 1, /hotline/],
    [
      ['run', 'scenarios/korea-intercept.yaml', '--set', 'actors.DPRK.perception.isr.air.detekt=0.9'],
      1,
      /E_SET_PATH/,
    ],
  ];
  for (const [args, code, re] of cases) {
    const r = await brink(args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err + r.out, re);
    assert.doesNotMatch(r.err, /\n\s+at /, 'stack trace printed');
  }
});

// Sane against history (issue 3; ../shared/data: 13 post-1953 Korean ICB crises, none beyond minor
// clashes): each baseline's P(war) lies between 0.1% and 10% and nuclear use is rarer than war.
for (const file of exampleScenarios()) {
  test(`brink run ${file}: baseline P(war) within [0.1%, 10%] and P(nuclear use) below it`, async () => {
    const r = JSON.parse((await brink(['run', file, '--runs', '20000', '--seed', '1', '--json'])).out);
    const war = r.exceedance.find((e: { id: string }) => e.id === 'war');
    assert.ok(war.ci95[0] > 0.001 && war.ci95[1] < 0.1, `P(peak >= war) = ${war.p} ${war.ci95}`);
    assert.ok(r.outcomes.nuclearUse.p < r.outcomes.war.p, 'nuclear use as likely as war');
  });
}

test('brink trace prints a playthrough and --find war finds a war run', async () => {
  const r = await brink([
    'trace',
    'scenarios/korea-decapitation-misread.yaml',
    '--seed',
    '1',
    '--find',
    'war',
  ]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /TRUE {2}#0 US\.exercise/);
  assert.match(r.out, /END war/);
  const j = JSON.parse(
    (await brink(['trace', 'scenarios/korea-intercept.yaml', '--run', '3', '--json'])).out,
  );
  assert.equal(j.run, 3);
  assert.ok(j.trace.length > 5);
});

test('brink run: a doctrine that answers itself without end stops with a clear error, not a hang', async () => {
  for (const workers of ['1', '2']) {
    const r = await brink(['run', 'test/fixtures/valid/runaway.yaml', '--runs', '5', '--workers', workers]);
    assert.equal(r.code, 1);
    assert.match(r.err, /answer each other without end \(most frequent: .*strike/);
    assert.doesNotMatch(r.err, /\n\s+at /);
  }
});
