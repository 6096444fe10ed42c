// docs/workbench.md "Under load": the figures of `npm run bench:server` as committed in
// bench/results/server.json (wall-clock figures cannot be regenerated in CI; the JSON is the record of
// the measurement, with the command and the machine's load, and this table is a pure function of it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib.ts';

export const doc = 'docs/workbench.md';

interface Side {
  ref: string;
  validations: {
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
  signIns: { minMs: number; maxMs: number; over1s: number; over2s: number; rssGrowthMB: number };
  reads: {
    quiet: { perSecond: number; p99Ms: number };
    duringEnsembles: { perSecond: number; p99Ms: number };
    ensembleRuns: number;
  };
}

interface Results {
  command: string;
  machine: {
    cores: number;
    cpu: string;
    loadAverageAtStart: number[];
    loadAverageAtEnd: number[];
    date: string;
    node: string;
  };
  before?: Side;
  after: Side;
}

const n = (x: number) => x.toLocaleString('en-US');
const ms = (x: number) => `${n(x)} ms`;

export async function regions(): Promise<Record<string, string>> {
  const r = JSON.parse(readFileSync(join(ROOT, 'bench/results/server.json'), 'utf8')) as Results;
  const sides = [r.before, r.after].filter((s): s is Side => s !== undefined);
  const head = `| | ${sides.map((s, i) => `${i === 0 && r.before ? 'before' : 'after'} (${s.ref})`).join(' | ')} |`;
  const row = (label: string, f: (s: Side) => string) => `| ${label} | ${sides.map(f).join(' | ')} |`;
  const m = r.machine;
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
    // Other work on the machine (the load average at the start, before the bench's own load) decides
    // how the figures may be read.
    (m.loadAverageAtStart[0] ?? 0) >= m.cores
      ? `Measured with \`${r.command}\` on ${m.date}, Node ${m.node}, on a **shared ${m.cores}-core machine (${m.cpu}) that other jobs were loading**: load average ${m.loadAverageAtStart[0]} at the start and ${m.loadAverageAtEnd[0]} at the end, so the server got a fraction of a core and every figure is several times what an idle machine gives; compare the columns with each other, not with a target.`
      : `Measured with \`${r.command}\` on ${m.date}, Node ${m.node}, on a ${m.cores}-core machine (${m.cpu}) with little else running: load average ${m.loadAverageAtStart[0]} at the start (below the ${m.cores} cores) and ${m.loadAverageAtEnd[0]} at the end (the bench's own server, clients and ensembles).`,
  ];
  return { 'server-load': lines.join('\n') };
}
