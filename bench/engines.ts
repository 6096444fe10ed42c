// Engine 2 against engine 1.0 in the same process: decisions per CPU-second on the Korea scenarios,
// interleaved repetitions (each engine runs its own version of the scenarios: engine 1 reads the v1
// files of its commit). Engine 1 is built from commit 65aca9b in a temporary git worktree under /tmp
// (node_modules linked from this checkout). With --callgrind, also instructions per decision under
// valgrind's callgrind (repeatable on a shared, noisy machine): the difference between two run counts,
// so start-up and compilation cancel out.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ENGINE1_COMMIT = '65aca9b';
export const ENGINE1_DIR = join(os.tmpdir(), `brink-engine1-${ENGINE1_COMMIT}`);
const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const KOREA = ['korea-test-failure', 'korea-intercept', 'korea-decapitation-misread'];

/** Makes the worktree of engine 1 (once) and returns its directory. */
export function engine1Worktree(): string {
  if (!existsSync(join(ENGINE1_DIR, 'src', 'engine', 'run.ts'))) {
    rmSync(ENGINE1_DIR, { recursive: true, force: true });
    execFileSync('git', ['-C', ROOT, 'worktree', 'prune']);
    execFileSync('git', ['-C', ROOT, 'worktree', 'add', '--detach', ENGINE1_DIR, ENGINE1_COMMIT], {
      stdio: 'ignore',
    });
  }
  if (!existsSync(join(ENGINE1_DIR, 'node_modules')))
    symlinkSync(join(ROOT, 'node_modules'), join(ENGINE1_DIR, 'node_modules'));
  return ENGINE1_DIR;
}

interface EngineApi {
  prepare: (file: string, opts: { readFile: (f: string) => string | undefined }) => { model?: unknown };
  Simulator: new (m: unknown) => { run(seed: number, run: number): { decisions: number } };
  version: string;
}

async function engineAt(root: string): Promise<EngineApi> {
  const idx = (await import(pathToFileURL(join(root, 'src/scenario/index.ts')).href)) as Pick<
    EngineApi,
    'prepare'
  >;
  const run = (await import(pathToFileURL(join(root, 'src/engine/run.ts')).href)) as Pick<
    EngineApi,
    'Simulator'
  >;
  const model = (await import(pathToFileURL(join(root, 'src/engine/model.ts')).href)) as {
    ENGINE_VERSION: string;
  };
  return { prepare: idx.prepare, Simulator: run.Simulator, version: model.ENGINE_VERSION };
}

function simulatorOf(e: EngineApi, root: string, id: string) {
  const p = e.prepare(join(root, 'scenarios', `${id}.yaml`), {
    readFile: (f) => {
      try {
        return readFileSync(f, 'utf8');
      } catch {
        return undefined;
      }
    },
  });
  if (!p.model) throw new Error(`${id} does not compile with engine ${e.version}`);
  return new e.Simulator(p.model);
}

export interface EngineComparison {
  scenario: string;
  engine1: { version: string; decisionsPerSecond: number; decisionsPerRun: number; runsPerSecond: number };
  engine2: { version: string; decisionsPerSecond: number; decisionsPerRun: number; runsPerSecond: number };
  /** engine 2 decisions/s over engine 1's. */
  ratio: number;
}

