// Issue 20: validation is total (diagnostics or a model, never an exception), bounded (cycles, depth,
// entries, model size) and linear (suggestions, interventions); the fuzzer's mutants are reproducible.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { check } from '../../scripts/fuzz/check.ts';
import { mutant, readCorpus } from '../../scripts/fuzz/mutate.ts';
import { clipMessage, didYouMean, editDistance } from '../../src/scenario/diagnostics.ts';
import { prepare, validateFile } from '../../src/scenario/load.ts';
import { parseText } from '../../src/scenario/parse.ts';
import { brink, filesUnder, memoryIo, ROOT } from './helpers.ts';

const codes = (text: string) => parseText(text, 'x.yaml').diagnostics.map((d) => d.code);

test('parseText diagnoses an alias inside the node it names (E_YAML_CYCLE), at any depth', () => {
  assert.deepEqual(codes('version: 1\nx: &a\n  y: *a\n'), ['E_YAML_CYCLE']);
  assert.deepEqual(codes('version: 1\nx: &a [1, [2, {z: *a}]]\n'), ['E_YAML_CYCLE']);
  // An alias after its node (a DAG, not a cycle) is fine.
  const ok = parseText('version: 1\nx: &a {y: 1}\nz: [*a, *a]\n', 'x.yaml');
  assert.deepEqual(ok.diagnostics, []);
  assert.deepEqual(ok.value, { version: 1, x: { y: 1 }, z: [{ y: 1 }, { y: 1 }] });
});

test('parseText bounds the depth of the value aliases expand to (E_TOO_DEEP)', () => {
  const nest = (n: number, inner: string) => `${'['.repeat(n)}${inner}${']'.repeat(n)}`;
  assert.deepEqual(codes(`version: 1\na: &a ${nest(40, '1')}\nb: ${nest(40, '*a')}\n`), ['E_TOO_DEEP']);
  assert.deepEqual(codes(`version: 1\na: &a ${nest(20, '1')}\nb: ${nest(20, '*a')}\n`), []);
});

test('parseText refuses more entries than a scenario may have before parsing (E_FILE_TOO_LARGE)', () => {
  const r = parseText(`version: 1\nx: [${'1,'.repeat(60_000)}1]\n`, 'x.yaml');
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.line]),
    [['E_FILE_TOO_LARGE', 2]],
  );
  assert.deepEqual(codes(`version: 1\nx: [${'1,'.repeat(1000)}1]\n`), []);
});

test('editDistance with a limit equals the full distance up to the limit (property)', () => {
  const naive = (a: string, b: string) => {
    let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const cur = [i];
      for (let j = 1; j <= b.length; j++) {
        const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
        cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      }
      prev = cur;
    }
    return prev[b.length]!;
  };
  const word = fc.string({ unit: fc.constantFrom('a', 'b', 'A', '-', '.'), maxLength: 12 });
  fc.assert(
    fc.property(word, word, fc.nat(6), (a, b, limit) => {
      const d = naive(a, b);
      assert.equal(editDistance(a, b), d);
      assert.equal(editDistance(a, b, limit), d <= limit ? d : limit + 1);
    }),
    { seed: 20, numRuns: 2000 },
  );
});

test('didYouMean suggests for names, not for multi-megabyte values', () => {
  assert.equal(didYouMean('DPKR', ['US', 'DPRK', 'ROK']), 'DPRK');
  assert.equal(didYouMean('ar', ['air', 'sea']), 'air');
  assert.equal(didYouMean(`air${'a'.repeat(4_000_000)}`, ['air', 'sea']), undefined);
  assert.equal(didYouMean('zzzzzz', ['air', 'sea']), undefined);
});

const scenario = (interventions: string) => `version: 1
id: ivs
title: Interventions
actors:
  US:
    name: United States
    readiness: 1
    actions:
      protest: { rung: coercion, domain: political, visibility: public }
    doctrine: {}
interventions:
${interventions}`;

test('validateFile: copies of an intervention are checked once, and a broken one is still found', () => {
  const copy = (k: number) => `  alert-${k}:\n    title: Alert ${k}\n    set: { actors.US.readiness: 2 }\n`;
  const broken = '  broken:\n    title: Broken\n    set: { actors.US.readines: 2 }\n';
  const text = scenario(Array.from({ length: 300 }, (_, k) => copy(k)).join('') + broken);
  const r = validateFile('s.yaml', memoryIo({ 's.yaml': text }));
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(
    errors.map((d) => [d.code, d.line]),
    [['E_INTERVENTION_PATH', 914]],
  );
  assert.match(errors[0]!.hint ?? '', /did you mean `readiness`/);
});

