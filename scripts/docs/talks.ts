// docs/talks.md's model figures (decision 0017): the value of hosting US-China contingency talks in each
// op-ed scenario (EU, a neutral state, a Track 2 institute, bilateral, none), the leak chance and the
// discretion at which hosting stops paying, and P(Beijing takes part) as a function of the venue's
// discretion. Every number comes from the commands shown, with fixed seeds.
import { brinkJson, shell } from './lib.ts';

export const doc = 'docs/talks.md';

const SCENARIOS = ['korea-test-failure', 'korea-intercept', 'korea-decapitation-misread'];
const HOSTS = ['eu-hosted-talks', 'neutral-state-talks', 'track2-talks', 'us-china-talks'];

type P = { p: number; ci95: [number, number] };
interface CompareJson {
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

async function hosting(): Promise<string> {
  const out: string[] = [];
  const rows: string[] = [
    '| scenario | talks | P(talks happen) | P(they leak) | P(≥ war) | value of hosting: baseline − talks, pts |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  let engine = '';
  for (const id of SCENARIOS) {
    const args = ['compare', `scenarios/${id}.yaml`, ...HOSTS.flatMap((h) => ['--with', h])];
    args.push('--runs', '20000', '--seed', '3', '--workers', '1', '--trace', '0');
    out.push(shell(args));
    const r = await brinkJson<CompareJson>(args);
    engine = r.engine;
    const base = r.comparisons[0]!.delta.warOrWorse!.base;
    rows.push(`| ${id} | none (baseline) | – | – | ${pct(base)} | – |`);
    for (const c of r.comparisons) {
      const w = c.delta.warOrWorse!;
      const t = c.talks!;
      rows.push(
        `| ${id} | ${c.with} | ${pct(t.happened.p, 1)} ${ci(t.happened.ci95, 1)} | ${pct(t.leaked.p, 1)} | ${pct(w.alt)} | ${pts(-w.d)} [${pts(-w.ci95[1])}, ${pts(-w.ci95[0])}] |`,
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

async function participation(): Promise<string> {
  const rows: string[] = ['| venue discretion | P(Beijing takes part) |', '| --: | --- |'];
  const lines: string[] = [];
  for (const x of [0, 0.25, 0.5, 0.75, 1]) {
    const args = ['run', 'scenarios/korea-intercept.yaml', '--with', 'eu-hosted-talks'];
    args.push('--set', `talks.eu-hosted.venue.discretion=${x}`, '--set', 'talks.eu-hosted.venue.convening=1');
    args.push('--runs', '4000', '--seed', '1', '--workers', '1');
    lines.push(shell(args));
    const r = await brinkJson<RunJson>(args);
    rows.push(`| ${x} | ${pct(r.talks!.happened.p, 1)} ${ci(r.talks!.happened.ci95, 1)} |`);
  }
  return [
    '```sh',
    ...lines,
    '```',
    '',
    'With every round convened, the talks happen exactly when Beijing takes part (the US always does).',
    '',
    ...rows,
  ].join('\n');
}

export async function regions(): Promise<Record<string, string>> {
  return {
    'talks-hosting': await hosting(),
    'talks-breakeven': await breakeven(),
    'talks-participation': await participation(),
  };
}
