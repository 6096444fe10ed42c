import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  getPath,
  mergePatch,
  resolvePath,
  setAllIn,
  setIn,
  setPath,
  splitPath,
} from '../../src/scenario/merge.ts';
import { locate, parseText } from '../../src/scenario/parse.ts';

// RFC 7396, Appendix A.
const RFC_CASES: [unknown, unknown, unknown][] = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [
    ['a', 'b'],
    ['c', 'd'],
    ['c', 'd'],
  ],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

test('mergePatch passes the RFC 7396 examples', () => {
  for (const [target, patch, want] of RFC_CASES) {
    assert.deepEqual(mergePatch(target, patch).value, want, JSON.stringify([target, patch]));
  }
});

test('mergePatch leaves its inputs unchanged', () => {
  const target = { a: { b: 1, c: [1] } };
  const patch = { a: { b: null, d: 2 } };
  const before = structuredClone([target, patch]);
  mergePatch(target, patch);
  assert.deepEqual([target, patch], before);
});

test('mergePatch keeps `__proto__` a plain key', () => {
  const patch = JSON.parse('{"__proto__": {"polluted": 1}}') as unknown;
  const out = mergePatch({}, patch).value as Record<string, unknown>;
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.ok(Object.hasOwn(out, '__proto__'));
});

test('mergePatch merges source positions: the patch wins, deleted keys go', () => {
  const base = parseText('a: 1\nb:\n  c: 2\n  d: 3\n', 'base.yaml');
  const top = parseText('x: 0\nb:\n  c: 20\n  d: null\n', 'top.yaml');
  const m = mergePatch(base.value, top.value, base.locations, top.locations);
  assert.deepEqual(m.value, { a: 1, b: { c: 20 }, x: 0 });
  assert.deepEqual(locate(m.locations, ['a']), { file: 'base.yaml', line: 1, column: 4 });
  assert.deepEqual(locate(m.locations, ['b', 'c']), { file: 'top.yaml', line: 3, column: 6 });
  assert.equal(m.locations.children?.get('b')?.children?.has('d'), false);
});

test('splitPath reads dots and bracket-quoted segments', () => {
  assert.deepEqual(
    splitPath('actors.DPRK.perception.misread["US.bomber-flight"][\'US.strike\'][0]')?.map((s) => s.text),
    ['actors', 'DPRK', 'perception', 'misread', 'US.bomber-flight', 'US.strike', '0'],
  );
  assert.equal(splitPath('a..b'), undefined);
  assert.equal(splitPath('a["b'), undefined);
  assert.equal(splitPath(''), undefined);
});

const DOC = {
  actors: {
    DPRK: {
      readiness: 1,
      perception: { misread: { 'US.bomber-flight': { 'US.strike-package': 0.2, US: 0.1 } } },
    },
    US: { readiness: 0 },
  },
  ladder: [{ id: 'a' }, { id: 'b' }],
};

test('resolvePath matches the longest run of segments that is a key at each level', () => {
  assert.deepEqual(resolvePath(DOC, 'actors.DPRK.perception.misread.US.bomber-flight.US.strike-package'), {
    path: ['actors', 'DPRK', 'perception', 'misread', 'US.bomber-flight', 'US.strike-package'],
  });
  assert.deepEqual(resolvePath(DOC, 'actors.DPRK.perception.misread["US.bomber-flight"].US'), {
    path: ['actors', 'DPRK', 'perception', 'misread', 'US.bomber-flight', 'US'],
  });
  assert.deepEqual(resolvePath(DOC, 'ladder.1.id'), { path: ['ladder', 1, 'id'] });
  assert.deepEqual(resolvePath(DOC, 'ladder[0].id'), { path: ['ladder', 0, 'id'] });
});

test('getPath and setPath read and write existing paths without changing the input', () => {
  const got = getPath(DOC, 'actors.DPRK.readiness');
  assert.ok('value' in got);
  assert.equal(got.value, 1);
  const set = setPath(DOC, 'actors.DPRK.perception.misread.US.bomber-flight.US.strike-package', 0.05);
  assert.ok('doc' in set);
  assert.equal(
    (set.doc as typeof DOC).actors.DPRK.perception.misread['US.bomber-flight']['US.strike-package'],
    0.05,
  );
  assert.equal(DOC.actors.DPRK.perception.misread['US.bomber-flight']['US.strike-package'], 0.2);
  assert.equal((set.doc as typeof DOC).actors.US, DOC.actors.US, 'untouched branches are shared');
});

test('setPath refuses a path that does not exist (E_SET_PATH) and suggests the closest key', () => {
  const r = setPath(DOC, 'actors.DPRK.readines', 2);
  assert.ok('diagnostic' in r);
  assert.equal(r.diagnostic.code, 'E_SET_PATH');
  assert.equal(r.diagnostic.hint, 'did you mean `readiness`?');
  assert.deepEqual(r.diagnostic.path, ['actors', 'DPRK']);
  const typo = setPath(DOC, 'actors.DPRK.perception.misread.US.bomber-flght.US', 1, 'E_INTERVENTION_PATH');
  assert.ok('diagnostic' in typo);
  assert.equal(typo.diagnostic.code, 'E_INTERVENTION_PATH');
  assert.equal(typo.diagnostic.hint, 'did you mean `US.bomber-flight`?');
  const idx = setPath(DOC, 'ladder.5.id', 'x');
  assert.ok('diagnostic' in idx);
  assert.match(idx.diagnostic.hint ?? '', /0\.\.1/);
  const bad = setPath(DOC, 'actors..US', 1);
  assert.ok('diagnostic' in bad);
  assert.match(bad.diagnostic.message, /not a valid path/);
});

test('setAllIn: the document that setIn gives value after value, each container copied once, the input untouched', () => {
  const doc = {
    a: { x: 1, y: [1, 2, { z: 3 }], w: { v: 0 } },
    b: [{ p: 0.5 }, { p: 0.5 }],
    c: 7,
  };
  const before = JSON.stringify(doc);
  const entries: [(string | number)[], unknown][] = [
    [['a', 'y', 2, 'z'], 30],
    [['b', 1, 'p'], { beta: [1, 1], value: 0.25 }],
    [['a', 'x'], 10],
    [['a', 'new'], 'added last'],
    [['b', 0, 'p'], 0.75],
    [['c', 'deep'], 1],
    [['a', 'x'], 11],
  ];
  let seq: unknown = doc;
  for (const [p, v] of entries) seq = setIn(seq, p, v);
  const all = setAllIn(doc, entries) as typeof doc;
  assert.equal(JSON.stringify(all), JSON.stringify(seq));
  assert.deepEqual(Object.keys(all.a), ['x', 'y', 'w', 'new']);
  assert.equal(JSON.stringify(doc), before);
  // Untouched branches are shared, touched ones are copies.
  assert.equal(all.a.w, doc.a.w);
  assert.notEqual(all.a, doc.a);
  assert.notEqual(all.b[0], doc.b[0]);
});
