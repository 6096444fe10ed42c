// docs/talks.md's model figures (decision 0017): the value of hosting US-China contingency talks in each
// op-ed scenario (EU, a neutral state, a Track 2 institute, bilateral, none), the leak chance and the
// discretion at which hosting stops paying, and P(Beijing takes part) as a function of the venue's
// discretion. Every number comes from the commands shown, with fixed seeds.
import { delta, hostingWords, level, verdict } from '../../src/talks/playbook.ts';
import { prefillPositions } from '../../src/talks/positions.ts';
import { leakParams } from '../../src/talks/protocols.ts';
import { withProtocols } from '../../src/talks/scenario.ts';
import type { RankedGap } from '../../src/talks/types.ts';
import { distWords, pct as pctWords } from '../../src/talks/words.ts';
import { AGREED, blueHeronExample, DRAFTS, type Example, firstDifferences } from '../talks/blue-heron.ts';
import { brinkJson, shell } from './lib.ts';

export const doc = 'docs/talks.md';

const SCENARIOS = ['korea-test-failure', 'korea-intercept', 'korea-decapitation-misread'];
const HOSTS = ['eu-hosted-talks', 'neutral-state-talks', 'track2-talks', 'us-china-talks'];

type P = { p: number; ci95: [number, number] };
export interface CompareJson {
  engine: string;
  comparisons: {
    with: string;
    delta: Record<string, { base: number; alt: number; d: number; ci95: [number, number] }>;
    talks?: { happened: P; leaked: P };
  }[];
}
interface BreakevenJson {
  points: { x: number; d: number; ci95: [number, number] }[];
  verdict: string;
  crossing?: { x: number; ci95: [number, number]; direction: string; unresolved?: number };
}
interface RunJson {
  talks?: { happened: P };
}

const pct = (p: number, d = 2) => `${(p * 100).toFixed(d)}%`;
const pts = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(2)}`;
const ci = (c: [number, number], d = 2) => `[${(c[0] * 100).toFixed(d)}, ${(c[1] * 100).toFixed(d)}]`;

/** The paired comparison of every host with no talks, per op-ed scenario: the commands and their results. */
export async function hostingRuns(): Promise<{ id: string; command: string; r: CompareJson }[]> {
  const out = [];
  for (const id of SCENARIOS) {
    const args = ['compare', `scenarios/${id}.yaml`, ...HOSTS.flatMap((h) => ['--with', h])];
    args.push('--runs', '20000', '--seed', '3', '--workers', '1', '--trace', '0');
    out.push({ id, command: shell(args), r: await brinkJson<CompareJson>(args) });
  }
  return out;
}

/** The value of hosting with its interval, as `+0.14 [+0.06, +0.21]` (points; positive lowers P(war)). */
export function hostingValue(c: CompareJson['comparisons'][number]): string {
  const w = c.delta.warOrWorse!;
  return `${pts(-w.d)} [${pts(-w.ci95[1])}, ${pts(-w.ci95[0])}]`;
}

export async function hosting(): Promise<string> {
  const out: string[] = [];
  const rows: string[] = [
    '| scenario | talks | P(talks happen) | P(they leak) | P(≥ war) | value of hosting: baseline − talks, pts |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  let engine = '';
  for (const { id, command, r } of await hostingRuns()) {
    out.push(command);
    engine = r.engine;
    const base = r.comparisons[0]!.delta.warOrWorse!.base;
    rows.push(`| ${id} | none (baseline) | – | – | ${pct(base)} | – |`);
    for (const c of r.comparisons) {
      const w = c.delta.warOrWorse!;
      const t = c.talks!;
      rows.push(
        `| ${id} | ${c.with} | ${pct(t.happened.p, 1)} ${ci(t.happened.ci95, 1)} | ${pct(t.leaked.p, 1)} | ${pct(w.alt)} | ${hostingValue(c)} |`,
      );
    }
  }
  return [
    '```sh',
    ...out,
    '```',
    '',
    `Engine ${engine}. Paired on common random numbers (run i of every arm uses the same streams); the value of`,
    'hosting is the fall in P(peak ≥ war) with its 95% interval (positive: the talks lower the risk). P(talks',
    'happen) is the share of runs in which Beijing took part and a round was convened.',
    '',
    ...rows,
  ].join('\n');
}

