// The generic crisis model: its fit (inputs check, reweighting against direct simulation), the
// baselines and scores, features in scenarios, and `brink backtest --icb` on the committed fit.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import {
  forecastDyad,
  GenericModels,
  longShare,
  peak5Of,
  priorMean,
  proposalFor,
  reweightedClassProbs,
  simulatePool,
  standoffExposure,
} from '../../src/calibration/generic-fit.ts';
import { coefficientsOf, readFitMeta, readFolds } from '../../src/calibration/generic-library.ts';
import {
  dyadParams,
  FEATURES,
  kernel,
  kernelParam,
  NO_FEATURES,
  NUCLEAR_OPTION,
  OPTIONS,
  STIMULI,
  sideVector,
  standoffParams,
  unpack,
} from '../../src/calibration/generic-model.ts';
import { foldSplits, foldsOf, POOL_WEIGHTS, type Scale } from '../../src/calibration/icb-backtest.ts';
import { readCrisisRecords } from '../../src/calibration/icb-crises.ts';
import { fitMlogit, predictMlogit } from '../../src/calibration/mlogit.ts';
import { minimise } from '../../src/calibration/optimize.ts';
import { pooled } from '../../src/calibration/pooling.ts';
import { bootstrapDiff, pit, pitDraw, rps, smooth } from '../../src/calibration/scores.ts';
import { randomStream } from '../../src/engine/rng.ts';
import { OUTCOME_RESOLVED, Simulator } from '../../src/engine/run.ts';
import { prepare } from '../../src/scenario/load.ts';
import { parseText } from '../../src/scenario/parse.ts';
import { brink } from '../scenario/helpers.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const readFileOr = (p: string): string | undefined => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
};
const env = {
  libPath: join(ROOT, 'scenarios/lib/generic-actors.yaml'),
  readFile: (p: string) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  },
};
const records = readCrisisRecords(
  readFileSync(join(ROOT, 'data/icb-v15/icb1-crises.csv'), 'utf8'),
  readFileSync(join(ROOT, 'data/icb-v15/icb2-actors.csv'), 'utf8'),
);

test('ICB crisis records: 496 crises, the dyad at the trigger, classes consistent across scales', () => {
  assert.equal(records.length, 496);
  const cuba = records.find((c) => c.crisno === 196)!; // Cuban missiles: USA and USSR, both nuclear
  assert.ok(cuba.features.nuclear.A && cuba.features.nuclear.B, JSON.stringify(cuba));
  for (const c of records) {
    // War on one scale is war on the other; violence is use of force on the ladder.
    assert.equal(c.icb === 3, c.ladder === 3);
    assert.equal(c.icb >= 1 && c.icb <= 2, c.ladder === 2);
    if (c.trigger === 7) assert.ok(c.ladder >= 1, `${c.crisno}: a military trigger is at least a display`);
    assert.ok(peak5Of(c) >= 0 && peak5Of(c) <= 4);
  }
  assert.equal(records.filter((c) => c.year < 1985).length, 354);
});

test('minimise finds the minimum of the Rosenbrock function', () => {
  const r = minimise(
    ([x, y]) => ({
      value: (1 - x!) ** 2 + 100 * (y! - x! ** 2) ** 2,
      grad: [-2 * (1 - x!) - 400 * x! * (y! - x! ** 2), 200 * (y! - x! ** 2)],
    }),
    [-1.2, 1],
    { maxIter: 2000, gradTol: 1e-10 },
  );
  assert.ok(Math.abs(r.x[0]! - 1) < 1e-3 && Math.abs(r.x[1]! - 1) < 1e-3, JSON.stringify(r));
});

test('fitMlogit recovers the coefficients of simulated data', () => {
  const rnd = randomStream(7, 1, 0);
  const truth = [
    [0.5, 1.5],
    [-0.5, -1],
  ];
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 4000; i++) {
    const xi = [1, rnd() * 2 - 1];
    const u = [0, ...truth.map((w) => w[0]! * xi[0]! + w[1]! * xi[1]!)];
    const e = u.map(Math.exp);
    const z = e.reduce((a, b) => a + b, 0);
    const r = rnd() * z;
    y.push(r < e[0]! ? 0 : r < e[0]! + e[1]! ? 1 : 2);
    x.push(xi);
  }
  const m = fitMlogit(x, y, 3, { sd: 100, interceptSd: 100 });
  m.w.flat().forEach((v, i) => {
    assert.ok(Math.abs(v - truth.flat()[i]!) < 0.2, `coefficient ${i}: ${v} against ${truth.flat()[i]}`);
  });
  const p = predictMlogit(m, [1, 0]);
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
});

