// The example dialogue of docs/talks.md without the web room (scripts/talks/blue-heron.ts): BLUE HERON on
// korea-intercept.yaml, the gap ranking, the protocol simulation with the value of hosting and the leak
// sweep, and, for each simulated gap, the first decision that differs in the runs where closing it
// changes the outcome. Usage: node --import tsx scripts/talks-example.ts [runs] [seed]
import { pct, pts } from '../src/talks/index.ts';
import type { PairedDelta } from '../src/talks/types.ts';
import { blueHeronExample, firstDifferences } from './talks/blue-heron.ts';

const runs = Number(process.argv[2] ?? 20_000);
const seed = Number(process.argv[3] ?? 1);
const ex = await blueHeronExample(runs, seed);
const { gaps, protocols: p } = ex;
const d = (x: PairedDelta) => `${pts(x.d)} [${pts(x.ci95[0])}, ${pts(x.ci95[1])}]`;

console.log(
  `declared positions: P(war) ${pct(gaps.base.war, 2)}, P(lethal clash) ${pct(gaps.base.lethal, 2)} (${runs} runs, seed ${seed})`,
);
if (gaps.venue)
  console.log(
    `${gaps.venue.title}: P(talks happen) ${pct(gaps.venue.happened.p, 2)} [${pct(gaps.venue.happened.ci95[0], 2)}, ${pct(gaps.venue.happened.ci95[1], 2)}]`,
  );
for (const g of gaps.ranked)
  console.log(
    `gap ${g.rank}: ${g.holder} expects of ${g.of} after ${g.trigger}, size ${pct(g.size, 0)}: P(war) ${d(g.war)}, P(lethal) ${d(g.lethal)}; ${g.clear ? 'clear' : `not clear: ${g.why}`}`,
  );
console.log(`aligned (below ${pct(gaps.threshold, 0)}): ${gaps.aligned.length}`);
for (const x of [...p.drafts, ...(p.package ? [{ ...p.package, label: 'package' }] : [])])
  console.log(
    `${x.label}: P(war) ${d(x.war)}, P(lethal) ${d(x.lethal)}${x.happened ? `, P(talks happen) ${pct(x.happened.p, 2)}` : ''}`,
  );
if (p.hosting)
  console.log(
    `hosting (${p.hosting.venue.intervention}, ${p.hosting.of}): value ${pts(p.hosting.value.d)} [${pts(p.hosting.value.ci95[0])}, ${pts(p.hosting.value.ci95[1])}], P(talks happen) ${pct(p.hosting.happened.p, 2)}, P(leak) ${pct(p.hosting.leaked.p, 2)}`,
  );
console.log(`leak: ${p.leak?.verdict}, break-even ${p.leak?.breakEven}`);
for (const x of p.leak?.points ?? []) console.log(`  leak ${pct(x.p)}: P(war) ${d(x.war)}`);

for (const g of gaps.ranked) {
  console.log(
    `gap ${g.rank}: runs whose outcome changes when it is closed, by the first choice that differs:`,
  );
  for (const f of firstDifferences(ex, g))
    console.log(
      `  ${f.runs}  ${f.outcome} ${f.reached ? 'only when closed' : 'only as declared'}: ${f.actor} after ${f.stimulus} chose ${f.declared} -> ${f.closed}`,
    );
}