async function breakeven(): Promise<string> {
  const out: string[] = [];
  const rows: string[] = [
    '| scenario | parameter | value of EU hosting at each grid point, pts [95%] | hosting stops paying at |',
    '| --- | --- | --- | --- |',
  ];
  for (const id of SCENARIOS) {
    for (const [param, range] of [
      ['talks.eu-hosted.leak.DPRK.p', '0..0.2'],
      ['talks.eu-hosted.venue.discretion', '0..1'],
    ] as const) {
      const args = ['breakeven', `scenarios/${id}.yaml`, '--with', 'eu-hosted-talks', '--param', param];
      args.push(
        '--range',
        range,
        '--runs',
        '10000',
        '--grid',
        '5',
        '--bisect',
        '3',
        '--seed',
        '3',
        '--workers',
        '1',
      );
      out.push(shell(args));
      const r = await brinkJson<BreakevenJson>(args);
      const [lo, hi] = range.split('..').map(Number) as [number, number];
      const onGrid = (x: number) =>
        [0, 1, 2, 3, 4].some((k) => Math.abs(x - (lo + (k * (hi - lo)) / 4)) < 1e-9);
      const grid = r.points
        .filter((p) => onGrid(p.x))
        .map((p) => `${p.x}: ${pts(-p.d)} [${pts(-p.ci95[1])}, ${pts(-p.ci95[0])}]`)
        .join('; ');
      const c = r.crossing;
      const be = c
        ? `${c.x.toPrecision(2)} [${c.ci95.map((x) => x.toPrecision(2)).join(', ')}] (${c.direction})`
        : r.verdict;
      rows.push(`| ${id} | ${param} | ${grid} | ${be} |`);
    }
  }
  return ['```sh', ...out, '```', '', ...rows].join('\n');
}

const DISCRETION = [0, 0.25, 0.5, 0.75, 1];

/**
 * P(Beijing takes part) in EU-hosted talks at each venue discretion, per op-ed scenario (every round
 * convened, so the talks happen exactly when Beijing takes part): the commands, and scenario -> shares.
 */
export async function participationRuns(): Promise<{ commands: string[]; p: Map<string, P[]> }> {
  const commands: string[] = [];
  const p = new Map<string, P[]>();
  for (const id of SCENARIOS) {
    const row: P[] = [];
    for (const x of DISCRETION) {
      const args = ['run', `scenarios/${id}.yaml`, '--with', 'eu-hosted-talks'];
      args.push(
        '--set',
        `talks.eu-hosted.venue.discretion=${x}`,
        '--set',
        'talks.eu-hosted.venue.convening=1',
      );
      args.push('--runs', '4000', '--seed', '1', '--workers', '1');
      commands.push(shell(args));
      row.push((await brinkJson<RunJson>(args)).talks!.happened);
    }
    p.set(id, row);
  }
  return { commands, p };
}

/** The participation table: a row per discretion, a column per scenario (and a note when they agree). */
export function participationTable(p: Map<string, P[]>): string[] {
  const same = SCENARIOS.every((id) => JSON.stringify(p.get(id)) === JSON.stringify(p.get(SCENARIOS[0]!)));
  const note = same
    ? [
        '',
        'The columns are identical: Beijing decides before the crisis, from priors the three scenarios share, on',
        "the talks' own random stream, so with the same seed it takes the same decisions. The scenario changes",
        'what the talks are worth, not whether they happen.',
      ]
    : [];
  return [
    `| venue discretion | ${SCENARIOS.join(' | ')} |`,
    `| --: | ${SCENARIOS.map(() => '---').join(' | ')} |`,
    ...DISCRETION.map(
      (x, k) =>
        `| ${x} | ${SCENARIOS.map((id) => `${pct(p.get(id)![k]!.p, 1)} ${ci(p.get(id)![k]!.ci95, 1)}`).join(' | ')} |`,
    ),
    ...note,
  ];
}

