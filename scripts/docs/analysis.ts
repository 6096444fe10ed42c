// docs/analysis.md's figures: every console block is the output of the command it shows, and every
// "Reading" sentence with a number is written from that command's JSON. Fixed seeds; no wall-clock
// figure (timing goes to `npm run bench`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brinkJson, brinkText } from './lib.ts';

export const doc = 'docs/analysis.md';

interface Delta {
  base: number;
  alt: number;
  d: number;
  ci95: [number, number];
  baseOnly: number;
  altOnly: number;
}
interface Mechanism {
  mechanism: string;
  withIntervention: number;
  atBaseline: number;
}
interface Comparison {
  with: string;
  delta: Record<string, Delta>;
  saved: number;
  harmed: number;
  mechanisms: {
    saved?: { traced: number; present: Mechanism[] };
    harmed?: { traced: number; present: Mechanism[] };
  };
}
interface CompareJson {
  runs: number;
  comparisons: Comparison[];
}
interface RareJson {
  estimate: number;
  ci95: [number, number];
}
interface Cause {
  kind: string;
  observer: string;
  act: string;
  perceived: string;
  runs: number;
  share: number;
}
interface CounterfactualJson {
  attribution: { warRuns: number; causes: Cause[] };
  counterfactual: {
    avoidable: { share: number; ci95: [number, number] };
    perfectPerception: { share: number; ci95: [number, number] };
    byCause: (Cause & { avoided: number })[];
  };
}

/** `$ brink ARGS` and what it printed, as a console block (`show` replaces the args on the `$` line). */
function consoleBlock(args: string[], out: string, show?: string, cut?: number): string {
  // `brink run` ends its summary with the wall-clock seconds: not a figure this page may carry.
  let body = out.replace(/\n+$/, '').replace(/; \d+(\.\d+)? s wall$/gm, '; (wall-clock time: npm run bench)');
  if (cut !== undefined) {
    const lines = body.split('\n');
    if (lines.length > cut) body = `${lines.slice(0, cut).join('\n')}\n...`;
  }
  return `\`\`\`console\n$ ${show ?? `brink ${args.join(' ')}`}\n${body}\n\`\`\``;
}

async function block(args: string[], show?: string, cut?: number): Promise<string> {
  return consoleBlock(args, await brinkText(args), show, cut);
}

const pts = (x: number, d = 2) => `${x < 0 ? '−' : '+'}${Math.abs(x * 100).toFixed(d)}`;
const pct = (x: number, d = 2) => `${(x * 100).toFixed(d)}%`;
const int = (n: number) => n.toLocaleString('en-US');

/** "lowers P(war or worse) by 0.20 points (95% CI 0.12 to 0.27)" or "raises", or "does not change it detectably". */
function effect(d: Delta): string {
  const [lo, hi] = d.ci95;
  const abs = (x: number) => (Math.abs(x) * 100).toFixed(2);
  if (hi < 0) return `lowers P(war or worse) by ${abs(d.d)} points (95% CI ${abs(hi)} to ${abs(lo)})`;
  if (lo > 0) return `raises P(war or worse) by ${abs(d.d)} points (95% CI ${abs(lo)} to ${abs(hi)})`;
  return `changes P(war or worse) by ${pts(d.d)} points (95% CI ${pts(lo)} to ${pts(hi)}), an interval that includes no change`;
}

function topMechanism(c: Comparison, side: 'saved' | 'harmed'): string {
  const m = c.mechanisms[side]?.present[0];
  if (!m) return '';
  return `; in ${Math.round(m.withIntervention * 100)}% of the ${side} runs traced, ${m.mechanism}${m.atBaseline === 0 ? ' (never in the same runs without it)' : ` (${Math.round(m.atBaseline * 100)}% without it)`}`;
}

function reading(c: Comparison): string {
  const w = c.delta.warOrWorse!;
  return `\`${c.with}\` ${effect(w)}: it saves ${int(c.saved)} runs from war or worse and pushes ${int(c.harmed)} into it${topMechanism(c, 'saved')}${c.harmed > 0 ? topMechanism(c, 'harmed') : ''}.`;
}

