// One run of a compiled model (engine 2): next-event time advance on the tick grid. In each tick, in
// order: acts due are executed (injects, hazards, chosen responses, war operations) and perceived by
// every observer through signal detection; false alarms fire; observations, messages and reviews due are
// delivered, beliefs update and actors choose; readiness relaxes; the crisis lifecycle is checked.
// Domain model section 10; departures and engine 2's choices are in docs/decisions/0002 and 0008.
//
// Three places: the rules are the compiled Model; everything a run changes is one plain-data RunState
// (state.ts); every random draw goes through `chance` (or `waitTicks` for waiting times), which applies
// importance-sampling tilts, counterfactual suppression and draw tracing.

import {
  actorStream,
  type BeliefEffectModel,
  type Model,
  N_READINESS,
  type ParticipationModel,
  PURPOSE,
  STREAM,
  streamCount,
  type TalksModel,
} from './model.ts';
import { geometric, Streams } from './rng.ts';
import { phi } from './sdt.ts';
import { assignState, copyState, type RunResult, type RunState } from './state.ts';
import type { TraceRecord } from './trace.ts';

export type { RunResult, RunState };

export const OUTCOMES = ['war', 'nuclearUse', 'resolved', 'horizon'] as const;
export type OutcomeName = (typeof OUTCOMES)[number];
export const OUTCOME_WAR = 0;
export const OUTCOME_NUCLEAR = 1;
export const OUTCOME_RESOLVED = 2;
export const OUTCOME_HORIZON = 3;

/** Misperception kinds. */
export const MP_MISREAD = 0;
export const MP_FALSE_ALARM = 1;
export const MP_MISSED = 2;
export const MP_DISBELIEVED = 3;
export const MISPERCEPTION_KINDS = ['misread', 'false-alarm', 'missed', 'disbelieved'] as const;

export interface RunOptions {
  trace?: TraceRecord[];
  /** Also record every random draw in the trace (`chance` records). */
  traceDraws?: boolean;
  /** Counterfactual: misperceptions that must not happen, by (observer, kind, ordinal of that observer's draws). */
  suppress?: (kind: number, observer: number, ordinal: number) => boolean;
  /** Importance sampling: draw the chance sites from a tilted law and record the likelihood ratio. */
  tilt?: Tilt;
  /**
   * Players in the loop (tabletop exercises): called at each doctrine decision (not at protocol `also`
   * rules) after the draw, with the index drawn among `sim.distAct[0, n)`; returns the index to carry
   * out. The draw is always made, so the random streams stay aligned whatever a player chooses.
   */
  choose?: Chooser;
}

/** See `RunOptions.choose`: `actor` decides on stimulus `act` among `n` options; `drawn` is the doctrine's pick. */
export type Chooser = (actor: number, act: number, n: number, drawn: number, sim: Simulator) => number;

/**
 * The explicit chance sites of a model, for importance sampling. Options of site s are at
 * [start[s], start[s + 1]). Every draw of the engine goes through one of them (or through the
 * untilted site -1: intent types, notices, channel availability, war phase lengths).
 */
export interface ChanceSites {
  /** Site names: `rule ACTOR.rule`, `outcome ACTOR.action`, `detect OBSERVER:domain`, ... */
  names: string[];
  /** Option labels, flattened like the weights. */
  options: string[];
  start: Int32Array;
  /** Site of rule q of actor i: ruleSite[i][q]. */
  ruleSite: Int32Array[];
  /** Site of each action's outcome draw (-1: one outcome). */
  outcomeSite: Int32Array;
  /** Site of each action's substitution draw (-1: none). */
  substitutionSite: Int32Array;
  /** Site of observer k's reading of act (stimulus) a at k * nActs + a (-1: read as it is). */
  misreadSite: Int32Array;
  /** Site of observer k's detection in domain d at k * nDomains + d. */
  detectSite: Int32Array;
  /** Site of false alarm entry e of observer k at falseAlarmStart[k] + e. */
  falseAlarmSite: Int32Array;
  falseAlarmStart: Int32Array;
  /** Site of each hazard (a waiting time: options occurs, not per tick). */
  hazardSite: Int32Array;
  /** Site of observer k's review of a wrong reading. */
  reviewSite: Int32Array;
  /** Site of each action's consultation (-1: none). */
  consultSite: Int32Array;
  /** Site of the ceasefire draw of each war phase. */
  ceasefireSite: Int32Array;
  /** Site of receiver k accepting a message over channel c at c * nActors + k. */
  acceptSite: Int32Array;
  /** Site of receiver k believing a reassuring message. */
  believeSite: Int32Array;
}

/**
 * An importance-sampling tilt: option k of a site is drawn with probability proportional to
 * p_k * w[k], where p_k is the base probability in the current state. The run's likelihood ratio
 * goes into `RunResult.logWeight`. With `chosen` and `expected` (same length as `w`), each run adds,
 * per option, 1 when it is drawn and its base probability p_k at each visit of the site (the
 * statistics of cross-entropy tuning); the caller resets them.
 */
export interface Tilt {
  w: Float64Array;
  chosen?: Float64Array;
  expected?: Float64Array;
  /** The tilt (and its statistics) applies while the peak rung is below this (default: always). */
  until?: number;
  /**
   * Defensive mixture (Hesterberg 1995): draw from (1 - d) * tilted + d * base, which bounds each
   * draw's likelihood ratio by 1/d (default 0).
   */
  defensive?: number;
}

/** What `Simulator.snapshot` copies: the whole state of a run, and its random streams. */
export interface RunSnapshot {
  streams: { state: Uint32Array; draws: Uint32Array };
  state: RunState;
}

/** Lists the chance sites of a model (see `ChanceSites`). */
export function chanceSites(m: Model): ChanceSites {
  const names: string[] = [];
  const options: string[] = [];
  const start: number[] = [];
  const add = (name: string, opts: string[]): number => {
    start.push(options.length);
    names.push(name);
    options.push(...opts);
    return names.length - 1;
  };
  const nAct = m.actions.length;
  const nA = m.actors.length;
  const nD = m.domainIds.length;
  const ruleSite = m.actors.map((a) =>
    Int32Array.from(a.rules, (rule) => {
      const acts = rule.respond ? rule.respond.actions : rule.choose!;
      return add(
        `rule ${a.id}.${rule.id}`,
        Array.from(acts, (x) => m.actions[x]!.id),
      );
    }),
  );
  const outcomeSite = new Int32Array(nAct).fill(-1);
  const substitutionSite = new Int32Array(nAct).fill(-1);
  const consultSite = new Int32Array(nAct).fill(-1);
  m.actions.forEach((a, k) => {
    if (a.outcomes.length > 1)
      outcomeSite[k] = add(
        `outcome ${a.id}`,
        a.outcomes.map((o) => m.actIds[o.act]!),
      );
    if (a.substitutionTo >= 0)
      substitutionSite[k] = add(`substitution ${a.id}`, [a.id, m.actions[a.substitutionTo]!.id]);
    if (a.consult) consultSite[k] = add(`consult ${a.id}`, ['agreed', 'vetoed']);
  });
  const nActs = m.actIds.length;
  const misreadSite = new Int32Array(nA * nActs).fill(-1);
  const detectSite = new Int32Array(nA * nD).fill(-1);
  const falseAlarmStart = new Int32Array(nA + 1);
  const fa: number[] = [];
  const reviewSite = new Int32Array(nA).fill(-1);
  const believeSite = new Int32Array(nA).fill(-1);
  m.actors.forEach((obs, i) => {
    for (let d = 0; d < nD; d++)
      detectSite[i * nD + d] = add(`detect ${obs.id}:${m.domainIds[d]}`, ['seen', 'missed']);
    for (let a = 0; a < nActs; a++) {
      const row = obs.misread[a];
      const action = m.actions[m.actAction[a]!]!;
      const disbelief = action.reassuring && obs.disbeliefZ[0]! > Number.NEGATIVE_INFINITY;
      if (!row && !disbelief) continue;
      misreadSite[i * nActs + a] = add(`misread ${obs.id}:${m.actIds[a]}`, [
        m.actIds[a]!,
        ...(row ? Array.from(row.to, (x) => m.actions[x]!.id) : []),
        'disbelieved',
      ]);
    }
    falseAlarmStart[i] = fa.length;
    for (const x of obs.falseAlarmAction)
      fa.push(add(`false-alarm ${obs.id}:${m.actions[x]!.id}`, ['alarm', 'none']));
    if (obs.review) reviewSite[i] = add(`review ${obs.id}`, ['corrected', 'kept']);
    believeSite[i] = add(`believe ${obs.id}`, ['believed', 'disbelieved']);
  });
  falseAlarmStart[nA] = fa.length;
  const hazardSite = Int32Array.from(m.hazards, (h) => add(`hazard ${h.id}`, ['occurs', 'not']));
  const ceasefireSite = Int32Array.from(m.war?.phases ?? [], (ph) =>
    add(`ceasefire ${ph.id}`, ['ceasefire', 'fight on']),
  );
  const acceptSite = new Int32Array(m.channels.length * nA).fill(-1);
  m.channels.forEach((ch, c) => {
    for (const k of [ch.a, ch.b])
      if (k >= 0) acceptSite[c * nA + k] = add(`accept ${ch.id}:${m.actors[k]!.id}`, ['accepted', 'refused']);
  });
  start.push(options.length);
  return {
    names,
    options,
    start: Int32Array.from(start),
    ruleSite,
    outcomeSite,
    substitutionSite,
    misreadSite,
    detectSite,
    falseAlarmSite: Int32Array.from(fa),
    falseAlarmStart,
    hazardSite,
    reviewSite,
    consultSite,
    ceasefireSite,
    acceptSite,
    believeSite,
  };
}

// Queue item kinds. Phases within a tick: execution (0) before false alarms (1) before deliveries (2).
const K_EXEC = 0;
const K_FALSE = 1;
const K_OBS = 2;
const K_MSG = 3;
const K_REVIEW = 4;
const K_CONSULT = 5;
const K_WAR = 6;
/** A cancelled item (held orders): skipped. */
const K_NONE = 7;
const PHASE_OF = Int32Array.from([0, 1, 2, 2, 2, 0, 0, 0]);
const F_MISREAD = 1;
const F_FALSE = 2;
const F_NOTIFIED = 4;
const F_UNANNOUNCED = 8;
const F_PUBLIC = 16;
const F_DISBELIEVED = 32;
const BELIEF_EPS = 0.02;
const NO_OPTIONS: RunOptions = Object.freeze({});
/** Cached likelihood powers are skipped for models where the cache would exceed this many entries. */
const MAX_POW_CACHE = 1 << 22;
const INF = 0x3fffffff;
const SOURCE_WAR = -1000;

/** More acts than this in one run means a doctrine answers itself without end (A answers B answers A...). */
export const MAX_ACTS_PER_RUN = 100_000;

/** A run that escalates without bound: a scenario mistake, reported with the acts that loop. */
export class RunawayError extends Error {
  constructor(m: Model, acts: Int32Array, n: number) {
    const counts = new Map<number, number>();
    for (let e = Math.max(0, n - 1000); e < n; e++) counts.set(acts[e]!, (counts.get(acts[e]!) ?? 0) + 1);
    const top = [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([act]) => m.actIds[act]);
    super(
      `a run made more than ${MAX_ACTS_PER_RUN} acts: doctrine rules answer each other without end (most frequent: ${top.join(', ')}); add conditions, a wait option or lower probabilities`,
    );
    this.name = 'RunawayError';
  }
}

