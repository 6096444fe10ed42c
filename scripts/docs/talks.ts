// docs/talks.md's model figures (decision 0017): the value of hosting US-China contingency talks in each
// op-ed scenario (EU, a neutral state, a Track 2 institute, bilateral, none), the leak chance and the
// discretion at which hosting stops paying, and P(Beijing takes part) as a function of the venue's
// discretion. Every number comes from the commands shown, with fixed seeds.
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

export async function regions(): Promise<Record<string, string>> {
  return {
    'talks-hosting': await hosting(),
    'talks-breakeven': await breakeven(),
    'talks-participation': await participation(),
  };
}