export async function participation(): Promise<string> {
  const { commands, p } = await participationRuns();
  return [
    '```sh',
    ...commands,
    '```',
    '',
    'P(Beijing takes part) with its 95% interval. With every round convened, the talks happen exactly when',
    'Beijing takes part (the US always does).',
    '',
    ...participationTable(p),
  ].join('\n');
}

// The walkthrough (BLUE HERON on korea-intercept.yaml): runs per arm and seed, as the e2e test is run for it.
const EXAMPLE_RUNS = 20_000;
const EXAMPLE_SEED = 1;
const EXAMPLE_COMMAND = `node --import tsx scripts/talks-example.ts ${EXAMPLE_RUNS} ${EXAMPLE_SEED}`;
let example: Promise<Example> | undefined;
const blueHeronRun = () => {
  example ??= blueHeronExample(EXAMPLE_RUNS, EXAMPLE_SEED);
  return example;
};

const who = (g: RankedGap) => `the ${g.holder} expects of the ${g.of}, after ${g.triggerLabel}`;
const count = (n: number) => n.toLocaleString('en');
const plural = (n: number, one: string, many: string) => `${count(n)} ${n === 1 ? one : many}`;

/** The prefilled cards of the example and the positions each delegation declares, in the room's words. */
export async function examplePositions(): Promise<string> {
  const ex = await blueHeronRun();
  const out: string[] = [];
  const card = (actor: string, id: string) => ex.agenda.triggers[actor]!.find((t) => t.id === id)!;
  const words = (actor: string, id: string, d: Record<string, number>) =>
    distWords(d, Object.fromEntries(card(actor, id).options.map((o) => [o.key, o.label])));
  for (const d of ex.declared) {
    const { positions: prefill, sources } = prefillPositions(ex.base, ex.agenda, d.actor, ['US', 'PRC']);
    for (const t of ex.agenda.triggers[d.actor] ?? []) {
      const note =
        t.doctrine.kind === 'choose'
          ? 'The scenario’s doctrine chooses on expected utility; at the start of a crisis:'
          : 'The scenario’s doctrine:';
      const mine = d.positions.responses[t.id]!;
      const same = JSON.stringify(mine) === JSON.stringify(prefill.responses[t.id]);
      out.push(
        `- ${d.actor}, if ${t.label}: "${note} ${words(d.actor, t.id, prefill.responses[t.id]!)}". Declared: ${same ? 'kept' : words(d.actor, t.id, mine)}.`,
      );
    }
    for (const [of, table] of Object.entries(d.positions.expectations))
      for (const [id, e] of Object.entries(table)) {
        const note =
          sources[of]?.[id] === 'belief'
            ? 'The scenario assumes your side expects:'
            : 'The scenario assumes no misperception here:';
        const same = JSON.stringify(e) === JSON.stringify(prefill.expectations[of]?.[id]);
        out.push(
          `- ${d.actor}, expecting of ${of} if ${card(of, id).label}: "${note} ${words(of, id, prefill.expectations[of]![id]!)}". Declared: ${same ? 'kept' : words(of, id, e)}.`,
        );
      }
  }
  return out.join('\n');
}