/** A copy of `a` in an array twice as long (the per-run buffers grow this way, then stay). */
function doubled<T extends Int32Array | Uint8Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}

function newState(m: Model): RunState {
  const nA = m.actors.length;
  const nT = m.typeIds.length;
  const cap = 64;
  const talksHolding = new Uint8Array(m.talks.length);
  return {
    type: new Int32Array(nA),
    readiness: new Int32Array(nA),
    lastAlarm: new Int32Array(nA),
    taint: new Int32Array(nA),
    perceiveOrdinal: new Int32Array(nA),
    falseGen: new Int32Array(nA),
    decisionGen: new Int32Array(nA),
    policy: new Uint8Array(nA * Math.max(1, m.policies.length)),
    belief: new Float64Array(nA * nA * nT),
    prior: new Float64Array(nA * nA * nT),
    lastTouch: new Int32Array(nA * nA),
    expects: new Float64Array(nA * m.expectSize),
    values: m.baseValue.slice(),
    expectsDirty: 1,
    valuesDirty: 0,
    talksHolding,
    channelOpen: new Uint8Array(m.channels.length),
    channelCred: Float64Array.from(m.channels, (c) => c.credibility),
    evAct: new Int32Array(cap),
    evTick: new Int32Array(cap),
    evTaint: new Int32Array(cap),
    evFlags: new Int32Array(cap),
    evNotified: new Int32Array(cap),
    nEv: 0,
    qKey: new Float64Array(cap),
    qSeq: new Int32Array(cap),
    qSlot: new Int32Array(cap),
    sKind: new Int32Array(cap),
    sA: new Int32Array(cap),
    sB: new Int32Array(cap),
    sC: new Int32Array(cap),
    sD: new Int32Array(cap),
    sE: new Int32Array(cap),
    sF: new Int32Array(cap),
    freeSlots: new Int32Array(cap),
    qLen: 0,
    seq: 0,
    nFree: 0,
    nSlots: 0,
    pending: 0,
    t: 0,
    midTick: 0,
    lastLoud: 0,
    endTick: m.horizon,
    activityEnd: 0,
    warPhase: -1,
    warPhaseEnd: 0,
    ceasefire: 0,
    result: {
      outcome: 0,
      peak: 0,
      endTick: 0,
      warTick: -1,
      path: new Int32Array(m.rungIds.length + 8),
      pathLength: 0,
      lethalMisperception: -1,
      lethalCause: -1,
      warMisperception: -1,
      warCause: -1,
      decisions: 0,
      events: 0,
      mpCount: 0,
      mpKind: new Int32Array(16),
      mpObserver: new Int32Array(16),
      mpAct: new Int32Array(16),
      mpPerceived: new Int32Array(16),
      mpTick: new Int32Array(16),
      mpOrdinal: new Int32Array(16),
      mpEvent: new Int32Array(16),
      mpCorrected: new Uint8Array(16),
      talksHolding,
      talksHappened: new Uint8Array(m.talks.length),
      talksLeaked: new Uint8Array(m.talks.length),
      leaks: 0,
      logWeight: 0,
    },
  };
}

/** A reusable simulator for one model: allocate once, call `run` many times. */
export class Simulator {
  readonly m: Model;
  readonly nA: number;
  readonly nT: number;
  readonly streams: Streams;
  /** The state of the current run (one plain-data struct; see state.ts). */
  s: RunState;
  /** Views of each actor's expectations into `s.expects` (rebuilt when the buffer changes). */
  private expectsView: Float64Array[] = [];
  private expectsBuffer: Float64Array | null = null;
  // scratch (not state: overwritten before each use)
  dist: Float64Array;
  distAct: Int32Array;
  scratchB: Float64Array;
  scratchLik: Float64Array;
  /** Base probabilities of a draw's options (the chance function's argument). */
  cp: Float64Array;
  u2: Float64Array;
  // derived from the model
  /** 1 where actor k is a victim of act (stimulus) a, at a * nA + k. */
  victimOf: Uint8Array;
  /** 1 where actor k is notified under regime n, at n * nA + k. */
  notifiedBy: Uint8Array;
  /** Prior hostile belief of i about j (fear is measured from it). */
  hostilePrior: Float64Array;
  powCache: Float64Array;
  decayCache: Float64Array;
  /** Detection probability of observer k for action a at readiness R, at (k * nActions + a) * 5 + R (NaN: not yet computed). */
  detectCache: Float64Array;
  /** Misreading probabilities without a fear shift: per observer and act, entry j at readiness R at j * 5 + R. */
  misreadCache: (Float64Array | null)[];
  lastRule = 0;
  /** Whether the stimulus being decided on came with a delivered notice. */
  stimulusNotified = false;
  trace: TraceRecord[] | undefined;
  traceDraws = false;
  suppress: RunOptions['suppress'];
  choose: Chooser | undefined;
  tilt: Tilt | null = null;
  sites: ChanceSites | undefined;
  /** The site of the draw in progress, for suppression (set by the caller of chance). */
  private nD: number;

  constructor(model: Model) {
    this.m = model;
    const nA = model.actors.length;
    const nT = model.typeIds.length;
    this.nA = nA;
    this.nT = nT;
    this.nD = model.domainIds.length;
    this.streams = new Streams(streamCount(model));
    this.s = newState(model);
    // Sized by the model, not assumed: the longest response list of any rule, the rule count, the actions.
    let maxResp = Math.max(8, model.actions.length);
    for (const a of model.actors) {
      maxResp = Math.max(maxResp, a.rules.length);
      for (const r of a.rules)
        maxResp = Math.max(maxResp, r.choose?.length ?? 0, r.respond?.actions.length ?? 0);
    }
    this.dist = new Float64Array(maxResp);
    this.distAct = new Int32Array(maxResp);
    this.scratchB = new Float64Array(nT);
    this.scratchLik = new Float64Array(nT);
    this.cp = new Float64Array(maxResp + 16);
    this.u2 = new Float64Array(2);
    this.victimOf = new Uint8Array(model.actIds.length * nA);
    for (const action of model.actions)
      for (const o of action.outcomes) for (const k of o.casualties) this.victimOf[o.act * nA + k] = 1;
    this.notifiedBy = new Uint8Array(model.notifications.length * nA);
    model.notifications.forEach((reg, n) => {
      for (const k of reg.to) this.notifiedBy[n * nA + k] = 1;
    });
    this.hostilePrior = new Float64Array(nA * nA);
    const powSize = nA * model.actions.length * 2 * nT;
    this.powCache = new Float64Array(powSize <= MAX_POW_CACHE ? powSize : 0).fill(Number.NaN);
    this.detectCache = new Float64Array(nA * model.actions.length * N_READINESS).fill(Number.NaN);
    this.misreadCache = [];
    for (const obs of model.actors)
      for (const row of obs.misread)
        this.misreadCache.push(row ? new Float64Array(row.z.length).fill(Number.NaN) : null);
    const decaySize = nA * (model.horizon + 1);
    this.decayCache = new Float64Array(decaySize <= MAX_POW_CACHE ? decaySize : 0).fill(Number.NaN);
  }

  // Read-only views kept for callers of engine 1 (rare-event scores, tests).
  get result(): RunResult {
    return this.s.result;
  }
  get t(): number {
    return this.s.t;
  }
  get nEv(): number {
    return this.s.nEv;
  }
  get readiness(): Int32Array {
    return this.s.readiness;
  }
  get belief(): Float64Array {
    return this.s.belief;
  }
  get prior(): Float64Array {
    return this.s.prior;
  }
  get lastTouch(): Int32Array {
    return this.s.lastTouch;
  }
  /** Credibility of channel c in the current run (a leak may have lowered it). */
  credibilityOf(c: number): number {
    return this.s.channelCred[c]!;
  }

  // -------------------------------------------------------------------------------------------
  // Run

  /** Runs run `run` of `seed`. The returned object is reused by the next call. */
  run(seed: number, run: number, opts: RunOptions = NO_OPTIONS): RunResult {
    this.begin(seed, run, opts);
    this.advance();
    return this.s.result;
  }

  /**
   * Starts run `run` of `seed` without advancing time: state reset, intent types drawn, talks held,
   * injects, hazards and false alarms scheduled. `advance` continues it. `run` is `begin` + `advance`.
   */
  begin(seed: number, run: number, opts: RunOptions = NO_OPTIONS): void {
    const m = this.m;
    this.trace = opts.trace;
    this.traceDraws = opts.traceDraws === true && opts.trace !== undefined;
    this.suppress = opts.suppress;
    this.choose = opts.choose;
    this.tilt = opts.tilt ?? null;
    if (!this.sites) this.sites = chanceSites(m);
    this.streams.reset(seed, run);
    this.resetState();

    this.drawTypes();
    this.holdTalks();

    const s = this.s;
    for (let k = 0; k < m.injects.length; k++) {
      const inj = m.injects[k]!;
      this.push(inj.tick, K_EXEC, inj.action, inj.outcome, -1, -1, k, -1);
      if (inj.tick > s.activityEnd) s.activityEnd = inj.tick;
    }
    for (let h = 0; h < m.hazards.length; h++) {
      const hz = m.hazards[h]!;
      if (hz.activity && hz.until > s.activityEnd) s.activityEnd = Math.min(hz.until, m.horizon);
      this.scheduleHazard(h, hz.from);
    }
    for (let i = 0; i < this.nA; i++) this.scheduleFalseAlarms(i, 0);
  }

  /**
   * Continues the current run until it ends, and returns its outcome (the result is in `result`).
   * With `score`, stops early after the first queue item (an act, a perception, a message) after which
   * `score(this) > level`, and returns -1: the state there can be copied (`snapshot`) and the run
   * continued by calling `advance` again, after `branch` for fresh randomness (adaptive multilevel
   * splitting). With `until`, stops (returning -1) once every tick up to `until` is processed and the
   * run goes on past it: a clock for play in turns; `advance` again continues.
   */
  advance(
    level = Number.POSITIVE_INFINITY,
    score?: (sim: Simulator) => number,
    until = Number.POSITIVE_INFINITY,
  ): number {
    const m = this.m;
    const s = this.s;
    const r = s.result;
    let outcome = -1;
    let t = s.t;
    let resume = s.midTick === 1;
    s.midTick = 0;
    for (;;) {
      if (resume) {
        resume = false;
        t = s.t;
      } else {
        const tq = s.qLen > 0 ? Math.floor(s.qKey[0]! * 0.25) : INF;
        let next = tq;
        let calm = r.warTick < 0 && s.pending === 0;
        for (let i = 0; i < this.nA; i++) {
          const a = m.actors[i]!;
          const R = s.readiness[i]!;
          if (R > a.readiness0) {
            const tc = s.lastAlarm[i]! + a.calmTicks;
            if (tc < next) next = tc;
          }
          if (R > a.readiness0 + m.resolveSlack) calm = false;
        }
        if (calm) {
          const tr = Math.max(s.lastLoud + m.resolveQuiet, s.activityEnd);
          if (tr < next) next = tr;
        }
        if (next > until && until < s.endTick) return -1;
        if (next > s.endTick) {
          t = s.endTick;
          outcome = r.warTick >= 0 ? OUTCOME_WAR : OUTCOME_HORIZON;
          break;
        }
        t = next;
        s.t = t;
      }
      const tEnd = t * 4 + 4;
      while (s.qLen > 0 && s.qKey[0]! < tEnd) {
        this.processTop();
        if (r.peak >= m.nuclearRung || s.ceasefire === 1) break;
        if (score !== undefined && score(this) > level) {
          s.midTick = 1;
          return -1;
        }
      }
      if (r.peak >= m.nuclearRung) {
        outcome = OUTCOME_NUCLEAR;
        break;
      }
      if (s.ceasefire === 1) {
        outcome = OUTCOME_WAR;
        break;
      }
      for (let i = 0; i < this.nA; i++) {
        const a = m.actors[i]!;
        const R = s.readiness[i]!;
        if (R > a.readiness0 && s.lastAlarm[i]! + a.calmTicks <= t) {
          this.setReadiness(i, R - 1, 'calm');
          s.lastAlarm[i] = t;
        }
      }
      if (r.warTick >= 0) {
        if (t >= s.endTick) {
          outcome = OUTCOME_WAR;
          break;
        }
      } else if (s.pending === 0 && t - s.lastLoud >= m.resolveQuiet && t >= s.activityEnd) {
        let calm = true;
        for (let i = 0; i < this.nA; i++)
          if (s.readiness[i]! > m.actors[i]!.readiness0 + m.resolveSlack) calm = false;
        if (calm) {
          outcome = OUTCOME_RESOLVED;
          break;
        }
      }
    }
    r.outcome = outcome;
    r.endTick = t;
    r.events = s.nEv;
    this.trace?.push({
      t,
      kind: 'end',
      outcome: outcomeName(outcome),
      peak: m.rungIds[r.peak]!,
      reason: this.endReason(outcome, t),
    });
    return outcome;
  }

