// docs/model.md's figures: the baselines and interventions of the three Korea scenarios, the ISR
// quality sweep, the stopping settings, and the check against the peninsula's record (posterior
// predictive). Every number comes from the commands shown, with fixed seeds.
import { readFileSync } from 'node:fs';
import { compileAt, uncertainTargets, valueAt } from '../../src/analysis/design.ts';
import { runRange } from '../../src/analysis/ensemble.ts';
import { ENGINE_VERSION } from '../../src/engine/model.ts';
import { randomStream } from '../../src/engine/rng.ts';
import { loadDocument } from '../../src/scenario/index.ts';
import type { Scenario } from '../../src/scenario/schema.ts';
import { brinkJson, ROOT, shell } from './lib.ts';
import { hostingRuns, hostingValue, participationRuns, participationTable } from './talks.ts';

export const doc = 'docs/model.md';

const RUNS = 20000;
const SCENARIOS = [
  {
    id: 'korea-test-failure',
    with: ['hotline', 'launch-notification', 'us-china-talks', 'eu-hosted-talks', 'interception-notice'],
  },
  {
    id: 'korea-intercept',
    with: ['hotline', 'launch-notification', 'us-china-talks', 'eu-hosted-talks', 'interception-notice'],
  },
  {
    id: 'korea-decapitation-misread',
    with: [
      'hotline',
      'launch-notification',
      'us-china-talks',
      'eu-hosted-talks',
      'exercise-notification',
      'interception-notice',
    ],
  },
];

interface RunJson {
  exceedance: { id: string; p: number; ci95: [number, number] }[];
  outcomes: Record<string, { p: number; ci95: [number, number] }>;
  misperception: { share: number; runs: number };
}

interface SweepJson {
  cells: { values: number[]; metrics: Record<string, { p: number; ci95: [number, number] }> }[];
}

const cache = new Map<string, RunJson>();
/** `brink run scenarios/ID.yaml` at the page's runs and seed (with an intervention), once per key. */
async function runOf(id: string, w = ''): Promise<RunJson> {
  const key = `${id}+${w}`;
  let r = cache.get(key);
  if (!r) {
    const args = ['run', `scenarios/${id}.yaml`, '--runs', String(RUNS), '--seed', '1', '--workers', '1'];
    if (w) args.push('--with', w);
    r = await brinkJson<RunJson>(args);
    cache.set(key, r);
  }
  return r;
}

const pct = (p: number, d = 2) => `${(p * 100).toFixed(d)}%`;
const ci = (c: [number, number], d = 2) => `[${(c[0] * 100).toFixed(d)}, ${(c[1] * 100).toFixed(d)}]`;

async function baselines(): Promise<string> {
  const rows: string[] = [
    '| scenario | with | P(≥ lethal-clash) | P(≥ war) | P(nuclear use) | P(interception) | misperception |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const s of SCENARIOS) {
    for (const w of ['', ...s.with]) {
      const r = await runOf(s.id, w);
      const at = (id: string) => r.exceedance.find((e) => e.id === id)!;
      const lethal = at('lethal-clash');
      const war = at('war');
      const nuc = r.outcomes.nuclearUse!;
      const icpt = at('nonlethal-force');
      rows.push(
        `| ${s.id} | ${w || 'baseline'} | ${lethal.p === 1 ? '100% (the trigger)' : `${pct(lethal.p)} ${ci(lethal.ci95)}`} | ${pct(war.p)} ${ci(war.ci95)} | ${pct(nuc.p)} ${ci(nuc.ci95)} | ${s.id === 'korea-intercept' ? pct(icpt.p, 1) : '–'} | ${pct(r.misperception.share, 1)} |`,
      );
    }
  }
  return [
    '```sh',
    `${shell(['run', 'scenarios/SCENARIO.yaml', '--runs', String(RUNS), '--seed', '1', '--workers', '1'])} [--with X] --json`,
    '```',
    '',
    `Engine ${ENGINE_VERSION}. P(≥ rung) are exceedance probabilities of the peak rung with Wilson 95% intervals (in %);`,
    'P(interception) is P(peak ≥ nonlethal-force) on the interception scenario, where the only non-lethal force is the',
    'interception itself; "misperception" is the share of runs reaching `lethal-clash` with a misperception in their chain.',
    '',
    ...rows,
  ].join('\n');
}

async function sweepTable(file: string, param: string, runs: number, label: string): Promise<string> {
  const args = ['sweep', file, '--param', param, '--runs', String(runs), '--seed', '1', '--workers', '1'];
  const r = await brinkJson<SweepJson>(args);
  const rows = r.cells.map(
    (c) =>
      `| ${c.values[0]} | ${pct(c.metrics.warOrWorse!.p)} ${ci(c.metrics.warOrWorse!.ci95)} | ${pct(c.metrics.nuclearUse!.p)} |`,
  );
  return [
    '```sh',
    `${shell(args)} --json`,
    '```',
    '',
    `| ${label} | P(≥ war) | P(nuclear use) |`,
    '| --: | --- | --- |',
    ...rows,
  ].join('\n');
}

async function quality(): Promise<string> {
  return sweepTable(
    'scenarios/korea-decapitation-misread.yaml',
    'isr.DPRK.quality=0.1..0.9:5',
    10000,
    'isr.DPRK.quality',
  );
}

async function stopping(): Promise<string> {
  const parts: string[] = [];
  for (const [param, label] of [
    ['time.resolveQuietHours=72..336:2', 'time.resolveQuietHours'],
    ['time.horizonDays=30..60:2', 'time.horizonDays'],
    ['hazards.bomber-flights.untilHours=144..336:2', 'bombers fly until hour'],
  ] as const) {
    parts.push(await sweepTable('scenarios/korea-decapitation-misread.yaml', param, 10000, label));
  }
  return parts.join('\n\n');
}

