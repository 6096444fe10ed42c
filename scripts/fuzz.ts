// The scenario fuzzer: structure-aware mutants of the valid corpus through `validateFile` and, when
// valid, a 200-run ensemble. Fails (exit 1) on any exception, any mutant over the time limit and any
// stall. The seed defaults to one derived from the commit, printed so that a finding reproduces.
//
//   npm run fuzz -- --seconds 60                 # what CI runs (scripts/test.sh)
//   npm run fuzz -- --mutants 100000 --workers 2 # a long run
//   npm run fuzz -- --seed S --index I           # one mutant: what it is, what happens, minimised
import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check } from './fuzz/check.ts';
import type { Command, Report } from './fuzz/child.ts';
import { minimize } from './fuzz/minimize.ts';
import { mutant, readCorpus } from './fuzz/mutate.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Options {
  seconds: number;
  mutants: number;
  seed?: number;
  index?: number;
  workers: number;
  limitMs: number;
  stallMs: number;
  out: string;
  quiet: boolean;
}

function usage(): never {
  console.error(
    'usage: npm run fuzz -- [--seconds N] [--mutants N] [--seed S] [--index I] [--workers N] [--limit-ms MS] [--out DIR]',
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    seconds: 60,
    mutants: Number.POSITIVE_INFINITY,
    workers: 1,
    limitMs: 5000,
    stallMs: 60_000,
    out: join(ROOT, '.scratch/fuzz'),
    quiet: false,
  };
  let secondsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => {
      const v = Number((argv[++i] ?? '').replace(/_/g, ''));
      if (!Number.isFinite(v) || v < 0) usage();
      return v;
    };
    if (a === '--seconds') {
      o.seconds = num();
      secondsGiven = true;
    } else if (a === '--mutants') o.mutants = num();
    else if (a === '--seed') o.seed = num();
    else if (a === '--index') o.index = num();
    else if (a === '--workers') o.workers = Math.max(1, Math.floor(num()));
    else if (a === '--limit-ms') o.limitMs = num();
    else if (a === '--stall-ms') o.stallMs = num();
    else if (a === '--out') o.out = argv[++i] ?? usage();
    else if (a === '--quiet') o.quiet = true;
    else usage();
  }
  // A count of mutants without a time runs until the count is reached.
  if (Number.isFinite(o.mutants) && !secondsGiven) o.seconds = Number.POSITIVE_INFINITY;
  return o;
}

/** The seed for this commit: its first 12 hex digits (48 bits), or 1 outside a git checkout. */
function commitSeed(): { seed: number; from: string } {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return { seed: Number.parseInt(head.slice(0, 12), 16), from: `commit ${head.slice(0, 12)}` };
  } catch {
    return { seed: 1, from: 'no git checkout' };
  }
}

function one(o: Options, seed: number, index: number): void {
  const corpus = readCorpus(ROOT);
  const m = mutant(corpus, seed, index);
  console.log(`mutant ${index} of seed ${seed}: ${relative(ROOT, m.entry)}; ${m.ops.join('; ')}`);
  for (const [p, t] of Object.entries(m.files)) {
    console.log(`--- ${relative(ROOT, p)} (${t.length} characters)`);
    console.log(t.length > 4000 ? `${t.slice(0, 4000)}\n[... ${t.length - 4000} more]` : t);
  }
  const t0 = performance.now();
  try {
    const r = check(m, seed);
    console.log(
      `=> ${r.outcome} (${r.codes.join(', ') || 'no diagnostics'}) in ${Math.round(performance.now() - t0)} ms`,
    );
  } catch (e) {
    console.log(`=> exception after ${Math.round(performance.now() - t0)} ms:`, e);
    const min = minimize(m, seed);
    if (min) {
      console.log(`--- minimised (${min.error}), at ${relative(ROOT, m.entry)}:`);
      console.log(min.text);
    }
    process.exitCode = 1;
  }
  void o;
}

interface Finding {
  kind: 'exception' | 'slow' | 'stall' | 'crash';
  report: Partial<Report> & { index: number };
}