/** The declared-positions baseline, the gap ranking (clear gaps apart, each other with why), and why gap 1 moves runs. */
export async function exampleGaps(): Promise<string> {
  const ex = await blueHeronRun();
  const g = ex.gaps;
  const out: string[] = [
    '```sh',
    EXAMPLE_COMMAND,
    '```',
    '',
    `With the declared positions, P(war or worse) is ${pctWords(g.base.war, 2)} and P(lethal clash or worse) ${pctWords(g.base.lethal, 2)} (${count(ex.runs)} runs per arm, seed ${ex.seed}, which the host set in the Room tab; "Most runs per arm" also set to ${count(ex.runs)}, so that every gap is estimated on the same runs).`,
  ];
  if (g.venue)
    out.push(
      `A gap is closed only in the runs where the talks take place: the scenario's venue, ${g.venue.title} (\`${g.venue.intervention}\`), took place in ${level(g.venue.happened.p, g.venue.happened.ci95)} of them.`,
    );
  const clearOnes = g.ranked.filter((x) => x.clear);
  const others = g.ranked.filter((x) => !x.clear);
  out.push(
    `${plural(g.ranked.length, 'gap exceeds', 'gaps exceed')} the ${pctWords(g.threshold, 0)} threshold; ${clearOnes.length === 0 ? 'none has' : `${count(clearOnes.length)} of them ${clearOnes.length === 1 ? 'has' : 'have'}`} an effect on P(war) whose interval excludes 0.`,
    '',
    '**Gaps whose closing clearly changes P(war)**',
    '',
  );
  if (clearOnes.length) {
    out.push(
      '| rank | gap | size | closing it: P(war) | closing it: P(lethal clash) |',
      '| --- | --- | --- | --- | --- |',
      ...clearOnes.map(
        (x) => `| ${x.rank} | ${who(x)} | ${pctWords(x.size, 0)} | ${delta(x.war)} | ${delta(x.lethal)} |`,
      ),
    );
  } else out.push('None: no interval on P(war) excludes 0.');
  if (others.length)
    out.push(
      '',
      '**Gaps without a clear effect, and why**',
      '',
      '| rank | gap | size | closing it: P(war) | closing it: P(lethal clash) | why |',
      '| --- | --- | --- | --- | --- | --- |',
      ...others.map(
        (x) =>
          `| ${x.rank} | ${who(x)} | ${pctWords(x.size, 0)} | ${delta(x.war)} | ${delta(x.lethal)} | ${x.why} |`,
      ),
    );
  out.push(
    '',
    `Gaps below the threshold (${count(g.aligned.length)} here) are listed as aligned and not simulated.`,
  );
  // Why the gaps that move runs move them: the first choice that differs in those runs.
  const parties = new Set(ex.declared.map((d) => d.actor));
  for (const x of g.ranked) {
    const firsts = firstDifferences(ex, x);
    const n = firsts.reduce((s, f) => s + f.runs, 0);
    if (n === 0) continue;
    const by = new Map<string, number>();
    for (const f of firsts) by.set(f.actor, (by.get(f.actor) ?? 0) + f.runs);
    const whose = [...by]
      .sort((a, b) => b[1] - a[1])
      .map(([a, k]) => `the ${a}'s in ${count(k)}${parties.has(a) ? '' : ` (${a} is not at the table)`}`)
      .join(', ');
    const to = firsts.filter((f) => f.reached).reduce((s, f) => s + f.runs, 0);
    out.push(
      '',
      `Gap ${x.rank}: in the runs where the talks take place, closing it changes the outcome (war, or else lethal clash) of ${plural(n, 'run', 'runs')}: ${count(to)} toward it, ${count(n - to)} away from it. The first choice that differs is ${whose}:`,
      '',
      '| runs | outcome | who chooses | after | as declared | gap closed |',
      '| --: | --- | --- | --- | --- | --- |',
      ...firsts.map(
        (f) =>
          `| ${f.runs} | ${f.outcome === 'war' ? 'war' : 'lethal clash'} ${f.reached ? 'only when closed' : 'only as declared'} | ${f.actor} | \`${f.stimulus}\` | \`${f.declared}\` | \`${f.closed}\` |`,
      ),
    );
  }
  return out.join('\n');
}