const COMPARE_INTERCEPT = [
  'compare',
  'scenarios/korea-intercept.yaml',
  '--with',
  'eu-hosted-talks',
  '--with',
  'us-china-talks',
  '--with',
  'hotline+launch-notification',
  '--runs',
  '20000',
  '--seed',
  '1',
];
const COMPARE_DECAP = [
  'compare',
  'scenarios/korea-decapitation-misread.yaml',
  '--with',
  'exercise-notification',
  '--with',
  'hotline',
  '--runs',
  '20000',
  '--seed',
  '1',
];

async function workers(): Promise<string> {
  const base = [
    'compare',
    'scenarios/korea-intercept.yaml',
    '--with',
    'hotline',
    '--with',
    'eu-hosted-talks',
    '--runs',
    '20000',
    '--seed',
    '1',
  ];
  const strip = (t: string) => {
    const j = JSON.parse(t) as Record<string, unknown>;
    delete j.timing;
    return JSON.stringify(j);
  };
  const one = strip(await brinkText([...base, '--workers', '1', '--json']));
  const two = strip(await brinkText([...base, '--workers', '2', '--json']));
  if (one !== two) throw new Error('compare with 1 and 2 workers differ outside timing');
  const cmd = `brink ${base.join(' ')}`;
  return [
    '```console',
    `$ ${cmd} --workers 1 --json > w1.json`,
    `$ ${cmd} --workers 2 --json > w2.json`,
    `$ diff <(jq 'del(.timing)' w1.json) <(jq 'del(.timing)' w2.json) && echo same`,
    'same',
    '```',
  ].join('\n');
}

async function compareRegions(): Promise<Record<string, string>> {
  const icpt = await brinkJson<CompareJson>([...COMPARE_INTERCEPT, '--workers', '1']);
  const decap = await brinkJson<CompareJson>([...COMPARE_DECAP, '--workers', '1']);
  const excerpt = JSON.parse(JSON.stringify(icpt.comparisons[0])) as Record<string, unknown>;
  excerpt.exceedance = '/* one paired delta per rung */';
  if (Array.isArray(excerpt.savedRuns)) excerpt.savedRuns = (excerpt.savedRuns as number[]).slice(0, 3);
  const mech = excerpt.mechanisms as Record<string, { present: unknown[]; sentences: unknown[] }>;
  for (const k of Object.keys(mech)) {
    mech[k]!.present = mech[k]!.present.slice(0, 2);
    mech[k]!.sentences = mech[k]!.sentences.slice(0, 1);
  }
  const json = JSON.stringify({ comparisons: [excerpt] }, null, 2).replace(
    '"/* one paired delta per rung */"',
    '[ /* one paired delta per rung */ ]',
  );
  return {
    'compare-intercept': await block(
      [...COMPARE_INTERCEPT, '--workers', '1'],
      `brink ${COMPARE_INTERCEPT.join(' ')}`,
    ),
    'compare-intercept-reading': `Reading (${int(icpt.runs)} paired runs per arm): ${icpt.comparisons.map(reading).join(' ')} \`brink trace FILE --with X --run I\` replays any listed run.`,
    'compare-json': `\`\`\`json\n${json}\n\`\`\``,
    'compare-decap': await block([...COMPARE_DECAP, '--workers', '1'], `brink ${COMPARE_DECAP.join(' ')}`),
    'compare-decap-reading': `Reading: ${decap.comparisons.map(reading).join(' ')}`,
  };
}

