// What each screen shows. A team sees only what its actor perceives, when it perceives it: reports of
// acts as its sensors read them (a misreading shows as what was perceived, a false alarm as an act,
// a miss not at all), messages addressed to it once delivered, leaks and notices it receives, its own
// acts, decisions, beliefs and readiness, and the injects addressed to it. Never the true act behind a
// report, another actor's perception, intent types or an event's number. The facilitator sees the true
// events and every team's view. Everything here is a pure function of the game.
import type { TraceRecord } from '../engine/trace.ts';
import type { Game, overridable } from './game.ts';
import type { Team } from './schema.ts';

/** One line of a team's picture (times in ticks). */
export type ViewItem =
  | {
      at: number;
      kind: 'report';
      perceived: string;
      happenedAt: number;
      notified: boolean;
      disbelieved: boolean;
    }
  | {
      at: number;
      kind: 'message-in';
      from: string;
      channel: string;
      act: string;
      status: string;
      text: string;
    }
  | {
      at: number;
      kind: 'message-out';
      to: string;
      channel: string;
      act: string;
      status: string;
      text: string;
    }
  | { at: number; kind: 'leak'; source: string }
  | { at: number; kind: 'notice'; by: string }
  | { at: number; kind: 'own-act'; act: string }
  | {
      at: number;
      kind: 'decision';
      stimulus: string;
      chosen: string;
      by: 'team' | 'doctrine' | 'facilitator';
    }
  | { at: number; kind: 'correction'; perceived: string; actual: string; by: string }
  | { at: number; kind: 'readiness'; from: number; to: number }
  | { at: number; kind: 'inject'; id: string; synopsis: string }
  | { at: number; kind: 'war'; phase: string; event: string }
  | { at: number; kind: 'end'; outcome: string };

export interface TeamView {
  team: Team;
  tickHours: number;
  now: number;
  t: number;
  paused: boolean;
  ended: boolean;
  items: ViewItem[];
  /** The team's beliefs about each other actor's intent (last update). */
  beliefs: Record<string, Record<string, number>>;
  readiness: number | null;
  /** The decision waiting for this team, with its options (and the doctrine's probabilities). */
  decision: { key: string; stimulus: string; options: { act: string; p: number }[] } | null;
  /** Messages the team may send on its own initiative. */
  messages: { act: string; to: string; channels: string[] }[];
}

/** Message deliveries matched to the act that sent them (the event before each `sent` record). */
function messageActs(game: Game): Map<TraceRecord, { act: string; text: string }> {
  const out = new Map<TraceRecord, { act: string; text: string }>();
  const sent: { rec: Extract<TraceRecord, { kind: 'message' }>; act: string; text: string }[] = [];
  let last: Extract<TraceRecord, { kind: 'event' }> | null = null;
  for (const r of game.run.trace) {
    if (r.kind === 'event') last = r;
    if (r.kind !== 'message') continue;
    if (r.status === 'sent' && last) {
      const src = game.sources[last.cause.replace(/^inject /, '')];
      const text = src?.kind === 'act' ? src.act.text : '';
      sent.push({ rec: r, act: last.act, text });
      out.set(r, { act: last.act, text });
    } else if (r.status !== 'sent') {
      const s = sent.find(
        (x) =>
          x.rec.from === r.from && x.rec.to === r.to && x.rec.channel === r.channel && x.rec.arrives === r.t,
      );
      if (s) out.set(r, { act: s.act, text: s.text });
    }
  }
  return out;
}

const actorOfAct = (act: string) => act.split('.')[0]!;

/** Who took each decision of the game (by decision key order per actor). */
function deciders(game: Game): Map<TraceRecord, 'team' | 'doctrine' | 'facilitator'> {
  const out = new Map<TraceRecord, 'team' | 'doctrine' | 'facilitator'>();
  const counts = new Map<string, number>();
  for (const r of game.run.trace) {
    if (r.kind !== 'decide') continue;
    const rule = game.model.actors.find((a) => a.id === r.actor)?.rules.find((q) => q.id === r.rule);
    if (rule?.also) {
      out.set(r, 'doctrine');
      continue;
    }
    const n = counts.get(r.actor) ?? 0;
    counts.set(r.actor, n + 1);
    const c = game.state.choices[`${r.actor}#${n}`];
    out.set(r, c ? (c.by === 'facilitator' ? 'facilitator' : 'team') : 'doctrine');
  }
  return out;
}