/** This process's CPU time in ms (user + system). */
export const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Interleaved A/B: each repetition runs a block of runs on engine 1, then the same run indices on engine 2. */
export async function compareEngines(opts: {
  repetitions: number;
  repSeconds: number;
  warmSeconds: number;
}): Promise<EngineComparison[]> {
  const root1 = engine1Worktree();
  const e1 = await engineAt(root1);
  const e2 = await engineAt(ROOT);
  const out: EngineComparison[] = [];
  for (const id of KOREA) {
    const sims = [simulatorOf(e1, root1, id), simulatorOf(e2, ROOT, id)];
    const seed = 20261202;
    // Calibrate a block to about repSeconds on engine 2, after warming both up.
    let block = 500;
    for (const sim of sims) {
      const t0 = cpuMs();
      let r = 0;
      while (cpuMs() - t0 < opts.warmSeconds * 500) sim.run(seed, 10_000_000 + r++);
    }
    {
      const t0 = cpuMs();
      for (let r = 0; r < block; r++) sims[1]!.run(seed, r);
      const ms = Math.max(1, cpuMs() - t0);
      block = Math.max(200, Math.round((block * opts.repSeconds * 1000) / ms));
    }
    const rate: { dps: number[]; rps: number[]; dec: number; runs: number }[] = [0, 1].map(() => ({
      dps: [],
      rps: [],
      dec: 0,
      runs: 0,
    }));
    let first = 0;
    for (let rep = 0; rep < opts.repetitions; rep++) {
      for (let k = 0; k < 2; k++) {
        const sim = sims[k]!;
        const t0 = cpuMs();
        let dec = 0;
        for (let r = 0; r < block; r++) dec += sim.run(seed, first + r).decisions;
        const s = Math.max(1e-6, (cpuMs() - t0) / 1000);
        rate[k]!.dps.push(dec / s);
        rate[k]!.rps.push(block / s);
        rate[k]!.dec += dec;
        rate[k]!.runs += block;
      }
      first += block;
    }
    const summary = (k: number, version: string) => ({
      version,
      decisionsPerSecond: median(rate[k]!.dps),
      decisionsPerRun: rate[k]!.dec / rate[k]!.runs,
      runsPerSecond: median(rate[k]!.rps),
    });
    const a = summary(0, e1.version);
    const b = summary(1, e2.version);
    out.push({ scenario: id, engine1: a, engine2: b, ratio: b.decisionsPerSecond / a.decisionsPerSecond });
  }
  return out;
}

export interface CallgrindResult {
  scenario: string;
  engine: string;
  runs: [number, number];
  instructions: [number, number];
  decisions: [number, number];
  instructionsPerDecision: number;
}

/** Instructions per decision under callgrind: (Ir(n2) - Ir(n1)) / (decisions(n2) - decisions(n1)). */
export function callgrindPerDecision(
  scenarios: string[],
  runs: [number, number],
  onMeasure: (line: string) => void = () => {},
): CallgrindResult[] {
  const root1 = engine1Worktree();
  const out: CallgrindResult[] = [];
  const child = fileURLToPath(new URL('engine-child.ts', import.meta.url));
  for (const id of scenarios) {
    for (const [engine, root] of [
      ['1', root1],
      ['2', ROOT],
    ] as const) {
      const ir: number[] = [];
      const dec: number[] = [];
      for (const n of runs) {
        const dir = mkdtempSync(join(os.tmpdir(), 'brink-cg-'));
        const r = spawnSync(
          'valgrind',
          [
            '--tool=callgrind',
            `--callgrind-out-file=${join(dir, 'cg.out')}`,
            process.execPath,
            '--import',
            'tsx',
            child,
            root,
            id,
            String(n),
          ],
          { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 },
        );
        if (r.status !== 0) throw new Error(`callgrind failed: ${r.stderr.slice(-2000)}`);
        const m = /I\s+refs:\s+([\d,]+)/.exec(r.stderr);
        if (!m) throw new Error(`no instruction count in callgrind output: ${r.stderr.slice(-500)}`);
        ir.push(Number(m[1]!.replace(/,/g, '')));
        dec.push(Number(/decisions (\d+)/.exec(r.stdout)![1]));
        onMeasure(`${id} engine ${engine}: ${n} runs, ${dec.at(-1)} decisions, ${ir.at(-1)} instructions`);
        for (const f of readdirSync(dir)) rmSync(join(dir, f));
        rmSync(dir, { recursive: true, force: true });
      }
      out.push({
        scenario: id,
        engine,
        runs,
        instructions: [ir[0]!, ir[1]!],
        decisions: [dec[0]!, dec[1]!],
        instructionsPerDecision: (ir[1]! - ir[0]!) / (dec[1]! - dec[0]!),
      });
    }
  }
  return out;
}
