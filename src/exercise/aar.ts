// The after-action review and its AAR/IP document in HSEEP's structure: exercise overview, analysis of
// objectives with observations (strengths and areas for improvement, each from a measured effect on
// the risk), the timeline of true events beside each team's view, and the improvement plan. Markdown
// and HTML from the same data; every value written into HTML is escaped.
import type { TraceRecord } from '../engine/trace.ts';
import type { DecisionEffect } from './coach.ts';
import type { Game } from './game.ts';
import { type TeamView, teamView, type ViewItem } from './views.ts';

export interface Observation {
  kind: 'strength' | 'area for improvement' | 'observation';
  team: string;
  title: string;
  analysis: string;
  recommendation: string;
}

export interface Aar {
  title: string;
  scenario: string;
  seed: number;
  teams: { id: string; label: string; actor: string }[];
  doctrineActors: string[];
  tickHours: number;
  outcome: string;
  peak: string;
  /** Time rows: what really happened, and what each team saw, at each tick. */
  timeline: { at: number; truth: string[]; teams: Record<string, string[]> }[];
  effects: DecisionEffect[];
  /** The decision with the largest effect (null: no team decision). */
  largest: DecisionEffect | null;
  observations: Observation[];
  msel: Game['state']['msel'];
  audit: Game['state']['audit'];
}

const pct = (p: number) => `${(100 * p).toFixed(1)}%`;
export const effectText = (e: DecisionEffect) =>
  `${e.effect >= 0 ? '+' : ''}${(100 * e.effect).toFixed(1)} points (95% CI ${(100 * e.ci95[0]).toFixed(1)} to ${(100 * e.ci95[1]).toFixed(1)})`;

function truthLine(r: TraceRecord): string | null {
  switch (r.kind) {
    case 'event':
      return `${r.act} (${r.rung})`;
    case 'perceive':
      return r.perceived !== r.act ? `${r.observer} misreads ${r.act} as ${r.perceived}` : null;
    case 'miss':
      return `${r.observer} misses ${r.act}`;
    case 'false-alarm':
      return `${r.observer} false alarm: ${r.perceived}`;
    case 'message':
      return `message ${r.from} -> ${r.to} via ${r.channel}: ${r.status}`;
    case 'leak':
      return `leak to ${r.to} from ${r.source}`;
    case 'war':
      return `war ${r.event}: ${r.phase}`;
    case 'end':
      return `end: ${r.outcome}, peak ${r.peak}`;
    default:
      return null;
  }
}

export function viewLine(i: ViewItem): string {
  switch (i.kind) {
    case 'report':
      return `report: ${i.perceived}${i.disbelieved ? ' (not believed)' : ''}`;
    case 'message-in':
      return `message from ${i.from} via ${i.channel}: ${i.act || 'message'} (${i.status})${i.text ? ` "${i.text}"` : ''}`;
    case 'message-out':
      return `message to ${i.to} via ${i.channel}: ${i.act} (${i.status})`;
    case 'leak':
      return `leak received: ${i.source}`;
    case 'notice':
      return `advance notice from ${i.by}`;
    case 'own-act':
      return `own act: ${i.act}`;
    case 'decision':
      return `decision on ${i.stimulus}: ${i.chosen} (${i.by})`;
    case 'correction':
      return `correction: ${i.perceived} was ${i.actual}`;
    case 'readiness':
      return `readiness ${i.from} -> ${i.to}`;
    case 'inject':
      return `inject ${i.id}: ${i.synopsis}`;
    case 'war':
      return `war ${i.event}: ${i.phase}`;
    case 'end':
      return `end: ${i.outcome}`;
  }
}