test('scores: RPS, PIT seeded by id alone, bootstrap interval of a paired difference', () => {
  assert.equal(rps([0, 1, 0], 1), 0);
  assert.ok(rps([1, 0, 0], 2) > rps([0, 1, 0], 2));
  assert.equal(pitDraw(1, 'kargil-1999'), pitDraw(1, 'kargil-1999'));
  assert.notEqual(pitDraw(1, 'kargil-1999'), pitDraw(1, 'cheonan-2010'));
  assert.equal(pit([0.2, 0.3, 0.5], 1, 0.5), 0.35);
  const rnd = randomStream(3, 2, 0);
  const a = Array.from({ length: 300 }, () => rnd());
  const b = a.map((x) => x - 0.1 + (rnd() - 0.5) * 0.05);
  const iv = bootstrapDiff(a, b, 1);
  assert.ok(iv.lo < 0.1 && iv.hi > 0.1 && iv.lo > 0.08, JSON.stringify(iv));
  assert.deepEqual(foldsOf(10, 3, 1), foldsOf(10, 3, 1));
  assert.deepEqual(
    [0, 1, 2].map((k) => foldsOf(10, 3, 1).filter((f) => f === k).length),
    [4, 3, 3],
  );
});

test('kernels: every answer is possible after every class of act; nuclear alerts only for a nuclear side', () => {
  const c = unpack(
    priorMean(),
    FEATURES.map(() => 0),
  );
  const nuclear = { ...NO_FEATURES, nuclear: { A: true, B: false } };
  const ka = kernel(c, sideVector(nuclear, 'A'));
  const kb = kernel(c, sideVector(nuclear, 'B'));
  for (let s = 0; s < STIMULI.length; s++) {
    OPTIONS.forEach((o, k) => {
      assert.ok(ka[s]![k]! > 0, `A: ${STIMULI[s]!.id} -> ${o.id}`);
      if (k === NUCLEAR_OPTION) assert.equal(kb[s]![k], 0);
      else assert.ok(kb[s]![k]! > 0);
    });
  }
  // The library refers to every kernel parameter, and the committed fit defines them.
  const lib = readFileSync(env.libPath, 'utf8');
  const fit = parseText(
    readFileSync(join(ROOT, 'scenarios/lib/generic-fit.yaml'), 'utf8'),
    'generic-fit.yaml',
  ).value as { params: Record<string, number> };
  for (const side of ['A', 'B'] as const) {
    STIMULI.forEach((_, s) => {
      OPTIONS.forEach((_, o) => {
        assert.ok(lib.includes(`param: ${kernelParam(side, s, o)} `), kernelParam(side, s, o));
        assert.ok(fit.params[kernelParam(side, s, o)]! > 0, `${kernelParam(side, s, o)} > 0 in the fit`);
      });
    });
  }
  assert.ok(coefficientsOf(fit.params), 'the fit carries its coefficients');
});

test('reweighting a pool simulated under one kernel gives the class probabilities of direct simulation under another', () => {
  const models = new GenericModels(env);
  const theta0 = priorMean();
  const c0 = unpack(
    theta0,
    FEATURES.map(() => 0),
  );
  const f = { ...NO_FEATURES, nuclear: { A: true, B: true }, protracted: true };
  const prop = proposalFor(c0, f, 0.01);
  const pool = simulatePool(models.model('show-of-force', prop.params), 'show-of-force', prop.logQ, 6000, 5);
  // A different kernel: more fire, more war.
  const theta1 = theta0.map((v, i) => v + (i % 6 === 4 ? 0.4 : i % 6 === 5 ? 0.3 : 0));
  const c1 = unpack(
    theta1,
    FEATURES.map(() => 0),
  );
  const re = reweightedClassProbs(pool, c1, f, 0.01);
  const direct = forecastDyad(env, c1, 0.01, f, 'show-of-force', 6000, 9, models);
  re.forEach((p, k) => {
    const d = direct.p5[k]! / direct.runs;
    assert.ok(Math.abs(p - d) < 0.035, `class ${k}: reweighted ${p.toFixed(3)}, direct ${d.toFixed(3)}`);
  });
});