  private endReason(outcome: number, t: number): string {
    const s = this.s;
    if (outcome === OUTCOME_NUCLEAR) return 'nuclear use';
    if (outcome === OUTCOME_RESOLVED) return 'crisis over: activity ended, readiness back to baseline, quiet';
    if (outcome === OUTCOME_WAR)
      return s.ceasefire === 1
        ? 'ceasefire'
        : t >= this.m.horizon
          ? 'horizon (war goes on)'
          : 'end of the war phase';
    return 'horizon (crisis unresolved)';
  }

  /** Fresh randomness for the rest of the current run: every stream re-keyed by (seed, branch). */
  branch(seed: number, branch: number): void {
    this.streams.branch(seed, branch);
  }

  /** A copy of the whole state of the current run (see `advance`). */
  snapshot(): RunSnapshot {
    return { streams: this.streams.snapshot(), state: copyState(this.s) };
  }

  /** Puts the state of `snapshot` back (the same model); continue with `advance`. */
  restore(snap: RunSnapshot): void {
    this.streams.restore(snap.streams);
    assignState(this.s, snap.state);
    this.s.result.talksHolding = this.s.talksHolding;
  }

  private resetState(): void {
    const m = this.m;
    const s = this.s;
    const nA = this.nA;
    const nT = this.nT;
    const r = s.result;
    r.peak = 0;
    r.warTick = -1;
    r.pathLength = 0;
    r.lethalMisperception = -1;
    r.lethalCause = -1;
    r.warMisperception = -1;
    r.warCause = -1;
    r.decisions = 0;
    r.mpCount = 0;
    r.leaks = 0;
    r.logWeight = 0;
    s.nEv = 0;
    s.qLen = 0;
    s.seq = 0;
    s.nFree = 0;
    s.nSlots = 0;
    s.pending = 0;
    s.t = 0;
    s.midTick = 0;
    s.lastLoud = 0;
    s.endTick = m.horizon;
    s.activityEnd = 0;
    s.warPhase = -1;
    s.warPhaseEnd = 0;
    s.ceasefire = 0;
    s.policy.fill(0);
    for (let i = 0; i < nA; i++) {
      const a = m.actors[i]!;
      s.readiness[i] = a.readiness0;
      s.lastAlarm[i] = 0;
      s.taint[i] = -1;
      s.perceiveOrdinal[i] = 0;
      s.falseGen[i] = 0;
      s.decisionGen[i] = 0;
      s.prior.set(a.intentPrior, i * nA * nT);
    }
    if (s.expectsDirty === 1) {
      const E = m.expectSize;
      for (let i = 0; i < nA; i++) s.expects.set(m.actors[i]!.expects, i * E);
      s.expectsDirty = 0;
    }
    if (s.valuesDirty === 1) {
      s.values.set(m.baseValue);
      s.valuesDirty = 0;
    }
    s.belief.set(s.prior);
    s.lastTouch.fill(0);
    s.channelOpen.fill(1);
    for (let c = 0; c < m.channels.length; c++) s.channelCred[c] = m.channels[c]!.credibility;
  }

  private drawTypes(): void {
    const m = this.m;
    const s = this.s;
    for (let i = 0; i < this.nA; i++) {
      const cum = m.actors[i]!.typeCum;
      const n = cum.length;
      for (let k = 0; k < n; k++) this.cp[k] = (k === n - 1 ? 1 : cum[k]!) - (k > 0 ? cum[k - 1]! : 0);
      s.type[i] = this.chance(STREAM.types, -1, n);
    }
    if (this.trace) {
      const types: Record<string, string> = {};
      for (let i = 0; i < this.nA; i++) types[m.actors[i]!.id] = m.typeIds[s.type[i]!]!;
      this.trace.push({ t: 0, kind: 'types', types });
    }
  }

  /**
   * Contingency talks held before the crisis (decision 0017): each deciding party takes part or not
   * (a logit on the talks' value to it, its exposure at this venue, the leak risk, its beliefs and the
   * faction that prevails); then each round is convened or not, closes a share of the gap between the
   * parties' beliefs and the truth, and may leak to a named actor.
   */
  private holdTalks(): void {
    const m = this.m;
    const s = this.s;
    const r = s.result;
    for (let k = 0; k < m.talks.length; k++) {
      const tk = m.talks[k]!;
      r.talksHappened[k] = 0;
      r.talksLeaked[k] = 0;
      let joined = tk.rounds > 0;
      if (tk.participation.length > 0) {
        const declined: string[] | undefined = this.trace ? [] : undefined;
        const shares: Record<string, number> | undefined = this.trace ? {} : undefined;
        for (const pt of tk.participation) {
          const p = this.participationP(tk, pt);
          // One draw per deciding party whatever the others chose, so the stream stays aligned.
          const yes = this.bernoulli(STREAM.talks, -1, p);
          if (shares) shares[m.actors[pt.actor]!.id] = p;
          if (!yes) {
            joined = false;
            declined?.push(m.actors[pt.actor]!.id);
          }
        }
        this.trace?.push({
          t: 0,
          kind: 'talks',
          talks: tk.id,
          round: 0,
          understanding: 0,
          leakedTo: [],
          broken: !joined,
          participation: shares!,
          declined: declined!,
        });
      }
      let u = 0;
      let holding = joined ? 1 : 0;
      for (let round = 1; joined && round <= tk.rounds; round++) {
        // One draw per round whatever the venue, so the stream stays aligned.
        const convened = this.bernoulli(STREAM.talks, -1, tk.convening);
        if (!convened) {
          this.trace?.push({
            t: 0,
            kind: 'talks',
            talks: tk.id,
            round,
            understanding: u,
            leakedTo: [],
            broken: true,
            convened: false,
          });
          if (round === 1) holding = 0;
          break;
        }
        r.talksHappened[k] = 1;
        const leakedTo: string[] | undefined = this.trace ? [] : undefined;
        let leaked = 0;
        for (let l = 0; l < tk.leakTo.length; l++) {
          if (this.bernoulli(STREAM.talks, -1, tk.leakP[l]!)) {
            leakedTo?.push(m.actors[tk.leakTo[l]!]!.id);
            leaked++;
            r.leaks++;
            r.talksLeaked[k] = 1;
            this.applyEffects(tk.leakTo[l]!, tk.leakEffects[l]!, this.trace ? `leak of talks ${tk.id}` : '');
          }
        }
        // One draw whether or not a leak happened, so the stream stays aligned.
        const goOn = this.bernoulli(STREAM.talks, -1, leaked > 0 ? tk.continueAfterLeak : 1);
        const broken = leaked > 0 && !goOn;
        u += tk.convergence * (1 - u);
        this.trace?.push({
          t: 0,
          kind: 'talks',
          talks: tk.id,
          round,
          understanding: u,
          leakedTo: leakedTo!,
          broken,
        });
        if (broken) {
          holding = 0;
          break;
        }
      }
      s.talksHolding[k] = holding;
      if (u > 0) this.alignParties(tk.parties, u, tk.alignExpects, tk.alignIntent);
    }
    // Priors after talks are the reference beliefs decay back to, and fear is measured from.
    s.prior.set(s.belief);
    const nA = this.nA;
    for (let i = 0; i < nA; i++)
      for (let j = 0; j < nA; j++)
        this.hostilePrior[i * nA + j] = s.prior[(i * nA + j) * this.nT + m.hostileType]!;
  }

  /** Probability that a party takes part in talks `tk` (decision 0017). */
  participationP(tk: TalksModel, pt: ParticipationModel): number {
    let noLeak = 1;
    for (let l = 0; l < tk.leakP.length; l++) noLeak *= (1 - tk.leakP[l]!) ** tk.rounds;
    let u = pt.value - pt.exposure * (1 - tk.discretion) - pt.leakCost * (1 - noLeak);
    for (const b of pt.beliefs) u += b.weight * this.beliefOf(pt.actor, b.about, b.type);
    if (pt.byType) u += pt.byType[this.s.type[pt.actor]!]!;
    return 1 / (1 + Math.exp(-pt.lambda * u));
  }