/** Builds the review of a game (the effects come from coach.decisionEffects). */
export function buildAar(game: Game, effects: DecisionEffect[]): Aar {
  const st = game.state;
  const views: TeamView[] = st.setup.teams.map((t) => teamView(game, t));
  const rows = new Map<number, Aar['timeline'][number]>();
  const row = (at: number) => {
    let r = rows.get(at);
    if (!r) {
      r = { at, truth: [], teams: Object.fromEntries(st.setup.teams.map((t) => [t.id, []])) };
      rows.set(at, r);
    }
    return r;
  };
  for (const r of game.run.trace) {
    const line = truthLine(r);
    if (line) row(r.t).truth.push(line);
  }
  for (const v of views) for (const i of v.items) row(i.at).teams[v.team.id]!.push(viewLine(i));
  const observations: Observation[] = [];
  for (const e of effects) {
    const sig = e.ci95[0] > 0 || e.ci95[1] < 0;
    const kind = !sig ? 'observation' : e.effect < 0 ? 'strength' : 'area for improvement';
    observations.push({
      kind,
      team: e.team,
      title: `${e.actor} decision on ${e.stimulus} at ${e.t * game.model.tickHours} h: ${e.chosen}`,
      analysis: `The doctrine would have chosen ${e.doctrine} at this point. With the team's choice P(war by the horizon) was ${pct(e.pTeam)}, with the doctrine's ${pct(e.pDoctrine)}: ${effectText(e)}, ${e.runs} paired runs.`,
      recommendation:
        kind === 'area for improvement'
          ? `Review the reasoning behind ${e.chosen}; rehearse the alternative ${e.doctrine} and what the team believed at the time.`
          : kind === 'strength'
            ? `Keep this practice: ${e.chosen} lowered the risk against the doctrine's ${e.doctrine}.`
            : 'No measurable effect: no action needed.',
    });
  }
  for (const v of views) {
    const wrong = game.run.trace.filter(
      (r) =>
        r.kind === 'perceive' && r.observer === v.team.actor && r.perceived !== r.act && r.arrives <= game.t,
    ).length;
    const alarms = game.run.trace.filter(
      (r) => r.kind === 'false-alarm' && r.observer === v.team.actor && r.arrives <= game.t,
    ).length;
    if (wrong + alarms > 0)
      observations.push({
        kind: 'area for improvement',
        team: v.team.id,
        title: `${v.team.actor}'s picture differed from the truth`,
        analysis: `${wrong} report(s) misread and ${alarms} false alarm(s) reached the team (see the timeline).`,
        recommendation:
          'Rehearse verification before response: ask for clarification over a channel before acting on a single report.',
      });
  }
  return {
    title: st.setup.title,
    scenario: st.setup.scenario.path,
    seed: st.setup.seed,
    teams: st.setup.teams,
    doctrineActors: game.model.actors
      .map((a) => a.id)
      .filter((a) => !st.setup.teams.some((t) => t.actor === a)),
    tickHours: game.model.tickHours,
    outcome: game.run.ended?.outcome ?? 'unfinished',
    peak: game.run.ended?.peak ?? peakOf(game),
    timeline: [...rows.values()].sort((a, b) => a.at - b.at),
    effects,
    largest: effects[0] ?? null,
    observations,
    msel: st.msel,
    audit: st.audit,
  };
}

function peakOf(game: Game): string {
  const ids = game.model.rungIds;
  let k = 0;
  for (const r of game.run.trace) if (r.kind === 'event') k = Math.max(k, ids.indexOf(r.rung));
  return ids[k]!;
}

const md = (s: string) => s.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');