test('stand-off: the long share from runs at q = 0 is that of direct simulation at q; the stand-off never moves the peak', () => {
  const models = new GenericModels(env);
  const c = unpack(
    priorMean(),
    FEATURES.map(() => 0),
  );
  const f = NO_FEATURES;
  const runs = 4000;
  const m0 = models.model('political-act', { ...dyadParams(c, f, 0), ...standoffParams(0) });
  const e = standoffExposure(m0, runs, 7);
  assert.ok(
    e.n.some((n) => n > 1),
    'S decides once per act of either side',
  );
  const q = 0.08;
  const direct = forecastDyad(env, c, 0, f, 'political-act', runs, 7, models, q);
  const none = forecastDyad(env, c, 0, f, 'political-act', runs, 7, models, 0);
  // S draws from its own stream and nobody answers its act: the same runs reach the same peaks.
  assert.deepEqual(direct.p5, none.p5);
  const p = longShare(e, q);
  const se = Math.sqrt((p * (1 - p)) / runs);
  assert.ok(Math.abs(direct.dur[1]! / runs - p) < 4 * se + 1e-9, `${direct.dur[1]! / runs} vs ${p}`);
  assert.ok(longShare(e, q) > longShare(e, 0), 'a stand-off makes long crises likelier');
  assert.ok(longShare(e, 0.5) > longShare(e, q));
  // A stand-off keeps the crisis open to the horizon, where the engine ends the run as `horizon`.
  const always = models.model('political-act', { ...dyadParams(c, f, 0), ...standoffParams(1) });
  const sim = new Simulator(always);
  for (let run = 0; run < 200; run++) assert.notEqual(sim.run(7, run).outcome, OUTCOME_RESOLVED);
});

test('brink fit --check: passes on the committed fit, fails on a fit made from other inputs', async () => {
  const ok = await brink(['fit', '--check']);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /generic-fit\.yaml: up to date/);
  const dir = mkdtempSync(join(tmpdir(), 'brink-fit-'));
  const stale = join(dir, 'fit.yaml');
  writeFileSync(
    stale,
    readFileSync(join(ROOT, 'scenarios/lib/generic-fit.yaml'), 'utf8').replace(
      /# Inputs sha256 [0-9a-f]{64}/,
      `# Inputs sha256 ${'0'.repeat(64)}`,
    ),
  );
  const bad = await brink(['fit', '--check', '--out', stale]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /stale: it was not made from the current data, library and options; run `brink fit`/);
  const noData = await brink(['fit', '--check', '--data', dir]);
  assert.equal(noData.code, 1);
  assert.match(noData.err, /cannot read .*icb1-crises\.csv: ICB v15 crisis data \(--data\)/);
});

test('k-fold: the saved fold fits pass --check, read back only for their inputs; --until keeps later crises out of every fold', async () => {
  const ok = await brink(['fit', '--folds', '5', '--check']);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out, /generic-fit-folds\.yaml: up to date/);
  const text = readFileSync(join(ROOT, 'scenarios/lib/generic-fit-folds.yaml'), 'utf8');
  const fits = readFolds(text, readFitMeta(text).inputs!)!;
  assert.equal(fits.length, 5);
  assert.equal(readFolds(text, '0'.repeat(64)), undefined, 'other inputs: refit');
  const other = await brink(['fit', '--folds', '4', '--check']);
  assert.equal(other.code, 1);
  assert.match(other.err, /stale or missing: run `brink fit --folds 4`/);
  const splits = foldSplits(records, 5, 1, 1985);
  assert.equal(
    splits.reduce((a, x) => a + x.test.length, 0),
    records.filter((c) => c.year < 1985).length,
  );
  for (const x of splits) assert.ok([...x.train, ...x.test].every((c) => c.year < 1985));
  const bad = await brink(['backtest', '--icb', '--cutoff', '1970', '--until', '1960']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /--until: 1960 must be after the cutoff 1970 of a time split/);
});