function loadDoc(file: string): Scenario {
  const r = loadDocument(`${ROOT}/${file}`, {
    readFile: (f: string) => {
      try {
        return readFileSync(f, 'utf8');
      } catch {
        return undefined;
      }
    },
  });
  if (!r.doc) throw new Error(`${file} does not load`);
  return r.doc as Scenario;
}

/**
 * The peninsula's record against the model. A season's P(war) p is uncertain through the judgement
 * parameters; drawing them from their stated distributions (K draws, each an ensemble) gives the model's
 * predictive probability of what history shows: no war in 40 spring exercise seasons, and no crisis
 * beyond clashes in 13 ICB crises.
 */
async function record(): Promise<string> {
  const K = 40;
  const runs = 1500;
  const file = 'scenarios/korea-decapitation-misread.yaml';
  const d = loadDoc(file);
  const targets = uncertainTargets(d);
  const random = randomStream(20261202, 7);
  const ps: number[] = [];
  const war = 8;
  for (let k = 0; k < K; k++) {
    const values = targets.map((t) => valueAt(t, random()));
    const m = compileAt(d, targets, values, { hash: 'record', interventions: [] });
    const agg = runRange(m, 1, 0, runs);
    const hits = agg.peak.slice(war).reduce((a, b) => a + b, 0);
    ps.push(hits / runs);
  }
  ps.sort((a, b) => a - b);
  const mean = ps.reduce((a, b) => a + b, 0) / K;
  const pred = (n: number) => ps.reduce((a, p) => a + (1 - p) ** n, 0) / K;
  // Weighting each draw by the likelihood of the record gives the posterior mean of p given it.
  const post = ps.reduce((a, p) => a + p * (1 - p) ** 40, 0) / (K * pred(40));
  const q = (f: number) => ps[Math.min(K - 1, Math.floor(f * K))]!;
  // The nominal scenario's per-season P(war).
  const nominal = await runOf('korea-decapitation-misread');
  const pn = nominal.exceedance.find((e) => e.id === 'war')!.p;
  const crises: string[] = [];
  for (const s of SCENARIOS) {
    const r = await runOf(s.id);
    const p = r.exceedance.find((e) => e.id === 'war')!.p;
    crises.push(`| ${s.id} | ${pct(p)} | ${pct((1 - p) ** 13, 0)} |`);
  }
  return [
    `Nominal parameters: P(≥ war) per exercise season = **${pct(pn)}**; the chance of no war in 40 seasons at that rate is`,
    `(1 − p)^40 = **${pct((1 - pn) ** 40, 0)}**.`,
    '',
    `Parameter uncertainty (${K} draws of the ${targets.length} uncertain parameters of the scenario from their stated`,
    `distributions, ${runs.toLocaleString('en-US')} runs each, seed 1; \`scripts/docs/model.ts\`): per-season P(≥ war) has mean`,
    `${pct(mean)}, median ${pct(q(0.5))}, 10th–90th percentile ${pct(q(0.1))}–${pct(q(0.9))}. Posterior predictive`,
    `probability of the record: P(no war in 40 seasons) = E[(1 − p)^40] = **${pct(pred(40), 0)}**. Weighting each draw by`,
    `that likelihood, the posterior mean of the per-season P(≥ war) given the record is **${pct(post)}**.`,
    '',
    'Each scenario read as one crisis, against the 13 ICB crises with a Korean crisis actor since 1953, none of which',
    'went beyond clashes (P(no war in 13 such crises) if every crisis were like the scenario):',
    '',
    '| scenario | P(≥ war) per crisis | P(none of 13) |',
    '| --- | --- | --- |',
    ...crises,
  ].join('\n');
}

/**
 * The talks in each op-ed scenario: the value of EU-hosted and bilateral talks against none (paired, with
 * intervals) and P(Beijing takes part) by venue discretion; the same commands as docs/talks.md (run once
 * per process: scripts/docs/lib.ts).
 */
export async function talks(): Promise<string> {
  const host = await hostingRuns();
  const part = await participationRuns();
  const rows = [
    '| scenario | P(≥ war), no talks | EU-hosted: P(talks happen) | EU-hosted: value of hosting, pts | bilateral: P(talks happen) | bilateral: value, pts |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const { id, r } of host) {
    const eu = r.comparisons.find((c) => c.with === 'eu-hosted-talks')!;
    const bi = r.comparisons.find((c) => c.with === 'us-china-talks')!;
    const happened = (c: typeof eu) => `${pct(c.talks!.happened.p, 1)} ${ci(c.talks!.happened.ci95, 1)}`;
    rows.push(
      `| ${id} | ${pct(eu.delta.warOrWorse!.base)} | ${happened(eu)} | ${hostingValue(eu)} | ${happened(bi)} | ${hostingValue(bi)} |`,
    );
  }
  return [
    '```sh',
    ...host.map((h) => h.command),
    ...part.commands,
    '```',
    '',
    'The value of hosting is the fall in P(peak ≥ war) against no talks, paired on common random numbers, with',
    'its 95% interval (positive: the talks lower the risk; the leak risk at the venue’s own leak chance is in',
    'it). Where hosting stops paying (leak chance, discretion) and the other hosts: docs/talks.md.',
    '',
    ...rows,
    '',
    'P(Beijing takes part) in EU-hosted talks by the venue’s discretion (every round convened):',
    '',
    ...participationTable(part.p),
  ].join('\n');
}

export async function regions(): Promise<Record<string, string>> {
  return {
    baselines: await baselines(),
    talks: await talks(),
    quality: await quality(),
    stopping: await stopping(),
    record: await record(),
  };
}
