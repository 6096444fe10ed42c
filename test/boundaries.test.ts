// The boundary rules fail where they should: each dependency rule of .dependency-cruiser.cjs on a small
// tree that breaks it (scripts/boundaries.sh, as `npm test` runs it on src/ and web/src), and the
// engine's purity rules of biome.json (Math.random through the GritQL plugin lint/engine-no-math-random.grit,
// Date and timers through noRestrictedGlobals) on a file that uses each.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function writeTree(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

describe('dependency rules (.dependency-cruiser.cjs)', () => {
  let dir: string;
  let found: Violation[];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'brink-boundaries-'));
    writeTree(dir, {
      // Allowed: inside a layer, downwards, and `brink serve` starting the server through its entry.
      'src/engine/rng.ts': 'export const seed = 1;\n',
      'src/engine/run.ts': "import { seed } from './rng.ts';\nexport const run = () => seed;\n",
      'src/scenario/ok.ts': "import { run } from '../engine/run.ts';\nexport const ok = run;\n",
      'src/contract/runs.ts': 'export type Kind = string;\n',
      'src/analysis/ok.ts':
        "import type { Kind } from '../contract/runs.ts';\nimport { ok } from '../scenario/ok.ts';\nexport const fine: Kind | typeof ok = ok;\n",
      'src/contract/bad.ts': "import { entry } from '../store/s.ts';\nexport const c = entry;\n",
      'src/server/index.ts': "import { fine } from '../analysis/ok.ts';\nexport const start = fine;\n",
      'web/src/ok.ts': "import { run } from '../../src/engine/run.ts';\nexport const w = run;\n",
      // Each of these breaks one rule.
      'src/engine/bad.ts':
        "import { readFileSync } from 'node:fs';\nimport type { Late } from '../scenario/bad.ts';\nexport const r: Late | typeof readFileSync = readFileSync;\n",
      'src/scenario/bad.ts': "import { talk } from '../talks/t.ts';\nexport type Late = typeof talk;\n",
      'src/analysis/bad.ts': "import { entry } from '../store/s.ts';\nexport const b = entry;\n",
      'src/talks/t.ts': "import { routes } from '../server/routes.ts';\nexport const talk = routes;\n",
      'src/store/s.ts': 'export const entry = 1;\n',
      'src/server/routes.ts': "import { cmd } from '../cli/cmd.ts';\nexport const routes = cmd;\n",
      'src/cli/cmd.ts': "import { page } from '../../web/src/page.ts';\nexport const cmd = page;\n",
      // The serve command may use the server's entry, and nothing else of it.
      'src/cli/commands/serve.ts':
        "import { start } from '../../server/index.ts';\nimport { routes } from '../../server/routes.ts';\nexport const s = [start, routes];\n",
      'src/cli/commands/serve-more.ts':
        "import { routes } from '../../server/routes.ts';\nexport const m = routes;\n",
      'web/src/page.ts': "import { start } from '../../src/server/index.ts';\nexport const page = start;\n",
    });
    const out = await run(
      'bash',
      [join(ROOT, 'scripts/boundaries.sh'), '--output-type', 'json', 'src', 'web/src'],
      {
        cwd: dir,
        maxBuffer: 64 * 1024 * 1024,
      },
    ).catch((e: { stdout: string }) => e);
    found = (JSON.parse(out.stdout) as { summary: { violations: Violation[] } }).summary.violations;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const broken = (rule: string) =>
    found
      .filter((v) => v.rule.name === rule)
      .map((v) => `${v.from} -> ${v.to}`)
      .sort();

  test('engine-imports-nothing: a node:* module and a type-only import of another layer', () => {
    assert.deepEqual(broken('engine-imports-nothing'), [
      'src/engine/bad.ts -> fs',
      'src/engine/bad.ts -> src/scenario/bad.ts',
    ]);
  });

  test('scenario-only-engine, analysis-only-engine-and-scenario, contract-imports-nothing', () => {
    assert.deepEqual(broken('scenario-only-engine'), ['src/scenario/bad.ts -> src/talks/t.ts']);
    assert.deepEqual(broken('analysis-only-engine-and-scenario'), ['src/analysis/bad.ts -> src/store/s.ts']);
    assert.deepEqual(broken('contract-imports-nothing'), ['src/contract/bad.ts -> src/store/s.ts']);
  });

  test('the edges never import each other; serve uses only the server entry', () => {
    assert.deepEqual(broken('cli-not-other-edges'), [
      'src/cli/cmd.ts -> web/src/page.ts',
      'src/cli/commands/serve-more.ts -> src/server/routes.ts',
    ]);
    assert.deepEqual(broken('cli-serve-starts-the-server'), [
      'src/cli/commands/serve.ts -> src/server/routes.ts',
    ]);
    assert.deepEqual(broken('server-not-other-edges'), ['src/server/routes.ts -> src/cli/cmd.ts']);
    assert.deepEqual(broken('web-not-other-edges'), ['web/src/page.ts -> src/server/index.ts']);
  });

  test('layers-not-edges: a use case importing the server', () => {
    assert.deepEqual(broken('layers-not-edges'), ['src/talks/t.ts -> src/server/routes.ts']);
  });

  test('the allowed imports break no rule', () => {
    const allowed = [
      'src/engine/run.ts',
      'src/scenario/ok.ts',
      'src/analysis/ok.ts',
      'src/contract/runs.ts',
      'src/server/index.ts',
      'web/src/ok.ts',
    ];
    assert.deepEqual(
      found.filter((v) => allowed.includes(v.from)),
      [],
    );
  });
});

describe('engine purity rules (biome.json)', () => {
  test('Math.random, Date and timers are refused in src/engine and nowhere else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brink-engine-lint-'));
    try {
      cpSync(join(ROOT, 'biome.json'), join(dir, 'biome.json'));
      cpSync(join(ROOT, 'lint'), join(dir, 'lint'), { recursive: true });
      const body = [
        'export const draw = () => Math.random();',
        'export const stamp = () => Date.now();',
        'export const later = () => setTimeout(() => {}, 1);',
        'export const every = () => setInterval(() => {}, 1);',
        'export const fine = Math.exp(1);',
        '',
      ].join('\n');
      writeTree(dir, { 'src/engine/impure.ts': body, 'src/analysis/allowed.ts': body });
      const biome = join(ROOT, 'node_modules/.bin/biome');
      const out = await run(
        biome,
        ['lint', '--vcs-enabled=false', '--reporter=json', '--max-diagnostics=100', '.'],
        {
          cwd: dir,
        },
      ).catch((e: { stdout: string }) => e);
      const report = JSON.parse(out.stdout) as {
        diagnostics: {
          category: string;
          location: { path: { file: string } | string; start?: { line: number } };
        }[];
      };
      const where = report.diagnostics.map((d) => {
        const file = typeof d.location.path === 'string' ? d.location.path : d.location.path.file;
        return `${file} ${d.category}`;
      });
      assert.ok(
        where.every((w) => w.includes('src/engine/impure.ts')),
        where.join('\n'),
      );
      assert.equal(where.filter((w) => w.endsWith('plugin')).length, 1, where.join('\n'));
      assert.equal(
        where.filter((w) => w.endsWith('lint/style/noRestrictedGlobals')).length,
        3,
        where.join('\n'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