async function counterfactual(): Promise<Record<string, string>> {
  const args = [
    'run',
    'scenarios/korea-decapitation-misread.yaml',
    '--runs',
    '20000',
    '--seed',
    '1',
    '--counterfactual',
  ];
  const text = await brinkText([...args, '--workers', '1']);
  const j = await brinkJson<CounterfactualJson>([...args, '--workers', '1']);
  const top = j.attribution.causes[0];
  const cf = j.counterfactual;
  const by = top
    ? cf.byCause.find(
        (c) =>
          c.kind === top.kind &&
          c.observer === top.observer &&
          c.act === top.act &&
          c.perceived === top.perceived,
      )
    : undefined;
  const what = (c: { kind: string; observer: string; act: string; perceived: string }) =>
    c.kind === 'false-alarm'
      ? `${c.observer} taking a false alarm for ${c.perceived}`
      : `${c.observer} reading ${c.act} as ${c.perceived}`;
  const ci = (c: [number, number]) => `[${pct(c[0], 1)}, ${pct(c[1], 1)}]`;
  const sentences = [
    top && by
      ? `${pct(top.share, 1)} of the ${int(j.attribution.warRuns)} war runs began with ${what(top)}, and ${pct(by.share, 0)} of those no longer reach war when that one misperception is removed (every other draw kept).`
      : `No war run began with a misperception.`,
    `Removing the misperception each chain began with avoids ${pct(cf.avoidable.share, 1)} ${ci(cf.avoidable.ci95)} of the war runs; removing every misperception (perfect perception), ${pct(cf.perfectPerception.share, 1)} ${ci(cf.perfectPerception.ci95)}.`,
    cf.perfectPerception.share < cf.avoidable.share
      ? 'Perfect perception avoids fewer: an actor that sees everything also sees every real provocative act, and those raise its belief that an attack is being prepared.'
      : 'Perfect perception avoids at least as many: what remains are chains of acts read correctly.',
  ];
  return {
    counterfactual: consoleBlock(args, text, `brink ${args.join(' ')}`),
    'counterfactual-reading': `Reading: ${sentences.join(' ')}`,
  };
}

async function sweep(): Promise<Record<string, string>> {
  const args = [
    'sweep',
    'scenarios/korea-test-failure.yaml',
    '--with',
    'eu-hosted-talks',
    '--param',
    'talks.eu-hosted.leak.DPRK.p=0..0.3:4',
    '--param',
    'talks.eu-hosted.convergence=0.15..0.6:2',
    '--runs',
    '10000',
    '--seed',
    '1',
  ];
  return { sweep: await block([...args, '--workers', '1'], `brink ${args.join(' ')}`) };
}

async function sensitivity(): Promise<Record<string, string>> {
  const args = ['sensitivity', 'scenarios/korea-decapitation-misread.yaml', '--seed', '1'];
  return { sensitivity: await block([...args, '--workers', '1'], `brink ${args.join(' ')}`) };
}

interface BreakevenJson {
  verdict: string;
  range: [number, number];
  param: { nominal: number };
  crossing: { x: number; ci95: [number, number]; direction: string } | null;
}

async function breakeven(): Promise<Record<string, string>> {
  const args = [
    'breakeven',
    'scenarios/korea-intercept.yaml',
    '--with',
    'eu-hosted-talks',
    '--param',
    'talks.eu-hosted.leak.DPRK.p',
    '--range',
    '0..0.4',
    '--runs',
    '20000',
    '--seed',
    '1',
  ];
  const text = await brinkText([...args, '--workers', '1']);
  const j = await brinkJson<BreakevenJson>([...args, '--workers', '1']);
  const c = j.crossing;
  const nominal = j.param.nominal;
  let r: string;
  if (j.verdict === 'crosses' && c) {
    const [lo, hi] = c.ci95;
    r =
      c.direction === 'stops-paying'
        ? `the EU-hosted talks lower P(war or worse) after an interception as long as each round leaks to Pyongyang with probability below about ${pct(c.x, 1)} (95% CI ${pct(lo, 1)} to ${pct(hi, 1)}); the library's judgement for the EU-hosted format is ${pct(nominal, 0)} per round, ${nominal < lo ? 'below the whole interval' : nominal <= hi ? 'inside the interval: the verdict is not secure' : 'above the crossing: the talks do not pay at the judged leak rate'}.`
        : `the EU-hosted talks start to pay at a leak probability of about ${pct(c.x, 1)} (95% CI ${pct(lo, 1)} to ${pct(hi, 1)}).`;
  } else {
    r = `the difference does not cross 0 between ${j.range[0]} and ${j.range[1]} (verdict \`${j.verdict}\`): the EU-hosted talks' effect keeps its sign over the whole range.`;
  }
  return {
    breakeven: consoleBlock(args, text, `brink ${args.join(' ')}`),
    'breakeven-reading': `Reading: ${r}`,
  };
}

const LADDER = 'test/fixtures/valid/birth-death-ladder.yaml';
const DECAP = 'scenarios/korea-decapitation-misread.yaml';
const BETTER_ISR = [
  '--set',
  'actors.DPRK.perception.misread.US.bomber-flight.US.strike-package=0.003',
  '--set',
  'actors.DPRK.perception.misread.US.alert.US.strike-package=0.003',
  '--set',
  'actors.DPRK.perception.falseAlarms.US.strike-package=0.0001',
];