/** The AAR/IP as Markdown. */
export function aarMarkdown(a: Aar): string {
  const L: string[] = [];
  const h = (x: number) => `${x * a.tickHours} h`;
  L.push(`# After-Action Report / Improvement Plan: ${md(a.title)}`, '');
  L.push('## 1. Exercise overview', '');
  L.push(`- Scenario: ${md(a.scenario)} (seed ${a.seed})`);
  L.push(`- Teams: ${a.teams.map((t) => `${md(t.label)} (${t.actor})`).join(', ')}`);
  L.push(`- Played by the model's doctrine: ${a.doctrineActors.join(', ') || 'none'}`);
  L.push(`- Outcome: ${a.outcome}, highest rung ${a.peak}`, '');
  L.push('## 2. Analysis of decisions', '');
  if (a.largest)
    L.push(
      `**Largest counterfactual effect:** ${md(a.largest.team)} (${a.largest.actor}) chose ${a.largest.chosen} at ${h(a.largest.t)} where the doctrine chose ${a.largest.doctrine}: ${effectText(a.largest)}.`,
      '',
    );
  L.push(
    '| decision | team | chosen | doctrine | P(war) team | P(war) doctrine | effect (95% CI) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const e of a.effects)
    L.push(
      `| ${e.key} at ${h(e.t)} | ${md(e.team)} | ${e.chosen} | ${e.doctrine} | ${pct(e.pTeam)} | ${pct(e.pDoctrine)} | ${effectText(e)} |`,
    );
  L.push('', '### Observations', '');
  for (const o of a.observations)
    L.push(
      `- **${o.kind === 'strength' ? 'Strength' : o.kind === 'area for improvement' ? 'Area for improvement' : 'Observation'}** (${md(o.team)}): ${md(o.title)}. ${md(o.analysis)}`,
    );
  L.push('', "## 3. Timeline: true events beside each team's view", '');
  L.push(
    `| time | true events | ${a.teams.map((t) => md(t.label)).join(' | ')} |`,
    `| --- | --- | ${a.teams.map(() => '---').join(' | ')} |`,
  );
  for (const r of a.timeline)
    L.push(
      `| ${h(r.at)} | ${r.truth.map(md).join('; ')} | ${a.teams.map((t) => (r.teams[t.id] ?? []).map(md).join('; ')).join(' | ')} |`,
    );
  L.push(
    '',
    '## 4. Improvement plan',
    '',
    '| issue / area for improvement | team | corrective action | responsible | completion date |',
    '| --- | --- | --- | --- | --- |',
  );
  for (const o of a.observations.filter((x) => x.kind === 'area for improvement'))
    L.push(`| ${md(o.title)} | ${md(o.team)} | ${md(o.recommendation)} |  |  |`);
  L.push(
    '',
    '## Appendix A: MSEL',
    '',
    '| # | trigger | synopsis | to | engine action |',
    '| --- | --- | --- | --- | --- |',
  );
  for (const i of a.msel)
    L.push(
      `| ${md(i.id)} | ${md(JSON.stringify(i.trigger))} | ${md(i.synopsis)} | ${i.to.join(', ')} | ${md(i.action ?? '')} |`,
    );
  L.push('', '## Appendix B: facilitator interventions (audited)', '');
  for (const x of a.audit) L.push(`- #${x.seq} ${x.at}: ${md(x.what)}`);
  if (a.audit.length === 0) L.push('- none');
  return `${L.join('\n')}\n`;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The AAR/IP as a standalone HTML page. */
export function aarHtml(a: Aar): string {
  const h = (x: number) => `${x * a.tickHours} h`;
  const rows = (cells: string[]) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  const head = (cells: string[]) => `<tr>${cells.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr>`;
  const p: string[] = [];
  p.push(`<h1>After-Action Report / Improvement Plan: ${esc(a.title)}</h1>`);
  p.push('<h2>1. Exercise overview</h2><ul>');
  p.push(`<li>Scenario: ${esc(a.scenario)} (seed ${a.seed})</li>`);
  p.push(`<li>Teams: ${a.teams.map((t) => `${esc(t.label)} (${esc(t.actor)})`).join(', ')}</li>`);
  p.push(`<li>Played by the model's doctrine: ${esc(a.doctrineActors.join(', ') || 'none')}</li>`);
  p.push(`<li>Outcome: ${esc(a.outcome)}, highest rung ${esc(a.peak)}</li></ul>`);
  p.push('<h2>2. Analysis of decisions</h2>');
  if (a.largest)
    p.push(
      `<p id="largest"><strong>Largest counterfactual effect:</strong> ${esc(a.largest.team)} (${esc(a.largest.actor)}) chose ${esc(a.largest.chosen)} at ${h(a.largest.t)} where the doctrine chose ${esc(a.largest.doctrine)}: ${esc(effectText(a.largest))}.</p>`,
    );
  p.push(
    '<table>',
    head(['decision', 'team', 'chosen', 'doctrine', 'P(war) team', 'P(war) doctrine', 'effect (95% CI)']),
  );
  for (const e of a.effects)
    p.push(
      rows([
        `${esc(e.key)} at ${h(e.t)}`,
        esc(e.team),
        esc(e.chosen),
        esc(e.doctrine),
        pct(e.pTeam),
        pct(e.pDoctrine),
        esc(effectText(e)),
      ]),
    );
  p.push('</table><h3>Observations</h3><ul>');
  for (const o of a.observations)
    p.push(`<li><strong>${esc(o.kind)}</strong> (${esc(o.team)}): ${esc(o.title)}. ${esc(o.analysis)}</li>`);
  p.push("</ul><h2>3. Timeline: true events beside each team's view</h2><table>");
  p.push(head(['time', 'true events', ...a.teams.map((t) => t.label)]));
  for (const r of a.timeline)
    p.push(
      rows([h(r.at), esc(r.truth.join('; ')), ...a.teams.map((t) => esc((r.teams[t.id] ?? []).join('; ')))]),
    );
  p.push('</table><h2>4. Improvement plan</h2><table>');
  p.push(
    head(['issue / area for improvement', 'team', 'corrective action', 'responsible', 'completion date']),
  );
  for (const o of a.observations.filter((x) => x.kind === 'area for improvement'))
    p.push(rows([esc(o.title), esc(o.team), esc(o.recommendation), '', '']));
  p.push(
    '</table><h2>Appendix A: MSEL</h2><table>',
    head(['#', 'trigger', 'synopsis', 'to', 'engine action']),
  );
  for (const i of a.msel)
    p.push(
      rows([
        esc(i.id),
        esc(JSON.stringify(i.trigger)),
        esc(i.synopsis),
        esc(i.to.join(', ')),
        esc(i.action ?? ''),
      ]),
    );
  p.push('</table><h2>Appendix B: facilitator interventions (audited)</h2><ul>');
  for (const x of a.audit) p.push(`<li>#${x.seq} ${esc(x.at)}: ${esc(x.what)}</li>`);
  if (a.audit.length === 0) p.push('<li>none</li>');
  p.push('</ul>');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>AAR/IP: ${esc(a.title)}</title><style>body{font:14px/1.45 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%;margin:1rem 0}td,th{border:1px solid #bbb;padding:.3rem .5rem;vertical-align:top;text-align:left}</style></head><body>${p.join('\n')}</body></html>\n`;
}
