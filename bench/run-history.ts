// The run history (`GET …/runs`, issue 18): how long the store takes to list 500 runs of korea-intercept
// (each with its files, a checkpoint and its report stored), as the listing reads them now (a
// projection without files, checkpoint and report; only the manifest parsed) and as it read them
// before (every column, and the files' JSON parsed: the query and parse of `toRun` at 0039b55).
//   node --import tsx bench/run-history.ts [--runs 500] [--repeat 20]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINE_VERSION } from '../src/engine/model.ts';
import { openJob } from '../src/server/analysis-jobs.ts';
import { exampleFiles, prepareInFiles } from '../src/server/workspace.ts';
import { openSqlite, type RunManifest } from '../src/store/index.ts';
import type { KyselyStore } from '../src/store/kysely-store.ts';

const args = process.argv.slice(2);
const option = (name: string, d: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const RUNS = option('--runs', 500);
const REPEAT = option('--repeat', 20);
const KOREA = 'korea-intercept.yaml';
const examples = fileURLToPath(new URL('../scenarios', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'brink-run-history-'));
const store = await openSqlite(join(dir, 'brink.db'));
try {
  const ws = await store.createWorkspace('Bench');
  const files = exampleFiles(examples);
  const p = prepareInFiles(files, KOREA);
  if (!p.hash) throw new Error('korea-intercept does not compile');
  const snapshot = p.snapshot;
  const manifest: RunManifest = {
    kind: 'run',
    scenarioId: 's',
    scenarioPath: KOREA,
    scenarioVersion: 1,
    hash: p.hash,
    engine: ENGINE_VERSION,
    seed: 1,
    runs: 2000,
    interventions: [],
    set: {},
  };
  // One real report and checkpoint, stored with every run.
  const first = await store.createRun({
    workspaceId: ws.id,
    scenarioId: 's',
    manifest,
    files: snapshot,
    by: null,
  });
  const job = openJob(first);
  while (job.done() < job.total) await job.step(500);
  const checkpoint = job.checkpoint();
  const report = await job.finish();
  for (let i = 0; i < RUNS; i++) {
    const r = await store.createRun({
      workspaceId: ws.id,
      scenarioId: 's',
      manifest,
      files: snapshot,
      by: null,
    });
    await store.checkpointRun(r.id, 2000, checkpoint);
    await store.finishRun(r.id, report, new Date().toISOString());
  }
  const db = (store as KyselyStore).db;
  const before = async () => {
    const rows = await db
      .selectFrom('runs')
      .selectAll()
      .where('workspace_id', '=', ws.id)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(RUNS)
      .execute();
    return rows.map((r) => ({ ...r, manifest: JSON.parse(r.manifest), files: JSON.parse(r.files) }));
  };
  const now = () => store.listRuns(ws.id, { limit: RUNS });
  const time = async (fn: () => Promise<unknown[]>) => {
    const ms: number[] = [];
    for (let k = 0; k < REPEAT; k++) {
      const t0 = performance.now();
      const got = await fn();
      ms.push(performance.now() - t0);
      if (got.length !== RUNS) throw new Error(`listed ${got.length} runs, not ${RUNS}`);
    }
    ms.sort((a, b) => a - b);
    return {
      medianMs: Math.round(ms[Math.floor(ms.length / 2)]! * 10) / 10,
      minMs: Math.round(ms[0]! * 10) / 10,
    };
  };
  await before();
  await now();
  const out = {
    runs: RUNS,
    repeat: REPEAT,
    bytesPerRun: {
      files: JSON.stringify(snapshot).length,
      checkpoint: checkpoint.length,
      report: report.length,
    },
    before: await time(before),
    after: await time(now),
    loadAverage: loadavg().map((x) => Math.round(x * 10) / 10),
  };
  console.log(JSON.stringify(out));
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