  private alignParties(parties: number[], u: number, expects: boolean, intent: boolean): void {
    const m = this.m;
    const s = this.s;
    const nA = this.nA;
    const nT = this.nT;
    for (const p of parties) {
      for (const q of parties) {
        if (p === q) continue;
        if (intent) {
          const base = (p * nA + q) * nT;
          for (let t = 0; t < nT; t++) {
            const truth = s.type[q] === t ? 1 : 0;
            s.belief[base + t] = (1 - u) * s.belief[base + t]! + u * truth;
          }
        }
        if (expects) {
          const e = this.ownExpects(p);
          for (const row of m.expectRows) {
            if (row.responder !== q) continue;
            for (let k = 0; k < row.responses.length; k++) {
              e[row.start + k] = (1 - u) * e[row.start + k]! + u * row.truth[k]!;
            }
          }
          this.refreshValues(p);
        }
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Chance: every draw of a run

  /**
   * Draws one option of chance site `site` (-1: a site that is never tilted) whose n base
   * probabilities are in `cp`, with one uniform from `stream`. Under a tilt, draws from the tilted law
   * and adds the likelihood ratio to the run's log weight; with tracing of draws, records it.
   */
  chance(stream: number, site: number, n: number): number {
    const u = this.streams.uniform(stream);
    const p = this.cp;
    let c = -1;
    const tilt = this.tilt;
    if (tilt !== null && site >= 0) c = this.tiltedDraw(site, n, u);
    else {
      let acc = 0;
      for (let k = 0; k < n; k++) {
        if (p[k]! <= 0) continue;
        c = k;
        acc += p[k]!;
        if (u < acc) break;
      }
      if (c < 0) c = 0;
    }
    if (this.traceDraws) this.traceDraw(site, n, c);
    return c;
  }

  /** A Bernoulli(p) draw through `chance`: option 0 (true) with probability p. */
  private bernoulli(stream: number, site: number, p: number): boolean {
    this.cp[0] = p;
    this.cp[1] = 1 - p;
    return this.chance(stream, site, 2) === 0;
  }

  /**
   * Ticks until an event of probability p per tick happens (>= 1), through the chance site `site`
   * (options occurs, not). Under a tilt the per-tick probability is tilted and the likelihood ratio of
   * the waiting time is exact; a time beyond `limit` ticks counts as "not within the window".
   */
  private waitTicks(stream: number, site: number, p: number, limit: number): number {
    const u = this.streams.uniform(stream);
    const tilt = this.tilt;
    if (tilt === null || site < 0 || (tilt.until !== undefined && this.s.result.peak >= tilt.until)) {
      const k = geometric(u, p);
      if (this.traceDraws) this.traceWait(site, p, k);
      return k;
    }
    const off = this.sites!.start[site]!;
    const w1 = tilt.w[off]!;
    const w0 = tilt.w[off + 1]!;
    const d = tilt.defensive ?? 0;
    const pt = p * w1 + (1 - p) * w0 > 0 ? (1 - d) * ((p * w1) / (p * w1 + (1 - p) * w0)) + d * p : p;
    const k = geometric(u, pt);
    const r = this.s.result;
    const n = Math.min(k, limit + 1);
    if (k <= limit) {
      r.logWeight += Math.log(p) - Math.log(pt) + (k - 1) * (Math.log1p(-p) - Math.log1p(-pt));
    } else r.logWeight += limit * (Math.log1p(-p) - Math.log1p(-pt));
    if (tilt.chosen) {
      const fired = k <= limit ? 1 : 0;
      const ticks = fired ? n : limit;
      tilt.chosen[off]! += fired;
      tilt.chosen[off + 1]! += ticks - fired;
      tilt.expected![off]! += p * ticks;
      tilt.expected![off + 1]! += (1 - p) * ticks;
    }
    if (this.traceDraws) this.traceWait(site, pt, k);
    return k;
  }

  private traceDraw(site: number, n: number, c: number): void {
    const sites = this.sites!;
    const name = site >= 0 ? sites.names[site]! : 'untilted';
    const off = site >= 0 ? sites.start[site]! : 0;
    this.trace!.push({
      t: this.s.t,
      kind: 'chance',
      site: name,
      options: Array.from({ length: n }, (_, k) => ({
        id: site >= 0 ? (sites.options[off + k] ?? String(k)) : String(k),
        p: this.cp[k]!,
      })),
      chosen: c,
    });
  }

  private traceWait(site: number, p: number, k: number): void {
    this.trace!.push({
      t: this.s.t,
      kind: 'chance',
      site: site >= 0 ? this.sites!.names[site]! : 'untilted wait',
      options: [{ id: 'per tick', p }],
      chosen: k,
    });
  }

  /**
   * Draws an option of chance site `s` whose n base probabilities are in `cp`, from the tilted law
   * (p_k * w_k, normalised), with the uniform u; adds the likelihood ratio to the run's log weight.
   */
  private tiltedDraw(s: number, n: number, u: number): number {
    const tilt = this.tilt!;
    const w = tilt.w;
    const off = this.sites!.start[s]!;
    const p = this.cp;
    let z = 0;
    for (let k = 0; k < n; k++) z += p[k]! * w[off + k]!;
    let c = -1;
    if (tilt.until !== undefined && this.s.result.peak >= tilt.until) z = 0;
    else if (tilt.chosen) {
      for (let k = 0; k < n; k++) tilt.expected![off + k]! += p[k]!;
    }
    if (z > 0) {
      const d = tilt.defensive ?? 0;
      let acc = 0;
      for (let k = 0; k < n; k++) {
        const q = (1 - d) * ((p[k]! * w[off + k]!) / z) + d * p[k]!;
        if (q <= 0) continue;
        c = k;
        acc += q;
        if (u < acc) break;
      }
      const qc = (1 - d) * ((p[c]! * w[off + c]!) / z) + d * p[c]!;
      this.s.result.logWeight += Math.log(p[c]!) - Math.log(qc);
    } else {
      let acc = 0;
      for (let k = 0; k < n; k++) {
        if (p[k]! <= 0) continue;
        c = k;
        acc += p[k]!;
        if (u < acc) break;
      }
    }
    if (c < 0) c = 0;
    if (tilt.chosen && z > 0) tilt.chosen[off + c]! += 1;
    return c;
  }

  // -------------------------------------------------------------------------------------------
  // Queue

  private push(
    tick: number,
    kind: number,
    a: number,
    b: number,
    c: number,
    d: number,
    e: number,
    f: number,
  ): void {
    const s = this.s;
    if (s.qLen === s.qKey.length) this.growQueue();
    const slot = s.nFree > 0 ? s.freeSlots[--s.nFree]! : s.nSlots++;
    s.sKind[slot] = kind;
    s.sA[slot] = a;
    s.sB[slot] = b;
    s.sC[slot] = c;
    s.sD[slot] = d;
    s.sE[slot] = e;
    s.sF[slot] = f;
    if (
      kind === K_OBS ||
      kind === K_MSG ||
      kind === K_REVIEW ||
      kind === K_CONSULT ||
      (kind === K_EXEC && e === -1)
    )
      s.pending++;
    const key = tick * 4 + PHASE_OF[kind]!;
    const seq = s.seq++;
    const qKey = s.qKey;
    const qSeq = s.qSeq;
    const qSlot = s.qSlot;
    let i = s.qLen++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (qKey[p]! <= key) break;
      qKey[i] = qKey[p]!;
      qSeq[i] = qSeq[p]!;
      qSlot[i] = qSlot[p]!;
      i = p;
    }
    qKey[i] = key;
    qSeq[i] = seq;
    qSlot[i] = slot;
  }

  private growQueue(): void {
    const s = this.s;
    const key = new Float64Array(s.qKey.length * 2);
    key.set(s.qKey);
    s.qKey = key;
    s.qSeq = doubled(s.qSeq);
    s.qSlot = doubled(s.qSlot);
    s.sKind = doubled(s.sKind);
    s.sA = doubled(s.sA);
    s.sB = doubled(s.sB);
    s.sC = doubled(s.sC);
    s.sD = doubled(s.sD);
    s.sE = doubled(s.sE);
    s.sF = doubled(s.sF);
    s.freeSlots = doubled(s.freeSlots);
  }

  private processTop(): void {
    const s = this.s;
    const qKey = s.qKey;
    const qSeq = s.qSeq;
    const qSlot = s.qSlot;
    const slot = qSlot[0]!;
    const kind = s.sKind[slot]!;
    const a = s.sA[slot]!;
    const b = s.sB[slot]!;
    const c = s.sC[slot]!;
    const d = s.sD[slot]!;
    const e = s.sE[slot]!;
    const f = s.sF[slot]!;
    s.freeSlots[s.nFree++] = slot;
    const last = --s.qLen;
    if (last > 0) {
      const key = qKey[last]!;
      const seq = qSeq[last]!;
      const lastSlot = qSlot[last]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= last) break;
        let child = l;
        if (l + 1 < last) {
          const kr = qKey[l + 1]!;
          const kl = qKey[l]!;
          if (kr < kl || (kr === kl && qSeq[l + 1]! < qSeq[l]!)) child = l + 1;
        }
        const kc = qKey[child]!;
        if (key < kc || (key === kc && seq < qSeq[child]!)) break;
        qKey[i] = kc;
        qSeq[i] = qSeq[child]!;
        qSlot[i] = qSlot[child]!;
        i = child;
      }
      qKey[i] = key;
      qSeq[i] = seq;
      qSlot[i] = lastSlot;
    }
    switch (kind) {
      case K_EXEC:
        // a: action, b: forced outcome, c: taint, d: cause event, e: source (inject k | -2-h hazard |
        // -1 decision), f: decision generation of the actor (-1: not a decision)
        if (e === -1) {
          s.pending--;
          if (f !== s.decisionGen[this.m.actions[a]!.actor]) {
            this.traceCancelled(a, 'held: the picture changed before the order was carried out');
            break;
          }
        }
        if (e <= -2 && e > SOURCE_WAR) this.scheduleHazard(-2 - e, s.t + 1);
        this.execute(a, b, c, d, e);
        break;
      case K_FALSE:
        // a: observer, b: false-alarm entry, c: generation
        this.falseAlarm(a, b, c);
        break;
      case K_OBS:
        // a: observer, b: event (-1 false alarm), c: perceived act, d: flags, e: taint
        s.pending--;
        this.observe(a, b, c, d, e);
        break;
      case K_MSG:
        // a: receiver, b: event, c: channel, e: taint
        s.pending--;
        this.deliverMessage(a, b, c, e);
        break;
      case K_REVIEW:
        // a: observer, b: misperception record
        s.pending--;
        this.review(a, b);
        break;
      case K_CONSULT:
        // a: action, c: taint, d: cause, f: generation
        s.pending--;
        this.consulted(a, c, d, f);
        break;
      case K_WAR:
        this.warPulse();
        break;
      case K_NONE:
        break;
    }
  }

  /** Holds the pending acts of actor i that match (taint, or every escalatory act with taint -2). */
  private holdPending(i: number, taint: number, reason: string): void {
    const s = this.s;
    const m = this.m;
    for (let h = 0; h < s.qLen; h++) {
      const slot = s.qSlot[h]!;
      const kind = s.sKind[slot]!;
      if (!((kind === K_EXEC && s.sE[slot] === -1) || kind === K_CONSULT)) continue;
      const action = m.actions[s.sA[slot]!]!;
      if (action.actor !== i) continue;
      if (taint === -2 ? action.rung < m.quietRung : s.sC[slot] !== taint) continue;
      s.sKind[slot] = K_NONE;
      s.pending--;
      this.traceCancelled(s.sA[slot]!, reason);
    }
  }

  private traceCancelled(action: number, reason: string): void {
    if (!this.trace) return;
    const m = this.m;
    const a = m.actions[action]!;
    this.trace.push({ t: this.s.t, kind: 'cancel', actor: m.actors[a.actor]!.id, act: a.id, reason });
  }

  // -------------------------------------------------------------------------------------------
  // Hazards and false alarms

  private scheduleHazard(h: number, from: number): void {
    const hz = this.m.hazards[h]!;
    const start = Math.max(from, hz.from);
    const limit = Math.min(hz.until, this.s.endTick) - start + 1;
    if (limit <= 0) return;
    const k = this.waitTicks(STREAM.hazards, this.sites!.hazardSite[h]!, hz.perTick, limit);
    const tick = start - 1 + k;
    if (tick <= hz.until && tick <= this.s.endTick)
      this.push(tick, K_EXEC, hz.action, -1, -1, -1, -2 - h, -1);
  }

  /** (Re)samples the false-alarm candidates of observer i from tick `from`; older ones go stale. */
  private scheduleFalseAlarms(i: number, from: number): void {
    const a = this.m.actors[i]!;
    if (a.falseAlarmAction.length === 0) return;
    const gen = ++this.s.falseGen[i]!;
    for (let e = 0; e < a.falseAlarmAction.length; e++) this.scheduleFalseAlarm(i, e, from, gen);
  }

  /**
   * Candidate false alarms of observer i's entry e arrive at the highest rate the entry can have at the
   * observer's readiness (full fear); each is kept with probability p(now) / p_max. Thinning is exact
   * for a rate that moves with fear; a change of readiness resamples the candidates (memoryless).
   */
  private scheduleFalseAlarm(i: number, e: number, from: number, gen: number): void {
    const a = this.m.actors[i]!;
    const pmax = a.falseAlarmMax[e * N_READINESS + this.s.readiness[i]!]!;
    const tick = from - 1 + geometric(this.streams.uniform(actorStream(i, PURPOSE.falseAlarm)), pmax);
    if (tick <= this.s.endTick) this.push(tick, K_FALSE, i, e, gen, -1, -1, -1);
  }