test('features: a case declaring them gets its dyad kernels; unknown actors and a non-generic library are errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'brink-features-'));
  const base = `version: 1
id: f
title: f
extends: ${join(ROOT, 'scenarios/lib/generic-actors.yaml')}
injects: { t: { atHours: 0, action: A.false-warning } }
`;
  writeFileSync(join(dir, 'plain.yaml'), base);
  writeFileSync(
    join(dir, 'nuclear.yaml'),
    `${base}features: { nuclear: [A, B], greatPowers: [A, B], threat: grave }\n`,
  );
  writeFileSync(join(dir, 'bad.yaml'), `${base}features: { nuclear: [C] }\n`);
  const run = async (f: string) => {
    const r = await brink(['run', join(dir, f), '--runs', '4000', '--json']);
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out) as { peak: { id: string; runs: number }[] };
  };
  const plain = await run('plain.yaml');
  const nuclear = await run('nuclear.yaml');
  const pOf = (r: { peak: { id: string; runs: number }[] }, rung: string) =>
    r.peak.find((x) => x.id === rung)?.runs ?? 0;
  // After a false warning, a nuclear dyad readies nuclear forces in some runs; the kernels differ.
  assert.ok(pOf(nuclear, 'nuclear-brink') > 0, JSON.stringify(nuclear.peak));
  assert.ok(pOf(nuclear, 'alert') > 0);
  assert.notDeepEqual(plain.peak, nuclear.peak);
  const bad = await brink(['run', join(dir, 'bad.yaml'), '--runs', '10']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /features\.nuclear: 'C' is not A or B/);
  writeFileSync(
    join(dir, 'korea.yaml'),
    `version: 1\nid: k\ntitle: k\nextends: ${join(ROOT, 'scenarios/lib/korea-actors.yaml')}\nfeatures: { nuclear: [A] }\ninjects: { t: { atHours: 0, action: ROK.exercise } }\n`,
  );
  const korea = await brink(['run', join(dir, 'korea.yaml'), '--runs', '10']);
  assert.equal(korea.code, 1);
  assert.match(korea.err, /`features:` needs the generic crisis library/);
});

test('features reach the generic library in the scenario pipeline itself (server, workbench), located errors', () => {
  const lib = join(ROOT, 'scenarios/lib/generic-actors.yaml');
  const files: Record<string, string> = {
    '/w/plain.yaml': `version: 1\nid: f\ntitle: f\nextends: ${lib}\ninjects: { t: { atHours: 0, action: A.threat } }\n`,
  };
  files['/w/nuclear.yaml'] = `${files['/w/plain.yaml']}features: { nuclear: [A, B], stronger: B }\n`;
  files['/w/bad.yaml'] = `${files['/w/plain.yaml']}features:\n  nuclear: [A, C]\n`;
  const io = { readFile: (p: string) => files[p] ?? readFileOr(p) };
  const plain = prepare('/w/plain.yaml', io);
  const nuclear = prepare('/w/nuclear.yaml', io);
  assert.ok(plain.doc && nuclear.doc && plain.model && nuclear.model);
  const co = coefficientsOf(nuclear.doc.params)!;
  const want = dyadParams(
    co.c,
    { ...NO_FEATURES, nuclear: { A: true, B: true }, stronger: 'B' },
    co.nuclearUse,
  );
  for (const [k, v] of Object.entries(want)) assert.equal(nuclear.doc.params![k], v, k);
  assert.notEqual(plain.hash, nuclear.hash);
  // --set still wins over what the features imply.
  const k0 = kernelParam('B', 0, 0);
  const set = prepare('/w/nuclear.yaml', { ...io, set: { [`params.${k0}`]: 0.5 } });
  assert.equal(set.doc?.params?.[k0], 0.5);
  const bad = prepare('/w/bad.yaml', io);
  assert.equal(bad.model, undefined);
  const d = bad.diagnostics.find((x) => x.code === 'E_REF_ACTOR')!;
  assert.match(d.message, /features\.nuclear: 'C' is not A or B/);
  assert.deepEqual([d.file, d.line], ['/w/bad.yaml', 7]);
});

