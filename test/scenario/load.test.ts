import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  applyInterventions,
  canonicalJson,
  contentHash,
  loadDocument,
  prepare,
  resolveRelative,
  validateFile,
} from '../../src/scenario/load.ts';
import { fsIo, memoryIo, ROOT } from './helpers.ts';

const BASE = `
version: 1
id: base
title: Base
actors:
  US:
    name: United States
    readiness: 1
    actions:
      flight: { rung: display, domain: air }
    doctrine:
      answer-test: { on: DPRK.test, respond: { flight: 1 } }
  DPRK:
    name: North Korea
    actions:
      test: { rung: display, domain: missile }
    doctrine:
      answer-flight: { on: US.flight, respond: { test: 0.5, wait: 0.5 } }
channels:
  hotline: { between: [US, DPRK], kind: hotline, credibility: 2 }
`;

const load = (files: Record<string, string>, entry = 'main.yaml') => loadDocument(entry, memoryIo(files));

test('resolveRelative joins a name to the directory of the file that names it', () => {
  assert.equal(resolveRelative('scenarios/korea/a.yaml', '../lib/b.yaml'), 'scenarios/lib/b.yaml');
  assert.equal(resolveRelative('/abs/dir/a.yaml', './b.yaml'), '/abs/dir/b.yaml');
  assert.equal(resolveRelative('a.yaml', 'lib/b.yaml'), 'lib/b.yaml');
  assert.equal(resolveRelative('x/a.yaml', '/etc/b.yaml'), '/etc/b.yaml');
});

test('loadDocument merges the extends chain: bases in order, then the file; kind and extends do not carry over', () => {
  const r = load({
    'lib/one.yaml': 'version: 1\nkind: library\nactors:\n  US: { name: One, readiness: 1 }\n',
    'lib/two.yaml':
      'version: 1\nkind: library\nextends: one.yaml\nactors:\n  US: { readiness: 2 }\n  PRC: { name: China }\n',
    'main.yaml':
      'version: 1\nid: main\ntitle: Main\nextends: [lib/two.yaml]\nactors:\n  PRC: null\n  US: { name: United States }\n',
  });
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.kind, 'scenario');
  assert.equal(r.doc?.kind, 'scenario');
  assert.deepEqual(Object.keys(r.doc!.actors), ['US']);
  assert.equal(r.doc!.actors.US!.name, 'United States');
  assert.equal(r.doc!.actors.US!.readiness, 2);
  assert.equal((r.value as Record<string, unknown>).extends, undefined);
  assert.deepEqual(r.files, ['main.yaml', 'lib/two.yaml', 'lib/one.yaml']);
});

test('loadDocument reports a value from a base at its position in the base file', () => {
  const r = load({
    'base.yaml': 'version: 1\nkind: library\nactors:\n  US:\n    name: United States\n    readiness: high\n',
    'main.yaml': 'version: 1\nid: main\ntitle: Main\nextends: base.yaml\n',
  });
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.file, d.line, d.column]),
    [['E_SCHEMA_TYPE', 'base.yaml', 6, 16]],
  );
});

test('loadDocument reports a missing base at the extends entry (E_EXTENDS_MISSING)', () => {
  const r = load({ 'main.yaml': 'version: 1\nid: m\ntitle: M\nextends:\n  - gone.yaml\nactors: {}\n' });
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.file, d.line, d.column]),
    [['E_EXTENDS_MISSING', 'main.yaml', 5, 5]],
  );
});

test('loadDocument reports a cycle with the chain (E_EXTENDS_CYCLE)', () => {
  const r = load({
    'main.yaml': 'version: 1\nid: m\ntitle: M\nextends: a.yaml\nactors: {}\n',
    'a.yaml': 'version: 1\nkind: library\nextends: b.yaml\n',
    'b.yaml': 'version: 1\nkind: library\nextends: a.yaml\n',
  });
  assert.equal(r.diagnostics[0]?.code, 'E_EXTENDS_CYCLE');
  assert.equal(r.diagnostics[0]?.message, 'files extend each other in a cycle: a.yaml -> b.yaml -> a.yaml');
  assert.equal(r.diagnostics[0]?.file, 'b.yaml');
  const self = load({ 'main.yaml': 'version: 1\nextends: main.yaml\n' });
  assert.equal(self.diagnostics[0]?.code, 'E_EXTENDS_CYCLE');
});

test('loadDocument checks a library (kind: library) for structure only', () => {
  const r = load({
    'main.yaml': 'version: 1\nkind: library\nchannels:\n  c: { between: [A, B], kind: hotline }\n',
  });
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.kind, 'library');
  assert.equal(r.doc, undefined);
  assert.match(r.hash ?? '', /^[0-9a-f]{64}$/);
  const bad = load({
    'main.yaml': 'version: 1\nkind: library\nchannels:\n  c: { between: [A, B], kind: phone }\n',
  });
  assert.equal(bad.diagnostics[0]?.code, 'E_SCHEMA_VALUE');
  const p = prepare('main.yaml', memoryIo({ 'main.yaml': 'version: 1\nkind: library\n' }));
  assert.equal(p.model, undefined);
  assert.match(p.diagnostics[0]?.message ?? '', /library/);
});

