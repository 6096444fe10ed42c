// The text of scenarios/lib/calibrated.yaml: a `kind: library` whose `params` hold every calibrated
// parameter with its source; the tables behind them are repeated as comments for a reader.
import type { Calibration } from './index.ts';
import type { CalibratedParam } from './parameters.ts';

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function paramLines(p: CalibratedParam): string[] {
  const d = p.dist;
  const lines = [`  # mean ${f3(p.mean)}, 95% interval ${f3(p.lo)}-${f3(p.hi)}`, `  ${p.name}:`];
  if ('beta' in d) lines.push(`    beta: [${d.beta[0]}, ${d.beta[1]}]`);
  else if ('lognormal' in d) lines.push(`    lognormal: [${d.lognormal[0]}, ${d.lognormal[1]}]`);
  else throw new Error(`calibrated parameter ${p.name}: only beta and lognormal are written`);
  if (d.value !== undefined) lines.push(`    value: ${d.value}`);
  lines.push(`    source: ${JSON.stringify(d.source ?? '')}`);
  return lines;
}

function table(head: string[], rows: (string | number)[][]): string[] {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => `#   ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd());
}

function header(c: Calibration): string[] {
  const d = c.dprk;
  const last = d.options.lastYear;
  const cell = (x: {
    label: string;
    tests: number;
    failures: number;
    successes: number;
    unknown: number;
  }) => [x.label, x.tests, x.failures, x.successes, x.unknown, f3(x.failures / (x.failures + x.successes))];
  const out = [
    '# Parameters fitted to data by `brink calibrate`. GENERATED from data/: do not edit by hand; change the',
    '# data or src/calibration/ and run `npx brink calibrate` (test/calibration/calibrate.test.ts fails when',
    '# this file is stale). Scenarios use a parameter as `{param: NAME}` after extending this file.',
    '#',
    '# Rates are Beta posteriors from a uniform Beta(1, 1) prior: Beta(1 + k, 1 + n - k) for k events in n',
    '# trials, so a cell with few tests stays wide and one with none observed has mean 1 / (n + 2). Failure',
    `# rates count known outcomes only (unknown outcomes are reported, not imputed) and use tests to ${last}:`,
    '# newer outcomes in the CNS copy are preliminary. Rates per day are lognormal. Each `source` says which',
    '# rows were counted. The comment above each parameter gives its mean and 95% interval.',
    '#',
    `# DPRK tests to ${last} by class and era (raw failure share = failed / (failed + succeeded)):`,
    ...table(
      ['cell', 'tests', 'failed', 'succeeded', 'unknown', 'raw'],
      [cell(d.all), ...d.byEra.map(cell), ...d.byClassEra.map(cell)],
    ),
    '#',
    '# By missile type (types flown at least 3 times):',
    ...table(
      ['type', 'tests', 'failed', 'succeeded', 'unknown', 'raw'],
      d.byType.filter((t) => t.tests >= 3).map(cell),
    ),
    '#',
    `# Launch days per year: ${d.tempo.launchDaysByYear.map((y) => `${y.year} ${y.days}`).join(', ')}.`,
    `# Gaps between launch days since 2012: median ${d.tempo.gaps.median} days (quartiles ${d.tempo.gaps.q1}-${d.tempo.gaps.q3}, max ${d.tempo.gaps.max}).`,
    '# Tests cluster, so the mean rate (launch days / days) is well below 1 / median gap.',
    `# Long-range failure days and the long-range launch days in the ${d.options.retestWindowDays} days after each:`,
    ...d.retest.failures.map(
      (f) => `#   ${f.date} ${f.name}: ${f.followUps.length ? f.followUps.join(', ') : 'none'}`,
    ),
    `# Tests after ${last} (not used): ${d.provisional.tests}, of which ${d.provisional.unknown} have an unknown outcome.`,
    '#',
    `# ICB v15 (${c.icb.crises} crises), violence in the crisis as a whole, by trigger (raw shares):`,
    ...table(
      ['trigger', 'n', 'none', 'minor', 'serious', 'war', 'P(viol)', 'P(serious+)', 'P(war)'],
      [...c.icb.byTrigger, c.icb.nonViolentTriggers, c.icb.overall].map((v) => [
        v.id,
        v.n,
        v.counts[0],
        v.counts[1],
        v.counts[2],
        v.counts[3],
        f3((v.n - v.counts[0]) / v.n),
        f3((v.counts[2] + v.counts[3]) / v.n),
        f3(v.counts[3] / v.n),
      ]),
    ),
    '#',
    `# COW MID 5.0 (${c.mid.disputes} disputes), highest hostility: ${c.mid.highest.map((h) => `${h.name} ${h.count} (${pct(h.count / c.mid.disputes)})`).join(', ')}.`,
    '# Opening incident (incident data) and how far the dispute went:',
    ...table(
      ['opening', 'disputes', 'reached force', 'reached war'],
      c.mid.openings.map((o) => [o.opening, o.n, o.force.k, o.war.k]),
    ),
  ];
  return out;
}

/** Renders the calibrated library. Deterministic: the same data give the same bytes. */
export function renderLibrary(c: Calibration): string {
  const lines = [
    ...header(c),
    '# yaml-language-server: $schema=../../scenario.schema.json',
    'version: 1',
    'kind: library',
    'id: calibrated',
    'title: Parameters fitted to data (brink calibrate)',
    'description: >',
    '  DPRK missile test failure rates, tempo and overflights (CNS), crisis base rates and responses (ICB v15),',
    '  and escalation within disputes (COW MID 5.0), as named distributions with their sources.',
    'sources:',
    '  cns:',
    '    citation: James Martin Center for Nonproliferation Studies, The CNS North Korea Missile Test Database, Nuclear Threat Initiative (nagix/nk-missile-tests copy, 2026-04-21).',
    '    url: https://www.nti.org/analysis/articles/cns-north-korea-missile-test-database/',
    '    licence: CNS data, free with citation (terms not stated); nagix repository Apache-2.0; see data/cns-nk-missile-tests/README.md',
    '  icb:',
    '    citation: Brecher and Wilkenfeld, A Study of Crisis (1997/2000); Brecher, Wilkenfeld, Beardsley, James and Quinn, International Crisis Behavior Data Codebook, Version 15 (2023).',
    '    url: https://sites.duke.edu/icbdata/data-collections/',
    '    licence: free for use with citation; see data/icb-v15/README.md',
    '  mid:',
    '    citation: Palmer et al., The MID5 Dataset, 2011-2014, Conflict Management and Peace Science 39(4) (2022); Correlates of War Project, MID v5.0.',
    '    url: https://correlatesofwar.org/data-sets/mids/',
    '    licence: free for use with citation; see data/cow-mid-5.0/README.md',
    'params:',
  ];
  let group = '';
  for (const p of c.params) {
    if (p.group !== group) {
      if (group !== '') lines.push('');
      group = p.group;
      lines.push(`  # ---- ${group}`);
    }
    lines.push(...paramLines(p));
  }
  return `${lines.join('\n')}\n`;
}
