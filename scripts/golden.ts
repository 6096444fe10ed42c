// Golden aggregates of the engine: `node --import tsx scripts/golden.ts --write` records them in
// test/fixtures/golden-aggregates/; test/engine/golden-aggregates.test.ts checks that the engine still produces them bit for
// bit. Re-record only when a change of the engine's numbers is intended (and say why in the commit).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Aggregate, runRange } from '../src/analysis/ensemble.ts';
import type { Model } from '../src/engine/model.ts';
import { Simulator } from '../src/engine/run.ts';
import type { TraceRecord } from '../src/engine/trace.ts';
import { prepare } from '../src/scenario/index.ts';

export interface GoldenCase {
  name: string;
  file: string;
  interventions: string[];
  seed: number;
  runs: number;
  /** Runs [0, traced) are also traced; the traces' sha256 is recorded. */
  traced: number;
}

export const GOLDEN_CASES: GoldenCase[] = [
  {
    name: 'test-failure',
    file: 'scenarios/korea-test-failure.yaml',
    interventions: [],
    seed: 1,
    runs: 2000,
    traced: 40,
  },
  {
    name: 'intercept',
    file: 'scenarios/korea-intercept.yaml',
    interventions: [],
    seed: 2,
    runs: 2000,
    traced: 40,
  },
  {
    name: 'decapitation-misread',
    file: 'scenarios/korea-decapitation-misread.yaml',
    interventions: [],
    seed: 3,
    runs: 2000,
    traced: 40,
  },
  {
    name: 'intercept-hotline-eu-talks',
    file: 'scenarios/korea-intercept.yaml',
    interventions: ['hotline', 'eu-hosted-talks'],
    seed: 4,
    runs: 2000,
    traced: 40,
  },
  {
    name: 'decapitation-notification-us-china',
    file: 'scenarios/korea-decapitation-misread.yaml',
    interventions: ['launch-notification', 'us-china-talks'],
    seed: 5,
    runs: 2000,
    traced: 40,
  },
];

export interface Golden {
  case: GoldenCase;
  scenarioHash: string;
  aggregate: Aggregate;
  traceSha256: string;
}

const root = new URL('../', import.meta.url);

export function loadCaseModel(c: GoldenCase): Model {
  const path = fileURLToPath(new URL(c.file, root));
  const p = prepare(path, {
    readFile: (f) => {
      try {
        return readFileSync(f, 'utf8');
      } catch {
        return undefined;
      }
    },
    interventions: c.interventions,
  });
  if (!p.model) throw new Error(`${c.file} does not compile: ${JSON.stringify(p.diagnostics)}`);
  return p.model;
}

export function computeGolden(c: GoldenCase): Golden {
  const m = loadCaseModel(c);
  const aggregate = runRange(m, c.seed, 0, c.runs);
  const sim = new Simulator(m);
  const hash = createHash('sha256');
  for (let run = 0; run < c.traced; run++) {
    const trace: TraceRecord[] = [];
    sim.run(c.seed, run, { trace });
    hash.update(`${JSON.stringify(trace)}\n`);
  }
  return { case: c, scenarioHash: m.hash, aggregate, traceSha256: hash.digest('hex') };
}

export function goldenPath(c: GoldenCase): URL {
  return new URL(`test/fixtures/golden-aggregates/${c.name}.json`, root);
}

if (process.argv.includes('--write')) {
  for (const c of GOLDEN_CASES) {
    const g = computeGolden(c);
    writeFileSync(goldenPath(c), `${JSON.stringify(g, null, 1)}\n`);
    process.stdout.write(`${c.name}: ${g.aggregate.runs} runs, decisions ${g.aggregate.decisions}\n`);
  }
}
