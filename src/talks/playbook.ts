// The playbook the host exports at the end of a dialogue: the agreed protocols, their simulated effects
// with 95% intervals, the gaps that remain (only those both parties agreed to show, without their
// underlying numbers), the run manifests, and the distribution list. Markdown and self-contained HTML
// (inline style and SVG, printable to PDF from a browser). The codename is the only title: no subject
// line, author or scenario name goes into the document's metadata.
import type {
  DraftMapping,
  GapRanking,
  Hosting,
  LeakAnalysis,
  Manifest,
  PairedDelta,
  ProtocolResults,
  RankedGap,
} from './types.ts';
import { hostingVerdict, pct, pts, ptsNumber } from './words.ts';

export interface PlaybookProtocol {
  title: string;
  text: string;
  parties: string[];
  agreedBy: string[];
  /** Scenario path -> its mapping onto that scenario. */
  mapping: Record<string, DraftMapping>;
}

export interface PlaybookScenario {
  title: string;
  path: string;
  protocols: ProtocolResults | null;
  gaps: {
    shown: RankedGap[];
    /** How many gaps are not shown: for the host's copy only (null in a party's). */
    withheld: number | null;
    base: { war: number; lethal: number; manifest: Manifest };
    /** The talks that would close the gaps and how often they took place (null: taken as held). */
    venue?: GapRanking['venue'];
  } | null;
  /** Actor id -> display label (the delegation's label). */
  actors: Record<string, string>;
}

export interface PlaybookInput {
  codename: string;
  /** ISO time the playbook was made (given, so the output is reproducible). */
  generatedAt: string;
  parties: { label: string; actor: string; kind: 'delegation' | 'observer' }[];
  distribution: { name: string; role: string }[];
  protocols: PlaybookProtocol[];
  scenarios: PlaybookScenario[];
  /** For each analysis in the playbook: the latest positions it used and whether they changed since. */
  freshness?: {
    protocols: { positionsAt: string | null; stale: boolean } | null;
    gaps: { positionsAt: string | null; stale: boolean } | null;
  };
  /** The host's copy (every agreed protocol, counts of withheld gaps); else a party's filtered copy. */
  forHost?: boolean;
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/**
 * Text from users (names, titles, protocol text) in Markdown: HTML is escaped (a Markdown renderer
 * passes raw HTML through), and Markdown's own markup characters are escaped so that a title cannot
 * become a link, an image or a heading.
 */
export const mdText = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]()!#|~]/g, (ch) => `\\${ch}`);
/** As mdText, on one line (table cells, list items, headings). */
const md = (s: string) => mdText(s).replace(/\r?\n/g, ' ');

export function delta(d: PairedDelta): string {
  return `${pts(d.d)} [${pts(d.ci95[0])}, ${pts(d.ci95[1])}]`;
}

/** A level with its interval, when the result has one: `3.10% [2.80, 3.42]`. */
export function level(p: number, ci: [number, number] | undefined): string {
  return ci ? `${pct(p, 2)} [${(ci[0] * 100).toFixed(2)}, ${(ci[1] * 100).toFixed(2)}]` : pct(p, 2);
}

/** The hosting paragraph: P(talks happen), P(they leak) and the value of hosting, with intervals. */
export function hostingWords(h: Hosting, text: (s: string) => string = (s) => s): string[] {
  const v = h.value;
  const reading = hostingVerdict(v.ci95);
  const what =
    h.of === 'package' ? 'the talks with the agreed package' : 'the talks (no protocol agreed yet)';
  return [
    `Venue: ${text(h.venue.title)}. P(talks happen) ${level(h.happened.p, h.happened.ci95)}; P(they leak) ${level(h.leaked.p, h.leaked.ci95)}.`,
    `Value of hosting ${what}, at the venue's own leak chance: P(war) falls by ${ptsNumber(v.d)} points [${ptsNumber(v.ci95[0])}, ${ptsNumber(v.ci95[1])}]: ${reading}. Protocols take effect only in the runs where the talks take place.`,
  ];
}