  private falseAlarm(i: number, e: number, gen: number): void {
    const m = this.m;
    const s = this.s;
    const a = m.actors[i]!;
    if (gen !== s.falseGen[i]) return;
    this.scheduleFalseAlarm(i, e, s.t + 1, gen);
    const phantom = a.falseAlarmAction[e]!;
    const j = m.actions[phantom]!.actor;
    const z = a.falseAlarmZ[e * N_READINESS + s.readiness[i]!]! + a.fear * this.fearOf(i, j);
    const p = Math.min(1, phi(z) / a.falseAlarmMax[e * N_READINESS + s.readiness[i]!]!);
    const site = this.sites!.falseAlarmSite[this.sites!.falseAlarmStart[i]! + e]!;
    if (!this.bernoulli(actorStream(i, PURPOSE.falseAlarm), site, p)) return;
    const act = m.actions[phantom]!.outcomes[0]!.act;
    const ordinal = s.perceiveOrdinal[i]!++;
    if (this.suppress?.(MP_FALSE_ALARM, i, ordinal)) return;
    const mp = this.recordMisperception(MP_FALSE_ALARM, i, act, act, ordinal);
    const arrives = s.t + a.latency[m.actions[phantom]!.domain]!;
    this.trace?.push({ t: s.t, kind: 'false-alarm', observer: a.id, perceived: m.actIds[act]!, arrives });
    this.push(arrives, K_OBS, i, -1, act, F_FALSE, mp, -1);
    if (a.review) this.push(s.t + a.review.ticks, K_REVIEW, i, mp, -1, -1, -1, -1);
  }

  /** How much more i fears j than before the crisis: hostile belief minus its prior. */
  private fearOf(i: number, j: number): number {
    if (this.m.actors[i]!.fear === 0) return 0;
    return this.beliefOf(i, j, this.m.hostileType) - this.hostilePrior[i * this.nA + j]!;
  }

  private recordMisperception(
    kind: number,
    observer: number,
    act: number,
    perceived: number,
    ordinal: number,
    ev = -1,
  ): number {
    const r = this.s.result;
    if (r.mpCount === r.mpKind.length) {
      r.mpKind = doubled(r.mpKind);
      r.mpObserver = doubled(r.mpObserver);
      r.mpAct = doubled(r.mpAct);
      r.mpPerceived = doubled(r.mpPerceived);
      r.mpTick = doubled(r.mpTick);
      r.mpOrdinal = doubled(r.mpOrdinal);
      r.mpEvent = doubled(r.mpEvent);
      r.mpCorrected = doubled(r.mpCorrected);
    }
    const k = r.mpCount++;
    r.mpKind[k] = kind;
    r.mpObserver[k] = observer;
    r.mpAct[k] = act;
    r.mpPerceived[k] = perceived;
    r.mpTick[k] = this.s.t;
    r.mpOrdinal[k] = ordinal;
    r.mpEvent[k] = ev;
    r.mpCorrected[k] = 0;
    return k;
  }

  // -------------------------------------------------------------------------------------------
  // Acts

  /** Executes an act of an actor: substitution, outcome, effects, perception by every observer. */
  private execute(action: number, forced: number, taint: number, cause: number, source: number): void {
    const m = this.m;
    const s = this.s;
    const sites = this.sites!;
    let act = m.actions[action]!;
    const i = act.actor;
    const sx = actorStream(i, PURPOSE.execute);
    let substitutedFor: string | undefined;
    // Accidental or unauthorised substitution (always one draw, so the stream stays aligned).
    this.cp[0] = 1 - act.substitutionP;
    this.cp[1] = act.substitutionP;
    if (this.chance(sx, sites.substitutionSite[action]!, 2) === 1) {
      substitutedFor = act.id;
      action = act.substitutionTo;
      act = m.actions[action]!;
      forced = -1;
    }
    // Outcome (always one draw).
    const cum = act.outcomeCum;
    const n = cum.length;
    for (let k = 0; k < n; k++) this.cp[k] = (k === n - 1 ? 1 : cum[k]!) - (k > 0 ? cum[k - 1]! : 0);
    let o = this.chance(sx, sites.outcomeSite[action]!, n);
    if (forced >= 0) o = forced;
    // A readiness already held is a state, not a new act: nobody sees anything new.
    if (act.holdsState && s.readiness[i]! >= act.readiness) {
      this.trace?.push({
        t: s.t,
        kind: 'holds',
        actor: m.actors[i]!.id,
        act: act.id,
        readiness: s.readiness[i]!,
      });
      return;
    }
    const outcome = act.outcomes[o]!;
    const ev = this.newEvent(outcome.act, taint);
    const rung = outcome.rung;
    const r = s.result;
    if (this.trace) {
      this.trace.push({
        t: s.t,
        kind: 'event',
        event: ev,
        act: m.actIds[outcome.act]!,
        rung: m.rungIds[rung]!,
        cause:
          cause >= 0
            ? `response to event ${cause} (${m.actIds[s.evAct[cause]!]})`
            : source === SOURCE_WAR
              ? `war operations (phase ${m.war!.phases[s.warPhase]!.id})`
              : source <= -2
                ? `hazard ${m.hazards[-2 - source]!.id}`
                : source >= 0
                  ? `inject ${m.injects[source]!.id}`
                  : 'response to a perception',
        outcome:
          act.outcomes.length > 1 || forced >= 0
            ? {
                options: act.outcomes.map((x) => ({ id: x.id, p: x.p })),
                chosen: outcome.id,
                forced: forced >= 0,
              }
            : null,
        ...(substitutedFor ? { substitutedFor } : {}),
        misperceptionInChain: taint >= 0,
      });
    }
    // Effects on the actor.
    if (act.readiness >= 0 && s.readiness[i]! < act.readiness) this.setReadiness(i, act.readiness, act.id);
    if (act.standDown && s.readiness[i] !== m.actors[i]!.readiness0)
      this.setReadiness(i, m.actors[i]!.readiness0, act.id);
    if (act.cutChannel >= 0) s.channelOpen[act.cutChannel] = 0;
    if (act.setsPolicy.length + act.revokesPolicy.length > 0) this.applyPolicy(i, action);
    if (act.durationTicks > 0 && s.t + act.durationTicks > s.activityEnd)
      s.activityEnd = Math.min(m.horizon, s.t + act.durationTicks);
    // Escalation record.
    if (rung >= m.quietRung) s.lastLoud = s.t;
    if (rung > r.peak || (rung === r.peak && rung >= m.lethalRung && rung < m.warRung)) {
      if (r.pathLength < r.path.length) r.path[r.pathLength++] = outcome.act;
      r.peak = rung;
    }
    if (rung >= m.lethalRung && r.lethalMisperception < 0) {
      r.lethalMisperception = taint >= 0 ? 1 : 0;
      r.lethalCause = taint;
    }
    if (rung >= m.warRung && r.warTick < 0) {
      r.warTick = s.t;
      r.warMisperception = taint >= 0 ? 1 : 0;
      r.warCause = taint;
      this.startWar();
    }
    if (rung >= m.nuclearRung) return;
    this.notify(ev, action);
    if (act.message) {
      this.send(ev, action, taint);
      return;
    }
    this.perceiveEvent(ev, action);
  }

  private applyPolicy(i: number, action: number): void {
    const m = this.m;
    const s = this.s;
    const act = m.actions[action]!;
    const nP = Math.max(1, m.policies.length);
    for (const p of act.setsPolicy) {
      s.policy[i * nP + p] = 1;
      this.trace?.push({
        t: s.t,
        kind: 'policy',
        actor: m.actors[i]!.id,
        policy: m.policies[p]!,
        active: true,
      });
    }
    for (const p of act.revokesPolicy) {
      s.policy[i * nP + p] = 0;
      this.trace?.push({
        t: s.t,
        kind: 'policy',
        actor: m.actors[i]!.id,
        policy: m.policies[p]!,
        active: false,
      });
    }
  }

  /** War begins: v1 runs on for a fixed window; with phases, operations pulse until a ceasefire. */
  private startWar(): void {
    const m = this.m;
    const s = this.s;
    if (!m.war) {
      s.endTick = Math.min(s.endTick, s.t + m.warPhase);
      return;
    }
    this.enterPhase(0);
  }

  private enterPhase(k: number): void {
    const m = this.m;
    const s = this.s;
    const ph = m.war!.phases[k]!;
    s.warPhase = k;
    s.warPhaseEnd =
      k < m.war!.phases.length - 1
        ? s.t + (ph.meanTicks > 0 ? this.waitTicks(STREAM.war, -1, 1 / ph.meanTicks, INF) : 0)
        : INF;
    this.trace?.push({ t: s.t, kind: 'war', phase: ph.id, event: 'begins' });
    this.push(s.t + ph.everyTicks, K_WAR, -1, -1, -1, -1, -1, -1);
  }

  private warPulse(): void {
    const m = this.m;
    const s = this.s;
    if (s.t >= s.warPhaseEnd) this.enterPhase(s.warPhase + 1);
    const k = s.warPhase;
    const ph = m.war!.phases[k]!;
    if (this.bernoulli(STREAM.war, this.sites!.ceasefireSite[k]!, m.war!.ceasefire[k]!)) {
      s.ceasefire = 1;
      this.trace?.push({ t: s.t, kind: 'war', phase: ph.id, event: 'ceasefire' });
      return;
    }
    this.push(s.t + ph.everyTicks, K_WAR, -1, -1, -1, -1, -1, -1);
    this.execute(ph.action, -1, -1, -1, SOURCE_WAR);
  }

  private newEvent(act: number, taint: number): number {
    const s = this.s;
    if (s.nEv >= MAX_ACTS_PER_RUN) throw new RunawayError(this.m, s.evAct, s.nEv);
    if (s.nEv === s.evAct.length) {
      s.evAct = doubled(s.evAct);
      s.evTick = doubled(s.evTick);
      s.evTaint = doubled(s.evTaint);
      s.evFlags = doubled(s.evFlags);
      s.evNotified = doubled(s.evNotified);
    }
    const e = s.nEv++;
    s.evAct[e] = act;
    s.evTick[e] = s.t;
    s.evTaint[e] = taint;
    s.evFlags[e] = 0;
    s.evNotified[e] = 0;
    return e;
  }

  private notify(ev: number, action: number): void {
    const m = this.m;
    const s = this.s;
    for (let n = 0; n < m.notifications.length; n++) {
      const reg = m.notifications[n]!;
      if (reg.covers[action] !== 1 || !this.active(reg.requires)) continue;
      const sx = actorStream(reg.by, PURPOSE.notify);
      const complied = this.bernoulli(sx, -1, reg.compliance);
      for (const k of reg.to) {
        const delivered = this.bernoulli(sx, -1, reg.delivery);
        if (complied && delivered) s.evNotified[ev]! |= 1 << k;
        this.trace?.push({
          t: s.t,
          kind: 'notify',
          by: m.actors[reg.by]!.id,
          to: m.actors[k]!.id,
          event: ev,
          complied,
          delivered: complied && delivered,
        });
      }
      s.evFlags[ev] = n + 1;
      return;
    }
  }

