// docs/workbench.md "Under load": the figures of `npm run bench:server` as committed in
// bench/results/server.json (wall-clock figures cannot be regenerated in CI; the JSON is the record of
// the measurement, with the command and the machine's load, and this table is a pure function of it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib.ts';

export const doc = 'docs/workbench.md';

interface Burst {
  healthMaxMs: number;
  healthP99Ms: number;
  requestMinMs: number;
  requestMaxMs: number;
  jobsHealthMaxMs: number;
  jobsHealthP99Ms: number;
  statuses: Record<string, number>;
}

interface Machine {
  cores: number;
  cpu: string;
  loadAverageAtStart: number[];
  loadAverageAtEnd: number[];
  date: string;
  node: string;
}

interface Side {
  ref: string;
  validations: {
    ref?: string;
    healthMaxMs: number;
    healthP99Ms: number;
    requestMinMs: number;
    requestMaxMs: number;
    statuses: Record<string, number>;
  };
  submissions: {
    healthMaxMs: number;
    healthP99Ms: number;
    requestMaxMs: number;
    jobsHealthMaxMs: number;
    jobsHealthP99Ms: number;
  };
  /** 30 comparison submissions (in the file since issue 18's analysis routes moved to the pool). */
  analyses?: Burst & { ref?: string };
  /** 10 talks convenings and a gap ranking (issue 18, session 6). */
  talks?: Burst & {
    ref?: string;
    gapsStatus: string;
    gapsSeconds: number;
    gapsHealthMaxMs: number;
    gapsHealthP99Ms: number;
  };
  /** 10 exercise look-aheads (issue 18, session 6). */
  exercises?: Burst & { ref?: string; seconds: number; jobs: Record<string, number> };
  /** Exercise moves: 4 exercises, 8 teams, 12 live streams, 4 rounds (issue 18, session 7). */
  moves?: {
    ref?: string;
    healthMaxMs: number;
    healthP99Ms: number;
    healthPolls: number;
    moves: number;
    requestP50Ms: number;
    requestMaxMs: number;
    statuses: Record<string, number>;
    streams: number;
    events: number;
  };
  signIns: { minMs: number; maxMs: number; over1s: number; over2s: number; rssGrowthMB: number };
  reads: {
    quiet: { perSecond: number; p99Ms: number };
    duringEnsembles: { perSecond: number; p99Ms: number };
    ensembleRuns: number;
  };
}

interface Results {
  command: string;
  machine: Machine;
  before?: Side;
  after: Side;
  /** Sections measured by a later `--only` run: its command and machine. */
  apart?: Partial<
    Record<
      'validations' | 'analyses' | 'talks' | 'exercises' | 'moves',
      { command: string; machine: Machine }
    >
  >;
}

const n = (x: number) => x.toLocaleString('en-US');
const ms = (x: number) => `${n(x)} ms`;

