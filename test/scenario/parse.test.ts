import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { locate, OVERSIZE_SENTINEL, parseText } from '../../src/scenario/parse.ts';

const codes = (text: string) => parseText(text, 'f.yaml').diagnostics.map((d) => d.code);

test('parseText returns the value and the position of every map value, list item and key', () => {
  const text = [
    'version: 1',
    'actors:',
    '  DPRK:',
    '    actions:',
    '      irbm-test: { rung: display, domain: missile }',
    '    list:',
    '      - a',
    '      - b: 2',
  ].join('\n');
  const r = parseText(text, 'x.yaml');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.value, {
    version: 1,
    actors: {
      DPRK: { actions: { 'irbm-test': { rung: 'display', domain: 'missile' } }, list: ['a', { b: 2 }] },
    },
  });
  const at = (path: (string | number)[], key = false) => {
    const p = locate(r.locations, path, key);
    return p && `${p.file}:${p.line}:${p.column}`;
  };
  assert.equal(at(['actors', 'DPRK', 'actions', 'irbm-test', 'rung']), 'x.yaml:5:26');
  assert.equal(at(['actors', 'DPRK', 'actions', 'irbm-test', 'rung'], true), 'x.yaml:5:20');
  assert.equal(at(['actors', 'DPRK', 'list', 1, 'b']), 'x.yaml:8:12');
  assert.equal(at(['actors', 'DPRK', 'list', 0]), 'x.yaml:7:9');
  // A path below what exists points at the key of the deepest part that does exist.
  assert.equal(at(['actors', 'DPRK', 'name']), 'x.yaml:3:3');
});

test('parseText accepts JSON', () => {
  const r = parseText('{"version": 1, "actors": {"US": {"name": "United States"}}}', 'x.json');
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.value, { version: 1, actors: { US: { name: 'United States' } } });
  assert.equal(locate(r.locations, ['actors', 'US', 'name'])?.column, 42);
});

test('parseText points an empty value (`key:`) at its key', () => {
  const r = parseText('a:\nb: 1\n', 'x.yaml');
  assert.deepEqual(r.value, { a: null, b: 1 });
  assert.deepEqual(locate(r.locations, ['a']), { file: 'x.yaml', line: 1, column: 1 });
});

test('parseText reports an empty file and a file of comments as E_EMPTY', () => {
  assert.deepEqual(codes(''), ['E_EMPTY']);
  assert.deepEqual(codes('# nothing\n\n# here\n'), ['E_EMPTY']);
  assert.deepEqual(codes('---\n'), ['E_EMPTY']);
});

test('parseText reports binary content as E_BINARY with its position', () => {
  const r = parseText('a: 1\nb: x\u0000y\n', 'x.yaml');
  assert.equal(r.diagnostics[0]?.code, 'E_BINARY');
  assert.equal(r.diagnostics[0]?.line, 2);
  assert.equal(r.diagnostics[0]?.column, 5);
  assert.deepEqual(codes('title: caf\ufffd\n'), ['E_BINARY']);
  assert.deepEqual(codes('a: "\u0007"\n'), ['E_BINARY']);
  // Tabs, CR LF and a byte-order mark are text.
  assert.deepEqual(codes('\ufeffa: "x\ty"\r\nb: 2\r\n'), []);
});

test('parseText recognises the oversize sentinel of io.readFile as E_FILE_TOO_LARGE', () => {
  const r = parseText(`${OVERSIZE_SENTINEL}12582912`, 'big.yaml');
  assert.equal(r.diagnostics[0]?.code, 'E_FILE_TOO_LARGE');
  assert.match(r.diagnostics[0]!.message, /12\.0 MB/);
});

test('parseText reports YAML syntax errors without yaml’s own "at line" suffix', () => {
  const r = parseText('a: [1, 2\nb: 3\n', 'x.yaml');
  assert.equal(r.diagnostics[0]?.code, 'E_YAML_SYNTAX');
  assert.equal(r.diagnostics[0]?.line, 2);
  assert.doesNotMatch(r.diagnostics[0]!.message, /at line/);
});