async function rare(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const est = (e: string) => (e === 'crude' ? ['--estimator', e] : ['--estimator', e]);
  for (const e of ['crude', 'ams', 'is']) {
    const runs = e === 'crude' ? ['--runs', '1000000'] : [];
    const args = ['run', LADDER, ...est(e), ...runs, '--seed', '1'];
    out[`ladder-${e}`] = await block([...args, '--workers', '1'], `brink ${args.join(' ')}`);
  }
  const exact = (r: number) => (r * r - 1) / (r ** 9 - 1);
  const truth = exact(0.85 / 0.15);
  const rows = [
    'seed  AMS estimate  95% CI                 covers | IS estimate  95% CI                 covers',
  ];
  let amsCover = 0;
  let isCover = 0;
  const f = (x: number) => x.toExponential(3);
  for (let seed = 1; seed <= 10; seed++) {
    const a = await brinkJson<RareJson>([
      'run',
      LADDER,
      '--estimator',
      'ams',
      '--replicates',
      '10',
      '--particles',
      '500',
      '--seed',
      String(seed),
    ]);
    const i = await brinkJson<RareJson>(['run', LADDER, '--estimator', 'is', '--seed', String(seed)]);
    const ac = a.ci95[0] <= truth && truth <= a.ci95[1];
    const ic = i.ci95[0] <= truth && truth <= i.ci95[1];
    amsCover += ac ? 1 : 0;
    isCover += ic ? 1 : 0;
    rows.push(
      `${String(seed).padStart(4)}  ${f(a.estimate)}     [${f(a.ci95[0])}, ${f(a.ci95[1])}]  ${String(ac).padEnd(5)}  | ${f(i.estimate)}    [${f(i.ci95[0])}, ${f(i.ci95[1])}]  ${ic}`,
    );
  }
  out['ladder-coverage'] = [
    `Over seeds 1–10 (AMS with 10 replicates of 500 particles: \`--replicates 10 --particles 500\`; IS with its`,
    `defaults) the AMS intervals cover the exact answer ${amsCover} times out of 10, the IS intervals ${isCover} out of 10:`,
    '',
    '```text',
    ...rows,
    '```',
  ].join('\n');
  for (const e of ['crude', 'ams', 'is']) {
    const runs = e === 'crude' ? ['--runs', '200000'] : [];
    const args = ['run', DECAP, ...est(e), ...runs, '--seed', '1'];
    out[`decap-${e}`] = await block([...args, '--workers', '1'], `brink ${args.join(' ')}`);
  }
  for (const e of ['crude', 'ams', 'is']) {
    const runs = e === 'crude' ? ['--runs', '400000'] : [];
    const args = ['run', DECAP, ...BETTER_ISR, ...est(e), ...runs, '--seed', '1'];
    const show = `brink run ${DECAP} ${BETTER_ISR.slice(0, 2).join(' ')} \\\n    ${BETTER_ISR.slice(2, 4).join(' ')} \\\n    ${BETTER_ISR.slice(4).join(' ')} ${[...est(e), ...runs, '--seed', '1'].join(' ')}`;
    out[`isr-${e}`] = await block([...args, '--workers', '1'], show);
  }
  return out;
}