/** The drafts, the package, the value of hosting and the leak sweep with its break-even. */
export async function exampleProtocols(): Promise<string> {
  const ex = await blueHeronRun();
  const r = ex.protocols;
  const out: string[] = [
    `Each draft is simulated with the venue's talks (${r.hosting?.venue.title ?? 'none'}) and takes effect only in the runs where they take place; its change is against the declared positions without talks (${count(ex.runs)} runs per arm, seed ${ex.seed}; \`${EXAMPLE_COMMAND}\`).`,
    '',
    '| | P(war) with it | P(war): change [95%] | P(lethal clash): change [95%] | P(talks happen) | reading |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  const happened = (x: { happened?: { p: number; ci95: [number, number] } }) =>
    x.happened ? level(x.happened.p, x.happened.ci95) : '–';
  const row = (label: string, x: (typeof r.drafts)[number] | NonNullable<typeof r.package>) =>
    `| ${label} | ${level(x.war.alt, x.war.altCi95)} | ${delta(x.war)} | ${delta(x.lethal)} | ${happened(x)} | ${verdict(x.war)} |`;
  for (const d of r.drafts) out.push(row(`${d.label}${AGREED.includes(d.draft) ? '' : ' (not agreed)'}`, d));
  if (r.package) {
    const titles = DRAFTS.filter((d) => AGREED.includes(d.id)).map((d) => d.title);
    out.push(row(`**package** (${titles.join(' + ')})`, r.package));
  }
  const clearDrafts = r.drafts.filter((d) => verdict(d.war) !== 'no clear effect');
  out.push(
    '',
    clearDrafts.length
      ? `The drafts whose interval on P(war) excludes 0: ${clearDrafts.map((d) => d.label).join(', ')}.`
      : 'No draft, the package included, has an interval on P(war) that excludes 0 at this number of runs.',
  );
  if (r.hosting) out.push('', ...hostingWords(r.hosting).flatMap((l) => [l, '']));
  const l = r.leak;
  if (l?.points.length) {
    const eu = l.venues[0]!;
    out.push(
      "Sweeping the leak probability per round of the package's talks (the change in P(war) with the package, points, and its 95% interval):",
      '',
      '| leak probability per round | P(war): change [95%] | reading |',
      '| --- | --- | --- |',
      ...l.points.map(
        (x) =>
          `| ${pctWords(x.p)}${x.p === eu.p ? ` (${eu.name})` : ''} | ${delta(x.war)} | ${verdict(x.war)} |`,
      ),
      '',
    );
    const bilateral = leakParams(withProtocols(ex.base, ['us-china-talks'], {})).find((v) => v.to === eu.to);
    if (l.verdict === 'break-even' && l.breakEven !== null) {
      const side = (p: number) => (p < l.breakEven! ? 'below' : 'at or above');
      out.push(
        `The package stops lowering P(war) at a leak probability of **${pctWords(l.breakEven)} per round** (break-even, linear between grid points). The library's judgement puts the EU venue at ${pctWords(eu.p)} per round, ${side(eu.p)} it${bilateral ? `, and bilateral US–China talks (\`us-china-talks\`) at ${pctWords(bilateral.p)}, ${side(bilateral.p)} it` : ''}.`,
      );
    } else if (l.verdict === 'pays-always')
      out.push('The package lowers P(war) at every leak probability of the grid.');
    else if (l.verdict === 'never-pays')
      out.push('Even if the talks never leak, the package does not lower P(war).');
  }
  return out.join('\n');
}

export async function regions(): Promise<Record<string, string>> {
  return {
    'talks-hosting': await hosting(),
    'talks-breakeven': await breakeven(),
    'talks-participation': await participation(),
    'talks-example-positions': await examplePositions(),
    'talks-example-gaps': await exampleGaps(),
    'talks-example-protocols': await exampleProtocols(),
  };
}