/** The picture of the team that plays `actor`, at the game's time. */
export function teamView(game: Game, team: Team): TeamView {
  const actor = team.actor;
  const T = game.t;
  const msgs = messageActs(game);
  const who = deciders(game);
  const items: ViewItem[] = [];
  const beliefs: TeamView['beliefs'] = {};
  const m = game.model;
  for (const r of game.run.trace) {
    switch (r.kind) {
      case 'perceive':
      case 'false-alarm':
        // A false alarm is indistinguishable from a report of a real act, as it is for the observer.
        if (r.observer === actor && r.arrives <= T)
          items.push({
            at: r.arrives,
            kind: 'report',
            perceived: r.perceived,
            happenedAt: r.t,
            notified: r.kind === 'perceive' ? r.notified : false,
            disbelieved: r.kind === 'perceive' && r.disbelieved === true,
          });
        break;
      case 'message': {
        // The receiver learns of a message when it arrives; the sender knows it sent one.
        const arrived = r.status === 'delivered' || r.status === 'disbelieved' || r.status === 'refused';
        const src = msgs.get(r);
        const common = {
          at: r.t,
          channel: r.channel,
          act: src?.act ?? '',
          status: r.status,
          text: src?.text ?? '',
        };
        if (arrived && r.to === actor) items.push({ ...common, kind: 'message-in', from: r.from });
        else if (!arrived && r.from === actor) items.push({ ...common, kind: 'message-out', to: r.to });
        break;
      }
      case 'leak':
        if (r.to === actor) items.push({ at: r.t, kind: 'leak', source: r.source });
        break;
      case 'notify':
        if (r.to === actor && r.delivered) items.push({ at: r.t, kind: 'notice', by: r.by });
        break;
      case 'event':
        if (actorOfAct(r.act) === actor) items.push({ at: r.t, kind: 'own-act', act: r.act });
        break;
      case 'decide':
        if (r.actor === actor)
          items.push({
            at: r.t,
            kind: 'decision',
            stimulus: r.stimulus,
            chosen: r.chosen,
            by: who.get(r) ?? 'doctrine',
          });
        break;
      case 'review':
        if (r.observer === actor && r.corrected)
          items.push({ at: r.t, kind: 'correction', perceived: r.perceived, actual: r.act, by: r.by });
        break;
      case 'readiness':
        if (r.actor === actor) items.push({ at: r.t, kind: 'readiness', from: r.from, to: r.to });
        break;
      case 'belief':
        if (r.observer === actor) {
          const types: Record<string, number> = {};
          m.typeIds.forEach((id, k) => {
            types[id] = r.after[k]!;
          });
          beliefs[r.about] = types;
        }
        break;
      case 'war':
        items.push({ at: r.t, kind: 'war', phase: r.phase, event: r.event });
        break;
      case 'end':
        items.push({ at: r.t, kind: 'end', outcome: r.outcome });
        break;
      default:
        break;
    }
  }
  for (const d of game.delivered)
    if (d.inject.to.includes(actor))
      items.push({ at: d.tick, kind: 'inject', id: d.inject.id, synopsis: d.inject.synopsis });
  items.sort((a, b) => a.at - b.at);
  const last = [...game.run.trace].reverse().find((r) => r.kind === 'readiness' && r.actor === actor);
  const ai = m.actors.findIndex((a) => a.id === actor);
  const p = game.pending;
  return {
    team,
    tickHours: m.tickHours,
    now: game.state.now,
    t: T,
    paused: game.state.paused,
    ended: game.state.ended || game.run.ended !== null,
    items,
    beliefs,
    readiness: last?.kind === 'readiness' ? last.to : ai >= 0 ? m.actors[ai]!.readiness0 : null,
    decision: p && p.actor === actor ? { key: p.key, stimulus: p.stimulus, options: p.options } : null,
    messages: m.actions
      .filter((a) => a.message && a.actor === ai)
      .map((a) => ({
        act: a.id,
        to: m.actors[a.message!.to]!.id,
        channels: a.message!.via.map((c) => m.channels[c]!.id),
      })),
  };
}

/** The reports a team's screen lists: the engine's perception records of its actor, in order (for tests and the AAR). */
export function perceptionOf(
  trace: readonly TraceRecord[],
  actor: string,
  T: number,
): { at: number; perceived: string }[] {
  const out: { at: number; perceived: string }[] = [];
  for (const r of trace)
    if ((r.kind === 'perceive' || r.kind === 'false-alarm') && r.observer === actor && r.arrives <= T)
      out.push({ at: r.arrives, perceived: r.perceived });
  return out.sort((a, b) => a.at - b.at);
}

/** The facilitator's console: true events, the pending decision, every team's view. */
export interface TrueView {
  now: number;
  t: number;
  tickHours: number;
  horizon: number;
  paused: boolean;
  ended: boolean;
  outcome: { outcome: string; peak: string; t: number } | null;
  pending: {
    key: string;
    actor: string;
    team: string | null;
    stimulus: string;
    options: { act: string; p: number }[];
  } | null;
  trace: TraceRecord[];
  teams: TeamView[];
  decisions: ReturnType<typeof overridable>;
  msel: Game['state']['msel'];
  fired: Game['state']['fired'];
  checkpoints: Game['state']['checkpoints'];
  audit: Game['state']['audit'];
  peak: string;
}

export function trueView(game: Game, decisions: TrueView['decisions']): TrueView {
  const st = game.state;
  let peak = game.model.rungIds[0]!;
  for (const r of game.run.trace)
    if (r.kind === 'event' && game.model.rungIds.indexOf(r.rung) > game.model.rungIds.indexOf(peak))
      peak = r.rung;
  return {
    now: st.now,
    t: game.t,
    tickHours: game.model.tickHours,
    horizon: game.model.horizon,
    paused: st.paused,
    ended: st.ended || game.run.ended !== null,
    outcome: game.run.ended,
    pending: game.pending
      ? {
          key: game.pending.key,
          actor: game.pending.actor,
          team: game.pending.team?.id ?? null,
          stimulus: game.pending.stimulus,
          options: game.pending.options,
        }
      : null,
    trace: game.run.trace.filter((r) => r.kind !== 'chance'),
    teams: st.setup.teams.map((t) => teamView(game, t)),
    decisions,
    msel: st.msel,
    fired: st.fired,
    checkpoints: st.checkpoints,
    audit: st.audit,
    peak,
  };
}
