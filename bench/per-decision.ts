// CPU time per engine decision, this checkout beside another commit (the last release, or where a
// session began), interleaved in one process so that both see the same load: `git archive REF` is
// unpacked to a temp dir and its sources run through tsx beside ours.
//   node --import tsx bench/per-decision.ts REF [SCENARIO ...] [--runs N] [--reps N]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(args.splice(i, 2)[1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} needs a positive whole number`);
  return v;
};
const runs = flag('--runs', 20_000);
const reps = flag('--reps', 5);
const [ref, ...named] = args;
if (!ref) {
  console.error('usage: node --import tsx bench/per-decision.ts REF [SCENARIO ...] [--runs N] [--reps N]');
  process.exit(2);
}
const scenarios = named.length
  ? named
  : ['korea-test-failure', 'korea-intercept', 'korea-decapitation-misread'];
const sha = execFileSync('git', ['rev-parse', '--short', ref], { cwd: ROOT, encoding: 'utf8' }).trim();
const dir = mkdtempSync(join(tmpdir(), 'brink-per-decision-'));
execFileSync('sh', ['-c', `git archive ${sha} src scenarios | tar -x -C ${dir}`], { cwd: ROOT });
symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));

// biome-ignore lint/suspicious/noExplicitAny: two versions of the sources, typed by neither
type Fn = (...args: any[]) => any;
type Tree = { label: string; root: string; prepare: Fn; runRange: Fn };
const trees: Tree[] = [];
for (const [label, root] of [
  [sha, dir],
  ['this checkout', ROOT],
] as const) {
  const { prepare } = await import(join(root, 'src/scenario/index.ts'));
  const { runRange } = await import(join(root, 'src/analysis/ensemble.ts'));
  trees.push({ label, root, prepare, runRange });
}
const readFile = (p: string) => readFileSync(p, 'utf8');
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

console.log(`CPU µs per decision, median of ${reps} interleaved repetitions of ${runs} runs (seed 7)`);
console.log(`| scenario | ${sha} | this checkout | ratio |\n| --- | --: | --: | --: |`);
try {
  for (const name of scenarios) {
    const models = trees.map((t) => t.prepare(join(t.root, 'scenarios', `${name}.yaml`), { readFile }).model);
    trees.forEach((t, k) => {
      t.runRange(models[k], 1, 0, 3000); // warm-up
    });
    const us: number[][] = trees.map(() => []);
    // The order alternates between repetitions, so neither tree always runs first.
    for (let r = 0; r < reps; r++)
      for (const k of r % 2 ? [1, 0] : [0, 1]) {
        const c0 = process.cpuUsage();
        const agg = trees[k]!.runRange(models[k], 7, 0, runs) as { decisions: number };
        const c = process.cpuUsage(c0);
        us[k]!.push((c.user + c.system) / agg.decisions);
      }
    const [a, b] = us.map(median) as [number, number];
    console.log(`| ${name} | ${a.toFixed(3)} | ${b.toFixed(3)} | ${(b / a).toFixed(3)}× |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