test('loadDocument picks the union branch that explains the mistake', () => {
  const doc = (action: string) =>
    load({
      'main.yaml': `version: 1\nid: m\ntitle: M\nactors:\n  US:\n    name: U\n    actions:\n      a: ${action}\n`,
    }).diagnostics;
  const beta = doc('{ rung: 3, domain: air, signature: { beta: [1] } }');
  assert.deepEqual(
    beta.map((d) => [d.code, d.path.join('.'), d.message]),
    [['E_SCHEMA_VALUE', 'actors.US.actions.a.signature.beta', 'expected 2 items, got 1']],
  );
  const word = doc('{ rung: 3, domain: air, signature: high }');
  assert.equal(word[0]?.code, 'E_SCHEMA_TYPE');
  assert.match(word[0]!.message, /^expected a number, a distribution .*\{uniform.*; got "high"$/);
  const rung = doc('{ rung: Display, domain: air }');
  assert.match(rung[0]!.message, /an id starts with a lower-case letter.*got "Display"/);
  const stimulus = load({
    'main.yaml':
      'version: 1\nid: m\ntitle: M\nactors:\n  US:\n    name: U\n    doctrine:\n      r: { on: 5, respond: { wait: 1 } }\n',
  }).diagnostics;
  assert.equal(stimulus[0]?.code, 'E_SCHEMA_TYPE');
  assert.match(stimulus[0]!.message, /^expected text, a list or a mapping; got 5/);
});

test('loadDocument messages say what would be valid', () => {
  const ds = load({
    'main.yaml':
      'version: 1\nid: m\ntitle: M\nactors:\n  US:\n    name: U\n    readiness: 5\n    kind: stat\n    nmae: x\n',
  }).diagnostics;
  const by = Object.fromEntries(ds.map((d) => [d.path.join('.'), d]));
  assert.equal(by['actors.US.readiness']?.message, 'must be at most 4, got 5');
  assert.equal(by['actors.US.kind']?.message, 'expected one of state, host, organization; got "stat"');
  assert.equal(by['actors.US.kind']?.hint, 'did you mean `state`?');
  assert.equal(by['actors.US.nmae']?.code, 'E_SCHEMA_UNKNOWN_KEY');
  assert.equal(by['actors.US.nmae']?.hint, 'did you mean `name`?');
  assert.equal(by['actors.US.nmae']?.line, 9);
});

test('loadDocument reports version problems as E_VERSION', () => {
  const missing = load({ 'main.yaml': 'id: m\ntitle: M\nactors: {}\n' }).diagnostics;
  assert.deepEqual(
    missing.map((d) => d.code),
    ['E_VERSION'],
  );
  const three = load({ 'main.yaml': 'version: 3\nid: m\ntitle: M\nactors: {}\n' }).diagnostics;
  assert.equal(three[0]?.code, 'E_VERSION');
  assert.match(three[0]!.message, /version must be 1 or 2.*got 3/);
  const two = load({ 'main.yaml': 'version: 2\nid: m\ntitle: M\nactors: {}\n' }).diagnostics;
  assert.ok(!two.some((d) => d.code === 'E_VERSION'));
});

test('contentHash ignores layout, comments, field order and spelled-out defaults', () => {
  const a = load({ 'main.yaml': BASE });
  const b = load({
    'main.yaml': `# a comment
title: Base
id: base
version: 1
time: { tickHours: 1, horizonDays: 30 }
actors:
  US: { readiness: 1, name: United States, kind: state, actions: { flight: { domain: air, rung: display } }, doctrine: { answer-test: { respond: { flight: 1 }, on: DPRK.test } } }
  DPRK: { name: North Korea, actions: { test: { rung: display, domain: missile } }, doctrine: { answer-flight: { on: US.flight, respond: { test: 0.5, wait: 0.5 } } } }
channels: { hotline: { kind: hotline, between: [US, DPRK], credibility: 2 } }
`,
  });
  assert.deepEqual(b.diagnostics, []);
  assert.match(a.hash!, /^[0-9a-f]{64}$/);
  assert.equal(a.hash, b.hash);
});

test('contentHash keeps the order of named entries, which changes what a run does', () => {
  const a = load({ 'main.yaml': BASE });
  const swapped = BASE.replace(/ {2}US:[\s\S]*?(?= {2}DPRK:)/, '').replace(/(channels:)/, (m) => m);
  const us = BASE.match(/ {2}US:[\s\S]*?(?= {2}DPRK:)/)![0];
  const reordered = swapped.replace(/(answer-flight[^\n]*\n)/, `$1${us}`);
  const b = load({ 'main.yaml': reordered });
  assert.deepEqual(b.diagnostics, []);
  assert.deepEqual(Object.keys(b.doc!.actors), ['DPRK', 'US']);
  assert.notEqual(a.hash, b.hash);
  assert.equal(canonicalJson({ b: 1, a: [{ y: 1, x: 2 }] }), '{"b":1,"a":[{"y":1,"x":2}]}');
  assert.equal(contentHash({ a: 1 }), contentHash({ a: 1 }));
});

test('applyInterventions applies patches and sets in order; a+b is a then b', () => {
  const text = `${BASE}
interventions:
  calm:
    title: Calm
    set: { actors.US.readiness: 0 }
  alert:
    title: Alert
    patch: { actors: { US: { readiness: 3 } } }
  new-channel:
    title: A second hotline
    patch:
      channels:
        hotline-2: { between: [US, DPRK], kind: military }
      actors:
        DPRK:
          doctrine:
            answer-test: { on: US.flight, respond: { wait: 1 } }
`;
  const base = load({ 'main.yaml': text });
  assert.deepEqual(base.diagnostics, []);
  const ab = applyInterventions(base.doc!, ['alert+calm'], base.locations);
  assert.deepEqual(ab.applied, ['alert', 'calm']);
  assert.equal(ab.doc?.actors.US?.readiness, 0);
  const ba = applyInterventions(base.doc!, ['calm', 'alert'], base.locations);
  assert.equal(ba.doc?.actors.US?.readiness, 3);
  // New complete entries (a channel, a doctrine rule) are normal: no warning.
  const added = applyInterventions(base.doc!, ['new-channel'], base.locations);
  assert.deepEqual(added.diagnostics, []);
  assert.deepEqual(Object.keys(added.doc!.channels), ['hotline', 'hotline-2']);
});

test('applyInterventions names an unknown intervention with a suggestion (E_INTERVENTION_UNKNOWN)', () => {
  const base = load({
    'main.yaml': `${BASE}\ninterventions:\n  calm: { title: Calm, set: { actors.US.readiness: 0 } }\n`,
  });
  const r = applyInterventions(base.doc!, ['calm+clam'], base.locations);
  assert.equal(r.doc, undefined);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.hint]),
    [['E_INTERVENTION_UNKNOWN', 'did you mean `calm`?']],
  );
});