test('brink backtest --icb --json: held-out ICB crises scored with the committed fit against the baselines', async () => {
  const r = await brink(['backtest', '--icb', '--runs', '300', '--json']);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as {
    summary: {
      logScore: number;
      engine: number;
      uniform: number;
      baseRate: number;
      logit: number;
      rps: number;
      n: number;
    };
    fits: { fromCache: boolean }[];
    scales: Record<
      string,
      {
        n: number;
        brink: { logScore: number };
        engine: { logScore: number };
        baseRate: { logScore: number };
        vsBaseRate: { logScore: { lo: number; hi: number } };
        pitHistogram: number[];
        pool: { weight: number; curve: { weight: number; logScore: number }[] };
      }
    >;
    cases: {
      year: number;
      observed: Record<string, number>;
      brink: Record<string, number[]>;
      baseRate: Record<string, number[]>;
      p: Record<string, number[]>;
    }[];
  };
  assert.equal(out.fits[0]!.fromCache, true, 'the committed fit serves the default time split');
  assert.equal(out.summary.n, 142);
  assert.ok(out.cases.every((c) => c.year >= 1985));
  assert.ok(Math.abs(out.summary.uniform - Math.log(1 / 4)) < 1e-12);
  for (const k of ['logScore', 'baseRate', 'logit', 'rps'] as const)
    assert.ok(Number.isFinite(out.summary[k]), k);
  for (const s of ['icb', 'ladder', 'duration']) {
    assert.equal(
      out.scales[s]!.pitHistogram.reduce((a, b) => a + b, 0),
      out.scales[s]!.n,
    );
    const iv = out.scales[s]!.vsBaseRate.logScore;
    assert.ok(iv.lo <= iv.hi);
    // Brink's forecast is the engine's smoothed runs pooled with the base rate at the weight in use.
    const x = out.scales[s]!;
    assert.equal(x.pool.weight, POOL_WEIGHTS[s as Scale]);
    for (const c of out.cases)
      assert.deepEqual(c.p[s], pooled(smooth(c.brink[s]!), c.baseRate[s]!, x.pool.weight));
    const at = (w: number) => x.pool.curve.find((p) => p.weight === w)!.logScore;
    assert.ok(Math.abs(at(0) - x.engine.logScore) < 1e-12);
    assert.ok(Math.abs(at(1) - x.baseRate.logScore) < 1e-12);
    assert.ok(Math.abs(at(x.pool.weight) - x.brink.logScore) < 1e-12);
  }
  assert.equal(out.summary.engine, out.scales.icb!.engine.logScore);
  const bad = await brink(['backtest', '--icb', '--cutoff', '1800']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /expected a year from 1919 to 2019/);
});

test('brink backtest FILES --json: the documented keys; --observed from another folder; a case scores the same alone or in a batch', async () => {
  const files = ['cases/kargil-1999.yaml', 'cases/cheonan-2010.yaml', 'cases/yeonpyeong-2010-korea-lib.yaml'];
  const r = await brink(['backtest', ...files, '--runs', '1000', '--json']);
  assert.equal(r.code, 0, r.err);
  type Out = {
    cases: {
      id: string;
      observed: string;
      p: number;
      pBelow: number;
      pAbove: number;
      logScore: number;
      pit: number;
      baseRate: number | null;
      inSample: boolean;
    }[];
    summary: { logScore: number; uniform: number; baseRate: number; rps: number; n: number };
    inSample: { n: number };
  };
  const out = JSON.parse(r.out) as Out;
  for (const c of out.cases) {
    for (const k of ['id', 'observed', 'p', 'pBelow', 'pAbove', 'logScore', 'pit', 'baseRate'] as const)
      assert.ok(k in c, `${c.id}: ${k}`);
    assert.ok(Math.abs(c.p + c.pBelow + c.pAbove - 1) < 1e-9);
    assert.ok(c.baseRate! > 0 && c.baseRate! < 1, `${c.id}: base rate ${c.baseRate}`);
  }
  for (const k of ['logScore', 'uniform', 'baseRate', 'rps', 'n'] as const) assert.ok(k in out.summary, k);
  const lib = out.cases.find((c) => c.id === 'yeonpyeong-2010-korea-lib')!;
  assert.equal(lib.inSample, true, 'marked in observed.json');
  assert.equal(out.summary.n + out.inSample.n, 3);
  assert.ok(Math.abs(out.summary.uniform - Math.log(0.1)) < 1e-12);
  // The same case alone, with the observed outcomes in another folder: same PIT and scores.
  const dir = mkdtempSync(join(tmpdir(), 'brink-observed-'));
  copyFileSync(join(ROOT, 'cases/observed.json'), join(dir, 'outcomes.json'));
  const alone = await brink([
    'backtest',
    files[1]!,
    '--runs',
    '1000',
    '--json',
    '--observed',
    join(dir, 'outcomes.json'),
  ]);
  assert.equal(alone.code, 0, alone.err);
  const a = (JSON.parse(alone.out) as Out).cases[0]!;
  const b = out.cases.find((c) => c.id === 'cheonan-2010')!;
  assert.deepEqual([a.pit, a.logScore, a.baseRate], [b.pit, b.logScore, b.baseRate]);
  const missing = await brink(['backtest', files[1]!, '--observed', join(dir, 'none.json')]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /cannot read .*none\.json: the observed outcomes of the cases \(--observed\)/);
});