  /**
   * Every other actor that attends to the act perceives it by signal detection: a private act is
   * detected with Phi(z_det + (signature - 1) d'/2); any act, public and lethal ones included, may be
   * read as another (the wrong intent or actor) with Phi(z + fear shift), and a reassuring one may be
   * disbelieved. Always two draws per observer (detection, reading) so counterfactuals keep the rest.
   */
  private perceiveEvent(ev: number, action: number): void {
    const m = this.m;
    const s = this.s;
    const sites = this.sites!;
    const act = m.actions[action]!;
    const source = act.actor;
    const trueAct = s.evAct[ev]!;
    const regime = s.evFlags[ev]! - 1;
    const nActs = m.actIds.length;
    for (let k = 0; k < this.nA; k++) {
      if (k === source) continue;
      const obs = m.actors[k]!;
      if (obs.perceives[action] !== 1) continue;
      const sx = actorStream(k, PURPOSE.perceive);
      const R = s.readiness[k]!;
      const ordinal = s.perceiveOrdinal[k]!++;
      const isVictim = this.victimOf[trueAct * this.nA + k] === 1;
      let flags = 0;
      let detectP = 1;
      let latency = 0;
      if (act.isPublic || isVictim) flags |= F_PUBLIC;
      else {
        const d = act.domain;
        const ci = (k * m.actions.length + action) * N_READINESS + R;
        detectP = this.detectCache[ci]!;
        if (Number.isNaN(detectP)) {
          detectP = phi(obs.detectZ[d * N_READINESS + R]! + ((act.signature - 1) * obs.dprime[d]!) / 2);
          this.detectCache[ci] = detectP;
        }
        latency = obs.latency[d]!;
      }
      // Detection draw.
      this.cp[0] = detectP;
      this.cp[1] = 1 - detectP;
      let detected = this.chance(sx, sites.detectSite[k * this.nD + act.domain]!, 2) === 0;
      if (!detected && this.suppress?.(MP_MISSED, k, ordinal)) detected = true;
      // Reading draw: options read as it is, misreadings, disbelieved.
      const row = obs.misread[trueAct];
      let n = 1;
      let misreadP = 0;
      let fearShift = 0;
      if (row || act.reassuring) fearShift = obs.fear * this.fearOf(k, source);
      let notifiedScale = 0;
      if (regime >= 0 && this.notifiedBy[regime * this.nA + k] === 1) {
        const reg = m.notifications[regime]!;
        if ((s.evNotified[ev]! & (1 << k)) !== 0) {
          flags |= F_NOTIFIED;
          notifiedScale = reg.misread;
        } else {
          flags |= F_UNANNOUNCED;
          notifiedScale = reg.unannounced;
        }
      }
      if (row) {
        const nTo = row.to.length;
        const cache = fearShift === 0 ? this.misreadCache[k * nActs + trueAct]! : null;
        for (let j = 0; j < nTo; j++) {
          const zi = j * N_READINESS + R;
          let p: number;
          if (cache) {
            p = cache[zi]!;
            if (Number.isNaN(p)) {
              p = phi(row.z[zi]!);
              cache[zi] = p;
            }
          } else p = phi(row.z[zi]! + row.dir[j]! * fearShift);
          if ((flags & (F_NOTIFIED | F_UNANNOUNCED)) !== 0) p *= notifiedScale;
          this.cp[1 + j] = p;
          misreadP += p;
        }
        n = 1 + nTo;
      }
      let disbeliefP = 0;
      if (act.reassuring && obs.disbeliefZ[R]! > Number.NEGATIVE_INFINITY) {
        disbeliefP = phi(obs.disbeliefZ[R]! + fearShift);
        this.cp[n] = disbeliefP;
        n++;
      }
      const total = misreadP + disbeliefP;
      if (total > 1) for (let j = 1; j < n; j++) this.cp[j] = this.cp[j]! / total;
      this.cp[0] = Math.max(0, 1 - total);
      const site = sites.misreadSite[k * nActs + trueAct]!;
      let reading = 0;
      if (n > 1) reading = this.chance(sx, site, n);
      else this.streams.uniform(sx); // one draw either way: the stream stays aligned
      if (!detected) {
        this.missed(k, ev, action, source, trueAct, detectP, ordinal);
        continue;
      }
      const disbelieved = disbeliefP > 0 && reading === n - 1;
      if (reading > 0 && this.suppress?.(disbelieved ? MP_DISBELIEVED : MP_MISREAD, k, ordinal)) reading = 0;
      let perceived = trueAct;
      let taint = s.evTaint[ev]!;
      if (reading > 0 && disbelieved) {
        flags |= F_DISBELIEVED;
        taint = this.recordMisperception(MP_DISBELIEVED, k, trueAct, trueAct, ordinal, ev);
      } else if (reading > 0) {
        perceived = m.actions[row!.to[reading - 1]!]!.outcomes[0]!.act;
        flags |= F_MISREAD;
        taint = this.recordMisperception(MP_MISREAD, k, trueAct, perceived, ordinal, ev);
        if (obs.review) this.push(s.t + latency + obs.review.ticks, K_REVIEW, k, taint, -1, -1, -1, -1);
      }
      this.trace?.push({
        t: s.t,
        kind: 'perceive',
        observer: obs.id,
        event: ev,
        act: m.actIds[trueAct]!,
        perceived: m.actIds[perceived]!,
        detectP,
        misreadP,
        notified: (flags & F_NOTIFIED) !== 0,
        arrives: s.t + latency,
        ...((flags & F_DISBELIEVED) !== 0 ? { disbelieved: true } : {}),
      });
      this.push(s.t + latency, K_OBS, k, ev, perceived, flags, taint, -1);
    }
  }

  /** A missed act: a misperception when seeing it would have lowered the observer's hostile belief. */
  private missed(
    k: number,
    ev: number,
    action: number,
    source: number,
    trueAct: number,
    detectP: number,
    ordinal: number,
  ): void {
    const s = this.s;
    const m = this.m;
    let delta = 0;
    if (m.actors[k]!.usesBeliefs) {
      this.hypotheticalDelta(k, source, action);
      delta = this.u2[0]!;
    }
    if (delta < -BELIEF_EPS) {
      const mp = this.recordMisperception(MP_MISSED, k, trueAct, -1, ordinal);
      if (s.taint[k]! < 0) s.taint[k] = mp;
    }
    this.trace?.push({
      t: s.t,
      kind: 'miss',
      observer: m.actors[k]!.id,
      event: ev,
      act: m.actIds[trueAct]!,
      detectP,
      beliefDelta: delta,
    });
  }

  // -------------------------------------------------------------------------------------------
  // Beliefs

  /** Applies decay toward the prior for (i about j) up to now. */
  private touch(i: number, j: number): void {
    const s = this.s;
    const idx = i * this.nA + j;
    const dt = s.t - s.lastTouch[idx]!;
    if (dt <= 0) return;
    s.lastTouch[idx] = s.t;
    const omega = this.m.actors[i]!.omega;
    if (omega <= 0) return;
    let w: number;
    const cache = this.decayCache;
    const H = this.m.horizon;
    if (dt <= H && cache.length > 0) {
      w = cache[i * (H + 1) + dt]!;
      if (Number.isNaN(w)) {
        w = (1 - omega) ** dt;
        cache[i * (H + 1) + dt] = w;
      }
    } else w = (1 - omega) ** dt;
    const base = idx * this.nT;
    const b = s.belief;
    const p = s.prior;
    for (let t = 0; t < this.nT; t++) b[base + t] = w * b[base + t]! + (1 - w) * p[base + t]!;
  }

  /** Belief of i that j is of type t, now. */
  beliefOf(i: number, j: number, t: number): number {
    this.touch(i, j);
    return this.s.belief[(i * this.nA + j) * this.nT + t]!;
  }

  /**
   * Bayesian update of i's belief about j's intent with likelihoods `lik` (per type) and weight scale.
   * `action`: whose intent likelihoods `lik` are (their powers are cached), or -1.
   */
  private updateIntent(
    i: number,
    j: number,
    lik: Float64Array,
    kScale: number,
    reason: string,
    action: number,
  ): boolean {
    this.touch(i, j);
    const s = this.s;
    const nT = this.nT;
    const base = (i * this.nA + j) * nT;
    const a = this.m.actors[i]!;
    const belief = s.belief;
    let top = 0;
    for (let t = 1; t < nT; t++) if (belief[base + t]! > belief[base + top]!) top = t;
    let others = 0;
    for (let t = 0; t < nT; t++) if (t !== top) others += lik[t]!;
    others /= nT - 1;
    const confirming = lik[top]! >= others;
    const kappa = (confirming ? a.kConfirm : a.kDisconfirm) * kScale;
    const before = this.trace ? Array.from(belief.subarray(base, base + nT)) : undefined;
    const hostile = this.m.hostileType;
    const oldHostile = belief[base + hostile]!;
    let sum = 0;
    const b = this.scratchB;
    const pow = this.powCache;
    if (action >= 0 && kScale === 1 && pow.length > 0) {
      const off = ((i * this.m.actions.length + action) * 2 + (confirming ? 0 : 1)) * nT;
      if (Number.isNaN(pow[off]!)) {
        for (let t = 0; t < nT; t++) {
          const l = lik[t]!;
          pow[off + t] = l === 1 ? 1 : l ** kappa;
        }
      }
      for (let t = 0; t < nT; t++) {
        b[t] = belief[base + t]! * pow[off + t]!;
        sum += b[t]!;
      }
    } else {
      for (let t = 0; t < nT; t++) {
        const l = lik[t]!;
        b[t] = belief[base + t]! * (l === 1 ? 1 : l ** kappa);
        sum += b[t]!;
      }
    }
    if (!(sum > 0)) return false;
    for (let t = 0; t < nT; t++) belief[base + t] = b[t]! / sum;
    if (this.trace && before) {
      const m = this.m;
      this.trace.push({
        t: s.t,
        kind: 'belief',
        observer: a.id,
        about: m.actors[j]!.id,
        reason,
        before,
        after: Array.from(belief.subarray(base, base + nT)),
      });
    }
    return Math.abs(belief[base + hostile]! - oldHostile) > BELIEF_EPS;
  }

  /**
   * How much seeing `action` would change k's hostile belief about its actor (signed; nothing changes),
   * written to u2[0] (an unboxed result).
   */
  private hypotheticalDelta(k: number, j: number, action: number): void {
    this.u2[0] = 0;
    const lik = this.m.actions[action]!.intent;
    if (!lik) return;
    this.touch(k, j);
    const belief = this.s.belief;
    const nT = this.nT;
    const base = (k * this.nA + j) * nT;
    const a = this.m.actors[k]!;
    let top = 0;
    for (let t = 1; t < nT; t++) if (belief[base + t]! > belief[base + top]!) top = t;
    let others = 0;
    for (let t = 0; t < nT; t++) if (t !== top) others += lik[t]!;
    others /= nT - 1;
    const kappa = lik[top]! >= others ? a.kConfirm : a.kDisconfirm;
    let sum = 0;
    let hostile = 0;
    for (let t = 0; t < nT; t++) {
      const v = belief[base + t]! * lik[t]! ** kappa;
      sum += v;
      if (t === this.m.hostileType) hostile = v;
    }
    if (!(sum > 0)) return;
    this.u2[0] = hostile / sum - belief[base + this.m.hostileType]!;
  }

  /** Actor i's expectations, a view into the state (writes mark them for reset). */
  private ownExpects(i: number): Float64Array {
    this.s.expectsDirty = 1;
    return this.expectsOf(i);
  }

