import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { compile } from '../../src/scenario/compile.ts';
import { prepare } from '../../src/scenario/index.ts';
import { resolveParamRefs, uncertainParams } from '../../src/scenario/params.ts';
import { Scenario } from '../../src/scenario/schema.ts';
import { brink, fsIo, memoryIo, ROOT } from './helpers.ts';

const BASE = `
version: 1
id: p
title: named parameters
params:
  fail: { beta: [1, 9], source: test }
  ok: { beta: [9, 1], source: test }
  rate: 0.5
actors:
  A:
    name: A
    actions:
      test:
        rung: display
        domain: missile
        outcomes:
          success: { p: { param: ok } }
          failure: { p: { param: fail }, rung: incident }
hazards:
  tempo: { action: A.test, ratePerDay: { param: rate } }
`;

test('resolveParamRefs replaces each {param} by its entry and reports unknown names', () => {
  const doc = parse(BASE) as Record<string, unknown>;
  const r = resolveParamRefs(doc);
  const out = r.doc as { actors: { A: { actions: { test: { outcomes: { success: { p: unknown } } } } } } };
  assert.deepEqual(out.actors.A.actions.test.outcomes.success.p, { beta: [9, 1], source: 'test' });
  assert.deepEqual(r.unknown, []);
  assert.notEqual(r.doc, doc, 'a new document');
  const bad = resolveParamRefs({ params: {}, hazards: { h: { ratePerDay: { param: 'nope' } } } });
  assert.deepEqual(bad.unknown, [{ path: ['hazards', 'h', 'ratePerDay'], name: 'nope' }]);
});

test('compile: a named parameter takes its nominal value (the mean of its distribution)', () => {
  const { model, diagnostics } = compile(Scenario.parse(parse(BASE)));
  assert.deepEqual(
    diagnostics.filter((d) => d.severity === 'error'),
    [],
  );
  const test = model!.actions.find((a) => a.id === 'A.test')!;
  assert.deepEqual(
    test.outcomes.map((o) => o.p),
    [0.9, 0.1],
  );
  assert.ok(Math.abs(model!.hazards[0]!.perTick - (1 - Math.exp(-0.5 / 24))) < 0.01);
});

test('compile: an unknown {param} is E_PARAM_UNKNOWN at its place, with a suggestion', () => {
  const files = { '/s.yaml': BASE.replace('{ param: fail }', '{ param: fial }') };
  const r = prepare('/s.yaml', memoryIo(files));
  const d = r.diagnostics.find((x) => x.code === 'E_PARAM_UNKNOWN');
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.match(d.message, /no named parameter 'fial'; did you mean 'fail'\?/);
  assert.equal(d.line, 18);
  assert.equal(r.model, undefined);
});

test('uncertainParams lists a referenced named parameter once, under params.NAME', () => {
  const doc = Scenario.parse(parse(BASE));
  const paths = uncertainParams(doc).map((u) => u.path.join('.'));
  assert.deepEqual(paths.sort(), ['params.fail', 'params.ok']);
});

test('prepare: the Korea scenarios take the DPRK test outcomes from lib/calibrated.yaml', () => {
  const r = prepare(join(ROOT, 'scenarios/korea-intercept.yaml'), {
    ...fsIo,
    resolve: (from, rel) => join(from, '..', rel),
  });
  assert.ok(r.model, JSON.stringify(r.diagnostics));
  const irbm = r.model.actions.find((a) => a.id === 'DPRK.irbm-test')!;
  const params = r.doc!.params!;
  const nominalOf = (name: string) => {
    const p = params[name]!;
    return typeof p === 'number'
      ? p
      : (p.value ?? ('beta' in p ? p.beta[0] / (p.beta[0] + p.beta[1]) : Number.NaN));
  };
  assert.deepEqual(
    irbm.outcomes.map((o) => o.p),
    ['dprk-irbm-test-success', 'dprk-irbm-test-failure', 'dprk-irbm-test-casualties'].map(nominalOf),
  );
  const srbm = r.model.actions.find((a) => a.id === 'DPRK.srbm-test')!;
  assert.ok(Math.abs(srbm.outcomes[1]!.p - nominalOf('dprk-srbm-test-failure')) < 1e-12);
});

test('brink run: --set on params a calibrated parameter with --set on params', async () => {
  const r = await brink([
    'run',
    'scenarios/korea-intercept.yaml',
    '--runs',
    '50',
    '--json',
    '--set',
    'params.dprk-irbm-test-casualties=0.1',
  ]);
  // The outcomes no longer sum to 1: the override reached the action through the reference.
  assert.equal(r.code, 1);
  assert.match(r.err, /E_PROB_SUM/);
});
