// The example dialogue of docs/talks.md without the web room: BLUE HERON on korea-intercept.yaml, the
// same agenda and positions as the end-to-end test (test/e2e/talks.test.ts), the gap ranking and the
// protocol simulation, and, for the largest gap, the first decision that differs in the runs where
// closing it changes the outcome. Usage: node --import tsx scripts/talks-example.ts [runs] [seed]
import { ownSimulator } from '../src/analysis/kernel/simulator.ts';
import type { TraceRecord } from '../src/engine/trace.ts';
import {
  applyOverlay,
  declareScenario,
  loadBase,
  pct,
  pts,
  rankGaps,
  simulateProtocols,
  withExpectation,
} from '../src/talks/index.ts';
import { compileDoc } from '../src/talks/scenario.ts';
import { blueHeron, koreaFiles } from '../test/talks/helpers.ts';

const runs = Number(process.argv[2] ?? 20_000);
const seed = Number(process.argv[3] ?? 1);
const base = loadBase(koreaFiles(), 'korea-intercept.yaml');
const { agenda, declared: positions } = blueHeron(base, 300);
const declared = positions();

// A fixed number of runs per arm, as the walkthrough reports them (the room adapts them per gap).
const gaps = await rankGaps(base, agenda, declared, { seed, runs, maxRuns: runs });
console.log(
  `declared positions: P(war) ${pct(gaps.base.war, 2)}, P(lethal clash) ${pct(gaps.base.lethal, 2)} (${runs} runs, seed ${seed})`,
);
for (const g of gaps.ranked)
  console.log(
    `gap ${g.rank}: ${g.holder} expects of ${g.of} after ${g.trigger}, size ${pct(g.size, 0)}: P(war) ${pts(g.war.d)} [${pts(g.war.ci95[0])}, ${pts(g.war.ci95[1])}], P(lethal) ${pts(g.lethal.d)} [${pts(g.lethal.ci95[0])}, ${pts(g.lethal.ci95[1])}]`,
  );

const drafts = [
  {
    id: 'notice',
    title: 'interception notice',
    mapping: { interventions: ['interception-notice'], set: {} },
  },
  {
    id: 'relay',
    title: 'PRC relay (EU-hosted talks)',
    mapping: { interventions: ['eu-hosted-talks'], set: {} },
  },
  {
    id: 'launch',
    title: 'launch notification',
    mapping: { interventions: ['launch-notification'], set: {} },
  },
];
const p = await simulateProtocols(base, agenda, declared, drafts, ['notice', 'relay'], { seed, runs });
for (const d of [...p.drafts, ...(p.package ? [{ ...p.package, label: 'package' }] : [])])
  console.log(
    `${d.label}: P(war) ${pts(d.war.d)} [${pts(d.war.ci95[0])}, ${pts(d.war.ci95[1])}], P(lethal) ${pts(d.lethal.d)}`,
  );
console.log(`leak: ${p.leak?.verdict}, break-even ${p.leak?.breakEven}`);
for (const x of p.leak?.points ?? [])
  console.log(`  leak ${pct(x.p)}: P(war) ${pts(x.war.d)} [${pts(x.war.ci95[0])}, ${pts(x.war.ci95[1])}]`);

// Why the top gap moves the risk: the first decision that differs in runs whose outcome changes.
const top = gaps.ranked[0]!;
const ds = declareScenario(base, agenda, declared);
const closed = compileDoc(
  applyOverlay(base.doc, withExpectation(ds, declared, top.holder, top.of, top.trigger, top.declared)),
  [],
  base.path,
).model;
// Traced replays beside their runs: simulators of their own (src/analysis/kernel/simulator.ts).
const a = ownSimulator(ds.model);
const b = ownSimulator(closed);
const firsts = new Map<string, number>();
for (let i = 0; i < runs; i++) {
  const x = a.run(seed, i).peak >= ds.model.lethalRung;
  const y = b.run(seed, i).peak >= closed.lethalRung;
  if (x === y) continue;
  const ta: TraceRecord[] = [];
  const tb: TraceRecord[] = [];
  a.run(seed, i, { trace: ta });
  b.run(seed, i, { trace: tb });
  const da = ta.filter((r) => r.kind === 'decide');
  const db = tb.filter((r) => r.kind === 'decide');
  let k = 0;
  while (k < da.length && k < db.length && JSON.stringify(da[k]) === JSON.stringify(db[k])) k++;
  const u = da[k] as Extract<TraceRecord, { kind: 'decide' }> | undefined;
  const v = db[k] as Extract<TraceRecord, { kind: 'decide' }> | undefined;
  const key = `${y ? 'lethal only when closed' : 'lethal only as declared'}: ${u?.actor} after ${u?.stimulus} chose ${u?.chosen} -> ${v?.chosen}`;
  firsts.set(key, (firsts.get(key) ?? 0) + 1);
}
console.log(`runs whose lethal outcome changes when gap 1 is closed, by the first decision that differs:`);
for (const [k, n] of firsts) console.log(`  ${n}  ${k}`);
