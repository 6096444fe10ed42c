// The per-run state of the engine as one plain-data struct: typed arrays and numbers, nothing else.
// Reset, snapshot and restore go over its fields generically, so a new field can never be forgotten by
// one of them (decision 0008). The simulator reads and writes it; no caller sees it change mid-call.

/** A field of the run state. */
type Field = number | Int32Array | Float64Array | Uint8Array;

/** The result of a run, part of the state (the engine reuses it: copy what you keep). */
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
  /** The event misperceived (-1: a false alarm, nothing happened). */
  mpEvent: Int32Array;
  /** 1 once later evidence (review, a believed message) corrected the misperception. */
  mpCorrected: Uint8Array;
  talksHolding: Uint8Array;
  /** Per talks: 1 when every party took part and at least one round was held. */
  talksHappened: Uint8Array;
  /** Per talks: 1 when a round leaked to someone. */
  talksLeaked: Uint8Array;
  leaks: number;
  /** Log likelihood ratio (base over tilted law) of the run's tilted draws; 0 without a tilt. */
  logWeight: number;
}

/** Everything that changes during a run. */
export interface RunState {
  // actors
  type: Int32Array;
  readiness: Int32Array;
  lastAlarm: Int32Array;
  taint: Int32Array;
  perceiveOrdinal: Int32Array;
  /** Generation of each observer's scheduled false-alarm candidates (older ones are stale). */
  falseGen: Int32Array;
  /** Bumped to hold (cancel) an actor's pending acts. */
  decisionGen: Int32Array;
  /** Standing policies in force, at actor * nPolicies + policy. */
  policy: Uint8Array;
  belief: Float64Array;
  prior: Float64Array;
  lastTouch: Int32Array;
  /** Every actor's expectations, actor i at [i * expectSize, (i + 1) * expectSize). */
  expects: Float64Array;
  /** Look-ahead values of each action for its actor. */
  values: Float64Array;
  /** 1 when expects / values differ from the model's (copied back at reset). */
  expectsDirty: number;
  valuesDirty: number;
  talksHolding: Uint8Array;
  channelOpen: Uint8Array;
  /** Credibility of each channel this run (a leak may lower it). */
  channelCred: Float64Array;
  // events
  evAct: Int32Array;
  evTick: Int32Array;
  evTaint: Int32Array;
  evFlags: Int32Array;
  evNotified: Int32Array;
  nEv: number;
  // queue: a binary heap of (key, seq, slot); key = tick * 4 + phase; fields by slot
  qKey: Float64Array;
  qSeq: Int32Array;
  qSlot: Int32Array;
  sKind: Int32Array;
  sA: Int32Array;
  sB: Int32Array;
  sC: Int32Array;
  sD: Int32Array;
  sE: Int32Array;
  sF: Int32Array;
  freeSlots: Int32Array;
  qLen: number;
  seq: number;
  nFree: number;
  nSlots: number;
  /** Queue items that keep the crisis open (chosen acts, consultations, reports, messages, reviews). */
  pending: number;
  // time and lifecycle
  t: number;
  midTick: number;
  lastLoud: number;
  endTick: number;
  /** Scheduled activity (injects, exercises, campaigns) lasts until this tick. */
  activityEnd: number;
  /** War: current phase (-1: no war), its end tick, and 1 once a ceasefire ended the war. */
  warPhase: number;
  warPhaseEnd: number;
  ceasefire: number;
  result: RunResult;
}

/** A deep copy of a state (typed arrays sliced, the result included). */
export function copyState<T extends object>(s: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (ArrayBuffer.isView(v)) out[k] = (v as Int32Array).slice();
    else if (typeof v === 'object' && v !== null) out[k] = copyState(v as object);
    else out[k] = v;
  }
  return out as T;
}

/** Puts a copy of `src` into `dst` (same shape), reusing `dst`'s arrays where they are long enough. */
export function assignState<T extends object>(dst: T, src: T): void {
  const d = dst as Record<string, unknown>;
  for (const [k, v] of Object.entries(src)) {
    const cur = d[k];
    if (ArrayBuffer.isView(v)) {
      const a = v as Int32Array;
      const c = cur as Int32Array | undefined;
      if (c && c.length === a.length) c.set(a);
      else d[k] = a.slice();
    } else if (typeof v === 'object' && v !== null) assignState(cur as object, v as object);
    else d[k] = v as Field;
  }
}