test('applyInterventions warns about a patch that looks like a typo (W_UNUSED_INTERVENTION_PATCH)', () => {
  const text = `${BASE}
interventions:
  typo:
    title: A typo in a channel name
    patch:
      channels:
        hotlin: { credibility: 5 }
  gone:
    title: Deletes nothing
    patch: { channels: { hotlien: null } }
`;
  const base = load({ 'main.yaml': text });
  const typo = applyInterventions(base.doc!, ['typo'], base.locations);
  const w = typo.diagnostics.find((d) => d.code === 'W_UNUSED_INTERVENTION_PATCH');
  assert.ok(w, JSON.stringify(typo.diagnostics));
  assert.equal(w.hint, 'did you mean `hotline`?');
  assert.equal(w.line, 27);
  // The incomplete new channel is also a schema error, located in the intervention's text.
  const e = typo.diagnostics.find((d) => d.code === 'E_SCHEMA_REQUIRED');
  assert.equal(e?.line, 27);
  assert.equal(
    typo.diagnostics.find((d) => d.path.join('.') === 'channels.hotlin.kind')?.code,
    'E_SCHEMA_REQUIRED',
  );
  const gone = applyInterventions(base.doc!, ['gone'], base.locations);
  assert.deepEqual(
    gone.diagnostics.map((d) => [d.code, d.severity]),
    [['W_UNUSED_INTERVENTION_PATCH', 'warning']],
  );
  assert.ok(gone.doc);
});

test('applyInterventions warns about a number added next to a similarly named one, unless it extends the name', () => {
  const text = BASE.replace(
    '    readiness: 1\n',
    '    readiness: 1\n    decision:\n      harm: { alert: 10, war: 500 }\n',
  ).concat(`
interventions:
  harm:
    title: Harm of rungs
    patch:
      actors: { US: { decision: { harm: { alrt: 3, alert-2: 4, lethal-clash: 50 } } } }
`);
  const base = load({ 'main.yaml': text });
  assert.deepEqual(base.diagnostics, []);
  const r = applyInterventions(base.doc!, ['harm'], base.locations);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.path.join('.'), d.hint]),
    [['W_UNUSED_INTERVENTION_PATCH', 'actors.US.decision.harm.alrt', 'did you mean `alert`?']],
  );
});

