// One run of a compiled model: next-event time advance on the tick grid. In each tick, in order:
// acts due are executed (injects, hazards, chosen responses) and perceived by every observer through its
// ISR; false alarms fire; observations and messages due are delivered, beliefs update and actors
// choose; readiness relaxes; termination is checked. Domain model section 10; departures are in
// docs/decisions/0002-engine.md.

import {
  actorStream,
  type BeliefEffectModel,
  type Model,
  N_READINESS,
  PURPOSE,
  STREAM,
  streamCount,
} from './model.ts';
import { geometric, Streams } from './rng.ts';
import type { TraceRecord } from './trace.ts';

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
export const MISPERCEPTION_KINDS = ['misread', 'false-alarm', 'missed'] as const;

/** What a run leaves behind (the engine reuses the object: copy what you keep). */
export interface RunResult {
  outcome: number;
  peak: number;
  endTick: number;
  warTick: number;
  /** Acts (stimulus indices) that raised the peak rung, or struck again at a lethal peak, in order. */
  path: Int32Array;
  pathLength: number;
  /** Whether the first act at or above the lethal rung had a misperception in its chain (-1: no lethal act). */
  lethalMisperception: number;
  /** Misperception record behind that act (-1: none). */
  lethalCause: number;
  /** Whether the act that started war (or nuclear use) had a misperception in its chain (-1: none). */
  warMisperception: number;
  warCause: number;
  decisions: number;
  events: number;
  /** Misperception records of the run. */
  mpCount: number;
  mpKind: Int32Array;
  mpObserver: Int32Array;
  mpAct: Int32Array;
  mpPerceived: Int32Array;
  mpTick: Int32Array;
  /** Ordinal of the observer's perception draw behind each misperception (for `RunOptions.suppress`). */
  mpOrdinal: Int32Array;
  talksHolding: Uint8Array;
  leaks: number;
  /** Log likelihood ratio (base over tilted law) of the run's tilted draws; 0 without a tilt. */
  logWeight: number;
}

export interface RunOptions {
  trace?: TraceRecord[];
  /** Counterfactual: misperceptions that must not happen, by (observer, kind, ordinal of that observer's draws). */
  suppress?: (kind: number, observer: number, ordinal: number) => boolean;
  /** Importance sampling: draw the chance sites from a tilted law and record the likelihood ratio. */
  tilt?: Tilt;
}

/**
 * The explicit chance sites of a model, for importance sampling: each doctrine rule (its response
 * draw), each action with several outcomes (the outcome draw), each action with a substitution hazard
 * (two options: executed as ordered, substituted), and each misreading row of an observer (option 0:
 * read correctly, then the misreadings). Options of site s are at [start[s], start[s + 1]).
 */
