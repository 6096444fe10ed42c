// A fuzzing process: mutants `start`, `start + step`, ... of a seed, each checked and reported to the
// parent (scripts/fuzz.ts), which kills this process when a mutant stalls and starts another after it.
import { check } from './check.ts';
import { minimize } from './minimize.ts';
import { type CorpusFile, mutant, readCorpus } from './mutate.ts';

export interface Report {
  index: number;
  ms: number;
  cpuMs: number;
  /** CPU time of validateFile alone, and of the ensembles (when valid). */
  validateCpuMs: number;
  ensembleCpuMs: number;
  outcome: string;
  codes: string[];
  ops: string[];
  entry: string;
  bytes: number;
  error?: string;
  stack?: string;
}

export type Command =
  | { kind: 'run'; root: string; seed: number; start: number; step: number }
  | { kind: 'minimize'; root: string; seed: number; index: number };

const send = (m: unknown) =>
  new Promise<void>((done) => {
    process.send!(m, undefined, undefined, () => done());
  });

function errorOf(e: unknown): { error: string; stack?: string } {
  if (e instanceof Error)
    return { error: `${e.name}: ${e.message}`.slice(0, 500), ...(e.stack ? { stack: e.stack } : {}) };
  return { error: String(e).slice(0, 500) };
}

async function runLoop(corpus: CorpusFile[], c: Extract<Command, { kind: 'run' }>): Promise<void> {
  let stop = false;
  process.on('message', (m) => {
    if (m === 'stop') stop = true;
  });
  for (let index = c.start; !stop; index += c.step) {
    const m = mutant(corpus, c.seed, index);
    const bytes = Object.values(m.files).reduce((s, t) => s + t.length, 0);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let r: Report;
    try {
      const out = check(m, c.seed);
      r = {
        index,
        ms: 0,
        cpuMs: 0,
        validateCpuMs: out.validateCpuMs,
        ensembleCpuMs: out.ensembleCpuMs,
        outcome: out.outcome,
        codes: out.codes,
        ops: m.ops,
        entry: m.entry,
        bytes,
      };
    } catch (e) {
      r = {
        index,
        ms: 0,
        cpuMs: 0,
        validateCpuMs: 0,
        ensembleCpuMs: 0,
        outcome: 'exception',
        codes: [],
        ops: m.ops,
        entry: m.entry,
        bytes,
        ...errorOf(e),
      };
    }
    r.ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    r.cpuMs = (cpu.user + cpu.system) / 1000;
    await send(r);
    // Let the 'stop' message in between mutants.
    await new Promise((done) => setImmediate(done));
  }
}

process.once('message', (c: Command) => {
  const corpus = readCorpus(c.root);
  if (c.kind === 'run') {
    runLoop(corpus, c).then(
      () => process.exit(0),
      (e) => {
        console.error(e);
        process.exit(1);
      },
    );
  } else {
    const m = mutant(corpus, c.seed, c.index);
    void send({ minimized: minimize(m, c.seed) }).then(() => process.exit(0));
  }
});
