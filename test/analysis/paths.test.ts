import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributeMisperceptions, ensembleWithReplays, pathTree } from '../../src/analysis/paths.ts';
import { load } from '../scenarios.ts';

const DECAP = 'scenarios/korea-decapitation-misread.yaml';

test('pathTree: flows are conserved and end in the outcome counts', () => {
  const m = load(DECAP);
  const { agg } = ensembleWithReplays(m, { seed: 1, runs: 5000 });
  const tree = pathTree(m, agg, { minShare: 0.01 });
  assert.equal(tree.runs, 5000);
  const into = new Map<string, number>();
  const out = new Map<string, number>();
  for (const l of tree.links) {
    into.set(l.target, (into.get(l.target) ?? 0) + l.runs);
    out.set(l.source, (out.get(l.source) ?? 0) + l.runs);
  }
  for (const n of tree.nodes) {
    if (n.kind === 'outcome') assert.equal(into.get(n.id), n.runs);
    else if (n.depth > 0) assert.equal(into.get(n.id), n.runs, n.id);
    if (n.kind !== 'outcome') assert.equal(out.get(n.id), n.runs, n.id);
  }
  const outcomes = tree.nodes.filter((n) => n.kind === 'outcome');
  assert.equal(
    outcomes.reduce((s, n) => s + n.runs, 0),
    5000,
  );
  assert.equal(outcomes.find((n) => n.label === 'war')?.runs, agg.outcomes[0]);
  const lethal = pathTree(m, agg, { minPeak: m.lethalRung });
  assert.equal(
    lethal.runs,
    agg.peak.slice(m.lethalRung).reduce((s, x) => s + x, 0),
  );
});

test('ensembleWithReplays: removing the root misperception avoids most decapitation-misread wars', () => {
  const m = load(DECAP);
  const { agg, counterfactual } = ensembleWithReplays(m, { seed: 2, runs: 10000, replay: true });
  const cf = counterfactual!;
  const warOrWorse = agg.peak.slice(m.warRung).reduce((s, x) => s + x, 0);
  assert.equal(cf.warRuns, warOrWorse);
  assert.ok(cf.withMisperception <= cf.warRuns);
  assert.equal(
    cf.byCause.reduce((s, c) => s + c.runs, 0),
    cf.withMisperception,
  );
  assert.ok(cf.avoidable.share > 0.5, JSON.stringify(cf.avoidable));
  const top = cf.byCause[0]!;
  assert.equal(top.observer, 'DPRK');
  assert.equal(top.act, 'US.bomber-flight');
  // The attribution counts the same chains.
  const a = attributeMisperceptions(m, agg);
  assert.equal(a.causes[0]!.runs, top.runs);
  assert.equal(a.warRuns, cf.warRuns);
});
