import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { calibrateDprk, readTests } from '../../src/calibration/dprk.ts';
import { calibrateIcb, readCrises, readCrisisActors } from '../../src/calibration/icb.ts';
import { calibrate, DATA_FILES, type DataTexts } from '../../src/calibration/index.ts';
import { calibrateMid, readDisputes, readIncidents } from '../../src/calibration/mid.ts';
import { brink, ROOT } from '../scenario/helpers.ts';

const read = (f: string) => readFileSync(join(ROOT, 'data', f), 'utf8');
const texts = () =>
  Object.fromEntries(Object.entries(DATA_FILES).map(([k, f]) => [k, read(f)])) as unknown as DataTexts;
const raw = (c: { failures: number; successes: number }) => c.failures / (c.failures + c.successes);

test('brink calibrate --check: the committed scenarios/lib/calibrated.yaml matches data/', async () => {
  const r = await brink(['calibrate', '--check']);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /scenarios\/lib\/calibrated\.yaml: up to date \(\d+ parameters\)/);
});

test('brink calibrate --check fails when the data change, and brink calibrate rewrites the library', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'brink-cal-'));
  try {
    cpSync(join(ROOT, 'data'), join(dir, 'data'), { recursive: true });
    cpSync(join(ROOT, 'scenarios/lib/calibrated.yaml'), join(dir, 'calibrated.yaml'));
    const tests = join(dir, 'data', DATA_FILES.tests);
    // One more SRBM failure in 2023: the SRBM 2020-2024 posterior moves from Beta(1, 84).
    const text = readFileSync(tests, 'utf8').replace(
      /^(\d+,2023-[^\n]*,SRBM,[^\n]*),success$/m,
      '$1,failure',
    );
    assert.notEqual(text, readFileSync(tests, 'utf8'));
    writeFileSync(tests, text);
    const stale = await brink(['calibrate', '--check', '--data', 'data', '--out', 'calibrated.yaml'], dir);
    assert.equal(stale.code, 1);
    assert.match(stale.err, /calibrated\.yaml: stale/);
    const fresh = await brink(['calibrate', '--data', 'data', '--out', 'calibrated.yaml'], dir);
    assert.equal(fresh.code, 0, fresh.err);
    const lib = readFileSync(join(dir, 'calibrated.yaml'), 'utf8');
    assert.match(lib, /dprk-srbm-test-failure:\n {4}beta: \[2, 83\]/);
    const again = await brink(['calibrate', '--check', '--data', 'data', '--out', 'calibrated.yaml'], dir);
    assert.equal(again.code, 0, again.err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('brink calibrate: a missing data file or column is a one-line error, not a stack trace', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'brink-cal-'));
  try {
    const none = await brink(['calibrate', '--data', 'nowhere', '--check'], dir);
    assert.equal(none.code, 1);
    assert.match(none.err, /^brink: cannot read nowhere\/cns-nk-missile-tests\/tests\.csv/);
    cpSync(join(ROOT, 'data'), join(dir, 'data'), { recursive: true });
    const f = join(dir, 'data', DATA_FILES.crises);
    writeFileSync(f, readFileSync(f, 'utf8').replace(/^crisno,crisname,break,/, 'crisno,crisname,brk,'));
    const bad = await brink(['calibrate', '--data', 'data', '--check'], dir);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /icb-v15\/icb1-crises\.csv: missing column break/);
    assert.doesNotMatch(bad.err, /^ {4}at /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('calibrateDprk agrees with ../shared/data/calibration-figures.md 7.1', () => {
  const d = calibrateDprk(readTests(read(DATA_FILES.tests)));
  assert.deepEqual([d.all.tests, d.all.successes, d.all.failures], [303, 229, 37]);
  assert.deepEqual(
    d.byEra.map((c) => Number(raw(c).toFixed(2))),
    [0.28, 0.18, 0.07],
  );
  const cls = Object.fromEntries(d.byClass.map((c) => [c.label, c]));
  assert.equal(cls.SRBM!.tests, 169);
  assert.equal(Number(raw(cls.SRBM!).toFixed(2)), 0.03);
  assert.equal(Number(raw(cls.IRBM!).toFixed(2)), 0.59);
  assert.equal(Number(raw(cls.SLV!).toFixed(2)), 0.67);
  // Learning curve (the figures count every test of a known type to 2026; these stop at 2024).
  assert.deepEqual(
    d.byFlight.map((c) => Number(raw(c).toFixed(2))),
    [0.23, 0.22, 0.14, 0.02],
  );
  assert.deepEqual(
    d.overflight.tests.map((t) => t.date),
    ['1998-08-31', '2009-04-05', '2017-08-28', '2017-09-14', '2022-10-03'],
  );
  assert.equal(d.overflight.perLongRangeTest.n, 28);
  assert.equal(d.tempo.launchDaysByYear.find((y) => y.year === 2022)?.days, 34);
  assert.equal(d.tempo.gaps.median, 13);
  assert.deepEqual([d.tempo.gaps.q1, d.tempo.gaps.q3, d.tempo.gaps.max], [5, 28, 505]);
  assert.equal(d.provisional.tests, 36);
});

test('calibrateIcb agrees with calibration-figures 7.2 (violence by trigger, responses)', () => {
  const icb = calibrateIcb(readCrises(read(DATA_FILES.crises)), readCrisisActors(read(DATA_FILES.actors)));
  assert.equal(icb.crises, 496);
  const t = Object.fromEntries(icb.byTrigger.map((v) => [v.id, v]));
  const shares = (v: { n: number; counts: number[] }) => [
    Number(((v.n - v.counts[0]!) / v.n).toFixed(2)),
    Number(((v.counts[2]! + v.counts[3]!) / v.n).toFixed(2)),
    Number((v.counts[3]! / v.n).toFixed(2)),
  ];
  assert.equal(t['non-violent-military']!.n, 78);
  assert.deepEqual(shares(t['non-violent-military']!), [0.51, 0.24, 0.08]);
  assert.equal(t.violent!.n, 206);
  assert.deepEqual(shares(t.violent!), [1, 0.63, 0.29]);
  assert.deepEqual(shares(icb.nonViolentTriggers), [0.53, 0.28, 0.13]);
  const r = icb.responses.find((x) => x.id === 'non-violent-military')!;
  assert.equal(r.n, 185);
  assert.equal(Number((r.counts.violent / r.n).toFixed(2)), 0.23);
  assert.equal(Number((r.counts.military / r.n).toFixed(2)), 0.39);
  assert.ok(Math.abs(r.violent.mean + r.military.mean + r.other.mean - 1) < 1e-12);
});

test('calibrateMid: disputes opened by a display of force reach force in about a quarter of cases', () => {
  const mid = calibrateMid(
    readDisputes(read(DATA_FILES.disputes)),
    readIncidents(read(DATA_FILES.incidents)),
  );
  assert.equal(mid.disputes, 2436);
  assert.equal(mid.incidentDisputes, 667);
  const display = mid.openings.find((o) => o.opening === 3)!;
  // calibration-figures 7.3 orders incidents by incident number (334 disputes, 83 reached force);
  // Brink orders them by start date, which moves 3 disputes into this group.
  assert.deepEqual([display.n, display.force.k, display.war.k], [337, 85, 2]);
  assert.equal(Number((display.force.k / display.n).toFixed(2)), 0.25);
});

test('calibrate: every parameter has a source, and the Korea outcome sets sum to 1 at their nominal values', () => {
  const c = calibrate(texts());
  const names = new Set<string>();
  for (const p of c.params) {
    assert.ok(!names.has(p.name), `duplicate ${p.name}`);
    names.add(p.name);
    assert.match(p.name, /^[a-z0-9][a-z0-9-]*$/);
    assert.ok((p.dist.source ?? '').length > 20, `${p.name} has no source`);
    assert.ok(p.lo <= p.mean && p.mean <= p.hi, `${p.name}: ${p.lo} ${p.mean} ${p.hi}`);
  }
  const mean = (n: string) => c.params.find((p) => p.name === n)!.mean;
  assert.ok(Math.abs(mean('dprk-srbm-test-success') + mean('dprk-srbm-test-failure') - 1) < 1e-9);
  assert.equal(
    mean('dprk-irbm-test-success') + mean('dprk-irbm-test-failure') + mean('dprk-irbm-test-casualties'),
    1,
  );
});