export async function regions(): Promise<Record<string, string>> {
  const r = JSON.parse(readFileSync(join(ROOT, 'bench/results/server.json'), 'utf8')) as Results;
  const sides = [r.before, r.after].filter((s): s is Side => s !== undefined);
  // A side's sections name the ref that measured them when a later `--only` run measured them again.
  const head = `| | ${sides.map((s, i) => `${i === 0 && r.before ? 'before' : 'after'} (${s.validations.ref ?? s.ref})`).join(' | ')} |`;
  const row = (label: string, f: (s: Side) => string) => `| ${label} | ${sides.map(f).join(' | ')} |`;
  const again = r.apart?.validations;
  const lines = [
    head,
    `|---|${sides.map(() => '---').join('|')}|`,
    row(
      '30 validations: longest /api/health wait (p99)',
      (s) => `${ms(s.validations.healthMaxMs)} (${ms(s.validations.healthP99Ms)})`,
    ),
    row(
      '30 validations: each took',
      (s) => `${n(s.validations.requestMinMs)}–${ms(s.validations.requestMaxMs)}`,
    ),
    row(
      '30 run submissions: longest /api/health wait (p99)',
      (s) => `${ms(s.submissions.healthMaxMs)} (${ms(s.submissions.healthP99Ms)})`,
    ),
    row(
      'the 30 jobs executing: longest /api/health wait (p99)',
      (s) => `${ms(s.submissions.jobsHealthMaxMs)} (${ms(s.submissions.jobsHealthP99Ms)})`,
    ),
    row(
      '20 sign-ins: each took',
      (s) => `${n(s.signIns.minMs)}–${ms(s.signIns.maxMs)} (${s.signIns.over2s} over 2 s)`,
    ),
    row('20 sign-ins: RSS growth', (s) => `${n(s.signIns.rssGrowthMB)} MB`),
    row(
      'reads, server idle: requests/s (p99)',
      (s) => `${n(s.reads.quiet.perSecond)} (${ms(s.reads.quiet.p99Ms)})`,
    ),
    row(
      `reads during 4 ensembles of ${n(r.after.reads.ensembleRuns)} runs: requests/s (p99)`,
      (s) => `${n(s.reads.duringEnsembles.perSecond)} (${ms(s.reads.duringEnsembles.p99Ms)})`,
    ),
    '',
    again ? measuredWith(again.command, again.machine) : measuredWith(r.command, r.machine),
  ];
  return {
    'server-load': lines.join('\n'),
    'server-load-analyses': analysesTable(r),
    'server-load-rooms': roomsTable(r),
    'server-load-exercises': exercisesTable(r),
  };
}

// Other work on the machine (the load average at the start, before the bench's own load) decides how the
// figures may be read.
function measuredWith(command: string, m: Machine): string {
  return (m.loadAverageAtStart[0] ?? 0) >= m.cores
    ? `Measured with \`${command}\` on ${m.date}, Node ${m.node}, on a **shared ${m.cores}-core machine (${m.cpu}) that other jobs were loading**: load average ${m.loadAverageAtStart[0]} at the start and ${m.loadAverageAtEnd[0]} at the end, so the server got a fraction of a core and every figure is several times what an idle machine gives; compare the columns with each other, not with a target.`
    : `Measured with \`${command}\` on ${m.date}, Node ${m.node}, on a ${m.cores}-core machine (${m.cpu}) with little else running: load average ${m.loadAverageAtStart[0]} at the start (below the ${m.cores} cores) and ${m.loadAverageAtEnd[0]} at the end (the bench's own server, clients and ensembles).`;
}

/** The 30 comparison submissions, before and after, with the run that measured them. */
function analysesTable(r: Results): string {
  const sides = [r.before, r.after]
    .map((s, i) =>
      s?.analyses
        ? { label: i === 0 ? 'before' : 'after', ref: s.analyses.ref ?? s.ref, a: s.analyses }
        : null,
    )
    .filter((s) => s !== null);
  if (sides.length === 0)
    return 'Not measured yet: run `npm run bench:server -- --only analyses --json-out bench/results/server.json`.';
  const row = (label: string, f: (a: Burst) => string) =>
    `| ${label} | ${sides.map((s) => f(s.a)).join(' | ')} |`;
  const apart = r.apart?.analyses;
  return [
    `| | ${sides.map((s) => `${s.label} (${s.ref})`).join(' | ')} |`,
    `|---|${sides.map(() => '---').join('|')}|`,
    row(
      '30 comparison submissions: longest /api/health wait (p99)',
      (a) => `${ms(a.healthMaxMs)} (${ms(a.healthP99Ms)})`,
    ),
    row('30 comparison submissions: each took', (a) => `${n(a.requestMinMs)}–${ms(a.requestMaxMs)}`),
    row(
      'the 30 comparisons executing: longest /api/health wait (p99)',
      (a) => `${ms(a.jobsHealthMaxMs)} (${ms(a.jobsHealthP99Ms)})`,
    ),
    '',
    apart ? measuredWith(apart.command, apart.machine) : measuredWith(r.command, r.machine),
  ].join('\n');
}