/** Why-words of a gap without a clear effect (results stored before carry none). */
const whyOf = (g: RankedGap) => g.why ?? 'no clear effect';
const isClear = (g: RankedGap) => g.clear ?? (g.war.ci95[1] < 0 || g.war.ci95[0] > 0);

export function verdict(d: PairedDelta): string {
  if (d.ci95[1] < 0) return 'lowers the risk';
  if (d.ci95[0] > 0) return 'raises the risk';
  return 'no clear effect';
}

function leakWords(l: LeakAnalysis): string {
  const venues = l.venues.map((v) => `${v.name} (leak to ${v.to}: ${pct(v.p)} per round)`).join('; ');
  switch (l.verdict) {
    case 'no-talks':
      return 'The package holds no talks that could leak.';
    case 'never-pays':
      return `Even if the talks never leak, the package does not lower P(war). Venues: ${venues}.`;
    case 'pays-always':
      return `The package lowers P(war) even if the talks leak for certain. Venues: ${venues}.`;
    default:
      return `The package stops lowering P(war) once the talks leak with probability ${pct(l.breakEven ?? 0)} per round or more (break-even). Venues: ${venues}.`;
  }
}

function manifestLine(m: Manifest): string {
  const iv = m.interventions.length ? m.interventions.join(' + ') : 'none';
  const set = Object.entries(m.set)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `scenario ${m.scenario} · id ${m.hash.slice(0, 16)} · engine ${m.engine} · seed ${m.seed ?? 'withheld'} · runs ${m.runs.toLocaleString('en')} · interventions ${iv}${set ? ` · set ${set}` : ''} · positions id ${m.positions.slice(0, 16)}${m.variant ? ` · ${m.variant}` : ''}`;
}

function gapWho(g: RankedGap, actors: Record<string, string>): string {
  return `${actors[g.holder] ?? g.holder} expects of ${actors[g.of] ?? g.of}`;
}