async function reports(): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'brink-docs-'));
  try {
    const args = ['run', 'scenarios/korea-test-failure.yaml', '--runs', '20000', '--seed', '1'];
    const md = await brinkText([
      ...args,
      '--workers',
      '1',
      '--report',
      join(dir, 'r.html'),
      '--format',
      'md',
    ]);
    const csvArgs = [
      'run',
      'scenarios/korea-intercept.yaml',
      '--runs',
      '5000',
      '--seed',
      '1',
      '--format',
      'csv',
    ];
    return {
      'report-md': consoleBlock(
        args,
        md,
        `brink ${args.join(' ')} --report test-failure.html --format md`,
        28,
      ),
      'report-csv': consoleBlock(csvArgs, await brinkText([...csvArgs, '--workers', '1']), undefined, 14),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface BandJson {
  outcomes: Record<string, { p: number; ci95: [number, number] }>;
  epistemic: {
    draws: number;
    parameters: number;
    runsPerDraw: number;
    outcomes: Record<string, { median: number; band90: [number, number]; noiseShare: number }>;
  };
}
interface EpistemicCompareJson {
  parameterDraws: { draws: number; parameters: number };
  comparisons: {
    with: string;
    delta: Record<string, Delta>;
    epistemic: {
      pHelps: { p: number; ci95: [number, number] };
      d: Record<string, { median: number; band90: [number, number] }>;
      parameters: { path: string; importance: number; firstOrder: number }[];
    };
  }[];
}

/** The section on the two intervals: small run counts (the figures are about the method, not the scenario). */
export async function epistemic(): Promise<Record<string, string>> {
  // Few draws and runs: the figures show the method; `--workers 1` is left off the command shown.
  const small = ['--epistemic', '20', '--runs', '1000', '--seed', '1', '--workers', '1'];
  const run = ['run', 'scenarios/korea-decapitation-misread.yaml', ...small];
  const text = await brinkText(run);
  const j = await brinkJson<BandJson>(run);
  const war = j.outcomes.war!;
  const band = j.epistemic.outcomes.war!;
  const width = (c: [number, number]) => c[1] - c[0];
  const cmp = [
    'compare',
    'scenarios/korea-intercept.yaml',
    '--with',
    'eu-hosted-talks',
    '--with',
    'hotline',
    '--trace',
    '0',
    ...small,
  ];
  const ctext = await brinkText(cmp);
  const c = await brinkJson<EpistemicCompareJson>(cmp);
  // The band's own section: from its title to the line that names the two intervals.
  const part = (t: string) => {
    const from = t.slice(t.indexOf('Parameter uncertainty'));
    const end = from.indexOf('\n\nMisperceptions behind');
    return end < 0 ? from : from.slice(0, end);
  };
  const show = (args: string[]) => `brink ${args.slice(0, -2).join(' ')}`;
  const armReading = (x: EpistemicCompareJson['comparisons'][number]) => {
    const top = x.epistemic.parameters[0]!;
    return `\`${x.with}\` lowers P(war or worse) in ${pct(x.epistemic.pHelps.p, 0)} of the draws (95% CI ${pct(x.epistemic.pHelps.ci95[0], 0)} to ${pct(x.epistemic.pHelps.ci95[1], 0)}); the parameter whose uncertainty matters most to that decision is \`${top.path}\` (EVPPI ${(top.importance * 100).toFixed(3)} points, first-order share ${top.firstOrder.toFixed(2)})`;
  };
  return {
    'epistemic-run': consoleBlock(run, part(text), `${show(run)}   # the ensemble's own tables omitted`),
    'epistemic-run-reading': `Reading: at its nominal parameters, ${pct(war.p, 1)} of the 1,000 runs end in war, with a Monte Carlo interval of ${pct(war.ci95[0], 1)} to ${pct(war.ci95[1], 1)} (${(width(war.ci95) * 100).toFixed(1)} points wide). Across ${j.epistemic.draws} draws of its ${j.epistemic.parameters} uncertain parameters the median is ${pct(band.median, 1)} and the parameter-uncertainty band runs from ${pct(band.band90[0], 1)} to ${pct(band.band90[1], 1)} (${(width(band.band90) * 100).toFixed(1)} points): ${(width(band.band90) / width(war.ci95)).toFixed(1)} times as wide. The runs' own noise accounts for ${pct(band.noiseShare, 0)} of the spread across draws.`,
    'epistemic-compare': consoleBlock(cmp, part(ctext), `${show(cmp)}   # the paired table omitted`),
    'epistemic-compare-reading': `Reading: ${c.comparisons.map(armReading).join('; ')}.`,
  };
}

export async function regions(): Promise<Record<string, string>> {
  return {
    workers: await workers(),
    ...(await compareRegions()),
    'compare-ams': await block(
      [
        'compare',
        DECAP,
        '--with',
        'exercise-notification',
        '--estimator',
        'ams',
        '--seed',
        '1',
        '--particles',
        '500',
        '--replicates',
        '10',
      ],
      undefined,
    ),
    ...(await counterfactual()),
    ...(await sweep()),
    ...(await sensitivity()),
    ...(await breakeven()),
    ...(await epistemic()),
    ...(await rare()),
    ...(await reports()),
  };
}
