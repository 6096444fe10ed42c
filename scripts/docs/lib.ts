// Generated regions of the docs: figures in docs/*.md come from the commands they show, and CI fails
// when a committed doc drifts from what its generator prints (test/docs-figures.test.ts).
//
// A generator is a module `scripts/docs/<name>.ts` (any name but lib.ts and update.ts) that exports
//   export const doc = 'docs/model.md';                         // the file it writes, from the repo root
//   export async function regions(): Promise<Record<string, string>>  // region name -> Markdown
// and the doc marks each region:
//   <!-- BEGIN generated: NAME (npm run docs) -->
//   ...what regions()[NAME] returns...
//   <!-- END generated: NAME -->
// `npm run docs` rewrites every region; `npm run docs -- model` only the generators whose file name matches.
// Generators run the CLI in-process (`brinkJson`, `brinkText`) with fixed seeds so the output is a pure
// function of the repository; keep each under about a minute on 2 cores, since CI runs them all.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nodeIo } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface DocGenerator {
  name: string;
  doc: string;
  regions: () => Promise<Record<string, string>>;
}

const BEGIN = /<!-- BEGIN generated: ([a-z0-9-]+)[^>]*-->\n/g;

/** Replaces every marked region of `text` by the generator's output; throws on a region with no output or an output with no region. */
export function fillRegions(text: string, regions: Record<string, string>, file = 'doc'): string {
  const seen = new Set<string>();
  let out = '';
  let at = 0;
  for (const m of text.matchAll(BEGIN)) {
    const name = m[1]!;
    const start = m.index! + m[0].length;
    const endMark = `<!-- END generated: ${name} -->`;
    const end = text.indexOf(endMark, start);
    if (end < 0) throw new Error(`${file}: region ${name} has no ${endMark}`);
    const body = regions[name];
    if (body === undefined) throw new Error(`${file}: no generator output for region ${name}`);
    out += text.slice(at, start) + body.replace(/\n*$/, '\n');
    at = end;
    seen.add(name);
  }
  for (const name of Object.keys(regions)) {
    if (!seen.has(name))
      throw new Error(`${file}: generator has a region ${name} that the doc does not mark`);
  }
  return out + text.slice(at);
}

/** Every generator in scripts/docs/. */
export async function generators(filter?: string): Promise<DocGenerator[]> {
  const dir = join(ROOT, 'scripts', 'docs');
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && f !== 'lib.ts' && f !== 'update.ts')
    .filter((f) => !filter || f.includes(filter))
    .sort();
  const out: DocGenerator[] = [];
  for (const f of names) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as Partial<DocGenerator>;
    if (typeof mod.doc !== 'string' || typeof mod.regions !== 'function') {
      throw new Error(`scripts/docs/${f} must export doc and regions()`);
    }
    out.push({ name: f.replace(/\.ts$/, ''), doc: mod.doc, regions: mod.regions });
  }
  return out;
}

/** The doc as its generator would write it, and as committed. */
export async function render(
  g: DocGenerator,
): Promise<{ path: string; committed: string; generated: string }> {
  const path = join(ROOT, g.doc);
  const committed = readFileSync(path, 'utf8');
  return { path, committed, generated: fillRegions(committed, await g.regions(), g.doc) };
}

export async function writeDoc(g: DocGenerator): Promise<boolean> {
  const r = await render(g);
  if (r.generated === r.committed) return false;
  writeFileSync(r.path, r.generated);
  return true;
}

const outputs = new Map<string, Promise<string>>();

/**
 * Runs `brink ARGS` in-process from the repo root; throws with its stderr when it fails. A command is
 * run once per process (same arguments, same seed: same output), so two docs may show the same figures
 * from the same command at the cost of one.
 */
export function brinkText(args: string[]): Promise<string> {
  const key = JSON.stringify(args);
  let p = outputs.get(key);
  if (!p) {
    p = runBrink(args);
    outputs.set(key, p);
    p.catch(() => outputs.delete(key));
  }
  return p;
}

async function runBrink(args: string[]): Promise<string> {
  let out = '';
  let err = '';
  const io = {
    ...nodeIo(),
    cwd: ROOT,
    errIsTty: false,
    color: false,
    out: (t: string) => {
      out += t;
    },
    err: (t: string) => {
      err += t;
    },
  };
  const code = await main(args, io);
  if (code !== 0) throw new Error(`brink ${args.join(' ')} exited ${code}: ${err}`);
  return out;
}

/** `brink ARGS --json`, parsed. */
export async function brinkJson<T = unknown>(args: string[]): Promise<T> {
  return JSON.parse(await brinkText([...args, '--json'])) as T;
}

/** A shell line for the doc, as a reader would type it. */
export function shell(args: string[]): string {
  return `npx brink ${args.map((a) => (/^[\w./:=,+@-]+$/.test(a) ? a : `'${a}'`)).join(' ')}`;
}