test('applyInterventions reports a set path that does not exist at the set entry (E_INTERVENTION_PATH)', () => {
  const text = `${BASE}\ninterventions:\n  x:\n    title: X\n    set:\n      channels.hotline.credibilty: 3\n`;
  const base = load({ 'main.yaml': text });
  const r = applyInterventions(base.doc!, ['x'], base.locations);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.line, d.column, d.hint]),
    [['E_INTERVENTION_PATH', 26, 7, 'did you mean `credibility`?']],
  );
});

test('applyInterventions points errors in patched values at the intervention text', () => {
  const text = `${BASE}\ninterventions:\n  x:\n    title: X\n    patch:\n      channels: { hotline: { kind: telegraph } }\n`;
  const base = load({ 'main.yaml': text });
  const r = applyInterventions(base.doc!, ['x'], base.locations);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.line, d.hint]),
    [['E_SCHEMA_VALUE', 26, 'with intervention `x` applied']],
  );
});

test('prepare compiles the scenario with interventions and --set overrides', () => {
  const text = `${BASE}\ninterventions:\n  calm: { title: Calm, set: { actors.US.readiness: 0 } }\n`;
  const io = memoryIo({ 'main.yaml': text });
  const plain = prepare('main.yaml', io);
  assert.deepEqual(plain.diagnostics, []);
  assert.ok(plain.model);
  assert.equal(plain.model.hash, plain.hash);
  const calm = prepare('main.yaml', { ...io, interventions: ['calm'] });
  assert.deepEqual(calm.model?.interventions, ['calm']);
  assert.notEqual(calm.hash, plain.hash);
  const set = prepare('main.yaml', {
    ...io,
    set: { 'channels.hotline.credibility': 4, 'time.horizonDays': 3 },
  });
  assert.deepEqual(set.diagnostics, []);
  assert.equal(set.doc?.channels.hotline?.credibility, 4);
  assert.equal(set.doc?.time.horizonDays, 3);
  const typo = prepare('main.yaml', { ...io, set: { 'channels.hotline.credibilty': 4 } });
  assert.deepEqual(
    typo.diagnostics.map((d) => [d.code, d.hint]),
    [['E_SET_PATH', 'did you mean `credibility`?']],
  );
  const notNumber = prepare('main.yaml', { ...io, set: { 'actors.US.name': 4 } });
  assert.equal(notNumber.diagnostics[0]?.code, 'E_SET_PATH');
  assert.match(notNumber.diagnostics[0]!.message, /not a number/);
  const badValue = prepare('main.yaml', { ...io, set: { 'actors.US.readiness': 7 } });
  assert.equal(badValue.diagnostics[0]?.code, 'E_SCHEMA_VALUE');
  assert.equal(badValue.diagnostics[0]?.message, '--set actors.US.readiness: must be at most 4, got 7');
  assert.equal(badValue.diagnostics[0]?.line, undefined);
  assert.equal(badValue.model, undefined);
});

test('prepare locates the compiler’s semantic diagnostics in the source', () => {
  const r = prepare('main.yaml', memoryIo({ 'main.yaml': BASE.replace('on: DPRK.test', 'on: DPRK.tset') }));
  assert.equal(r.model, undefined);
  const d = r.diagnostics.find((x) => x.code === 'E_REF_ACTION');
  assert.deepEqual([d?.file, d?.line], ['main.yaml', 12]);
});

test('validateFile finds a broken intervention that the scenario alone does not show', () => {
  const text = `${BASE}\ninterventions:\n  cut:\n    title: No hotline\n    patch: { channels: { hotline: null } }\n    set: { channels.hotline.credibility: 1 }\n`;
  const r = validateFile('main.yaml', memoryIo({ 'main.yaml': text }));
  assert.deepEqual(
    r.diagnostics.map((d) => d.code),
    ['E_INTERVENTION_PATH'],
  );
});

test('validateFile accepts every valid fixture and example scenario', () => {
  const dirs = ['test/fixtures/valid', 'scenarios'];
  for (const dir of dirs) {
    let names: string[] = [];
    try {
      names = readdirSync(join(ROOT, dir));
    } catch {
      continue;
    }
    for (const name of names.filter((n) => /\.(ya?ml|json)$/.test(n))) {
      const r = validateFile(join(ROOT, dir, name), fsIo);
      assert.deepEqual(
        r.diagnostics.filter((d) => d.severity === 'error'),
        [],
        `${dir}/${name}`,
      );
    }
  }
});

test('prepare and the modules it uses import no node:* module (they run in a browser)', () => {
  for (const f of ['parse.ts', 'merge.ts', 'load.ts', 'format.ts', 'index.ts']) {
    const src = readFileSync(join(ROOT, 'src/scenario', f), 'utf8');
    assert.doesNotMatch(src, /from 'node:/, f);
  }
});