/** The playbook as Markdown (every text from users escaped: no HTML or Markdown markup gets through). */
export function playbookMarkdown(p: PlaybookInput): string {
  const out: string[] = [];
  out.push(`# ${md(p.codename)}: playbook`, '');
  out.push(
    `Confidential. Made ${p.generatedAt.slice(0, 16).replace('T', ' ')} UTC for the distribution list below.`,
    '',
  );
  if (p.forHost === false) out.push(PARTY_COPY, '');
  out.push('## Parties', '');
  for (const x of p.parties) out.push(`- ${md(x.label)}${x.kind === 'observer' ? ' (observer)' : ''}`);
  out.push('', '## Agreed protocols', '');
  if (!p.protocols.length) out.push('No protocol was agreed.', '');
  p.protocols.forEach((pr, k) => {
    out.push(`### ${k + 1}. ${md(pr.title)}`, '');
    if (pr.text) out.push(mdText(pr.text), '');
    out.push(
      `Parties: ${md(pr.parties.join(', '))}. Agreed by: ${md(pr.agreedBy.join(', ')) || 'nobody yet'}.`,
      '',
    );
    for (const [path, m] of Object.entries(pr.mapping))
      out.push(`Modelled in ${md(path)} as: ${md(mappingWords(m))}.`, '');
  });
  for (const s of p.scenarios) {
    out.push(`## ${md(s.title)}`, '');
    const r = s.protocols;
    if (r) {
      out.push(...freshnessLines(p.freshness?.protocols, 'simulation').map(md), '');
      out.push(
        `With the declared positions: P(war or worse) ${pct(r.base.war, 2)}, P(lethal clash or worse) ${pct(r.base.lethal, 2)}. Differences below are paired on common random numbers (${r.base.manifest.runs.toLocaleString('en')} runs each), with 95% intervals.`,
        '',
      );
      if (r.hosting) out.push('### Hosting', '', ...hostingWords(r.hosting, md).flatMap((l) => [l, '']));
      out.push(
        `Without any protocol: P(war) ${level(r.base.war, r.drafts[0]?.war.baseCi95 ?? r.package?.war.baseCi95)}.`,
        '',
      );
      out.push(
        '| | P(war) with it | P(war): change | P(lethal clash): change | P(talks happen) | reading |',
        '|---|---|---|---|---|---|',
      );
      const happened = (x: { happened?: { p: number; ci95: [number, number] } }) =>
        x.happened ? level(x.happened.p, x.happened.ci95) : '–';
      for (const d of r.drafts)
        out.push(
          `| ${md(d.label)} | ${level(d.war.alt, d.war.altCi95)} | ${delta(d.war)} | ${delta(d.lethal)} | ${happened(d)} | ${verdict(d.war)} |`,
        );
      if (r.package)
        out.push(
          `| **Package** | ${level(r.package.war.alt, r.package.war.altCi95)} | ${delta(r.package.war)} | ${delta(r.package.lethal)} | ${happened(r.package)} | ${verdict(r.package.war)} |`,
        );
      out.push('');
      if (r.leak) {
        out.push('### If the talks leak', '', md(leakWords(r.leak)), '');
        if (r.leak.points.length) {
          out.push(
            '| leak probability per round | P(war): change | P(lethal clash): change |',
            '|---|---|---|',
          );
          for (const pt of r.leak.points)
            out.push(`| ${pct(pt.p)} | ${delta(pt.war)} | ${delta(pt.lethal)} |`);
          out.push('');
        }
      }
    }
    if (s.gaps) {
      out.push('### Remaining expectation gaps', '');
      out.push(...freshnessLines(p.freshness?.gaps, 'gap ranking').map(md), '');
      const vw = venueWords(s.gaps.venue);
      if (vw) out.push(md(vw), '');
      if (s.gaps.shown.length) {
        const clearOnes = s.gaps.shown.filter(isClear);
        const others = s.gaps.shown.filter((g) => !isClear(g));
        out.push('#### Gaps whose closing clearly changes P(war)', '');
        if (clearOnes.length) {
          out.push(
            '| rank | gap | on | size | closing it: P(war) | closing it: P(lethal clash) |',
            '|---|---|---|---|---|---|',
          );
          for (const g of clearOnes)
            out.push(
              `| ${g.rank} | ${md(gapWho(g, s.actors))} | ${md(g.triggerLabel)} | ${pct(g.size, 0)} | ${delta(g.war)} | ${delta(g.lethal)} |`,
            );
        } else out.push('None: no interval excludes 0.');
        out.push('');
        if (others.length) {
          out.push('#### Gaps without a clear effect', '');
          out.push('| rank | gap | on | size | closing it: P(war) | why |', '|---|---|---|---|---|---|');
          for (const g of others)
            out.push(
              `| ${g.rank} | ${md(gapWho(g, s.actors))} | ${md(g.triggerLabel)} | ${pct(g.size, 0)} | ${delta(g.war)} | ${md(whyOf(g))} |`,
            );
          out.push('');
        }
      } else out.push('No gap may be shown.', '');
      out.push(withheldWords(s.gaps.withheld), '');
    }
    out.push('### Run manifests', '');
    if (r) {
      out.push(`- Declared positions: ${md(manifestLine(r.base.manifest))}`);
      for (const d of r.drafts) out.push(`- ${md(d.label)}: ${md(manifestLine(d.manifest))}`);
      if (r.package) out.push(`- Package: ${md(manifestLine(r.package.manifest))}`);
    }
    if (s.gaps) for (const g of s.gaps.shown) out.push(`- Gap ${g.rank}: ${md(manifestLine(g.manifest))}`);
    out.push('');
  }
  out.push('## Distribution list', '');
  for (const d of p.distribution) out.push(`- ${md(d.name)} (${md(d.role)})`);
  out.push('');
  return out.join('\n');
}