async function many(o: Options, seed: number): Promise<void> {
  const started = performance.now();
  const deadline = started + o.seconds * 1000;
  const counts = new Map<string, number>();
  const codes = new Map<string, number>();
  const findings: Finding[] = [];
  let done = 0;
  let maxMs = 0;
  let maxCpu = 0;
  let maxValidate: Report | undefined;
  let maxEnsemble: Report | undefined;
  const ensemblesOver: Report[] = [];
  let slowest: Report | undefined;
  let overWall = 0;
  let lastPrint = started;
  const child = join(ROOT, 'scripts/fuzz/child.ts');
  // Ctrl-C or a TERM ends a long run as its time would: the mutants in progress finish, the summary prints.
  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  // Said at once, so that a long run's findings can be looked at while it goes on.
  const found = (f: Finding) => {
    findings.push(f);
    const r = f.report;
    console.log(
      `  ${f.kind} at mutant ${r.index}${r.ms ? ` (${Math.round(r.ms)} ms wall, ${Math.round(r.cpuMs ?? 0)} ms CPU, validation ${Math.round(r.validateCpuMs ?? 0)} ms)` : ''}${r.error ? `: ${r.error.slice(0, 160)}` : ''}${r.ops ? `; ${r.ops.join('; ')}` : ''}`,
    );
  };

  const worker = (first: number, step: number) =>
    new Promise<void>((finish) => {
      let next = first;
      const start = () => {
        if (done >= o.mutants || performance.now() >= deadline || interrupted) return finish();
        const p = fork(child, [], {
          execArgv: ['--import', 'tsx', '--max-old-space-size=4096', '--stack-size=984'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        let timer: NodeJS.Timeout;
        let stopping = false;
        const arm = () => {
          clearTimeout(timer);
          timer = setTimeout(() => {
            found({ kind: 'stall', report: { index: next } });
            done++;
            next += step;
            p.kill('SIGKILL');
          }, o.stallMs);
        };
        p.on('message', (r: Report) => {
          arm();
          done++;
          next = r.index + step;
          counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
          for (const c of r.codes) codes.set(c, (codes.get(c) ?? 0) + 1);
          if (r.ms > maxMs) {
            maxMs = r.ms;
            slowest = r;
          }
          maxCpu = Math.max(maxCpu, r.cpuMs);
          if (r.validateCpuMs > (maxValidate?.validateCpuMs ?? -1)) maxValidate = r;
          if (r.ensembleCpuMs > (maxEnsemble?.ensembleCpuMs ?? -1)) maxEnsemble = r;
          if (r.ms > o.limitMs) overWall++;
          // The limit is on validation: an ensemble costs what the scenario asks for (runs x events),
          // so one over the limit is reported, not failed; a stall (no answer at all) fails.
          if (r.outcome === 'exception') found({ kind: 'exception', report: r });
          else if (r.validateCpuMs > o.limitMs) found({ kind: 'slow', report: r });
          if (r.ensembleCpuMs > o.limitMs) ensemblesOver.push(r);
          const now = performance.now();
          if (!o.quiet && now - lastPrint > 10_000) {
            lastPrint = now;
            console.log(
              `  ${done} mutants, ${Math.round((now - started) / 1000)} s, ${findings.length} findings, slowest ${Math.round(maxMs)} ms`,
            );
          }
          if (!stopping && (done >= o.mutants || now >= deadline || interrupted)) {
            stopping = true;
            p.send('stop');
          }
        });
        p.on('exit', (code, signal) => {
          clearTimeout(timer);
          if (!stopping && !interrupted && signal !== 'SIGKILL') {
            // The process died under a mutant (out of memory, a native crash): a finding too.
            found({ kind: 'crash', report: { index: next, error: `exit ${code} ${signal ?? ''}` } });
            done++;
            next += step;
          }
          if (stopping || interrupted) finish();
          else start();
        });
        arm();
        p.send({ kind: 'run', root: ROOT, seed, start: next, step } satisfies Command);
      };
      start();
    });

  await Promise.all(Array.from({ length: o.workers }, (_, w) => worker(w, o.workers)));
  const seconds = (performance.now() - started) / 1000;

  console.log(
    `\n${done} mutants in ${seconds.toFixed(1)} s (${(done / seconds).toFixed(1)}/s), seed ${seed}`,
  );
  console.log(`outcomes: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const top = [...codes].sort((a, b) => b[1] - a[1]);
  console.log(`diagnostic codes seen (${top.length}): ${top.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(
    `slowest mutant: ${Math.round(maxMs)} ms wall${slowest ? ` (index ${slowest.index}, ${slowest.bytes} characters; ${slowest.ops.join('; ')})` : ''}; most CPU: ${Math.round(maxCpu)} ms`,
  );
  const about = (r: Report | undefined, ms: number | undefined) =>
    r ? `${Math.round(ms ?? 0)} ms (index ${r.index}, ${r.bytes} characters; ${r.ops.join('; ')})` : 'none';
  console.log(`most CPU in validation: ${about(maxValidate, maxValidate?.validateCpuMs)}`);
  console.log(`most CPU in the ensembles: ${about(maxEnsemble, maxEnsemble?.ensembleCpuMs)}`);
  console.log(
    `exceptions: ${findings.filter((f) => f.kind === 'exception').length}, validations over ${o.limitMs} ms of CPU: ${findings.filter((f) => f.kind === 'slow').length}, stalls (no answer in ${o.stallMs / 1000} s): ${findings.filter((f) => f.kind === 'stall').length}, crashed processes: ${findings.filter((f) => f.kind === 'crash').length}`,
  );
  console.log(
    `(not failures) mutants over ${o.limitMs} ms of wall time in all: ${overWall}; valid mutants whose 200-run ensembles took over ${o.limitMs} ms of CPU: ${ensemblesOver.length}${
      ensemblesOver.length
        ? ` (${ensemblesOver
            .slice(0, 5)
            .map((r) => `index ${r.index}: ${Math.round(r.ensembleCpuMs)} ms, ${r.ops.join('; ')}`)
            .join(' | ')})`
        : ''
    }`,
  );
  if (findings.length === 0) return;

  process.exitCode = 1;
  const dir = join(o.out, String(seed));
  mkdirSync(dir, { recursive: true });
  const corpus = readCorpus(ROOT);
  const seen = new Set<string>();
  for (const f of findings) {
    const key = `${f.kind} ${f.report.error?.replace(/\d+/g, 'N').slice(0, 80) ?? ''}`;
    const m = mutant(corpus, seed, f.report.index);
    console.log(
      `\n${f.kind.toUpperCase()} at mutant ${f.report.index}: ${relative(ROOT, m.entry)}; ${m.ops.join('; ')}`,
    );
    if (f.report.error) console.log(`  ${f.report.error}`);
    if (f.report.ms)
      console.log(`  ${Math.round(f.report.ms)} ms wall, ${Math.round(f.report.cpuMs ?? 0)} ms CPU`);
    console.log(`  reproduce: npm run fuzz -- --seed ${seed} --index ${f.report.index}`);
    const base = join(dir, String(f.report.index));
    writeFileSync(
      `${base}.json`,
      `${JSON.stringify({ ...f, seed, entry: relative(ROOT, m.entry), ops: m.ops }, null, 2)}\n`,
    );
    // One minimised file per distinct error; each in a fresh process, which may also stall or crash.
    if (f.kind !== 'exception' || seen.has(key)) continue;
    seen.add(key);
    const min = await minimizeIn(child, seed, f.report.index);
    if (min) {
      writeFileSync(`${base}.min.yaml`, `# ${min.error}\n# was at ${relative(ROOT, m.entry)}\n${min.text}\n`);
      console.log(`  minimised: ${relative(ROOT, `${base}.min.yaml`)}`);
    }
  }
}

function minimizeIn(child: string, seed: number, index: number) {
  return new Promise<{ text: string; error: string } | undefined>((done) => {
    const p = fork(child, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), 180_000);
    let result: { text: string; error: string } | undefined;
    p.on('message', (m: { minimized?: { text: string; error: string } }) => {
      result = m.minimized;
    });
    p.on('exit', () => {
      clearTimeout(timer);
      done(result);
    });
    p.send({ kind: 'minimize', root: ROOT, seed, index } satisfies Command);
  });
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const derived = commitSeed();
  const seed = o.seed ?? derived.seed;
  if (o.index !== undefined) return one(o, seed, o.index);
  const corpus = readCorpus(ROOT);
  console.log(
    `brink fuzz: seed ${seed}${o.seed === undefined ? ` (from ${derived.from})` : ''}, ${corpus.length} corpus files, ` +
      `${Number.isFinite(o.seconds) ? `${o.seconds} s` : ''}${Number.isFinite(o.mutants) ? ` ${o.mutants} mutants` : ''}, ` +
      `${o.workers} process${o.workers > 1 ? 'es' : ''}, limit ${o.limitMs} ms per mutant`,
  );
  console.log(`reproduce a mutant: npm run fuzz -- --seed ${seed} --index I`);
  await many(o, seed);
}

await main();