test('parseText reports a duplicate key as E_YAML_DUPLICATE_KEY at the second one', () => {
  const r = parseText('a: 1\nb:\n  c: 1\n  "c": 2\n', 'x.yaml');
  assert.equal(r.diagnostics[0]?.code, 'E_YAML_DUPLICATE_KEY');
  assert.equal(r.diagnostics[0]?.line, 4);
  assert.match(r.diagnostics[0]!.message, /`c`/);
});

test('parseText stops an alias bomb (E_YAML_ALIAS) quickly', () => {
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 10; i++) {
    const p = String.fromCharCode(96 + i);
    const c = String.fromCharCode(97 + i);
    levels.push(`${c}: &${c} [${Array(9).fill(`*${p}`).join(',')}]`);
  }
  const t0 = performance.now();
  assert.deepEqual(codes(levels.join('\n')), ['E_YAML_ALIAS']);
  assert.ok(performance.now() - t0 < 1000);
  assert.deepEqual(codes('a: *nothing\n'), ['E_YAML_ALIAS']);
  // A few aliases are fine.
  assert.deepEqual(parseText('a: &x [1]\nb: *x\n', 'x.yaml').value, { a: [1], b: [1] });
});

test('parseText reports nesting deeper than 64 levels as E_TOO_DEEP, fast, for any shape', () => {
  const cases = [
    `a: ${'['.repeat(100_000)}`,
    `a: ${'{x: '.repeat(100_000)}`,
    `${'- '.repeat(100_000)}x`,
    `a: ${'['.repeat(65)}${']'.repeat(65)}`,
    Array.from({ length: 70 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n'),
  ];
  for (const text of cases) {
    const t0 = performance.now();
    assert.deepEqual(codes(text), ['E_TOO_DEEP'], text.slice(0, 40));
    assert.ok(performance.now() - t0 < 2000);
  }
  assert.deepEqual(codes(`a: ${'['.repeat(60)}${']'.repeat(60)}`), []);
  // Brackets inside quoted or block text are not nesting.
  assert.deepEqual(
    codes(`a: "${'['.repeat(100)}"\nb: '${'{'.repeat(100)}'\nc: |\n  ${'['.repeat(100)}\nd: 1\n`),
    [],
  );
});

test('parseText reports a document that is not a mapping as E_NOT_MAPPING', () => {
  assert.deepEqual(codes('- a\n- b\n'), ['E_NOT_MAPPING']);
  assert.deepEqual(codes('42\n'), ['E_NOT_MAPPING']);
  assert.deepEqual(codes('~\n'), ['E_NOT_MAPPING']);
});

test('parseText rejects keys that are lists or mappings (E_YAML_SYNTAX) instead of stringifying them', () => {
  assert.deepEqual(codes('? [a, b]\n: 1\n'), ['E_YAML_SYNTAX']);
});

test('parseText never throws and always answers with a value or a diagnostic', () => {
  const yamlish = fc.stringMatching(/^[\s\S]{0,200}$/);
  const pieces = fc
    .array(
      fc.constantFrom(
        'a',
        ':',
        ' ',
        '\n',
        '- ',
        '[',
        ']',
        '{',
        '}',
        ',',
        '"',
        "'",
        '&x',
        '*x',
        '#',
        '|',
        '>',
        '?',
        '!',
        '\t',
        '\u0000',
        '1',
      ),
      {
        maxLength: 120,
      },
    )
    .map((xs) => xs.join(''));
  fc.assert(
    fc.property(fc.oneof(yamlish, pieces), (text) => {
      const r = parseText(text, 'fuzz.yaml');
      assert.ok(r.value !== undefined || r.diagnostics.length > 0);
      for (const d of r.diagnostics) assert.equal(d.severity, 'error');
    }),
    { numRuns: 2000 },
  );
});