const PARTY_COPY =
  'This copy shows what its reader may see in the room: the agreed protocols it is party to (the package may also hold protocols agreed between other parties) and the gaps both parties agreed to show it.';

/** Whether the gap ranking took the talks as held, or how often they took place. */
function venueWords(v: GapRanking['venue']): string {
  if (v === undefined) return '';
  if (v === null) return 'The scenario models no talks: each gap is taken as closed in every run.';
  return `A gap is closed only where the talks take place: ${v.title} took place in ${level(v.happened.p, v.happened.ci95)} of ${v.runs.toLocaleString('en')} runs.`;
}

function mappingWords(m: DraftMapping): string {
  const set = Object.entries(m.set)
    .map(([a, b]) => `${a} = ${b}`)
    .join(', ');
  return `${m.interventions.join(' + ') || 'no intervention'}${set ? `; ${set}` : ''}`;
}

/** The date of the positions an analysis used, and a warning when a delegation changed them since. */
function freshnessLines(f: { positionsAt: string | null; stale: boolean } | null | undefined, what: string) {
  if (!f) return [];
  const when = f.positionsAt ? `${f.positionsAt.slice(0, 16).replace('T', ' ')} UTC` : null;
  if (f.stale)
    return [
      `STALE: this ${what} used the positions submitted ${when ? `up to ${when}` : 'before'}; a delegation has changed its positions since, and these numbers do not reflect that.`,
    ];
  return when ? [`This ${what} used the positions submitted up to ${when}.`] : [];
}

function withheldWords(withheld: number | null): string {
  if (withheld === null) return 'Gaps a party did not agree to show are neither listed nor counted.';
  return withheld ? `${withheld} further gap(s) are withheld: a party did not agree to show them.` : '';
}

/** An interval bar for a difference in points, on a scale of ±`range`. */
function bar(d: PairedDelta, range: number): string {
  const w = 140;
  const x = (v: number) => Math.max(0, Math.min(w, w / 2 + (v / range) * (w / 2)));
  const [lo, hi] = d.ci95;
  const colour = hi < 0 ? '#1a7f37' : lo > 0 ? '#b42318' : '#667085';
  return `<svg width="${w}" height="18" viewBox="0 0 ${w} 18" role="img" aria-label="${esc(delta(d))}"><line x1="${w / 2}" y1="1" x2="${w / 2}" y2="17" stroke="#98a2b3"/><line x1="${x(lo)}" y1="9" x2="${x(hi)}" y2="9" stroke="${colour}" stroke-width="3"/><circle cx="${x(d.d)}" cy="9" r="4" fill="${colour}"/></svg>`;
}

const STYLE = `
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#101828;max-width:68rem;margin:2rem auto;padding:0 1.5rem}
h1{font-size:1.8rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d0d5dd;padding-bottom:.2rem}
.conf{display:inline-block;border:2px solid #b42318;color:#b42318;font-weight:700;letter-spacing:.08em;padding:.1rem .5rem;font-size:.8rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.92em}td:first-child,th:first-child{min-width:12rem}th,td{border-bottom:1px solid #eaecf0;padding:.35rem .5rem;text-align:left;vertical-align:middle}
th{background:#f9fafb;font-weight:600}.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.muted{color:#667085}.manifest{font:12px/1.4 ui-monospace,monospace;color:#475467;word-break:break-all}
.stale{border:2px solid #b42318;color:#b42318;padding:.3rem .6rem;font-weight:600}
.protocol{border-left:4px solid #2e90fa;padding:.2rem 1rem;margin:1rem 0;background:#f5faff}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,.protocol{break-inside:avoid}}
@page{margin:18mm}`;