export interface ChanceSites {
  /** Site names: `rule ACTOR.rule`, `outcome ACTOR.action`, `substitution ACTOR.action`, `misread OBSERVER:ACTOR.action`. */
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
  /** Site of observer k's misreading row for action a at k * nActions + a (-1: none). */
  misreadSite: Int32Array;
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

/** What `Simulator.snapshot` copies: the whole state of a run at a tick boundary. */
export interface RunSnapshot {
  streams: { state: Uint32Array; draws: Uint32Array };
  ints: Int32Array[];
  belief: Float64Array;
  prior: Float64Array;
  expects: (Float64Array | null)[];
  values: Float64Array | null;
  talksHolding: Uint8Array;
  channelOpen: Uint8Array;
  events: Int32Array[];
  queue: Int32Array[];
  scalars: number[];
  result: {
    peak: number;
    warTick: number;
    path: Int32Array;
    lethalMisperception: number;
    lethalCause: number;
    warMisperception: number;
    warCause: number;
    decisions: number;
    leaks: number;
    logWeight: number;
    mp: Int32Array[];
  };
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
  m.actions.forEach((a, k) => {
    if (a.outcomes.length > 1)
      outcomeSite[k] = add(
        `outcome ${a.id}`,
        a.outcomes.map((o) => m.actIds[o.act]!),
      );
    if (a.substitutionTo >= 0)
      substitutionSite[k] = add(`substitution ${a.id}`, [a.id, m.actions[a.substitutionTo]!.id]);
  });
  const misreadSite = new Int32Array(m.actors.length * nAct).fill(-1);
  m.actors.forEach((obs, i) => {
    obs.misread.forEach((row, a) => {
      if (!row) return;
      misreadSite[i * nAct + a] = add(`misread ${obs.id}:${m.actions[a]!.id}`, [
        m.actions[a]!.id,
        ...Array.from(row.to, (x) => m.actions[x]!.id),
      ]);
    });
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
  };
}

const K_EXEC = 0;
const K_FALSE = 1;
const K_OBS = 2;
const K_MSG = 3;
const F_MISREAD = 1;
const F_FALSE = 2;
const F_NOTIFIED = 4;
const F_UNANNOUNCED = 8;
const F_PUBLIC = 16;
const BELIEF_EPS = 0.02;
const NO_OPTIONS: RunOptions = Object.freeze({});
/** Cached likelihood powers are skipped for models where the cache would exceed this many entries. */
const MAX_POW_CACHE = 1 << 22;
const INF = 0x3fffffff;

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
function doubled(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** A reusable simulator for one model: allocate once, call `run` many times. */
export class Simulator {
  readonly m: Model;
  readonly nA: number;
  readonly nT: number;
  readonly streams: Streams;
  // per-run state
  type: Int32Array;
  readiness: Int32Array;
  lastAlarm: Int32Array;
  belief: Float64Array;
  prior: Float64Array;
  lastTouch: Int32Array;
  taint: Int32Array;
  expects: Float64Array[];
  expectsOwned: Uint8Array;
  values: Float64Array;
  valuesOwned: boolean;
  talksHolding: Uint8Array;
  channelOpen: Uint8Array;
  falseGen: Int32Array;
  // events
  evAct: Int32Array;
  evTick: Int32Array;
  evTaint: Int32Array;
  evFlags: Int32Array;
  evNotified: Int32Array;
  nEv = 0;
  // queue: a binary heap of (key, seq, slot). key = tick * 4 + phase orders items by tick, then phase
  // (execution, false alarms, deliveries), then insertion (seq); an item's fields stay in its slot.
  qKey: Float64Array;
  qSeq: Int32Array;
  qSlot: Int32Array;
  qLen = 0;
  seq = 0;
  /** Item fields by slot: kind and its five arguments (see processTop). */
  sKind: Int32Array;
  sA: Int32Array;
  sB: Int32Array;
  sC: Int32Array;
  sD: Int32Array;
  sE: Int32Array;
  /** Slots free for reuse, and how many slots have been used this run. */
  freeSlots: Int32Array;
  nFree = 0;
  nSlots = 0;
  // counters of draws per observer, for counterfactual suppression
  perceiveOrdinal: Int32Array;
  // scratch
  dist: Float64Array;
  distAct: Int32Array;
  scratchB: Float64Array;
  /** A likelihood vector built on the fly (leaks, reassurances). */
  scratchLik: Float64Array;
  /** Draws taken in pairs (kept unboxed). */
  u2: Float64Array;
  /** Buffers that an actor's expectations and the look-ahead values are copied into when they change. */
  expectsBuf: Float64Array[];
  valuesBuf: Float64Array;
  /** 1 where actor k is a victim of act (stimulus) a, at a * nA + k. */
  victimOf: Uint8Array;
  /** 1 where actor k is notified under regime n, at n * nA + k. */
  notifiedBy: Uint8Array;
  /**
   * lik ** kappa for the likelihoods of each action's intent as observer i weighs them (confirming,
   * then disconfirming, evidence), at ((i * nActions + action) * 2 + c) * nT + t; NaN until computed.
   * Empty when the model is too large for it.
   */
  powCache: Float64Array;
  /** (1 - omega_i) ** dt at i * (horizon + 1) + dt; NaN until computed; empty when too large. */
  decayCache: Float64Array;
  result: RunResult;
  lastRule = 0;
  t = 0;
  /** Paused by `advance` between two queue items of tick `t`. */
  midTick = false;
  lastLoud = 0;
  endTick = 0;
  trace: TraceRecord[] | undefined;
  suppress: RunOptions['suppress'];
  tilt: Tilt | null = null;
  sites: ChanceSites | undefined;
  /** Base probabilities of the options of a tilted draw (scratch). */
  tiltP: Float64Array;

  constructor(model: Model) {
    this.m = model;
    const nA = model.actors.length;
    const nT = model.typeIds.length;
    this.nA = nA;
    this.nT = nT;
    this.streams = new Streams(streamCount(model));
    this.type = new Int32Array(nA);
    this.readiness = new Int32Array(nA);
    this.lastAlarm = new Int32Array(nA);
    this.belief = new Float64Array(nA * nA * nT);
    this.prior = new Float64Array(nA * nA * nT);
    this.lastTouch = new Int32Array(nA * nA);
    this.taint = new Int32Array(nA);
    this.expects = model.actors.map((a) => a.expects);
    this.expectsOwned = new Uint8Array(nA);
    this.values = model.baseValue;
    this.valuesOwned = false;
    this.talksHolding = new Uint8Array(model.talks.length);
    this.channelOpen = new Uint8Array(model.channels.length);
    this.falseGen = new Int32Array(nA);
    const cap = 64;
    this.evAct = new Int32Array(cap);
    this.evTick = new Int32Array(cap);
    this.evTaint = new Int32Array(cap);
    this.evFlags = new Int32Array(cap);
    this.evNotified = new Int32Array(cap);
    this.qKey = new Float64Array(cap);
    this.qSeq = new Int32Array(cap);
    this.qSlot = new Int32Array(cap);
    this.sKind = new Int32Array(cap);
    this.sA = new Int32Array(cap);
    this.sB = new Int32Array(cap);
    this.sC = new Int32Array(cap);
    this.sD = new Int32Array(cap);
    this.sE = new Int32Array(cap);
    this.freeSlots = new Int32Array(cap);
    this.perceiveOrdinal = new Int32Array(nA);
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
    this.u2 = new Float64Array(2);
    this.expectsBuf = model.actors.map((a) => new Float64Array(a.expects.length));
    this.valuesBuf = new Float64Array(model.baseValue.length);
    this.victimOf = new Uint8Array(model.actIds.length * nA);
    for (const action of model.actions)
      for (const o of action.outcomes) for (const k of o.casualties) this.victimOf[o.act * nA + k] = 1;
    this.notifiedBy = new Uint8Array(model.notifications.length * nA);
    model.notifications.forEach((reg, n) => {
      for (const k of reg.to) this.notifiedBy[n * nA + k] = 1;
    });
    const powSize = nA * model.actions.length * 2 * nT;
    this.powCache = new Float64Array(powSize <= MAX_POW_CACHE ? powSize : 0).fill(Number.NaN);
    const decaySize = nA * (model.horizon + 1);
    this.decayCache = new Float64Array(decaySize <= MAX_POW_CACHE ? decaySize : 0).fill(Number.NaN);
    this.tiltP = new Float64Array(maxResp + 8);
    this.result = {
      outcome: 0,
      peak: 0,
      endTick: 0,
      warTick: -1,
      path: new Int32Array(model.rungIds.length + 8),
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
      talksHolding: this.talksHolding,
      leaks: 0,
      logWeight: 0,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Run

  /** Runs run `run` of `seed`. The returned object is reused by the next call. */
  run(seed: number, run: number, opts: RunOptions = NO_OPTIONS): RunResult {
    this.begin(seed, run, opts);
    this.advance();
    return this.result;
  }

  /**
   * Starts run `run` of `seed` without advancing time: state reset, intent types drawn, talks held,
   * injects, hazards and false alarms scheduled. `advance` continues it. `run` is `begin` + `advance`.
   */
  begin(seed: number, run: number, opts: RunOptions = NO_OPTIONS): void {
    const m = this.m;
    this.trace = opts.trace;
    this.suppress = opts.suppress;
    this.tilt = opts.tilt ?? null;
    if (this.tilt && !this.sites) this.sites = chanceSites(m);
    this.streams.reset(seed, run);
    this.resetState();

    this.drawTypes();
    this.holdTalks();

    // Schedule injects, hazards and false alarms.
    for (let k = 0; k < m.injects.length; k++) {
      const inj = m.injects[k]!;
      this.push(inj.tick, K_EXEC, inj.action, inj.outcome, -1, -1, k);
    }
    for (let h = 0; h < m.hazards.length; h++) this.scheduleHazard(h, m.hazards[h]!.from);
    for (let i = 0; i < this.nA; i++) this.scheduleFalseAlarms(i, 0);
  }

  /**
   * Continues the current run until it ends, and returns its outcome (the result is in `result`).
   * With `score`, stops early after the first queue item (an act, a perception, a message) after which
   * `score(this) > level`, and returns -1: the state there can be copied (`snapshot`) and the run
   * continued by calling `advance` again, after `branch` for fresh randomness (adaptive multilevel
   * splitting). Stopping between items, not at the end of the tick, lets branches differ in the
   * replies to the act that raised the score.
   */
  advance(level = Number.POSITIVE_INFINITY, score?: (sim: Simulator) => number): number {
    const m = this.m;
    const r = this.result;
    let outcome = -1;
    let t = this.t;
    let resume = this.midTick;
    this.midTick = false;
    for (;;) {
      if (resume) {
        // Paused between two items of tick t: finish the tick.
        resume = false;
        t = this.t;
      } else {
        const tq = this.qLen > 0 ? Math.floor(this.qKey[0]! * 0.25) : INF;
        let next = tq;
        let readyForResolution = r.warTick < 0;
        for (let i = 0; i < this.nA; i++) {
          const a = m.actors[i]!;
          const R = this.readiness[i]!;
          if (R > a.readiness0) {
            const tc = this.lastAlarm[i]! + a.calmTicks;
            if (tc < next) next = tc;
          }
          if (R > a.readiness0 + 1) readyForResolution = false;
        }
        if (readyForResolution) {
          const tr = this.lastLoud + m.resolveQuiet;
          if (tr < next) next = tr;
        }
        if (next > this.endTick) {
          t = this.endTick;
          outcome = r.warTick >= 0 ? OUTCOME_WAR : OUTCOME_HORIZON;
          break;
        }
        t = next;
        this.t = t;
      }
      // Everything due at t, in (phase, insertion) order.
      const tEnd = t * 4 + 4; // keys of tick t are below
      while (this.qLen > 0 && this.qKey[0]! < tEnd) {
        this.processTop();
        if (r.peak >= m.nuclearRung) break;
        if (score !== undefined && score(this) > level) {
          this.midTick = true;
          return -1;
        }
      }
      if (r.peak >= m.nuclearRung) {
        outcome = OUTCOME_NUCLEAR;
        break;
      }
      // Readiness relaxes after calm.
      for (let i = 0; i < this.nA; i++) {
        const a = m.actors[i]!;
        const R = this.readiness[i]!;
        if (R > a.readiness0 && this.lastAlarm[i]! + a.calmTicks <= t) {
          this.setReadiness(i, R - 1, 'calm');
          this.lastAlarm[i] = t;
        }
      }
      if (r.warTick >= 0) {
        if (t >= this.endTick) {
          outcome = OUTCOME_WAR;
          break;
        }
      } else if (t - this.lastLoud >= m.resolveQuiet) {
        let calm = true;
        for (let i = 0; i < this.nA; i++) if (this.readiness[i]! > m.actors[i]!.readiness0 + 1) calm = false;
        if (calm) {
          outcome = OUTCOME_RESOLVED;
          break;
        }
      }
    }
    r.outcome = outcome;
    r.endTick = t;
    r.events = this.nEv;
    this.trace?.push({ t, kind: 'end', outcome: outcomeName(outcome), peak: m.rungIds[r.peak]! });
    return outcome;
  }

  /** Fresh randomness for the rest of the current run: every stream re-keyed by (seed, branch). */
  branch(seed: number, branch: number): void {
    this.streams.branch(seed, branch);
  }

  /** A copy of the whole state of the current run at a tick boundary (see `advance`). */
  snapshot(): RunSnapshot {
    const r = this.result;
    const owned: (Float64Array | null)[] = [];
    for (let i = 0; i < this.nA; i++)
      owned.push(this.expectsOwned[i] === 1 ? this.expects[i]!.slice() : null);
    return {
      streams: this.streams.snapshot(),
      ints: [
        this.type,
        this.readiness,
        this.lastAlarm,
        this.lastTouch,
        this.taint,
        this.falseGen,
        this.perceiveOrdinal,
      ].map((a) => a.slice()),
      belief: this.belief.slice(),
      prior: this.prior.slice(),
      expects: owned,
      values: this.valuesOwned ? this.values.slice() : null,
      talksHolding: this.talksHolding.slice(),
      channelOpen: this.channelOpen.slice(),
      events: [this.evAct, this.evTick, this.evTaint, this.evFlags, this.evNotified].map((a) =>
        a.slice(0, this.nEv),
      ),
      queue: this.queueItems(),
      scalars: [this.nEv, this.qLen, this.seq, this.t, this.lastLoud, this.endTick, this.midTick ? 1 : 0],
      result: {
        peak: r.peak,
        warTick: r.warTick,
        path: r.path.slice(0, r.pathLength),
        lethalMisperception: r.lethalMisperception,
        lethalCause: r.lethalCause,
        warMisperception: r.warMisperception,
        warCause: r.warCause,
        decisions: r.decisions,
        leaks: r.leaks,
        logWeight: r.logWeight,
        mp: [r.mpKind, r.mpObserver, r.mpAct, r.mpPerceived, r.mpTick, r.mpOrdinal].map((a) =>
          a.slice(0, r.mpCount),
        ),
      },
    };
  }

  /** The queue in heap order as [tick, seq, kind, a, b, c, d, e] arrays (the snapshot's form). */
  private queueItems(): Int32Array[] {
    const n = this.qLen;
    const out = Array.from({ length: 8 }, () => new Int32Array(n));
    for (let h = 0; h < n; h++) {
      const slot = this.qSlot[h]!;
      out[0]![h] = Math.floor(this.qKey[h]! * 0.25);
      out[1]![h] = this.qSeq[h]!;
      out[2]![h] = this.sKind[slot]!;
      out[3]![h] = this.sA[slot]!;
      out[4]![h] = this.sB[slot]!;
      out[5]![h] = this.sC[slot]!;
      out[6]![h] = this.sD[slot]!;
      out[7]![h] = this.sE[slot]!;
    }
    return out;
  }

  /** Puts back a queue saved by queueItems (heap order is kept, so the heap property holds). */
  private setQueueItems(q: Int32Array[], n: number): void {
    while (this.qKey.length < n) this.growQueue();
    for (let h = 0; h < n; h++) {
      const kind = q[2]![h]!;
      this.qKey[h] = q[0]![h]! * 4 + (kind === K_MSG ? K_OBS : kind);
      this.qSeq[h] = q[1]![h]!;
      this.qSlot[h] = h;
      this.sKind[h] = kind;
      this.sA[h] = q[3]![h]!;
      this.sB[h] = q[4]![h]!;
      this.sC[h] = q[5]![h]!;
      this.sD[h] = q[6]![h]!;
      this.sE[h] = q[7]![h]!;
    }
    this.nSlots = n;
    this.nFree = 0;
  }

  /** Puts the state of `snapshot` back (the same model); continue with `advance`. */
  restore(s: RunSnapshot): void {
    const r = this.result;
    this.streams.restore(s.streams);
    const ints = [
      this.type,
      this.readiness,
      this.lastAlarm,
      this.lastTouch,
      this.taint,
      this.falseGen,
      this.perceiveOrdinal,
    ];
    for (let k = 0; k < ints.length; k++) ints[k]!.set(s.ints[k]!);
    this.belief.set(s.belief);
    this.prior.set(s.prior);
    for (let i = 0; i < this.nA; i++) {
      const e = s.expects[i];
      this.expects[i] = e ? e.slice() : this.m.actors[i]!.expects;
      this.expectsOwned[i] = e ? 1 : 0;
    }
    this.values = s.values ? s.values.slice() : this.m.baseValue;
    this.valuesOwned = s.values !== null;
    this.talksHolding.set(s.talksHolding);
    this.channelOpen.set(s.channelOpen);
    const [nEv, qLen, seq, t, lastLoud, endTick, midTick] = s.scalars as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    this.midTick = midTick === 1;
    const fit = (a: Int32Array, src: Int32Array, n: number): Int32Array => {
      const out = a.length >= n ? a : new Int32Array(Math.max(n, a.length * 2));
      out.set(src);
      return out;
    };
    const ev = s.events;
    this.evAct = fit(this.evAct, ev[0]!, nEv);
    this.evTick = fit(this.evTick, ev[1]!, nEv);
    this.evTaint = fit(this.evTaint, ev[2]!, nEv);
    this.evFlags = fit(this.evFlags, ev[3]!, nEv);
    this.evNotified = fit(this.evNotified, ev[4]!, nEv);
    this.setQueueItems(s.queue, qLen);
    this.nEv = nEv;
    this.qLen = qLen;
    this.seq = seq;
    this.t = t;
    this.lastLoud = lastLoud;
    this.endTick = endTick;
    const sr = s.result;
    r.peak = sr.peak;
    r.warTick = sr.warTick;
    r.path.set(sr.path);
    r.pathLength = sr.path.length;
    r.lethalMisperception = sr.lethalMisperception;
    r.lethalCause = sr.lethalCause;
    r.warMisperception = sr.warMisperception;
    r.warCause = sr.warCause;
    r.decisions = sr.decisions;
    r.leaks = sr.leaks;
    r.logWeight = sr.logWeight;
    const n = sr.mp[0]!.length;
    r.mpKind = fit(r.mpKind, sr.mp[0]!, n);
    r.mpObserver = fit(r.mpObserver, sr.mp[1]!, n);
    r.mpAct = fit(r.mpAct, sr.mp[2]!, n);
    r.mpPerceived = fit(r.mpPerceived, sr.mp[3]!, n);
    r.mpTick = fit(r.mpTick, sr.mp[4]!, n);
    r.mpOrdinal = fit(r.mpOrdinal, sr.mp[5]!, n);
    r.mpCount = n;
  }

  private resetState(): void {
    const m = this.m;
    const nA = this.nA;
    const nT = this.nT;
    const r = this.result;
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
    this.nEv = 0;
    this.qLen = 0;
    this.seq = 0;
    this.nFree = 0;
    this.nSlots = 0;
    this.t = 0;
    this.midTick = false;
    this.lastLoud = 0;
    this.endTick = m.horizon;
    for (let i = 0; i < nA; i++) {
      const a = m.actors[i]!;
      this.readiness[i] = a.readiness0;
      this.lastAlarm[i] = 0;
      this.taint[i] = -1;
      this.falseGen[i] = 0;
      this.perceiveOrdinal[i] = 0;
      this.prior.set(a.intentPrior, i * nA * nT);
      this.expects[i] = a.expects;
      this.expectsOwned[i] = 0;
    }
    this.belief.set(this.prior);
    this.lastTouch.fill(0);
    this.values = m.baseValue;
    this.valuesOwned = false;
    for (let c = 0; c < m.channels.length; c++) this.channelOpen[c] = 1;
  }

  private drawTypes(): void {
    const m = this.m;
    for (let i = 0; i < this.nA; i++) {
      const cum = m.actors[i]!.typeCum;
      const u = this.streams.uniform(STREAM.types);
      let k = 0;
      while (k < cum.length - 1 && u >= cum[k]!) k++;
      this.type[i] = k;
    }
    if (this.trace) {
      const types: Record<string, string> = {};
      for (let i = 0; i < this.nA; i++) types[m.actors[i]!.id] = m.typeIds[this.type[i]!]!;
      this.trace.push({ t: 0, kind: 'types', types });
    }
  }

  /** Contingency talks held before the crisis: understanding grows per round; each round may leak. */
  private holdTalks(): void {
    const m = this.m;
    for (let k = 0; k < m.talks.length; k++) {
      const tk = m.talks[k]!;
      let u = 0;
      let holding = tk.rounds > 0 ? 1 : 0;
      for (let round = 1; round <= tk.rounds; round++) {
        const leakedTo: string[] | undefined = this.trace ? [] : undefined;
        let leaked = 0;
        for (let l = 0; l < tk.leakTo.length; l++) {
          if (this.streams.uniform(STREAM.talks) < tk.leakP[l]!) {
            leakedTo?.push(m.actors[tk.leakTo[l]!]!.id);
            leaked++;
            this.result.leaks++;
            this.applyEffects(tk.leakTo[l]!, tk.leakEffects[l]!, this.trace ? `leak of talks ${tk.id}` : '');
          }
        }
        let broken = false;
        if (leaked > 0) broken = !(this.streams.uniform(STREAM.talks) < tk.continueAfterLeak);
        else this.streams.uniform(STREAM.talks); // keep the stream aligned whether or not a leak happened
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
      this.talksHolding[k] = holding;
      if (u > 0) this.alignParties(tk.parties, u, tk.alignExpects, tk.alignIntent);
    }
    // Priors after talks are the reference beliefs decay back to.
    this.prior.set(this.belief);
  }

  private alignParties(parties: number[], u: number, expects: boolean, intent: boolean): void {
    const m = this.m;
    const nA = this.nA;
    const nT = this.nT;
    for (const p of parties) {
      for (const q of parties) {
        if (p === q) continue;
        if (intent) {
          const base = (p * nA + q) * nT;
          for (let t = 0; t < nT; t++) {
            const truth = this.type[q] === t ? 1 : 0;
            this.belief[base + t] = (1 - u) * this.belief[base + t]! + u * truth;
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
  // Queue

  private push(tick: number, kind: number, a: number, b: number, c: number, d: number, e: number): void {
    if (this.qLen === this.qKey.length) this.growQueue();
    const slot = this.nFree > 0 ? this.freeSlots[--this.nFree]! : this.nSlots++;
    this.sKind[slot] = kind;
    this.sA[slot] = a;
    this.sB[slot] = b;
    this.sC[slot] = c;
    this.sD[slot] = d;
    this.sE[slot] = e;
    // Execution precedes false alarms precede deliveries (observations and messages alike).
    const key = tick * 4 + (kind === K_MSG ? K_OBS : kind);
    const seq = this.seq++;
    const qKey = this.qKey;
    const qSeq = this.qSeq;
    const qSlot = this.qSlot;
    let i = this.qLen++;
    // sift up (seq is the largest so far: it only breaks ties against items already in)
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
    const n = this.qKey.length * 2;
    const key = new Float64Array(n);
    key.set(this.qKey);
    this.qKey = key;
    this.qSeq = doubled(this.qSeq);
    this.qSlot = doubled(this.qSlot);
    this.sKind = doubled(this.sKind);
    this.sA = doubled(this.sA);
    this.sB = doubled(this.sB);
    this.sC = doubled(this.sC);
    this.sD = doubled(this.sD);
    this.sE = doubled(this.sE);
    this.freeSlots = doubled(this.freeSlots);
  }

  private processTop(): void {
    const qKey = this.qKey;
    const qSeq = this.qSeq;
    const qSlot = this.qSlot;
    const slot = qSlot[0]!;
    const kind = this.sKind[slot]!;
    const a = this.sA[slot]!;
    const b = this.sB[slot]!;
    const c = this.sC[slot]!;
    const d = this.sD[slot]!;
    const e = this.sE[slot]!;
    this.freeSlots[this.nFree++] = slot;
    // pop: sift the last item down from the root
    const last = --this.qLen;
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
        // a: action, b: forced outcome, c: taint, d: cause event, e: source (inject k | -2-h hazard)
        if (e <= -2) this.scheduleHazard(-2 - e, this.t + 1);
        this.execute(a, b, c, d, e);
        break;
      case K_FALSE:
        // a: observer, b: false-alarm entry, c: generation
        if (c === this.falseGen[a]) this.falseAlarm(a, b);
        break;
      case K_OBS:
        // a: observer, b: event (-1 false alarm), c: perceived act, d: flags, e: taint
        this.observe(a, b, c, d, e);
        break;
      case K_MSG:
        // a: receiver, b: event, c: channel, e: taint
        this.deliverMessage(a, b, c, e);
        break;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Hazards and false alarms

  private scheduleHazard(h: number, from: number): void {
    const hz = this.m.hazards[h]!;
    const u = this.streams.uniform(STREAM.hazards);
    const start = Math.max(from, hz.from);
    const tick = start - 1 + geometric(u, hz.perTick);
    if (tick <= hz.until && tick <= this.endTick) this.push(tick, K_EXEC, hz.action, -1, -1, -1, -2 - h);
  }

  /** (Re)samples every false alarm of observer i from tick `from`; older scheduled ones go stale. */
  private scheduleFalseAlarms(i: number, from: number): void {
    const a = this.m.actors[i]!;
    if (a.falseAlarmAction.length === 0) return;
    const gen = ++this.falseGen[i]!;
    const mult = a.readinessFalseAlarm[this.readiness[i]!]!;
    for (let k = 0; k < a.falseAlarmAction.length; k++) {
      const p = Math.min(1, a.falseAlarmPerTick[k]! * mult);
      const u = this.streams.uniform(actorStream(i, PURPOSE.falseAlarm));
      const tick = from - 1 + geometric(u, p);
      if (tick <= this.endTick) this.push(tick, K_FALSE, i, k, gen, -1, -1);
    }
  }

  private falseAlarm(i: number, k: number): void {
    const m = this.m;
    const a = m.actors[i]!;
    const phantom = a.falseAlarmAction[k]!;
    const act = m.actions[phantom]!.outcomes[0]!.act;
    const ordinal = this.perceiveOrdinal[i]!++;
    const suppressed = this.suppress?.(MP_FALSE_ALARM, i, ordinal) ?? false;
    // Next false alarm of this kind (same generation).
    const p = Math.min(1, a.falseAlarmPerTick[k]! * a.readinessFalseAlarm[this.readiness[i]!]!);
    const u = this.streams.uniform(actorStream(i, PURPOSE.falseAlarm));
    const next = this.t + geometric(u, p);
    if (next <= this.endTick) this.push(next, K_FALSE, i, k, this.falseGen[i]!, -1, -1);
    if (suppressed) return;
    const mp = this.recordMisperception(MP_FALSE_ALARM, i, act, act, ordinal);
    const arrives = this.t + a.latency[m.actions[phantom]!.domain]!;
    this.trace?.push({ t: this.t, kind: 'false-alarm', observer: a.id, perceived: m.actIds[act]!, arrives });
    this.push(arrives, K_OBS, i, -1, act, F_FALSE, mp);
  }

  /**
   * Draws an option of chance site `s` whose n base probabilities are in `tiltP`, from the tilted law
   * (p_k * w_k, normalised), with the uniform u; adds the likelihood ratio to the run's log weight.
   */
  private tiltedDraw(s: number, n: number, u: number): number {
    const tilt = this.tilt!;
    const w = tilt.w;
    const off = this.sites!.start[s]!;
    const p = this.tiltP;
    let z = 0;
    for (let k = 0; k < n; k++) z += p[k]! * w[off + k]!;
    let c = -1;
    if (tilt.until !== undefined && this.result.peak >= tilt.until) z = 0;
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
      this.result.logWeight += Math.log(p[c]!) - Math.log(qc);
    } else {
      // No tilted mass: draw from the base law (weight 1).
      let acc = 0;
      for (let k = 0; k < n; k++) {
        if (p[k]! <= 0) continue;
        c = k;
        acc += p[k]!;
        if (u < acc) break;
      }
    }
    if (tilt.chosen && z > 0) tilt.chosen[off + c]! += 1;
    return c;
  }

  private recordMisperception(
    kind: number,
    observer: number,
    act: number,
    perceived: number,
    ordinal: number,
  ): number {
    const r = this.result;
    if (r.mpCount === r.mpKind.length) {
      r.mpKind = doubled(r.mpKind);
      r.mpObserver = doubled(r.mpObserver);
      r.mpAct = doubled(r.mpAct);
      r.mpPerceived = doubled(r.mpPerceived);
      r.mpTick = doubled(r.mpTick);
      r.mpOrdinal = doubled(r.mpOrdinal);
    }
    const k = r.mpCount++;
    r.mpKind[k] = kind;
    r.mpObserver[k] = observer;
    r.mpAct[k] = act;
    r.mpPerceived[k] = perceived;
    r.mpTick[k] = this.t;
    r.mpOrdinal[k] = ordinal;
    return k;
  }

  // -------------------------------------------------------------------------------------------
  // Acts

  /** Executes an act of an actor: substitution, outcome, effects, perception by every observer. */
  private execute(action: number, forced: number, taint: number, cause: number, source: number): void {
    const m = this.m;
    let act = m.actions[action]!;
    const i = act.actor;
    const sx = actorStream(i, PURPOSE.execute);
    let substitutedFor: string | undefined;
    // Accidental or unauthorised substitution (always one draw, so the stream stays aligned).
    const us = this.streams.uniform(sx);
    let substitute = act.substitutionTo >= 0 && us < act.substitutionP;
    if (this.tilt !== null && act.substitutionTo >= 0) {
      this.tiltP[0] = 1 - act.substitutionP;
      this.tiltP[1] = act.substitutionP;
      substitute = this.tiltedDraw(this.sites!.substitutionSite[action]!, 2, us) === 1;
    }
    if (substitute) {
      substitutedFor = act.id;
      action = act.substitutionTo;
      act = m.actions[action]!;
      forced = -1;
    }
    // Outcome (always one draw).
    const uo = this.streams.uniform(sx);
    let o = 0;
    if (forced >= 0) o = forced;
    else if (this.tilt !== null && act.outcomes.length > 1) {
      const cum = act.outcomeCum;
      const n = cum.length;
      for (let k = 0; k < n; k++) this.tiltP[k] = (k === n - 1 ? 1 : cum[k]!) - (k > 0 ? cum[k - 1]! : 0);
      o = this.tiltedDraw(this.sites!.outcomeSite[action]!, n, uo);
    } else {
      const cum = act.outcomeCum;
      while (o < cum.length - 1 && uo >= cum[o]!) o++;
    }
    const outcome = act.outcomes[o]!;
    const ev = this.newEvent(outcome.act, taint);
    const rung = outcome.rung;
    const r = this.result;
    if (this.trace) {
      this.trace.push({
        t: this.t,
        kind: 'event',
        event: ev,
        act: m.actIds[outcome.act]!,
        rung: m.rungIds[rung]!,
        cause:
          cause >= 0
            ? `response to event ${cause} (${m.actIds[this.evAct[cause]!]})`
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
    if (act.readiness >= 0 && this.readiness[i]! < act.readiness) this.setReadiness(i, act.readiness, act.id);
    if (act.standDown && this.readiness[i] !== m.actors[i]!.readiness0)
      this.setReadiness(i, m.actors[i]!.readiness0, act.id);
    if (act.cutChannel >= 0) this.channelOpen[act.cutChannel] = 0;
    // Escalation record.
    if (rung >= m.quietRung) this.lastLoud = this.t;
    // The path records each act that raised the peak, and lethal exchanges at the peak (bounded).
    if (rung > r.peak || (rung === r.peak && rung >= m.lethalRung && rung < m.warRung)) {
      if (r.pathLength < r.path.length) r.path[r.pathLength++] = outcome.act;
      r.peak = rung;
    }
    if (rung >= m.lethalRung && r.lethalMisperception < 0) {
      r.lethalMisperception = taint >= 0 ? 1 : 0;
      r.lethalCause = taint;
    }
    if (rung >= m.warRung && r.warTick < 0) {
      r.warTick = this.t;
      r.warMisperception = taint >= 0 ? 1 : 0;
      r.warCause = taint;
      this.endTick = Math.min(this.endTick, this.t + m.warPhase);
    }
    if (rung >= m.nuclearRung) return;
    // Advance notice under a notification regime.
    this.notify(ev, action);
    // Messages travel over channels; they are not seen through ISR.
    if (act.message) {
      this.send(ev, action, taint);
      return;
    }
    this.perceiveEvent(ev, action);
  }

  private newEvent(act: number, taint: number): number {
    if (this.nEv >= MAX_ACTS_PER_RUN) throw new RunawayError(this.m, this.evAct, this.nEv);
    if (this.nEv === this.evAct.length) {
      this.evAct = doubled(this.evAct);
      this.evTick = doubled(this.evTick);
      this.evTaint = doubled(this.evTaint);
      this.evFlags = doubled(this.evFlags);
      this.evNotified = doubled(this.evNotified);
    }
    const e = this.nEv++;
    this.evAct[e] = act;
    this.evTick[e] = this.t;
    this.evTaint[e] = taint;
    this.evFlags[e] = 0;
    this.evNotified[e] = 0;
    return e;
  }

  private notify(ev: number, action: number): void {
    const m = this.m;
    for (let n = 0; n < m.notifications.length; n++) {
      const reg = m.notifications[n]!;
      if (reg.covers[action] !== 1 || !this.active(reg.requires)) continue;
      const sx = actorStream(reg.by, PURPOSE.notify);
      const complied = this.streams.uniform(sx) < reg.compliance;
      for (const k of reg.to) {
        const delivered = this.streams.uniform(sx) < reg.delivery;
        if (complied && delivered) this.evNotified[ev]! |= 1 << k;
        this.trace?.push({
          t: this.t,
          kind: 'notify',
          by: m.actors[reg.by]!.id,
          to: m.actors[k]!.id,
          event: ev,
          complied,
          delivered: complied && delivered,
        });
      }
      this.evFlags[ev] = n + 1; // which regime covers it
      return;
    }
  }

  /** Every other actor perceives the event through its ISR (or sees it if public or a victim). */
  private perceiveEvent(ev: number, action: number): void {
    const m = this.m;
    const act = m.actions[action]!;
    const source = act.actor;
    const trueAct = this.evAct[ev]!;
    const regime = this.evFlags[ev]! - 1;
    for (let k = 0; k < this.nA; k++) {
      if (k === source) continue;
      const obs = m.actors[k]!;
      const sx = actorStream(k, PURPOSE.perceive);
      const R = this.readiness[k]!;
      // Always two draws (detection, reading) so that counterfactuals keep every other draw.
      this.streams.uniforms(sx, this.u2, 2);
      const ud = this.u2[0]!;
      const um = this.u2[1]!;
      const ordinal = this.perceiveOrdinal[k]!++;
      const isVictim = this.victimOf[trueAct * this.nA + k] === 1;
      let flags = 0;
      let detectP = 1;
      let latency = 0;
      if (act.isPublic || isVictim) flags |= F_PUBLIC;
      else {
        detectP = Math.min(1, obs.detect[act.domain]! * act.signature * obs.readinessDetect[R]!);
        latency = obs.latency[act.domain]!;
      }
      let misreadScale = obs.readinessMisread[R]!;
      if (regime >= 0 && this.notifiedBy[regime * this.nA + k] === 1) {
        const reg = m.notifications[regime]!;
        if ((this.evNotified[ev]! & (1 << k)) !== 0) {
          flags |= F_NOTIFIED;
          misreadScale *= reg.misread;
        } else {
          flags |= F_UNANNOUNCED;
          misreadScale *= reg.unannounced;
        }
      }
      let detected = ud < detectP;
      if (!detected && this.suppress?.(MP_MISSED, k, ordinal)) detected = true;
      if (!detected) {
        // A miss is a misperception when seeing the act would have lowered the observer's belief that
        // its actor is hostile noticeably: the miss leaves it more alarmed than the evidence warrants.
        this.hypotheticalDelta(k, source, action);
        const delta = this.u2[0]!;
        if (delta < -BELIEF_EPS) {
          const mp = this.recordMisperception(MP_MISSED, k, trueAct, -1, ordinal);
          if (this.taint[k]! < 0) this.taint[k] = mp;
        }
        this.trace?.push({
          t: this.t,
          kind: 'miss',
          observer: obs.id,
          event: ev,
          act: m.actIds[trueAct]!,
          detectP,
          beliefDelta: delta,
        });
        continue;
      }
      let perceived = trueAct;
      let misreadP = 0;
      const row = (flags & F_PUBLIC) === 0 ? obs.misread[action] : null;
      if (row) {
        let acc = 0;
        for (let j = 0; j < row.to.length; j++) {
          const p = Math.min(1, row.p[j]! * misreadScale);
          misreadP += p;
          if (perceived === trueAct && um < acc + p) perceived = m.actions[row.to[j]!]!.outcomes[0]!.act;
          acc += p;
        }
        if (this.tilt !== null) {
          // Option 0 reads correctly; option j + 1 is misreading j (with the base law's truncation at 1).
          const nTo = row.to.length;
          let before = 0;
          let cum = 0;
          for (let j = 0; j < nTo; j++) {
            cum += Math.min(1, row.p[j]! * misreadScale);
            this.tiltP[j + 1] = Math.min(1, cum) - before;
            before = Math.min(1, cum);
          }
          this.tiltP[0] = 1 - before;
          const c = this.tiltedDraw(this.sites!.misreadSite[k * m.actions.length + action]!, nTo + 1, um);
          perceived = c === 0 ? trueAct : m.actions[row.to[c - 1]!]!.outcomes[0]!.act;
        }
        if (perceived !== trueAct && this.suppress?.(MP_MISREAD, k, ordinal)) perceived = trueAct;
      }
      let taint = this.evTaint[ev]!;
      if (perceived !== trueAct) {
        flags |= F_MISREAD;
        taint = this.recordMisperception(MP_MISREAD, k, trueAct, perceived, ordinal);
      }
      this.trace?.push({
        t: this.t,
        kind: 'perceive',
        observer: obs.id,
        event: ev,
        act: m.actIds[trueAct]!,
        perceived: m.actIds[perceived]!,
        detectP,
        misreadP,
        notified: (flags & F_NOTIFIED) !== 0,
        arrives: this.t + latency,
      });
      this.push(this.t + latency, K_OBS, k, ev, perceived, flags, taint);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Beliefs

  /** Applies decay toward the prior for (i about j) up to now. */
  private touch(i: number, j: number): void {
    const idx = i * this.nA + j;
    const dt = this.t - this.lastTouch[idx]!;
    if (dt <= 0) return;
    this.lastTouch[idx] = this.t;
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
    for (let t = 0; t < this.nT; t++) {
      this.belief[base + t] = w * this.belief[base + t]! + (1 - w) * this.prior[base + t]!;
    }
  }

  /** Belief of i that j is of type t, now. */
  beliefOf(i: number, j: number, t: number): number {
    this.touch(i, j);
    return this.belief[(i * this.nA + j) * this.nT + t]!;
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
    const nT = this.nT;
    const base = (i * this.nA + j) * nT;
    const a = this.m.actors[i]!;
    // Confirmation bias: is the evidence for the currently most likely type?
    let top = 0;
    for (let t = 1; t < nT; t++) if (this.belief[base + t]! > this.belief[base + top]!) top = t;
    let others = 0;
    for (let t = 0; t < nT; t++) if (t !== top) others += lik[t]!;
    others /= nT - 1;
    const confirming = lik[top]! >= others;
    const kappa = (confirming ? a.kConfirm : a.kDisconfirm) * kScale;
    const before = this.trace ? Array.from(this.belief.subarray(base, base + nT)) : undefined;
    const hostile = this.m.hostileType;
    const oldHostile = this.belief[base + hostile]!;
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
        b[t] = this.belief[base + t]! * pow[off + t]!;
        sum += b[t]!;
      }
    } else {
      for (let t = 0; t < nT; t++) {
        const l = lik[t]!;
        b[t] = this.belief[base + t]! * (l === 1 ? 1 : l ** kappa);
        sum += b[t]!;
      }
    }
    if (!(sum > 0)) return false;
    for (let t = 0; t < nT; t++) this.belief[base + t] = b[t]! / sum;
    if (this.trace && before) {
      const m = this.m;
      this.trace.push({
        t: this.t,
        kind: 'belief',
        observer: a.id,
        about: m.actors[j]!.id,
        reason,
        before,
        after: Array.from(this.belief.subarray(base, base + nT)),
      });
    }
    // Whether the belief that j is hostile moved noticeably (a boolean: no boxed number per update).
    return Math.abs(this.belief[base + hostile]! - oldHostile) > BELIEF_EPS;
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
    const nT = this.nT;
    const base = (k * this.nA + j) * nT;
    const a = this.m.actors[k]!;
    let top = 0;
    for (let t = 1; t < nT; t++) if (this.belief[base + t]! > this.belief[base + top]!) top = t;
    let others = 0;
    for (let t = 0; t < nT; t++) if (t !== top) others += lik[t]!;
    others /= nT - 1;
    const confirming = lik[top]! >= others;
    const kappa = confirming ? a.kConfirm : a.kDisconfirm;
    const pow = this.powCache;
    const off = ((k * this.m.actions.length + action) * 2 + (confirming ? 0 : 1)) * nT;
    if (pow.length > 0 && Number.isNaN(pow[off]!)) {
      for (let t = 0; t < nT; t++) {
        const l = lik[t]!;
        pow[off + t] = l === 1 ? 1 : l ** kappa;
      }
    }
    let sum = 0;
    let hostile = 0;
    for (let t = 0; t < nT; t++) {
      // 1 ** kappa is 1: the cached power is lik ** kappa for every likelihood.
      const v = this.belief[base + t]! * (pow.length > 0 ? pow[off + t]! : lik[t]! ** kappa);
      sum += v;
      if (t === this.m.hostileType) hostile = v;
    }
    if (!(sum > 0)) return;
    this.u2[0] = hostile / sum - this.belief[base + this.m.hostileType]!;
  }

  private ownExpects(i: number): Float64Array {
    if (this.expectsOwned[i] === 0) {
      const own = this.expectsBuf[i]!;
      own.set(this.expects[i]!);
      this.expects[i] = own;
      this.expectsOwned[i] = 1;
    }
    return this.expects[i]!;
  }

  /** Recomputes i's look-ahead values after its expectations changed. */
  private refreshValues(i: number): void {
    if (!this.valuesOwned) {
      this.valuesBuf.set(this.values);
      this.values = this.valuesBuf;
      this.valuesOwned = true;
    }
    const m = this.m;
    for (let a = 0; a < m.actions.length; a++) {
      if (m.actions[a]!.actor === i) this.values[a] = lookaheadValue(m, i, this.expects[i]!, a);
    }
  }

  private applyEffects(k: number, effects: BeliefEffectModel[], reason: string): void {
    const m = this.m;
    for (const eff of effects) {
      if (eff.kind === 'intent') {
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
    this.trace?.push({ t: this.t, kind: 'leak', to: m.actors[k]!.id, source: reason });
  }

  // -------------------------------------------------------------------------------------------
  // Observation, messages, decisions

  private observe(k: number, ev: number, act: number, flags: number, taint: number): void {
    const m = this.m;
    const action = m.actAction[act]!;
    const a = m.actions[action]!;
    const j = a.actor;
    const outcomeRung = a.outcomes[m.actOutcome[act]!]!.rung;
    if (outcomeRung >= m.quietRung || (flags & F_FALSE) !== 0) this.lastAlarm[k] = this.t;
    // Beliefs about the actor's intent.
    if (a.intent) {
      let kScale = 1;
      if ((flags & F_NOTIFIED) !== 0) {
        const reg = m.notifications[this.evFlags[ev]! - 1]!;
        kScale = reg.evidence;
      }
      const moved = this.updateIntent(
        k,
        j,
        a.intent,
        kScale,
        this.trace ? `saw ${m.actIds[act]}` : '',
        action,
      );
      if (taint >= 0 && moved && this.taint[k]! < 0) this.taint[k] = taint;
    }
    this.decide(k, act, taint >= 0 ? taint : this.taint[k]!, ev);
  }

  private send(ev: number, action: number, taint: number): void {
    const m = this.m;
    const msg = m.actions[action]!.message!;
    const from = m.actions[action]!.actor;
    const sx = actorStream(from, PURPOSE.channel);
    for (const c of msg.via) {
      const ch = m.channels[c]!;
      if (!this.channelUsable(c)) continue;
      // availability draw, then leak draws
      if (!(this.streams.uniform(sx) < ch.availability)) {
        this.trace?.push({
          t: this.t,
          kind: 'message',
          from: m.actors[from]!.id,
          to: m.actors[msg.to]!.id,
          channel: ch.id,
          status: 'unavailable',
        });
        continue;
      }
      for (let l = 0; l < ch.leakTo.length; l++) {
        if (this.streams.uniform(sx) < ch.leakP[l]!) {
          this.result.leaks++;
          this.applyEffects(
            ch.leakTo[l]!,
            ch.leakEffects[l]!,
            this.trace ? `leak from channel ${ch.id}` : '',
          );
        }
      }
      const arrives = this.t + ch.latency;
      this.trace?.push({
        t: this.t,
        kind: 'message',
        from: m.actors[from]!.id,
        to: m.actors[msg.to]!.id,
        channel: ch.id,
        status: 'sent',
        arrives,
      });
      this.push(arrives, K_MSG, msg.to, ev, c, -1, taint);
      return;
    }
    this.trace?.push({
      t: this.t,
      kind: 'message',
      from: m.actors[from]!.id,
      to: m.actors[msg.to]!.id,
      channel: msg.via.map((c) => m.channels[c]!.id).join('|'),
      status: 'no-channel',
    });
  }

  private channelUsable(c: number): boolean {
    const ch = this.m.channels[c]!;
    return ch.exists && this.channelOpen[c] === 1 && this.active(ch.requires);
  }

  private active(requires: number[]): boolean {
    if (requires.length === 0) return true;
    for (const k of requires) if (this.talksHolding[k] === 1) return true;
    return false;
  }

  private deliverMessage(k: number, ev: number, c: number, taint: number): void {
    const m = this.m;
    const act = this.evAct[ev]!;
    const action = m.actAction[act]!;
    const msg = m.actions[action]!.message!;
    const ch = m.channels[c]!;
    const from = m.actions[action]!.actor;
    const accepted = this.streams.uniform(actorStream(k, PURPOSE.channel)) < ch.acceptance[k]!;
    this.trace?.push({
      t: this.t,
      kind: 'message',
      from: m.actors[from]!.id,
      to: m.actors[k]!.id,
      channel: ch.id,
      status: accepted ? 'delivered' : 'refused',
    });
    if (!accepted) return;
    if (msg.kind === 'reassure') {
      const lik = this.scratchLik.fill(1);
      lik[m.hostileType] = 1 / Math.max(1, ch.credibility);
      this.updateIntent(k, msg.about, lik, 1, this.trace ? `${m.actIds[act]} via ${ch.id}` : '', -1);
    } else if (msg.row >= 0) {
      const w = 1 - 1 / Math.max(1, ch.credibility);
      const e = this.ownExpects(k);
      const row = m.expectRows[msg.row]!;
      for (let x = 0; x < row.responses.length; x++) {
        e[row.start + x] = (1 - w) * e[row.start + x]! + (x === msg.entry ? w : 0);
      }
      this.refreshValues(k);
    }
    // The message itself is evidence about the sender and a stimulus for doctrine.
    const a = m.actions[action]!;
    if (a.intent)
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
    if (n === 0) return;
    this.result.decisions++;
    this.streams.uniforms(actorStream(i, protocol ? PURPOSE.protocol : PURPOSE.decide), this.u2, 1);
    const u = this.u2[0]!;
    let chosen = n - 1;
    if (this.tilt !== null) {
      this.tiltP.set(this.dist.subarray(0, n));
      chosen = this.tiltedDraw(this.sites!.ruleSite[i]![this.lastRule]!, n, u);
    } else {
      let acc = 0;
      for (let k = 0; k < n; k++) {
        acc += this.dist[k]!;
        if (u < acc) {
          chosen = k;
          break;
        }
      }
    }
    const action = this.distAct[chosen]!;
    if (this.trace) {
      const opts: { act: string; p: number }[] = [];
      for (let k = 0; k < n; k++) opts.push({ act: m.actions[this.distAct[k]!]!.id, p: this.dist[k]! });
      this.trace.push({
        t: this.t,
        kind: 'decide',
        actor: m.actors[i]!.id,
        stimulus: m.actIds[act]!,
        rule: m.actors[i]!.rules[this.lastRule]!.id,
        options: opts,
        chosen: m.actions[action]!.id,
      });
    }
    if (m.actions[action]!.isWait) return;
    this.push(this.t + m.actors[i]!.decisionTicks, K_EXEC, action, -1, taint, cause, -1);
  }

  private setReadiness(i: number, level: number, reason: string): void {
    const from = this.readiness[i]!;
    if (from === level) return;
    this.readiness[i] = level;
    if (level > from) this.lastAlarm[i] = this.t;
    this.trace?.push({ t: this.t, kind: 'readiness', actor: this.m.actors[i]!.id, from, to: level, reason });
    this.scheduleFalseAlarms(i, this.t + 1);
  }

  // Accessors used by responseDistribution (shared with the compiler's static evaluation).
  readinessOf(i: number): number {
    return this.readiness[i]!;
  }
  typeOf(i: number): number {
    return this.type[i]!;
  }
  holding(k: number): boolean {
    return this.talksHolding[k] === 1;
  }
  expectsOf(i: number): Float64Array {
    return this.expects[i]!;
  }
  valueOf(a: number): number {
    return this.values[a]!;
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
    // Ordinary rules: the first that applies. With `only`: that (also) rule alone.
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
        // In the worlds (probability b) where the adversary strikes anyway, striking first adds no
        // war that was not coming: the act's harm and replies count only in the other 1 - b.
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