  /** Recomputes i's look-ahead values after its expectations changed. */
  private refreshValues(i: number): void {
    const m = this.m;
    const s = this.s;
    s.valuesDirty = 1;
    const e = this.expectsOf(i);
    for (let a = 0; a < m.actions.length; a++) {
      if (m.actions[a]!.actor === i) s.values[a] = lookaheadValue(m, i, e, a);
    }
  }

  private applyEffects(k: number, effects: BeliefEffectModel[], reason: string): void {
    const m = this.m;
    let credibility: { channel: string; from: number; to: number } | undefined;
    for (const eff of effects) {
      if (eff.kind === 'credibility') {
        const from = this.s.channelCred[eff.channel]!;
        const to = from * eff.factor;
        this.s.channelCred[eff.channel] = to;
        if (this.trace) credibility = { channel: m.channels[eff.channel]!.id, from, to };
      } else if (eff.kind === 'intent') {
        const lik = this.scratchLik.fill(1);
        lik[eff.type] = eff.lr;
        this.updateIntent(k, eff.about, lik, 1, reason, -1);
      } else {
        const e = this.ownExpects(k);
        for (const row of m.expectRows) {
          if (row.responder !== eff.responder) continue;
          let sum = 0;
          for (let x = 0; x < row.responses.length; x++) {
            if (row.responses[x] === eff.action) e[row.start + x] = e[row.start + x]! * eff.lr;
            sum += e[row.start + x]!;
          }
          if (sum > 0)
            for (let x = 0; x < row.responses.length; x++) e[row.start + x] = e[row.start + x]! / sum;
        }
        this.refreshValues(k);
      }
    }
    this.trace?.push({
      t: this.s.t,
      kind: 'leak',
      to: m.actors[k]!.id,
      source: reason,
      ...(credibility ? { credibility } : {}),
    });
  }

  // -------------------------------------------------------------------------------------------
  // Observation, review, messages, decisions

  private observe(k: number, ev: number, act: number, flags: number, taint: number): void {
    const m = this.m;
    const s = this.s;
    const action = m.actAction[act]!;
    const a = m.actions[action]!;
    const j = a.actor;
    if ((flags & F_DISBELIEVED) !== 0) return; // seen, not believed: no update, nothing to answer
    const outcomeRung = a.outcomes[m.actOutcome[act]!]!.rung;
    if (outcomeRung >= m.quietRung || (flags & F_FALSE) !== 0) s.lastAlarm[k] = s.t;
    if (a.intent && m.actors[k]!.usesBeliefs) {
      let kScale = 1;
      if ((flags & F_NOTIFIED) !== 0) kScale = m.notifications[s.evFlags[ev]! - 1]!.evidence;
      const moved = this.updateIntent(
        k,
        j,
        a.intent,
        kScale,
        this.trace ? `saw ${m.actIds[act]}` : '',
        action,
      );
      if (taint >= 0 && moved && s.taint[k]! < 0) s.taint[k] = taint;
    }
    this.stimulusNotified = (flags & F_NOTIFIED) !== 0;
    this.decide(k, act, taint >= 0 ? taint : s.taint[k]!, ev);
    this.stimulusNotified = false;
  }

  /** Investigation or allied intelligence reports on a wrong reading: it may be corrected. */
  private review(k: number, mp: number): void {
    const r = this.s.result;
    if (r.mpCorrected[mp] === 1) return;
    const obs = this.m.actors[k]!;
    const corrected = this.bernoulli(
      actorStream(k, PURPOSE.review),
      this.sites!.reviewSite[k]!,
      obs.review!.p,
    );
    this.trace?.push({
      t: this.s.t,
      kind: 'review',
      observer: obs.id,
      act: r.mpKind[mp] === MP_FALSE_ALARM ? 'nothing' : this.m.actIds[r.mpAct[mp]!]!,
      perceived: this.m.actIds[r.mpPerceived[mp]!]!,
      corrected,
      p: obs.review!.p,
      by: 'investigation and allied intelligence',
    });
    if (corrected) this.correct(k, mp);
  }

  /**
   * Attribution as a belief: observer k learns that what it took for `perceived` was the true act (or
   * nothing, for a false alarm). The wrong evidence is replaced by the right one, the orders given on
   * the wrong picture are held, and k decides again on what really happened.
   */
  private correct(k: number, mp: number): void {
    const m = this.m;
    const s = this.s;
    const r = s.result;
    r.mpCorrected[mp] = 1;
    const perceived = r.mpPerceived[mp]!;
    const pa = m.actions[m.actAction[perceived]!]!;
    const j = pa.actor;
    const lik = this.scratchLik;
    const trueAction = r.mpKind[mp] === MP_FALSE_ALARM ? -1 : m.actAction[r.mpAct[mp]!]!;
    const ti = trueAction >= 0 ? m.actions[trueAction]!.intent : null;
    const hostile = m.hostileType;
    const before = this.beliefOf(k, j, hostile);
    if (pa.intent && m.actors[k]!.usesBeliefs) {
      for (let t = 0; t < this.nT; t++) lik[t] = (ti ? ti[t]! : 1) / Math.max(1e-12, pa.intent[t]!);
      this.updateIntent(k, j, lik, 1, this.trace ? `corrected: not ${m.actIds[perceived]}` : '', -1);
    }
    this.holdPending(
      k,
      mp,
      `held: ${m.actIds[perceived]} turned out to be ${trueAction >= 0 ? m.actIds[r.mpAct[mp]!] : 'nothing'}`,
    );
    this.reconsider(k, j, before);
    if (trueAction >= 0) this.decide(k, r.mpAct[mp]!, -1, r.mpEvent[mp]!);
  }

  /** When k's hostile belief about j falls below its reconsider threshold, its escalatory orders are held. */
  private reconsider(k: number, j: number, before: number): void {
    const threshold = this.m.actors[k]!.reconsider;
    const after = this.beliefOf(k, j, this.m.hostileType);
    if (before >= threshold && after < threshold)
      this.holdPending(k, -2, `held: belief that ${this.m.actors[j]!.id} attacks fell below ${threshold}`);
  }

  private send(ev: number, action: number, taint: number): void {
    const m = this.m;
    const s = this.s;
    const msg = m.actions[action]!.message!;
    const from = m.actions[action]!.actor;
    const sx = actorStream(from, PURPOSE.channel);
    for (const c of msg.via) {
      const ch = m.channels[c]!;
      if (!this.channelUsable(c)) continue;
      if (!this.bernoulli(sx, -1, ch.availability)) {
        this.trace?.push({
          t: s.t,
          kind: 'message',
          from: m.actors[from]!.id,
          to: m.actors[msg.to]!.id,
          channel: ch.id,
          status: 'unavailable',
        });
        continue;
      }
      for (let l = 0; l < ch.leakTo.length; l++) {
        if (this.bernoulli(sx, -1, ch.leakP[l]!)) {
          s.result.leaks++;
          this.applyEffects(
            ch.leakTo[l]!,
            ch.leakEffects[l]!,
            this.trace ? `leak from channel ${ch.id}` : '',
          );
        }
      }
      const arrives = s.t + ch.latency;
      this.trace?.push({
        t: s.t,
        kind: 'message',
        from: m.actors[from]!.id,
        to: m.actors[msg.to]!.id,
        channel: ch.id,
        status: 'sent',
        arrives,
      });
      this.push(arrives, K_MSG, msg.to, ev, c, -1, taint, -1);
      return;
    }
    this.trace?.push({
      t: s.t,
      kind: 'message',
      from: m.actors[from]!.id,
      to: m.actors[msg.to]!.id,
      channel: msg.via.map((c) => m.channels[c]!.id).join('|'),
      status: 'no-channel',
    });
  }

  private channelUsable(c: number): boolean {
    const ch = this.m.channels[c]!;
    return ch.exists && this.s.channelOpen[c] === 1 && this.active(ch.requires);
  }

  private active(requires: number[]): boolean {
    if (requires.length === 0) return true;
    for (const k of requires) if (this.s.talksHolding[k] === 1) return true;
    return false;
  }

  private deliverMessage(k: number, ev: number, c: number, taint: number): void {
    const m = this.m;
    const s = this.s;
    const act = s.evAct[ev]!;
    const action = m.actAction[act]!;
    const msg = m.actions[action]!.message!;
    const ch = m.channels[c]!;
    const credibility = s.channelCred[c]!;
    const from = m.actions[action]!.actor;
    const sx = actorStream(k, PURPOSE.channel);
    const accepted = this.bernoulli(sx, this.sites!.acceptSite[c * this.nA + k]!, ch.acceptance[k]!);
    // Whether a reassurance is believed: one draw whether or not it was accepted (stream alignment).
    const obs = m.actors[k]!;
    const R = s.readiness[k]!;
    let disbelieveP = 0;
    if (msg.kind === 'reassure' && obs.disbeliefZ[R]! > Number.NEGATIVE_INFINITY)
      disbelieveP = phi(
        obs.disbeliefZ[R]! + obs.fear * this.fearOf(k, msg.about) - Math.log(Math.max(1, credibility)),
      );
    let believed = !this.bernoulli(sx, this.sites!.believeSite[k]!, disbelieveP);
    const ordinal = disbelieveP > 0 ? s.perceiveOrdinal[k]!++ : -1;
    if (!believed && this.suppress?.(MP_DISBELIEVED, k, ordinal)) believed = true;
    this.trace?.push({
      t: s.t,
      kind: 'message',
      from: m.actors[from]!.id,
      to: m.actors[k]!.id,
      channel: ch.id,
      status: accepted ? (believed ? 'delivered' : 'disbelieved') : 'refused',
    });
    if (!accepted) return;
    if (!believed) {
      this.recordMisperception(MP_DISBELIEVED, k, act, act, ordinal);
      return;
    }
    if (msg.kind === 'reassure') {
      const before = this.beliefOf(k, msg.about, m.hostileType);
      const lik = this.scratchLik.fill(1);
      lik[m.hostileType] = 1 / Math.max(1, credibility);
      this.updateIntent(k, msg.about, lik, 1, this.trace ? `${m.actIds[act]} via ${ch.id}` : '', -1);
      // An explanation corrects the wrong readings the receiver holds about the sender's acts.
      const r = s.result;
      for (let x = 0; x < r.mpCount; x++) {
        if (r.mpObserver[x] !== k || r.mpCorrected[x] === 1) continue;
        if (r.mpKind[x] !== MP_MISREAD && r.mpKind[x] !== MP_FALSE_ALARM) continue;
        if (m.actions[m.actAction[r.mpPerceived[x]!]!]!.actor !== msg.about) continue;
        this.trace?.push({
          t: s.t,
          kind: 'review',
          observer: obs.id,
          act: r.mpKind[x] === MP_FALSE_ALARM ? 'nothing' : m.actIds[r.mpAct[x]!]!,
          perceived: m.actIds[r.mpPerceived[x]!]!,
          corrected: true,
          p: 1,
          by: `${m.actIds[act]} via ${ch.id}`,
        });
        this.correct(k, x);
      }
      this.reconsider(k, msg.about, before);
    } else if (msg.row >= 0) {
      const w = 1 - 1 / Math.max(1, credibility);
      const e = this.ownExpects(k);
      const row = m.expectRows[msg.row]!;
      for (let x = 0; x < row.responses.length; x++) {
        e[row.start + x] = (1 - w) * e[row.start + x]! + (x === msg.entry ? w : 0);
      }
      this.refreshValues(k);
    }
    const a = m.actions[action]!;
    if (a.intent && obs.usesBeliefs)
      this.updateIntent(k, from, a.intent, 1, this.trace ? `received ${m.actIds[act]}` : '', action);
    this.decide(k, act, taint, ev);
  }