/** The playbook as one self-contained HTML page. */
export function playbookHtml(p: PlaybookInput): string {
  const h: string[] = [];
  h.push(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${esc(p.codename)}: playbook</title><style>${STYLE}</style></head><body>`,
  );
  h.push(`<p class="conf">CONFIDENTIAL</p><h1>${esc(p.codename)}: playbook</h1>`);
  h.push(
    `<p class="muted">Made ${esc(p.generatedAt.slice(0, 16).replace('T', ' '))} UTC for the distribution list at the end.</p>`,
  );
  if (p.forHost === false) h.push(`<p class="muted">${esc(PARTY_COPY)}</p>`);
  h.push(
    `<h2>Parties</h2><ul>${p.parties.map((x) => `<li>${esc(x.label)}${x.kind === 'observer' ? ' <span class="muted">(observer)</span>' : ''}</li>`).join('')}</ul>`,
  );
  h.push('<h2>Agreed protocols</h2>');
  if (!p.protocols.length) h.push('<p>No protocol was agreed.</p>');
  p.protocols.forEach((pr, k) => {
    h.push(`<div class="protocol"><h3>${k + 1}. ${esc(pr.title)}</h3>`);
    if (pr.text) h.push(`<p>${esc(pr.text)}</p>`);
    h.push(
      `<p class="muted">Parties: ${esc(pr.parties.join(', '))}. Agreed by: ${esc(pr.agreedBy.join(', ') || 'nobody yet')}.</p>`,
    );
    for (const [path, m] of Object.entries(pr.mapping))
      h.push(`<p class="muted">Modelled in ${esc(path)} as ${esc(mappingWords(m))}.</p>`);
    h.push('</div>');
  });
  for (const s of p.scenarios) {
    h.push(`<h2>${esc(s.title)}</h2>`);
    const r = s.protocols;
    if (r) {
      const all = [
        ...r.drafts.flatMap((d) => [d.war, d.lethal]),
        ...(r.package ? [r.package.war, r.package.lethal] : []),
      ];
      const range = Math.max(0.001, ...all.flatMap((d) => d.ci95.map(Math.abs)));
      for (const line of freshnessLines(p.freshness?.protocols, 'simulation'))
        h.push(`<p class="${line.startsWith('STALE') ? 'stale' : 'muted'}">${esc(line)}</p>`);
      h.push(
        `<p>With the declared positions: P(war or worse) <b>${pct(r.base.war, 2)}</b>, P(lethal clash or worse) <b>${pct(r.base.lethal, 2)}</b>. Each change below is paired on common random numbers (${r.base.manifest.runs.toLocaleString('en')} runs per arm), with its 95% interval; green lowers the risk, red raises it, grey is not clearly different from zero.</p>`,
      );
      if (r.hosting)
        h.push(
          `<h3>Hosting</h3>${hostingWords(r.hosting)
            .map((l) => `<p>${esc(l)}</p>`)
            .join('')}`,
        );
      h.push(
        `<p>Without any protocol: P(war) ${esc(level(r.base.war, r.drafts[0]?.war.baseCi95 ?? r.package?.war.baseCi95))}.</p>`,
      );
      h.push(
        '<table><thead><tr><th>protocol</th><th>P(war) with it</th><th>P(war): change</th><th></th><th>P(lethal clash): change</th><th></th><th>P(talks happen)</th></tr></thead><tbody>',
      );
      const row = (
        label: string,
        x: { war: PairedDelta; lethal: PairedDelta; happened?: { p: number; ci95: [number, number] } },
        strong = false,
      ) =>
        h.push(
          `<tr><td>${strong ? `<b>${esc(label)}</b>` : esc(label)}</td><td class="num">${esc(level(x.war.alt, x.war.altCi95))}</td><td class="num">${esc(delta(x.war))}</td><td>${bar(x.war, range)}</td><td class="num">${esc(delta(x.lethal))}</td><td>${bar(x.lethal, range)}</td><td class="num">${x.happened ? esc(level(x.happened.p, x.happened.ci95)) : '–'}</td></tr>`,
        );
      for (const d of r.drafts) row(d.label, d);
      if (r.package) row('Package', r.package, true);
      h.push('</tbody></table>');
      if (r.leak) {
        h.push(`<h3>If the talks leak</h3><p>${esc(leakWords(r.leak))}</p>`);
        if (r.leak.points.length) {
          const lr = Math.max(0.001, ...r.leak.points.flatMap((x) => x.war.ci95.map(Math.abs)));
          h.push(
            '<table><thead><tr><th>leak probability per round</th><th>P(war): change</th><th></th><th>P(lethal clash): change</th></tr></thead><tbody>',
          );
          for (const pt of r.leak.points)
            h.push(
              `<tr><td class="num">${pct(pt.p)}</td><td class="num">${esc(delta(pt.war))}</td><td>${bar(pt.war, lr)}</td><td class="num">${esc(delta(pt.lethal))}</td></tr>`,
            );
          h.push('</tbody></table>');
        }
      }
    }
    if (s.gaps) {
      h.push('<h3>Remaining expectation gaps</h3>');
      for (const line of freshnessLines(p.freshness?.gaps, 'gap ranking'))
        h.push(`<p class="${line.startsWith('STALE') ? 'stale' : 'muted'}">${esc(line)}</p>`);
      const vw = venueWords(s.gaps.venue);
      if (vw) h.push(`<p class="muted">${esc(vw)}</p>`);
      if (s.gaps.shown.length) {
        const range = Math.max(0.001, ...s.gaps.shown.flatMap((g) => g.war.ci95.map(Math.abs)));
        const table = (gaps: RankedGap[], last: 'lethal' | 'why') => {
          h.push(
            `<table><thead><tr><th>gap</th><th>on</th><th>size</th><th>closing it: P(war)</th><th></th><th>${last === 'why' ? 'why' : 'closing it: P(lethal clash)'}</th></tr></thead><tbody>`,
          );
          for (const g of gaps)
            h.push(
              `<tr><td>${g.rank}. ${esc(gapWho(g, s.actors))}</td><td style="min-width:14rem">${esc(g.triggerLabel)}</td><td class="num">${pct(g.size, 0)}</td><td class="num">${esc(delta(g.war))}</td><td>${bar(g.war, range)}</td><td${last === 'why' ? '' : ' class="num"'}>${esc(last === 'why' ? whyOf(g) : delta(g.lethal))}</td></tr>`,
            );
          h.push('</tbody></table>');
        };
        const clearOnes = s.gaps.shown.filter(isClear);
        const others = s.gaps.shown.filter((g) => !isClear(g));
        h.push('<h4>Gaps whose closing clearly changes P(war)</h4>');
        if (clearOnes.length) table(clearOnes, 'lethal');
        else h.push('<p>None: no interval excludes 0.</p>');
        if (others.length) {
          h.push('<h4>Gaps without a clear effect</h4>');
          table(others, 'why');
        }
      } else h.push('<p>No gap may be shown.</p>');
      const words = withheldWords(s.gaps.withheld);
      if (words) h.push(`<p class="muted">${esc(words)}</p>`);
    }
    h.push('<h3>Run manifests</h3><ul class="manifest">');
    if (r) {
      h.push(`<li>Declared positions: ${esc(manifestLine(r.base.manifest))}</li>`);
      for (const d of r.drafts) h.push(`<li>${esc(d.label)}: ${esc(manifestLine(d.manifest))}</li>`);
      if (r.package) h.push(`<li>Package: ${esc(manifestLine(r.package.manifest))}</li>`);
    }
    if (s.gaps)
      for (const g of s.gaps.shown) h.push(`<li>Gap ${g.rank}: ${esc(manifestLine(g.manifest))}</li>`);
    h.push('</ul>');
  }
  h.push(
    `<h2>Distribution list</h2><ul>${p.distribution.map((d) => `<li>${esc(d.name)} <span class="muted">(${esc(d.role)})</span></li>`).join('')}</ul>`,
  );
  h.push('</body></html>');
  return h.join('\n');
}