test('validateFile: past the work budget, interventions are left to run time with a warning', () => {
  const iv = (k: number) =>
    `  alert-${k}:\n    title: Alert ${k}\n    set: { actors.US.readiness: ${k % 4}, time.horizonDays: ${k + 1} }\n`;
  const text = scenario(Array.from({ length: 40 }, (_, k) => iv(k)).join(''));
  const io = memoryIo({ 's.yaml': text });
  const own = (ds: { code: string }[]) => ds.filter((d) => d.code !== 'W_NO_DOCTRINE');
  assert.deepEqual(own(validateFile('s.yaml', io).diagnostics), []);
  const r = validateFile('s.yaml', io, { interventionCheckWork: 5000 });
  const ds = own(r.diagnostics) as typeof r.diagnostics;
  assert.deepEqual(
    ds.map((d) => [d.code, d.severity, d.line]),
    [['W_INTERVENTIONS_UNCHECKED', 'warning', 11]],
  );
  assert.match(ds[0]!.message, /^\d+ of 40 interventions were not checked alone/);
  // Each is still checked when it is run.
  const bad = text.replace('readiness: 3, time.horizonDays: 40 }', 'readiness: 9, time.horizonDays: 40 }');
  const p = prepare('s.yaml', { ...memoryIo({ 's.yaml': bad }), interventions: ['alert-39'] });
  assert.equal(p.model, undefined);
  assert.ok(p.diagnostics.some((d) => d.code === 'E_SCHEMA_VALUE'));
});

test('compile refuses a model whose tables would not fit (E_MODEL_TOO_LARGE)', () => {
  const actors = Array.from(
    { length: 2500 },
    (_, k) =>
      `  A${k}:\n    name: Actor ${k}\n    actions:\n      protest: { rung: coercion, domain: political, visibility: public }\n    doctrine: {}\n`,
  ).join('');
  const text = `version: 1\nid: crowd\ntitle: Many actors\nactors:\n${actors}`;
  const p = prepare('s.yaml', memoryIo({ 's.yaml': text }));
  assert.equal(p.model, undefined);
  assert.deepEqual(
    p.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code),
    ['E_MODEL_TOO_LARGE'],
  );
});

const INVALID = filesUnder('test/fixtures/invalid', ['.yaml', '.json']).filter(
  (f) => !f.includes('/_parts/') && !f.includes('/intervention-'),
);

test('brink run: every invalid corpus file is reported without a stack trace', async () => {
  for (const file of INVALID) {
    const r = await brink(['run', file, '--runs', '10', '--workers', '1']);
    const all = r.out + r.err;
    assert.equal(r.code, 1, `${file}:\n${all}`);
    assert.doesNotMatch(all, /^ {4}at /m, `${file} printed a stack trace`);
    assert.doesNotMatch(all, /internal error/, file);
  }
});

test('the fuzzer: a mutant is a function of (seed, index), and the issue-20 reproducers no longer throw', () => {
  const corpus = readCorpus(ROOT);
  assert.ok(corpus.length >= 25, `corpus of ${corpus.length}`);
  for (const index of [0, 1, 17, 999]) {
    assert.deepEqual(mutant(corpus, 5, index), mutant(corpus, 5, index));
  }
  assert.notDeepEqual(mutant(corpus, 5, 1).files, mutant(corpus, 6, 1).files);
  // The first mutants of one seed all end in diagnostics or a run, none in an exception.
  for (let index = 0; index < 40; index++) {
    const m = mutant(corpus, 20, index);
    assert.doesNotThrow(() => check(m, 20), `mutant ${index} (${m.ops.join('; ')})`);
  }
});

test('clipMessage cuts long quoted names, whatever their length, and leaves prose alone', () => {
  const long = `CN${'a'.repeat(9_000_000)}`;
  assert.equal(
    clipMessage(`unknown actor '${long}'; did you mean 'CN'?`),
    `unknown actor 'CNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa... (9000002 characters)'; did you mean 'CN'?`,
  );
  const prose = `a sentence without quotes that runs on for well over sixty characters, ${'and on '.repeat(20)}`;
  assert.equal(clipMessage(prose), prose);
  assert.equal(clipMessage("short 'x'"), "short 'x'");
});