  /** Actor i responds to stimulus `act` by the first doctrine rule that applies, plus any `also` rules. */
  private decide(i: number, act: number, taint: number, cause: number): void {
    const rules = this.m.actors[i]!.rulesByAct[act]!;
    if (rules.length === 0) return;
    this.decideBy(
      i,
      act,
      taint,
      cause,
      responseDistribution(this, i, act, this.dist, this.distAct, -1),
      false,
    );
    for (let q = 0; q < rules.length; q++) {
      if (!this.m.actors[i]!.rules[rules[q]!]!.also) continue;
      const n = responseDistribution(this, i, act, this.dist, this.distAct, rules[q]!);
      this.decideBy(i, act, taint, cause, n, true);
    }
  }

  private decideBy(i: number, act: number, taint: number, cause: number, n: number, protocol: boolean): void {
    const m = this.m;
    const s = this.s;
    if (n === 0) return;
    s.result.decisions++;
    for (let k = 0; k < n; k++) this.cp[k] = this.dist[k]!;
    const rule = m.actors[i]!.rules[this.lastRule]!;
    let chosen = this.chance(
      actorStream(i, protocol ? PURPOSE.protocol : PURPOSE.decide),
      this.sites!.ruleSite[i]![this.lastRule]!,
      n,
    );
    if (this.choose !== undefined && !protocol) chosen = this.choose(i, act, n, chosen, this);
    const action = this.distAct[chosen]!;
    const actor = m.actors[i]!;
    // Decision windows shrink under threat.
    let delay = rule.decisionTicks >= 0 ? rule.decisionTicks : actor.decisionTicks;
    if (actor.urgency > 0 && delay > 0) delay = Math.round(delay * (1 - actor.urgency * this.threatOf(i)));
    if (this.trace) {
      const opts: { act: string; p: number }[] = [];
      for (let k = 0; k < n; k++) opts.push({ act: m.actions[this.distAct[k]!]!.id, p: this.dist[k]! });
      this.trace.push({
        t: s.t,
        kind: 'decide',
        actor: actor.id,
        stimulus: m.actIds[act]!,
        rule: rule.id,
        options: opts,
        chosen: m.actions[action]!.id,
        ...(m.actions[action]!.isWait ? {} : { delayHours: delay * m.tickHours }),
      });
    }
    const a = m.actions[action]!;
    if (a.isWait) return;
    if (a.consult) {
      this.push(s.t + delay + a.consult.ticks, K_CONSULT, action, -1, taint, cause, -1, s.decisionGen[i]!);
      this.trace?.push({
        t: s.t,
        kind: 'consult',
        actor: actor.id,
        ally: m.actors[a.consult.ally]!.id,
        act: a.id,
        status: 'asked',
        answerAt: s.t + delay + a.consult.ticks,
      });
      return;
    }
    this.push(s.t + delay, K_EXEC, action, -1, taint, cause, -1, s.decisionGen[i]!);
  }

  /** The largest belief of actor i that an adversary is preparing an attack (its pre-emption targets, or anyone). */
  private threatOf(i: number): number {
    const m = this.m;
    const pre = m.actors[i]!.preempt;
    let b = 0;
    if (pre) for (const j of pre.against) b = Math.max(b, this.beliefOf(i, j, m.hostileType));
    else for (let j = 0; j < this.nA; j++) if (j !== i) b = Math.max(b, this.beliefOf(i, j, m.hostileType));
    return b;
  }

  /** The ally's answer to a consultation arrives: the act goes ahead unless vetoed or held meanwhile. */
  private consulted(action: number, taint: number, cause: number, gen: number): void {
    const m = this.m;
    const s = this.s;
    const a = m.actions[action]!;
    if (gen !== s.decisionGen[a.actor]) {
      this.traceCancelled(action, 'held during the consultation');
      return;
    }
    const c = a.consult!;
    const vetoed = this.bernoulli(
      actorStream(a.actor, PURPOSE.consult),
      this.sites!.consultSite[action]!,
      c.veto,
    );
    this.trace?.push({
      t: s.t,
      kind: 'consult',
      actor: m.actors[a.actor]!.id,
      ally: m.actors[c.ally]!.id,
      act: a.id,
      status: vetoed ? 'vetoed' : 'agreed',
      answerAt: s.t,
    });
    if (!vetoed) this.execute(action, -1, taint, cause, -1);
  }

  private setReadiness(i: number, level: number, reason: string): void {
    const s = this.s;
    const from = s.readiness[i]!;
    if (from === level) return;
    s.readiness[i] = level;
    if (level > from) s.lastAlarm[i] = s.t;
    this.trace?.push({ t: s.t, kind: 'readiness', actor: this.m.actors[i]!.id, from, to: level, reason });
    this.scheduleFalseAlarms(i, s.t + 1);
  }

  // Accessors used by responseDistribution (shared with the compiler's static evaluation).
  readinessOf(i: number): number {
    return this.s.readiness[i]!;
  }
  typeOf(i: number): number {
    return this.s.type[i]!;
  }
  holding(k: number): boolean {
    return this.s.talksHolding[k] === 1;
  }
  expectsOf(i: number): Float64Array {
    const buf = this.s.expects;
    if (buf !== this.expectsBuffer) {
      const E = this.m.expectSize;
      this.expectsView = this.m.actors.map((_, k) => buf.subarray(k * E, (k + 1) * E));
      this.expectsBuffer = buf;
    }
    return this.expectsView[i]!;
  }
  valueOf(a: number): number {
    return this.s.values[a]!;
  }
  policyActive(i: number, p: number): boolean {
    return this.s.policy[i * Math.max(1, this.m.policies.length) + p] === 1;
  }
  notifiedStimulus(): boolean {
    return this.stimulusNotified;
  }
}

/** The decision context: what a rule may look at. */
export interface DecisionContext {
  readonly m: Model;
  /** Set by responseDistribution: the rule that decided. */
  lastRule: number;
  beliefOf(i: number, j: number, t: number): number;
  readinessOf(i: number): number;
  typeOf(i: number): number;
  holding(k: number): boolean;
  expectsOf(i: number): Float64Array;
  valueOf(a: number): number;
  policyActive(i: number, p: number): boolean;
  notifiedStimulus(): boolean;
}

/**
 * Writes actor i's response distribution to stimulus `act` into (dist, acts) and returns its length
 * (0: no rule applies, so the actor does nothing). Shared by the run loop and the compiler's
 * computation of each actor's true responses.
 */
export function responseDistribution(
  ctx: DecisionContext,
  i: number,
  act: number,
  dist: Float64Array,
  acts: Int32Array,
  only = -1,
): number {
  const m = ctx.m;
  const actor = m.actors[i]!;
  const rules = actor.rulesByAct[act]!;
  for (let q = 0; q < rules.length; q++) {
    const rule = actor.rules[rules[q]!]!;
    if (only >= 0 ? rules[q] !== only : rule.also) continue;
    if (!ruleApplies(ctx, m, i, rule.requires, rule.conditions)) continue;
    ctx.lastRule = rules[q]!;
    if (rule.respond) {
      const cum = rule.respond.cum;
      let prev = 0;
      for (let k = 0; k < cum.length; k++) {
        dist[k] = cum[k]! - prev;
        prev = cum[k]!;
        acts[k] = rule.respond.actions[k]!;
      }
      return cum.length;
    }
    const cands = rule.choose!;
    const lambda = actor.lambda * actor.lambdaByReadiness[ctx.readinessOf(i)]!;
    // Pre-emption (domain model section 6.2): with belief b that an adversary is about to strike,
    // waiting risks b(1 - sigma)L.
    let b = 0;
    if (actor.preempt) {
      for (const j of actor.preempt.against) b = Math.max(b, ctx.beliefOf(i, j, m.hostileType));
    }
    let max = Number.NEGATIVE_INFINITY;
    const bonus = rule.bonus;
    for (let k = 0; k < cands.length; k++) {
      const a = cands[k]!;
      let v = ctx.valueOf(a);
      if (actor.preempt) {
        if (m.actions[a]!.preemptive) v *= 1 - b;
        else v -= b * (1 - actor.preempt.sigma) * actor.preempt.loss;
      }
      if (bonus) v += bonus[k]!;
      dist[k] = v;
      acts[k] = a;
      if (v > max) max = v;
    }
    let sum = 0;
    for (let k = 0; k < cands.length; k++) {
      const e = Math.exp(lambda * (dist[k]! - max));
      dist[k] = e;
      sum += e;
    }
    for (let k = 0; k < cands.length; k++) dist[k] = dist[k]! / sum;
    return cands.length;
  }
  return 0;
}

function ruleApplies(
  ctx: DecisionContext,
  m: Model,
  i: number,
  requires: number[],
  conditions: Model['actors'][number]['rules'][number]['conditions'],
): boolean {
  if (requires.length > 0) {
    let any = false;
    for (const k of requires) if (ctx.holding(k)) any = true;
    if (!any) return false;
  }
  for (const c of conditions) {
    let v: number;
    switch (c.kind) {
      case 'belief':
        v = ctx.beliefOf(i, c.actor, c.type);
        break;
      case 'expects':
        v = ctx.expectsOf(i)[m.expectRows[c.row]!.start + c.entry]!;
        break;
      case 'readiness':
        v = ctx.readinessOf(i);
        break;
      case 'type':
        if (ctx.typeOf(i) !== c.type) return false;
        continue;
      case 'policy':
        if (ctx.policyActive(i, c.policy) !== c.active) return false;
        continue;
      case 'notified':
        if (ctx.notifiedStimulus() !== c.notified) return false;
        continue;
    }
    if (!(v > c.lo && v < c.hi)) return false;
  }
  return true;
}

/** Expected harm to an actor (harm by rung) of an action, over its outcomes. */
export function expectedHarm(m: Model, harm: Float64Array, action: number): number {
  let h = 0;
  for (const o of m.actions[action]!.outcomes) h += o.p * harm[o.rung]!;
  return h;
}

/**
 * Actor i's look-ahead value of its own action a given its expectations: own value minus the harm of
 * what it does, plus the value of the replies it expects (and, at depth 2, of the replies to those).
 */
export function lookaheadValue(m: Model, i: number, expects: Float64Array, a: number): number {
  const actor = m.actors[i]!;
  const action = m.actions[a]!;
  if (action.isWait) return 0;
  let v = action.value - action.cost - expectedHarm(m, actor.harm, a);
  v += replyValue(m, i, expects, a, actor.lookahead);
  return v;
}

function replyValue(m: Model, i: number, expects: Float64Array, a: number, depth: number): number {
  const nA = m.actors.length;
  const actor = m.actors[i]!;
  let v = 0;
  for (let j = 0; j < nA; j++) {
    if (j === i || j === m.actions[a]!.actor) continue;
    const row = m.expectRowOf[a * nA + j]!;
    if (row < 0) continue;
    const r = m.expectRows[row]!;
    for (let x = 0; x < r.responses.length; x++) {
      const p = expects[r.start + x]!;
      if (p === 0) continue;
      const resp = r.responses[x]!;
      let w = actor.actValue[resp]!;
      if (depth > 1 && !m.actions[resp]!.isWait) w += replyValue(m, i, expects, resp, depth - 1);
      v += p * w;
    }
  }
  return v;
}

export function outcomeName(o: number): string {
  return OUTCOMES[o] ?? 'unknown';
}

export { N_READINESS };