/** The talks room (10 convenings, a gap ranking), before and after. */
function roomsTable(r: Results): string {
  const sides = [r.before, r.after]
    .map((s, i) =>
      s?.talks && !('absent' in s.talks)
        ? { label: i === 0 ? 'before' : 'after', ref: s.talks.ref ?? s.ref, t: s.talks }
        : null,
    )
    .filter((s) => s !== null);
  if (sides.length === 0)
    return 'Not measured yet: run `npm run bench:server -- --only talks --json-out bench/results/server.json`.';
  const row = (label: string, f: (s: (typeof sides)[number]) => string) =>
    `| ${label} | ${sides.map(f).join(' | ')} |`;
  const apart = r.apart?.talks;
  return [
    `| | ${sides.map((s) => `${s.label} (${s.ref})`).join(' | ')} |`,
    `|---|${sides.map(() => '---').join('|')}|`,
    row(
      '10 talks convenings: longest /api/health wait (p99)',
      (s) => `${ms(s.t.healthMaxMs)} (${ms(s.t.healthP99Ms)})`,
    ),
    row('10 talks convenings: each took', (s) => `${n(s.t.requestMinMs)}–${ms(s.t.requestMaxMs)}`),
    row(
      'a gap ranking computing: longest /api/health wait (p99)',
      (s) => `${ms(s.t.gapsHealthMaxMs)} (${ms(s.t.gapsHealthP99Ms)})`,
    ),
    row('a gap ranking: took', (s) => `${s.t.gapsSeconds} s (${s.t.gapsStatus})`),
    '',
    apart ? measuredWith(apart.command, apart.machine) : measuredWith(r.command, r.machine),
  ].join('\n');
}

/** Exercises: 10 look-aheads asked at once, and moves with live streams, before and after. */
function exercisesTable(r: Results): string {
  const sides = [r.before, r.after]
    .map((s, i) =>
      s?.exercises && s.moves && !('absent' in s.exercises) && !('absent' in s.moves)
        ? { label: i === 0 ? 'before' : 'after', ref: s.exercises.ref ?? s.ref, e: s.exercises, m: s.moves }
        : null,
    )
    .filter((s) => s !== null);
  if (sides.length === 0)
    return 'Not measured yet: run `npm run bench:server -- --only exercises,moves --json-out bench/results/server.json`.';
  const row = (label: string, f: (s: (typeof sides)[number]) => string) =>
    `| ${label} | ${sides.map(f).join(' | ')} |`;
  const apart = r.apart?.exercises;
  const ok = (st: Record<string, number>) =>
    Object.entries(st)
      .map(([k, v]) => `${v} × ${k}`)
      .join(', ');
  return [
    `| | ${sides.map((s) => `${s.label} (${s.ref})`).join(' | ')} |`,
    `|---|${sides.map(() => '---').join('|')}|`,
    row(
      '10 exercise look-aheads asked at once: longest /api/health wait (p99)',
      (s) => `${ms(s.e.healthMaxMs)} (${ms(s.e.healthP99Ms)})`,
    ),
    row('10 look-ahead requests: the longest took', (s) => ms(s.e.requestMaxMs)),
    row('10 look-aheads: all done in', (s) => `${s.e.seconds} s`),
    row(
      'exercise moves: longest /api/health wait (p99)',
      (s) => `${ms(s.m.healthMaxMs)} (${ms(s.m.healthP99Ms)})`,
    ),
    row(
      'exercise moves: each took, median (longest)',
      (s) => `${ms(s.m.requestP50Ms)} (${ms(s.m.requestMaxMs)})`,
    ),
    row('exercise moves: answers', (s) => `${ok(s.m.statuses)} (${n(s.m.moves)} moves)`),
    row('live views sent on the event streams', (s) => `${n(s.m.events)} on ${s.m.streams} streams`),
    '',
    apart ? measuredWith(apart.command, apart.machine) : measuredWith(r.command, r.machine),
  ].join('\n');
}
