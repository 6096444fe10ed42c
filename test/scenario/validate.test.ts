import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { brink, filesUnder, ROOT } from './helpers.ts';

interface Expect {
  code: string;
  at?: string | null;
  in?: string;
  message?: string;
}

const manifest = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/invalid/manifest.json'), 'utf8')) as {
  files: Record<string, Expect>;
};
const DIR = 'test/fixtures/invalid';

test('brink validate: the invalid corpus has at least 35 files, each listed in the manifest', () => {
  const files = filesUnder(DIR, ['.yaml', '.json'])
    .map((f) => f.slice(DIR.length + 1))
    .filter((f) => f !== 'manifest.json' && !f.startsWith('_parts/'));
  assert.ok(files.length >= 35, `only ${files.length} invalid files`);
  assert.deepEqual(files.sort(), Object.keys(manifest.files).sort());
});

for (const [file, want] of Object.entries(manifest.files)) {
  test(`brink validate ${file} reports ${want.code}`, async () => {
    const r = await brink(['validate', `${DIR}/${file}`]);
    const all = r.out + r.err;
    assert.equal(r.code, 1, all);
    assert.doesNotMatch(all, /^ {4}at /m, 'printed a stack trace');
    assert.doesNotMatch(all, /internal error/);
    const shown = `${DIR}/${want.in ?? file}`;
    const lines = r.out.split('\n').filter((l) => l.includes(`error ${want.code}:`));
    assert.ok(lines.length > 0, `no ${want.code} in:\n${all}`);
    if (want.at === null) {
      assert.ok(
        lines.some((l) => l.startsWith(`${shown}: error`)),
        all,
      );
    } else if (want.at) {
      assert.ok(
        lines.some((l) => l.startsWith(`${shown}:${want.at}: error ${want.code}`)),
        `expected ${shown}:${want.at} in:\n${all}`,
      );
    } else {
      assert.ok(
        lines.some((l) => new RegExp(`^${escapeRe(shown)}:\\d+:\\d+: error`).test(l)),
        `no position in:\n${all}`,
      );
    }
    if (want.message) assert.ok(all.includes(want.message), `expected "${want.message}" in:\n${all}`);
    assert.match(r.out, /\n1 file, [1-9]\d* errors?, \d+ warnings?\n$/);
  });
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

test('brink validate reports a file over 10 MB without reading it (E_FILE_TOO_LARGE)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'brink-big-'));
  try {
    const big = join(dir, 'big.yaml');
    const line = `# ${'x'.repeat(1021)}\n`;
    writeFileSync(big, `version: 1\n${line.repeat(10 * 1024 + 16)}`);
    const r = await brink(['validate', big]);
    assert.equal(r.code, 1);
    assert.match(r.out, /error E_FILE_TOO_LARGE: the file is 10\.\d MB; scenario files are limited to 10 MB/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('brink validate: a file that does not exist is E_FILE_NOT_FOUND', async () => {
  const r = await brink(['validate', 'no/such/file.yaml']);
  assert.equal(r.code, 1);
  assert.match(r.out, /^no\/such\/file\.yaml: error E_FILE_NOT_FOUND/m);
});

const VALID = [
  ...filesUnder('test/fixtures/valid', ['.yaml', '.json']),
  ...filesUnder('scenarios', ['.yaml', '.json']),
];

for (const file of VALID) {
  test(`brink validate ${file} is valid`, async () => {
    const r = await brink(['validate', file]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, new RegExp(`^${escapeRe(file)}: ok$`, 'm'));
    assert.match(r.out, /^1 file, 0 errors, \d+ warnings?$/m);
  });
}

test('brink validate: warnings are printed and the exit code stays 0', async () => {
  const r = await brink(['validate', 'test/fixtures/valid/minimal.yaml']);
  assert.equal(r.code, 0);
  assert.match(r.out, /minimal\.yaml:\d+:\d+: warning W_NO_DOCTRINE/);
  assert.match(r.out, /1 file, 0 errors, 1 warning\n$/);
});

test('brink validate FILE... checks every file and exits 1 when any is invalid', async () => {
  const r = await brink([
    'validate',
    'test/fixtures/valid/two-actors.yaml',
    `${DIR}/version-3.yaml`,
    `${DIR}/empty.yaml`,
  ]);
  assert.equal(r.code, 1);
  assert.match(r.out, /two-actors\.yaml: ok/);
  assert.match(r.out, /3 files, 2 errors, 0 warnings\n$/);
});

test('brink validate --json prints {files: [{file, valid, diagnostics}]}', async () => {
  const r = await brink(['validate', '--json', 'test/fixtures/valid/minimal.yaml', `${DIR}/bad-domain.yaml`]);
  assert.equal(r.code, 1);
  const json = JSON.parse(r.out) as {
    files: {
      file: string;
      valid: boolean;
      diagnostics: { code: string; line?: number; column?: number; hint?: string }[];
    }[];
  };
  assert.equal(json.files.length, 2);
  assert.deepEqual(
    json.files.map((f) => [f.file, f.valid]),
    [
      ['test/fixtures/valid/minimal.yaml', true],
      [`${DIR}/bad-domain.yaml`, false],
    ],
  );
  const d = json.files[1]!.diagnostics[0]!;
  assert.equal(d.code, 'E_SCHEMA_VALUE');
  assert.equal(d.line, 8);
  assert.equal(d.column, 40);
  assert.equal(d.hint, 'did you mean `air`?');
});

test('brink validate checks each intervention applied alone', async () => {
  const r = await brink(['validate', `${DIR}/intervention-bad-ref.yaml`]);
  assert.equal(r.code, 1);
  assert.match(r.out, /intervention-bad-ref\.yaml:8:\d+: error E_REF_CHANNEL: unknown channel 'hotline'/);
  assert.match(r.out, /with intervention `drop-hotline` applied/);
});
