// Compiles a validated scenario document into the engine's model: names become dense indices, hours
// become ticks, uncertain parameters take their nominal values, and every reference is checked.
// Semantic diagnostics carry field paths; the pipeline (load.ts) turns them into file:line:col.
import {
  type ActionModel,
  type ActorModel,
  type BeliefEffectModel,
  type ChannelModel,
  type ConditionModel,
  type ExpectRow,
  type Model,
  N_READINESS,
  type RuleModel,
} from '../engine/model.ts';
import { expectedHarm, lookaheadValue, responseDistribution } from '../engine/run.ts';
import { dprimeOf, phi, probit, REFERENCE_QUALITY } from '../engine/sdt.ts';
import { StartContext } from '../engine/start.ts';
import { type Code, clipMessage, type Diagnostic, didYouMean, listed } from './diagnostics.ts';
import {
  distributionProblem,
  isDistribution,
  isParamRef,
  nominal,
  type Path,
  resolveParamRefs,
  support,
} from './params.ts';
import {
  DEFAULT_INTENT_TYPES,
  DEFAULT_LADDER,
  DOMAINS,
  type Param,
  type Rung,
  type Scenario,
} from './schema.ts';

export interface CompileOptions {
  hash?: string;
  interventions?: string[];
}

export interface CompileResult {
  model?: Model;
  diagnostics: Diagnostic[];
}

type ActorDoc = Scenario['actors'][string];
type RuleDoc = ActorDoc['doctrine'][string];
type EffectDoc = { belief?: string; expects?: string; lr: Param } | { credibility: string; factor: Param };

const PROB_TOL = 1e-6;
/** Most cells of the model's per-actor tables: actors x (acts + actors x intent types). */
const MAX_MODEL_CELLS = 20_000_000;

/** Compiles `doc` (already valid against the schema) into a model, or explains why it cannot. */
export function compile(doc: Scenario, opts: CompileOptions = {}): CompileResult {
  // Named parameters: each {param: name} takes the value of params.name (references are left in the
  // document so that changing params.name changes every use).
  const resolved = resolveParamRefs(doc);
  const c = new Compiler(resolved.doc, opts);
  for (const u of resolved.unknown) {
    const names = Object.keys(doc.params ?? {});
    const near = didYouMean(u.name, names);
    c.diagnostics.push({
      code: 'E_PARAM_UNKNOWN',
      severity: 'error',
      message: `no named parameter '${u.name}'${near ? `; did you mean '${near}'?` : ''}`,
      path: u.path,
      hint: names.length
        ? 'named parameters come from `params` in this file or a file it extends (e.g. lib/calibrated.yaml)'
        : 'this scenario defines no `params`: extend a library that does (e.g. lib/calibrated.yaml)',
    });
  }
  const model = c.run();
  const seen = new Set<string>();
  const diagnostics = c.diagnostics.filter((d) => {
    const key = `${d.code}\u0000${d.path.join('\u0000')}\u0000${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const errors = diagnostics.some((d) => d.severity === 'error');
  return errors || !model ? { diagnostics } : { model, diagnostics };
}

/**
 * A compiled scenario whose numbers can be drawn again without compiling it again: its structure
 * (indices, references, expectation rows, doctrine triggers, policies) is compiled once, and each
 * `renumber` runs only the compiler's passes that turn numbers into the model's numbers (outcome and
 * response tables, perception, beliefs, channels, talks, the expectations' fixed point), on copies of
 * the parts they write. The same code as `compile` computes every number, so a renumbered model equals
 * the model compiled from the document with those values (test/analysis/recompile.test.ts).
 */
export interface Recompiler {
  /** The model at the document's own values. */
  readonly model: Model;
  /**
   * The model with the values of `drawn` (by field path, `fieldKey`, as the compiler reads it: a named
   * parameter at each of its uses), or undefined when a value does not compile or is read by no pass
   * that renumbers (compile the document from scratch then).
   */
  renumber(drawn: ReadonlyMap<string, Param>): Model | undefined;
}

/** The key of a field path in a `Recompiler`'s drawn values. */
export function fieldKey(path: Path): string {
  return path.join('\u0000');
}

/** Compiles `doc` once for many draws of its numbers; undefined when it does not compile. */
export function recompiler(doc: Scenario, opts: CompileOptions = {}): Recompiler | undefined {
  const resolved = resolveParamRefs(doc);
  if (resolved.unknown.length > 0) return undefined;
  const c = new Compiler(resolved.doc, opts);
  const model = c.run();
  if (!model || c.diagnostics.some((d) => d.severity === 'error')) return undefined;
  // The parameter slot map: renumbering reads the numbers in one order, whatever their values, so a
  // field's reads are found once (by path) and a draw's values are placed by read index.
  const reads = new Map<string, number[]>();
  let count = 0;
  c.renumber(model, (path) => {
    const key = fieldKey(path);
    reads.set(key, [...(reads.get(key) ?? []), count++]);
  });
  return {
    model,
    renumber(drawn) {
      const slots = new Array<Param | undefined>(count);
      for (const [key, v] of drawn) {
        const at = reads.get(key);
        if (at === undefined) {
          // An intervention's patch is not compiled (a named parameter may be used in one); any other
          // value no renumbering pass reads is compiled from scratch.
          if (key.startsWith('interventions\u0000')) continue;
          return undefined;
        }
        for (const i of at) slots[i] = v;
      }
      return c.renumber(model, slots);
    },
  };
}

class Compiler {
  readonly diagnostics: Diagnostic[] = [];
  readonly doc: Scenario;
  /**
   * While renumbering: the values read instead of the document's, by read index (or, the first time,
   * a function told the path of each read, in order).
   */
  private drawn: (Param | undefined)[] | ((path: Path) => void) | null = null;
  private reads = 0;
  readonly opts: CompileOptions;
  ladder: Rung[] = [];
  rungIndex = new Map<string, number>();
  typeIds: string[] = [];
  typeIndex = new Map<string, number>();
  actorIds: string[] = [];
  actorIndex = new Map<string, number>();
  actions: ActionModel[] = [];
  actionIndex = new Map<string, number>();
  /** Action index -> outcome id -> act index. */
  actIds: string[] = [];
  actAction: number[] = [];
  actOutcome: number[] = [];
  channelIndex = new Map<string, number>();
  talksIndex = new Map<string, number>();
  policyIndex = new Map<string, number>();
  tickHours = 1;

  constructor(doc: Scenario, opts: CompileOptions) {
    this.doc = doc;
    this.opts = opts;
  }

  private diag(
    code: Code,
    path: Path,
    message: string,
    hint?: string,
    severity: 'error' | 'warning' = 'error',
  ) {
    const d: Diagnostic = { code, severity, message: clipMessage(message), path };
    if (hint) d.hint = clipMessage(hint);
    this.diagnostics.push(d);
  }

  // ---- numbers --------------------------------------------------------------------------

  private checkDist(p: Param, path: Path): void {
    if (isParamRef(p)) return;
    if (isDistribution(p)) {
      const problem = distributionProblem(p);
      if (problem) this.diag('E_DIST_PARAMS', path, problem);
    }
  }

  /** The value at `path`: the drawn one while renumbering, else the document's. */
  private valueAt(p: Param | undefined, path: Path): Param | undefined {
    if (this.drawn === null) return p;
    if (typeof this.drawn === 'function') {
      this.drawn(path);
      return p;
    }
    return this.drawn[this.reads++] ?? p;
  }

  num(p0: Param | undefined, path: Path, fallback: number, min = Number.NEGATIVE_INFINITY): number {
    const p = this.valueAt(p0, path);
    if (p === undefined || isParamRef(p)) return fallback; // an unknown reference is reported once, above
    this.checkDist(p, path);
    const v = nominal(p);
    if (!Number.isFinite(v) || v < min) {
      this.diag('E_SCHEMA_VALUE', path, `expected a number >= ${min}, got ${v}`);
      return fallback;
    }
    return v;
  }

  prob(p0: Param | undefined, path: Path, fallback: number): number {
    const p = this.valueAt(p0, path);
    if (p === undefined || isParamRef(p)) return fallback;
    this.checkDist(p, path);
    if (isDistribution(p)) {
      const [lo, hi] = support(p);
      if (lo < 0 || hi > 1)
        this.diag(
          'W_DIST_CLAMPED',
          path,
          `this distribution reaches outside [0, 1] (support ${lo}..${hi}); draws are clamped`,
          'use beta or a triangular/uniform within [0, 1] for probabilities',
          'warning',
        );
    }
    const v = nominal(p);
    if (!(v >= 0 && v <= 1)) {
      this.diag('E_PROB_RANGE', path, `a probability must lie in [0, 1], got ${v}`);
      return Math.min(1, Math.max(0, Number.isFinite(v) ? v : fallback));
    }
    return v;
  }

  ticks(hours: number, min = 0): number {
    return Math.max(min, Math.round(hours / this.tickHours));
  }

  /** Per-tick probability of an event with `ratePerDay`. */
  perTick(ratePerDay: number): number {
    return -Math.expm1((-ratePerDay * this.tickHours) / 24);
  }

  // ---- references -----------------------------------------------------------------------

  actor(id: string, path: Path): number {
    return this.ref(this.actorIndex, id, path, 'E_REF_ACTOR', ['actor', 'actors'], -1);
  }

  /**
   * The index of `id` among the names of one kind, or a diagnostic at `path` (with the nearest name and
   * the list of names) and `missing`.
   */
  private ref(
    index: Map<string, number>,
    id: string,
    path: Path,
    code: Code,
    [what, whats]: [string, string],
    missing: number,
  ): number {
    const k = index.get(id);
    if (k !== undefined) return k;
    const near = didYouMean(id, index.keys());
    this.diag(
      code,
      path,
      `unknown ${what} '${id}'${near ? `; did you mean '${near}'?` : ''}`,
      `${whats} are: ${listed(index.keys())}`,
    );
    return missing;
  }

  rung(ref: string | number, path: Path): number {
    if (typeof ref === 'number') {
      if (ref < this.ladder.length) return ref;
      this.diag('E_REF_RUNG', path, `rung ${ref} is beyond the ladder (0..${this.ladder.length - 1})`);
      return 0;
    }
    return this.ref(this.rungIndex, ref, path, 'E_REF_RUNG', ['rung', 'rungs'], 0);
  }

  type(id: string, path: Path): number {
    return this.ref(this.typeIndex, id, path, 'E_REF_TYPE', ['intent type', 'intent types'], -1);
  }

  private actionIds = new Map<string, string[]>();

  /** The full ids of an actor's actions (for hints; built once per actor, not once per reference). */
  private actionsOf(actorId: string): string[] {
    let own = this.actionIds.get(actorId);
    if (!own) {
      own = [...this.actionIndex.keys()].filter((k) => k.startsWith(`${actorId}.`));
      this.actionIds.set(actorId, own);
    }
    return own;
  }

  /** Resolves `ACTOR.action[/outcome]` to [action, outcome (-1: none given)]. */
  actionRef(ref: string, path: Path): [number, number] {
    const slash = ref.indexOf('/');
    const base = slash >= 0 ? ref.slice(0, slash) : ref;
    const outcomeId = slash >= 0 ? ref.slice(slash + 1) : undefined;
    const dot = base.indexOf('.');
    const actorId = base.slice(0, dot);
    if (this.actor(actorId, path) < 0) return [-1, -1];
    const a = this.actionIndex.get(base);
    if (a === undefined) {
      const own = this.actionsOf(actorId);
      const near = didYouMean(base, own);
      this.diag(
        'E_REF_ACTION',
        path,
        `unknown action '${base}'${near ? `; did you mean '${near}'?` : ''}`,
        `${actorId}'s actions are: ${listed(own.map((k) => k.slice(actorId.length + 1)))}`,
      );
      return [-1, -1];
    }
    if (outcomeId === undefined) return [a, -1];
    const o = this.actions[a]!.outcomes.findIndex((x) => x.id === outcomeId);
    if (o < 0) {
      const ids = this.actions[a]!.outcomes.map((x) => x.id);
      const near = didYouMean(outcomeId, ids);
      this.diag(
        'E_REF_OUTCOME',
        path,
        `action '${base}' has no outcome '${outcomeId}'${near ? `; did you mean '${near}'?` : ''}`,
        `its outcomes are: ${listed(ids)}`,
      );
      return [a, -1];
    }
    return [a, o];
  }

  /** Resolves a response (`wait`, `act`, `ACTOR.act`) of actor `who`. */
  responseRef(ref: string, who: number, path: Path): number {
    const actorId = this.actorIds[who]!;
    if (ref === 'wait') return this.actionIndex.get(`${actorId}.wait`)!;
    const full = ref.includes('.') ? ref : `${actorId}.${ref}`;
    const [a] = this.actionRef(full, path);
    if (a < 0) return -1;
    if (this.actions[a]!.actor !== who) {
      this.diag(
        'E_WRONG_ACTOR',
        path,
        `'${ref}' is an action of ${this.actorIds[this.actions[a]!.actor]}, but a response here must be ${actorId}'s`,
      );
      return -1;
    }
    return a;
  }

  channel(id: string, path: Path): number {
    const k = this.channelIndex.get(id);
    if (k !== undefined) return k;
    const near = didYouMean(id, this.channelIndex.keys());
    this.diag(
      'E_REF_CHANNEL',
      path,
      `unknown channel '${id}'${near ? `; did you mean '${near}'?` : ''}`,
      `channels are: ${listed(this.channelIndex.keys()) || '(none)'}`,
    );
    return -1;
  }

  talksRefs(ids: string[] | undefined, path: Path): number[] {
    if (!ids) return [];
    const out: number[] = [];
    ids.forEach((id, k) => {
      const t = this.talksIndex.get(id);
      if (t === undefined) {
        const near = didYouMean(id, this.talksIndex.keys());
        this.diag(
          'E_REF_TALKS',
          [...path, k],
          `unknown talks '${id}'${near ? `; did you mean '${near}'?` : ''}`,
          `talks are: ${listed(this.talksIndex.keys()) || '(none in this scenario; an intervention may add them)'}`,
        );
      } else out.push(t);
    });
    return out;
  }

  /** The index of a standing policy (policies are declared by the acts and conditions that name them). */
  policy(name: string): number {
    let k = this.policyIndex.get(name);
    if (k === undefined) {
      k = this.policyIndex.size;
      this.policyIndex.set(name, k);
    }
    return k;
  }

  /** Whether reading act `b` as act `a` makes it look more alarming (higher rung, or likelier hostile). */
  moreAlarming(a: number, b: number): boolean {
    const ra = this.actions[a]!.rung;
    const rb = this.actions[b]!.rung;
    if (ra !== rb) return ra > rb;
    const h = this.hostileType();
    const la = this.actions[a]!.intent;
    const lb = this.actions[b]!.intent;
    const ratio = (l: Float64Array | null) => {
      if (!l) return 1;
      let others = 0;
      for (let t = 0; t < l.length; t++) if (t !== h) others += l[t]!;
      return l[h]! / Math.max(1e-12, others / (l.length - 1));
    };
    return ratio(la) >= ratio(lb);
  }

  private compileWar(): Model['war'] {
    const war = this.doc.war;
    if (!war) return null;
    const phases = Object.entries(war.phases).map(([id, ph]) => {
      const path: Path = ['war', 'phases', id];
      const [a] = this.actionRef(ph.action, [...path, 'action']);
      const every = this.ticks(ph.everyHours, 1);
      return {
        id,
        action: Math.max(0, a),
        everyTicks: every,
        meanTicks: this.ticks(this.num(ph.meanHours, [...path, 'meanHours'], 0, 0)),
        ceasefire: -Math.expm1(
          (-this.num(ph.ceasefirePerDay, [...path, 'ceasefirePerDay'], 0, 0) * every * this.tickHours) / 24,
        ),
      };
    });
    if (phases.length === 0)
      this.diag('E_SCHEMA_REQUIRED', ['war', 'phases'], 'war needs at least one phase');
    return {
      phases: phases.map(({ ceasefire: _c, ...ph }) => ph),
      ceasefire: phases.map((ph) => ph.ceasefire),
    };
  }

  /**
   * What each actor needs to perceive: an act it has a rule for (under any reading), an act that moves
   * beliefs it uses, or an alarming act that keeps its raised readiness from relaxing. Acts nobody
   * attends to cost no perception draws (decision 0008).
   */
  private compileAttention(model: Model): void {
    const nAct = model.actions.length;
    for (const [i, actor] of model.actors.entries()) {
      const usesBeliefs =
        actor.preempt !== null ||
        actor.fear > 0 ||
        actor.urgency > 0 ||
        actor.rules.some((r) => r.conditions.some((c) => c.kind === 'belief'));
      actor.usesBeliefs = usesBeliefs;
      const raises = model.actions.some((x) => x.actor === i && x.readiness > actor.readiness0);
      const perceives = new Uint8Array(nAct);
      for (let a = 0; a < nAct; a++) {
        const action = model.actions[a]!;
        if (action.actor === i || action.isWait) continue;
        const readings = [a];
        for (const o of action.outcomes) {
          const row = actor.misread[o.act];
          if (row) readings.push(...row.to);
        }
        let attend = usesBeliefs && readings.some((x) => model.actions[x]!.intent !== null);
        if (!attend && raises) attend = action.outcomes.some((o) => o.rung >= model.quietRung);
        if (!attend)
          attend = readings.some((x) =>
            model.actions[x]!.outcomes.some((o) => actor.rulesByAct[o.act]!.length > 0),
          );
        perceives[a] = attend ? 1 : 0;
      }
      actor.perceives = perceives;
    }
  }

  /** Checks a probability table sums to 1. */
  sumsToOne(values: number[], path: Path, what: string): void {
    const s = values.reduce((x, y) => x + y, 0);
    if (Math.abs(s - 1) > PROB_TOL)
      this.diag(
        'E_PROB_SUM',
        path,
        `${what} sum to ${round(s)}, not 1`,
        'make the probabilities add up to exactly 1',
      );
  }

  // ---- the whole --------------------------------------------------------------------------

  run(): Model | undefined {
    const doc = this.doc;
    this.tickHours = doc.time.tickHours;
    this.compileLadder();
    this.compileTypes();
    this.actorIds = Object.keys(doc.actors);
    for (const [k, id] of this.actorIds.entries()) this.actorIndex.set(id, k);
    for (const [k, id] of Object.keys(doc.channels).entries()) this.channelIndex.set(id, k);
    for (const [k, id] of Object.keys(doc.talks).entries()) this.talksIndex.set(id, k);
    this.declareActions();
    if (this.diagnostics.some((d) => d.severity === 'error')) return undefined;
    // The model's tables grow with actors x acts and actors^2 x types: refuse what would not fit
    // rather than allocate it (the document's sizes, not assumed ones).
    const cells = this.actorIds.length * (this.actIds.length + this.actorIds.length * this.typeIds.length);
    if (cells > MAX_MODEL_CELLS) {
      this.diag(
        'E_MODEL_TOO_LARGE',
        ['actors'],
        `${this.actorIds.length} actors with ${this.actIds.length} acts and ${this.typeIds.length} intent types need ${cells.toLocaleString('en')} table cells; the engine holds at most ${MAX_MODEL_CELLS.toLocaleString('en')}`,
        'fewer actors (merge minor ones) or fewer actions and outcomes',
      );
      return undefined;
    }

    const nA = this.actorIds.length;
    const nT = this.typeIds.length;
    const nR = this.ladder.length;
    const horizon = this.ticks(doc.time.horizonDays * 24, 1);
    const model: Model = {
      id: doc.id,
      hash: this.opts.hash ?? '',
      rungIds: this.ladder.map((r) => r.id),
      rungNames: this.ladder.map((r) => r.name),
      rungMid: this.ladder.map((r) => r.mid),
      warRung: indexOr(
        this.ladder.findIndex((r) => r.ends === 'war'),
        nR,
      ),
      nuclearRung: indexOr(
        this.ladder.findIndex((r) => r.ends === 'nuclear-use'),
        nR,
      ),
      lethalRung: 0,
      quietRung: this.rung(doc.time.quietRung, ['time', 'quietRung']),
      typeIds: this.typeIds,
      hostileType: this.hostileType(),
      domainIds: [...DOMAINS],
      tickHours: this.tickHours,
      horizon,
      warPhase: this.ticks(doc.time.warPhaseHours),
      resolveQuiet: this.ticks(doc.time.resolveQuietHours, 1),
      resolveSlack: doc.time.readinessSlack ?? (doc.version === 1 ? 1 : 0),
      war: null,
      policies: [],
      formatVersion: doc.version,
      actors: [],
      actions: this.actions,
      actAction: Int32Array.from(this.actAction),
      actOutcome: Int32Array.from(this.actOutcome),
      actIds: this.actIds,
      channels: [],
      notifications: [],
      talks: [],
      hazards: [],
      injects: [],
      expectRows: [],
      expectRowOf: new Int32Array(this.actions.length * nA).fill(-1),
      expectSize: 0,
      baseValue: new Float64Array(this.actions.length),
      interventions: this.opts.interventions ?? [],
    };
    const lethal = this.ladder.findIndex((r) => r.lethal);
    model.lethalRung = lethal >= 0 ? lethal : model.warRung;
    if (model.warRung >= nR || model.nuclearRung >= nR)
      this.diag(
        'W_LADDER_ENDS',
        ['ladder'],
        'this ladder has no rung with `ends: war` or `ends: nuclear-use`; that outcome can never happen',
        undefined,
        'warning',
      );

    this.completeActions();
    model.channels = this.compileChannels();
    model.talks = this.compileTalks();
    model.notifications = this.compileNotifications();
    model.hazards = this.compileHazards(horizon);
    model.injects = this.compileInjects(horizon);
    model.war = this.compileWar();
    for (const [id, q] of Object.entries(doc.isr ?? {})) {
      this.actor(id, ['isr', id]);
      this.prob(q.quality, ['isr', id, 'quality'], REFERENCE_QUALITY);
    }
    model.actors = this.actorIds.map((id, i) => this.compileActor(model, id, i, nT, nR));
    for (const tk of model.talks)
      for (const pt of tk.participation)
        if (Number.isNaN(pt.lambda)) pt.lambda = model.actors[pt.actor]!.lambda;
    this.compileExpectations(model);
    this.compileRules(model);
    model.policies = [...this.policyIndex.keys()];
    if (this.diagnostics.some((d) => d.severity === 'error')) return undefined;
    this.compileAttention(model);
    this.solveExpectations(model);
    return model;
  }

  /**
   * The model of `template` (this compiler's own model) with the drawn values: the structure is the
   * template's; every pass that reads a number runs again, on copies of what it writes. Undefined when
   * a drawn value gives an error.
   */
  renumber(template: Model, drawn: (Param | undefined)[] | ((path: Path) => void)): Model | undefined {
    this.drawn = drawn;
    this.reads = 0;
    this.diagnostics.length = 0;
    try {
      this.actions = template.actions.map(copyAction);
      for (const [action, a, path] of this.declaredActions()) {
        action.outcomeCum = this.outcomeNumbers(action.outcomes, a, path, action.id);
        this.actionNumbers(action, a, path);
      }
      const model = copyModel(template, this.actions);
      model.channels = this.compileChannels();
      model.talks = this.compileTalks();
      model.notifications = this.compileNotifications();
      model.hazards = this.compileHazards(model.horizon);
      model.war = this.compileWar();
      const nT = this.typeIds.length;
      const nR = this.ladder.length;
      model.actors = this.actorIds.map((id, i) => this.compileActor(model, id, i, nT, nR));
      for (const tk of model.talks)
        for (const pt of tk.participation)
          if (Number.isNaN(pt.lambda)) pt.lambda = model.actors[pt.actor]!.lambda;
      this.ruleNumbers(model, template);
      if (this.diagnostics.some((d) => d.severity === 'error')) return undefined;
      this.compileAttention(model);
      this.solveExpectations(model);
      if (Array.isArray(drawn) && this.reads !== drawn.length)
        throw new Error(`renumber: ${this.reads} numbers read, not ${drawn.length} as the first time`);
      return model;
    } finally {
      this.drawn = null;
      this.actions = template.actions;
    }
  }

  private compileLadder(): void {
    const doc = this.doc;
    this.ladder = doc.ladder === 'default' ? DEFAULT_LADDER : doc.ladder;
    this.ladder.forEach((r, k) => {
      if (this.rungIndex.has(r.id))
        this.diag('E_DUPLICATE_ID', ['ladder', k, 'id'], `rung id '${r.id}' appears twice in the ladder`);
      this.rungIndex.set(r.id, k);
    });
    const war = this.ladder.findIndex((r) => r.ends === 'war');
    const nuc = this.ladder.findIndex((r) => r.ends === 'nuclear-use');
    if (war >= 0 && nuc >= 0 && nuc < war)
      this.diag('E_LADDER', ['ladder', nuc], 'the nuclear-use rung must come after the war rung');
    if (
      this.ladder.filter((r) => r.ends === 'war').length > 1 ||
      this.ladder.filter((r) => r.ends === 'nuclear-use').length > 1
    )
      this.diag('E_LADDER', ['ladder'], 'a ladder has at most one rung ending in war and one in nuclear use');
  }

  private compileTypes(): void {
    const types = this.doc.intentTypes ?? DEFAULT_INTENT_TYPES;
    this.typeIds = types.map((t) => t.id);
    types.forEach((t, k) => {
      if (this.typeIndex.has(t.id))
        this.diag('E_DUPLICATE_ID', ['intentTypes', k, 'id'], `intent type '${t.id}' appears twice`);
      else this.typeIndex.set(t.id, k);
    });
    const hostile = types.filter((t) => t.hostile).length;
    if (hostile !== 1)
      this.diag(
        'E_LADDER',
        ['intentTypes'],
        `exactly one intent type must be marked hostile: true (found ${hostile})`,
        'the hostile type is the one whose belief means "attack imminent"',
      );
  }

  private hostileType(): number {
    const types = this.doc.intentTypes ?? DEFAULT_INTENT_TYPES;
    return Math.max(
      0,
      types.findIndex((t) => t.hostile),
    );
  }

  /** First pass: every action and outcome gets an index, so references can resolve in any order. */
  private declareActions(): void {
    const doc = this.doc;
    for (const [ai, actorId] of this.actorIds.entries()) {
      const actor = doc.actors[actorId]!;
      const addAction = (id: string, a: ActorDoc['actions'][string] | null, path: Path) => {
        const index = this.actions.length;
        const full = `${actorId}.${id}`;
        this.actionIndex.set(full, index);
        const rung = a ? this.rung(a.rung, [...path, 'rung']) : 0;
        const outcomesDoc = a?.outcomes ?? { done: { p: 1 } };
        const outcomes = Object.entries(outcomesDoc).map(([oid, o], k) => {
          const act = this.actIds.length;
          this.actIds.push(Object.keys(outcomesDoc).length > 1 || a?.outcomes ? `${full}/${oid}` : full);
          this.actAction.push(index);
          this.actOutcome.push(k);
          const opath = [...path, 'outcomes', oid];
          return {
            id: oid,
            name: o.name ?? oid,
            p: 1,
            rung: o.rung !== undefined ? this.rung(o.rung, [...opath, 'rung']) : rung,
            casualties: [] as number[],
            act,
          };
        });
        const cum = this.outcomeNumbers(outcomes, a, path, full);
        this.actions.push({
          id: full,
          name: a?.name ?? id,
          actor: ai,
          isWait: a === null,
          rung,
          domain: a ? DOMAINS.indexOf(a.domain) : 0,
          isPublic: a ? a.visibility === 'public' : false,
          signature: 1,
          value: a?.value ?? 0,
          cost: a?.cost ?? 0,
          intent: null,
          outcomes,
          outcomeCum: cum,
          readiness: a?.readiness ?? -1,
          standDown: a?.standDown ?? false,
          preemptive: a?.preemptive ?? false,
          message: null,
          cutChannel: -1,
          substitutionP: 0,
          substitutionTo: -1,
          durationTicks: 0,
          setsPolicy: [],
          revokesPolicy: [],
          consult: null,
          reassuring: false,
          holdsState: false,
        });
      };
      addAction('wait', null, ['actors', actorId]);
      for (const [id, a] of Object.entries(actor.actions)) {
        const path = ['actors', actorId, 'actions', id];
        if (id === 'wait') {
          this.diag('E_RESERVED_ID', path, "'wait' is reserved: every actor can wait (do nothing)");
          continue;
        }
        addAction(id, a, path);
      }
    }
  }

  /** An action's outcome probabilities (set in `outcomes`) and their cumulative table. */
  private outcomeNumbers(
    outcomes: ActionModel['outcomes'],
    a: ActorDoc['actions'][string] | null,
    path: Path,
    full: string,
  ): Float64Array {
    if (a?.outcomes) {
      Object.entries(a.outcomes).forEach(([oid, o], k) => {
        outcomes[k]!.p = this.prob(o.p, [...path, 'outcomes', oid, 'p'], 0);
      });
      this.sumsToOne(
        outcomes.map((o) => o.p),
        [...path, 'outcomes'],
        `the outcome probabilities of ${full}`,
      );
    }
    const cum = new Float64Array(outcomes.length);
    let acc = 0;
    outcomes.forEach((o, k) => {
      acc += o.p;
      cum[k] = acc;
    });
    return cum;
  }

  /** The numbers of an action that is not a wait: signature, duration, consultation, substitution. */
  private actionNumbers(action: ActionModel, a: ActorDoc['actions'][string], path: Path): void {
    action.signature = this.num(a.signature, [...path, 'signature'], 1, 0);
    action.durationTicks = this.ticks(this.num(a.durationHours, [...path, 'durationHours'], 0, 0));
    if (a.consult && action.consult) {
      const cp = [...path, 'consult'];
      const ch = this.channelIndex.has(a.consult.via) ? this.doc.channels[a.consult.via] : undefined;
      const latency = ch ? this.num(ch.latencyHours, ['channels', a.consult.via, 'latencyHours'], 0, 0) : 0;
      action.consult.ticks = this.ticks(2 * latency + this.num(a.consult.hours, [...cp, 'hours'], 0, 0));
      action.consult.veto = this.prob(a.consult.veto, [...cp, 'veto'], 0);
    }
    if (a.substitution) action.substitutionP = this.prob(a.substitution.p, [...path, 'substitution', 'p'], 0);
  }

  /** Each declared (not wait) action with its document entry and its path in the document. */
  private *declaredActions(): Generator<[ActionModel, ActorDoc['actions'][string], Path, string]> {
    for (const action of this.actions) {
      if (action.isWait) continue;
      const actorId = this.actorIds[action.actor]!;
      const localId = action.id.slice(actorId.length + 1);
      yield [
        action,
        this.doc.actors[actorId]!.actions[localId]!,
        ['actors', actorId, 'actions', localId],
        actorId,
      ];
    }
  }

  /** Second pass: fields that refer to other actions, actors, channels or types. */
  private completeActions(): void {
    const doc = this.doc;
    for (const [action, a, path, actorId] of this.declaredActions()) {
      if (a.target !== undefined) this.actor(a.target, [...path, 'target']);
      if (a.intent) {
        const lik = new Float64Array(this.typeIds.length).fill(1);
        for (const [t, v] of Object.entries(a.intent)) {
          const k = this.type(t, [...path, 'intent', t]);
          if (k >= 0) lik[k] = v;
        }
        if (lik.every((x) => x === 0))
          this.diag('E_SCHEMA_VALUE', [...path, 'intent'], 'at least one intent likelihood must be above 0');
        action.intent = lik;
        const h = this.hostileType();
        let others = 0;
        for (let t = 0; t < lik.length; t++) if (t !== h) others = Math.max(others, lik[t]!);
        action.reassuring = lik[h]! < others && lik[h]! < 1;
      }
      Object.entries(a.outcomes ?? {}).forEach(([oid, o], k) => {
        action.outcomes[k]!.casualties = (o.casualties ?? [])
          .map((id, n) => this.actor(id, [...path, 'outcomes', oid, 'casualties', n]))
          .filter((x) => x >= 0);
      });
      if (a.cutChannel !== undefined) action.cutChannel = this.channel(a.cutChannel, [...path, 'cutChannel']);
      action.setsPolicy = (a.policy?.set ?? []).map((x) => this.policy(x));
      action.revokesPolicy = (a.policy?.revoke ?? []).map((x) => this.policy(x));
      if (a.consult) {
        const cp = [...path, 'consult'];
        const ally = this.actor(a.consult.ally, [...cp, 'ally']);
        const channel = this.channel(a.consult.via, [...cp, 'via']);
        const ch = channel >= 0 ? doc.channels[a.consult.via]! : undefined;
        if (ch && ally >= 0 && !(ch.between.includes(actorId) && ch.between.includes(a.consult.ally)))
          this.diag(
            'E_REF_CHANNEL',
            [...cp, 'via'],
            `channel '${a.consult.via}' does not connect ${actorId} and ${a.consult.ally}`,
          );
        if (ally === action.actor) this.diag('E_SELF', [...cp, 'ally'], 'an actor does not consult itself');
        action.consult = { ally: Math.max(0, ally), channel: Math.max(0, channel), ticks: 0, veto: 0 };
      }
      this.actionNumbers(action, a, path);
      // A readiness act (an alert) is a state: raising a readiness already held is no new act.
      action.holdsState = a.readiness !== undefined && !a.message && !a.standDown && !a.outcomes;
      if (a.substitution) {
        action.substitutionTo = this.responseRef(a.substitution.to, action.actor, [
          ...path,
          'substitution',
          'to',
        ]);
      }
      if (a.message) {
        const mp = [...path, 'message'];
        const to = this.actor(a.message.to, [...mp, 'to']);
        const about =
          a.message.about !== undefined ? this.actor(a.message.about, [...mp, 'about']) : action.actor;
        const via = a.message.via.map((c, k) => this.channel(c, [...mp, 'via', k])).filter((x) => x >= 0);
        const channelIds = via.length ? [...this.channelIndex.keys()] : [];
        via.forEach((c, k) => {
          const ch = doc.channels[channelIds[c]!]!;
          if (to >= 0 && !(ch.between.includes(actorId) && ch.between.includes(a.message!.to)))
            this.diag(
              'E_REF_CHANNEL',
              [...mp, 'via', k],
              `channel '${channelIds[c]}' does not connect ${actorId} and ${a.message!.to}`,
            );
        });
        if (a.message.kind === 'warn' && (!a.message.on || !a.message.response))
          this.diag(
            'E_SCHEMA_REQUIRED',
            mp,
            'a warn message needs `on` (the act) and `response` (what is threatened)',
          );
        action.message = {
          to,
          kind: a.message.kind === 'warn' ? 'warn' : 'reassure',
          about,
          via,
          row: -1,
          entry: -1,
        };
      }
    }
  }

  private effects(list: EffectDoc[], path: Path): BeliefEffectModel[] {
    const out: BeliefEffectModel[] = [];
    list.forEach((e, k) => {
      const p = [...path, k];
      if ('credibility' in e) {
        const channel = this.channel(e.credibility, [...p, 'credibility']);
        const factor = this.num(e.factor, [...p, 'factor'], 1, 0);
        if (channel >= 0) out.push({ kind: 'credibility', channel, factor });
        return;
      }
      const lr = this.num(e.lr, [...p, 'lr'], 1, 0);
      if (e.belief !== undefined) {
        const [aid, tid] = e.belief.split(':') as [string, string];
        const about = this.actor(aid, [...p, 'belief']);
        const type = this.type(tid, [...p, 'belief']);
        if (about >= 0 && type >= 0) out.push({ kind: 'intent', about, type, lr });
      } else if (e.expects !== undefined) {
        const [a] = this.actionRef(e.expects, [...p, 'expects']);
        if (a >= 0) out.push({ kind: 'expects', responder: this.actions[a]!.actor, action: a, lr });
      }
    });
    return out;
  }

  private leaks(
    leak: Record<string, { p: Param; effects: EffectDoc[] }> | undefined,
    path: Path,
  ): { leakTo: number[]; leakP: number[]; leakEffects: BeliefEffectModel[][] } {
    const leakTo: number[] = [];
    const leakP: number[] = [];
    const leakEffects: BeliefEffectModel[][] = [];
    for (const [id, l] of Object.entries(leak ?? {})) {
      const k = this.actor(id, [...path, id]);
      if (k < 0) continue;
      leakTo.push(k);
      leakP.push(this.prob(l.p, [...path, id, 'p'], 0));
      leakEffects.push(this.effects(l.effects, [...path, id, 'effects']));
    }
    return { leakTo, leakP, leakEffects };
  }

  private compileChannels(): ChannelModel[] {
    const nA = this.actorIds.length;
    return Object.entries(this.doc.channels).map(([id, ch]) => {
      const path: Path = ['channels', id];
      const a = this.actor(ch.between[0], [...path, 'between', 0]);
      const b = this.actor(ch.between[1], [...path, 'between', 1]);
      if (a >= 0 && a === b)
        this.diag('E_SELF', [...path, 'between'], 'a channel connects two different actors');
      const acceptance = new Float64Array(nA).fill(1);
      if (ch.acceptance !== undefined) {
        if (typeof ch.acceptance === 'number' || isDistribution(ch.acceptance) || isParamRef(ch.acceptance)) {
          acceptance.fill(this.prob(ch.acceptance as Param, [...path, 'acceptance'], 1));
        } else {
          for (const [rid, p] of Object.entries(ch.acceptance as Record<string, Param>)) {
            const r = this.actor(rid, [...path, 'acceptance', rid]);
            if (r >= 0) acceptance[r] = this.prob(p, [...path, 'acceptance', rid], 1);
          }
        }
      }
      return {
        id,
        a,
        b,
        kind: ch.kind,
        exists: ch.exists,
        availability: this.prob(ch.availability, [...path, 'availability'], 1),
        acceptance,
        latency: this.ticks(this.num(ch.latencyHours, [...path, 'latencyHours'], 0, 0)),
        credibility: this.num(ch.credibility, [...path, 'credibility'], 1, 0),
        ...this.leaks(ch.leak, [...path, 'leak']),
        requires: this.talksRefs(ch.requires, [...path, 'requires']),
      };
    });
  }

  private compileTalks() {
    return Object.entries(this.doc.talks).map(([id, t]) => {
      const path: Path = ['talks', id];
      const parties = t.parties.map((p, k) => this.actor(p, [...path, 'parties', k])).filter((x) => x >= 0);
      if (new Set(parties).size < 2)
        this.diag('E_SELF', [...path, 'parties'], 'talks need at least two different parties');
      if (t.host !== undefined) this.actor(t.host, [...path, 'host']);
      return {
        id,
        parties,
        rounds: t.rounds,
        convergence: this.prob(t.convergence, [...path, 'convergence'], 0),
        alignExpects: t.aligns.includes('expects'),
        alignIntent: t.aligns.includes('intent'),
        ...this.leaks(t.leak, [...path, 'leak']),
        continueAfterLeak: this.prob(t.continueAfterLeak, [...path, 'continueAfterLeak'], 0),
        discretion: this.prob(t.venue?.discretion, [...path, 'venue', 'discretion'], 0),
        convening: this.prob(t.venue?.convening, [...path, 'venue', 'convening'], 1),
        participation: Object.entries(t.participation ?? {}).flatMap(([aid, pt]) => {
          const pp: Path = [...path, 'participation', aid];
          const actor = this.actor(aid, pp);
          if (actor < 0) return [];
          if (!parties.includes(actor))
            this.diag(
              'E_REF_ACTOR',
              pp,
              `'${aid}' is not a party of talks '${id}'`,
              `parties: ${t.parties.join(', ')}`,
            );
          const beliefs = Object.entries(pt.beliefs ?? {}).flatMap(([key, w]) => {
            const [bid, tid] = key.split(':') as [string, string];
            const about = this.actor(bid, [...pp, 'beliefs', key]);
            const type = this.type(tid, [...pp, 'beliefs', key]);
            if (about < 0 || type < 0) return [];
            return [{ about, type, weight: this.num(w, [...pp, 'beliefs', key], 0) }];
          });
          let byType: Float64Array | null = null;
          if (pt.byType) {
            byType = new Float64Array(this.typeIds.length);
            for (const [tid, v] of Object.entries(pt.byType)) {
              const ty = this.type(tid, [...pp, 'byType', tid]);
              if (ty >= 0) byType[ty] = this.num(v, [...pp, 'byType', tid], 0);
            }
          }
          return [
            {
              actor,
              value: this.num(pt.value, [...pp, 'value'], 0),
              exposure: this.num(pt.exposure, [...pp, 'exposure'], 0, 0),
              leakCost: this.num(pt.leakCost, [...pp, 'leakCost'], 0, 0),
              beliefs,
              byType,
              lambda: this.num(pt.rationality, [...pp, 'rationality'], Number.NaN, 0),
            },
          ];
        }),
      };
    });
  }

  private compileNotifications() {
    return Object.entries(this.doc.notifications).map(([id, n]) => {
      const path: Path = ['notifications', id];
      const by = this.actor(n.by, [...path, 'by']);
      const covers = new Uint8Array(this.actions.length);
      n.actions.forEach((ref, k) => {
        const [a] = this.actionRef(ref, [...path, 'actions', k]);
        if (a < 0) return;
        if (this.actions[a]!.actor !== by)
          this.diag(
            'E_WRONG_ACTOR',
            [...path, 'actions', k],
            `'${ref}' is not an action of ${n.by}, the notifier`,
          );
        covers[a] = 1;
      });
      const to = n.to.map((x, k) => this.actor(x, [...path, 'to', k])).filter((x) => x >= 0);
      if (to.some((x) => x >= 31))
        this.diag('E_SCHEMA_VALUE', [...path, 'to'], 'notifications support up to 31 actors');
      return {
        id,
        by: Math.max(0, by),
        covers,
        to,
        compliance: this.prob(n.compliance, [...path, 'compliance'], 0),
        delivery: this.prob(n.delivery, [...path, 'delivery'], 1),
        misread: this.num(n.misread, [...path, 'misread'], 0.1, 0),
        evidence: this.num(n.evidence, [...path, 'evidence'], 0.2, 0),
        unannounced: this.num(n.unannounced, [...path, 'unannounced'], 1, 0),
        requires: this.talksRefs(n.requires, [...path, 'requires']),
      };
    });
  }

  private compileHazards(horizon: number) {
    return Object.entries(this.doc.hazards).map(([id, h]) => {
      const path: Path = ['hazards', id];
      const [a] = this.actionRef(h.action, [...path, 'action']);
      return {
        id,
        action: Math.max(0, a),
        perTick: this.perTick(this.num(h.ratePerDay, [...path, 'ratePerDay'], 0, 0)),
        from: this.ticks(h.fromHours ?? 0),
        until: h.untilHours !== undefined ? this.ticks(h.untilHours) : horizon,
        activity: h.activity ?? h.untilHours !== undefined,
      };
    });
  }

  private compileInjects(horizon: number) {
    const out = Object.entries(this.doc.injects).map(([id, inj]) => {
      const path: Path = ['injects', id];
      const [a, o] = this.actionRef(inj.action, [...path, 'action']);
      const tick = this.ticks(inj.atHours);
      if (tick > horizon)
        this.diag(
          'E_TIME',
          [...path, 'atHours'],
          `inject at ${inj.atHours} h is after the horizon (${horizon * this.tickHours} h)`,
        );
      return { id, tick, action: Math.max(0, a), outcome: o };
    });
    return out.sort((x, y) => x.tick - y.tick);
  }

  private compileActor(model: Model, id: string, i: number, nT: number, nR: number): ActorModel {
    const doc = this.doc;
    const a = doc.actors[id]!;
    const path: Path = ['actors', id];
    const nA = this.actorIds.length;
    const nD = DOMAINS.length;
    // True type.
    const typeCum = new Float64Array(nT);
    if (a.type === undefined) typeCum.fill(1);
    else if (typeof a.type === 'string') {
      const k = this.type(a.type, [...path, 'type']);
      for (let t = 0; t < nT; t++) typeCum[t] = t >= k ? 1 : 0;
    } else {
      const probs = new Array<number>(nT).fill(0);
      for (const [tid, p] of Object.entries(a.type)) {
        const k = this.type(tid, [...path, 'type', tid]);
        if (k >= 0) probs[k] = this.prob(p, [...path, 'type', tid], 0);
      }
      this.sumsToOne(probs, [...path, 'type'], `the type probabilities of ${id}`);
      let acc = 0;
      probs.forEach((p, t) => {
        acc += p;
        typeCum[t] = acc;
      });
      typeCum[nT - 1] = 1;
    }
    // Perception as signal detection (decision 0008). Every probability the file states (detect,
    // misread, false alarm, with its readiness multiplier) holds at the reference quality 0.5; the
    // compiler turns it into a criterion, and the actor's quality q sets the sensitivity d' the
    // criterion is applied with: P = Phi(probit(p_ref) -/+ (d'(q) - d'(ref)) / 2).
    const per = a.perception ?? {};
    const pp: Path = [...path, 'perception'];
    const quality = this.prob(doc.isr?.[id]?.quality, ['isr', id, 'quality'], REFERENCE_QUALITY);
    const dq = dprimeOf(quality);
    const dRef = dprimeOf(REFERENCE_QUALITY);
    const levels = (v: number[] | undefined) =>
      v ? Float64Array.from(v) : new Float64Array(N_READINESS).fill(1);
    const mDetect = levels(per.readiness?.detect);
    const mMisread = levels(per.readiness?.misread);
    const mFalse = levels(per.readiness?.falseAlarms);
    const sens = new Float64Array(nD).fill(1);
    const pDetect = new Float64Array(nD).fill(1);
    const latency = new Int32Array(nD);
    for (const [dom, isr] of Object.entries(per.isr ?? {})) {
      if (!isr) continue;
      const d = DOMAINS.indexOf(dom as (typeof DOMAINS)[number]);
      pDetect[d] = this.prob(isr.detect, [...pp, 'isr', dom, 'detect'], 1);
      sens[d] = this.num(isr.sensitivity, [...pp, 'isr', dom, 'sensitivity'], 1, 0);
      latency[d] = this.ticks(this.num(isr.latencyHours, [...pp, 'isr', dom, 'latencyHours'], 0, 0));
    }
    const dprime = new Float64Array(nD);
    const detectZ = new Float64Array(nD * N_READINESS);
    /** How far the observer's d' in domain d is from the reference, halved. */
    const gain = (d: number) => ((dq - dRef) * sens[d]!) / 2;
    for (let d = 0; d < nD; d++) {
      dprime[d] = dq * sens[d]!;
      for (let R = 0; R < N_READINESS; R++)
        detectZ[d * N_READINESS + R] = probit(Math.min(1, pDetect[d]! * mDetect[R]!)) + gain(d);
    }
    // Rows by act: `ACTOR.action` covers every outcome, `ACTOR.action/outcome` (v2) one of them (a
    // failed test that kills nationals can be read as an attack more often than a test that lands at sea).
    const misread: ActorModel['misread'] = new Array(this.actIds.length).fill(null);
    for (const [from, row] of Object.entries(per.misread ?? {})) {
      const rp = [...pp, 'misread', from];
      const [fa, fo] = this.actionRef(from, rp);
      if (fa < 0) continue;
      const to: number[] = [];
      const p: number[] = [];
      for (const [target, q] of Object.entries(row)) {
        const [ta] = this.actionRef(target, [...rp, target]);
        if (ta < 0) continue;
        to.push(ta);
        p.push(this.prob(q, [...rp, target], 0));
      }
      const s = p.reduce((x, y) => x + y, 0);
      if (s > 1 + PROB_TOL)
        this.diag(
          'E_MISREAD_SUM',
          rp,
          `the misreadings of ${from} sum to ${round(s)}; at most 1 (the rest is read correctly)`,
        );
      const dom = this.actions[fa]!.domain;
      const z = new Float64Array(to.length * N_READINESS);
      const dir = new Int8Array(to.length);
      to.forEach((ta, k) => {
        for (let R = 0; R < N_READINESS; R++)
          z[k * N_READINESS + R] = probit(Math.min(1, p[k]! * mMisread[R]!)) - gain(dom);
        dir[k] = this.moreAlarming(ta, fa) ? 1 : -1;
      });
      const entry = { to: Int32Array.from(to), z, dir };
      const outcomes = this.actions[fa]!.outcomes;
      for (const [k, o] of outcomes.entries()) {
        // An outcome's own row wins over the action's.
        if (fo >= 0 ? k === fo : misread[o.act] === null) misread[o.act] = entry;
      }
    }
    const fear = this.num(per.fear, [...pp, 'fear'], 0, 0);
    const fa: number[] = [];
    const fz: number[] = [];
    const fmax: number[] = [];
    for (const [ref, rate] of Object.entries(per.falseAlarms ?? {})) {
      const rp = [...pp, 'falseAlarms', ref];
      const [x] = this.actionRef(ref, rp);
      if (x < 0) continue;
      if (this.actions[x]!.actor === i)
        this.diag(
          'E_WRONG_ACTOR',
          rp,
          'a false alarm is a phantom act of another actor, not of the observer',
        );
      fa.push(x);
      const p = this.perTick(this.num(rate, rp, 0, 0));
      for (let R = 0; R < N_READINESS; R++) {
        const z = probit(Math.min(1, p * mFalse[R]!)) - gain(this.actions[x]!.domain);
        fz.push(z);
        // The most fear can add: belief 1 against a prior of at least 0 (thinning bound).
        fmax.push(phi(z + fear));
      }
    }
    const disbelief = this.prob(per.disbelief, [...pp, 'disbelief'], 0);
    const disbeliefZ = new Float64Array(N_READINESS);
    for (let R = 0; R < N_READINESS; R++)
      disbeliefZ[R] = probit(Math.min(1, disbelief * mMisread[R]!)) - (dq - dRef) / 2;
    const review = per.review
      ? {
          ticks: this.ticks(this.num(per.review.afterHours, [...pp, 'review', 'afterHours'], 0, 0), 1),
          p: this.prob(per.review.p, [...pp, 'review', 'p'], 0),
        }
      : null;
    // Beliefs.
    const bias = a.beliefs?.bias ?? {};
    const hostility = this.prob(bias.hostility, [...path, 'beliefs', 'bias', 'hostility'], 0.05);
    const intentPrior = new Float64Array(nA * nT);
    for (let j = 0; j < nA; j++) {
      for (let t = 0; t < nT; t++) {
        intentPrior[j * nT + t] = t === model.hostileType ? hostility : (1 - hostility) / (nT - 1);
      }
    }
    for (const [other, row] of Object.entries(a.beliefs?.intent ?? {})) {
      const rp = [...path, 'beliefs', 'intent', other];
      const j = this.actor(other, rp);
      if (j < 0) continue;
      const probs = new Array<number>(nT).fill(0);
      for (const [tid, p] of Object.entries(row)) {
        const t = this.type(tid, [...rp, tid]);
        if (t >= 0) probs[t] = this.prob(p, [...rp, tid], 0);
      }
      this.sumsToOne(probs, rp, `${id}'s intent prior about ${other}`);
      probs.forEach((p, t) => {
        intentPrior[j * nT + t] = p;
      });
    }
    const forgetDay = this.prob(bias.forgettingPerDay, [...path, 'beliefs', 'bias', 'forgettingPerDay'], 0);
    // Decision.
    const dec = a.decision ?? {};
    const harm = new Float64Array(nR);
    for (let r = 0; r < nR; r++) harm[r] = 2 ** r - 1;
    for (const [rid, h] of Object.entries(dec.harm ?? {})) {
      const r = this.rung(rid, [...path, 'decision', 'harm', rid]);
      harm[r] = h;
    }
    const actValue = new Float64Array(this.actions.length);
    for (let x = 0; x < this.actions.length; x++) {
      if (this.actions[x]!.actor !== i) actValue[x] = -expectedHarm(model, harm, x);
    }
    for (const [ref, v] of Object.entries(dec.values ?? {})) {
      const [x] = this.actionRef(ref, [...path, 'decision', 'values', ref]);
      if (x >= 0) actValue[x] = v;
    }
    let preempt: ActorModel['preempt'] = null;
    if (dec.preemption) {
      const pp = [...path, 'decision', 'preemption'];
      preempt = {
        against: dec.preemption.against
          .map((x, k) => this.actor(x, [...pp, 'against', k]))
          .filter((x) => x >= 0),
        sigma: this.prob(dec.preemption.survivability, [...pp, 'survivability'], 1),
        loss: dec.preemption.firstStrikeLoss,
      };
    }
    if (Object.keys(a.actions).length > 0 && Object.keys(a.doctrine).length === 0 && a.kind === 'state')
      this.diag(
        'W_NO_DOCTRINE',
        [...path, 'doctrine'],
        `${id} has actions but no doctrine rules: it never responds to anything it perceives`,
        undefined,
        'warning',
      );
    return {
      id,
      name: a.name,
      kind: a.kind,
      typeCum,
      readiness0: a.readiness,
      calmTicks: this.ticks(this.num(a.calmHours, [...path, 'calmHours'], 48, 0), 1),
      decisionTicks: this.ticks(this.num(a.decisionHours, [...path, 'decisionHours'], this.tickHours, 0), 1),
      waitAction: this.actionIndex.get(`${id}.wait`)!,
      quality,
      dprime,
      detectZ,
      latency,
      falseAlarmAction: Int32Array.from(fa),
      falseAlarmZ: Float64Array.from(fz),
      falseAlarmMax: Float64Array.from(fmax),
      misread,
      fear,
      disbeliefZ,
      review,
      perceives: new Uint8Array(0),
      usesBeliefs: true,
      urgency: this.prob(dec.urgency, [...path, 'decision', 'urgency'], 0),
      reconsider: this.prob(dec.reconsiderBelow, [...path, 'decision', 'reconsiderBelow'], 0.5),
      intentPrior,
      omega: -Math.expm1(Math.log1p(-Math.min(forgetDay, 1 - 1e-12)) * (this.tickHours / 24)),
      kConfirm: this.num(bias.confirm, [...path, 'beliefs', 'bias', 'confirm'], 1, 0),
      kDisconfirm: this.num(bias.disconfirm, [...path, 'beliefs', 'bias', 'disconfirm'], 1, 0),
      lambda: this.num(dec.rationality, [...path, 'decision', 'rationality'], 1, 0),
      lambdaByReadiness: levels(dec.rationalityByReadiness),
      harm,
      actValue,
      lookahead: dec.lookahead ?? 1,
      preempt,
      rules: [],
      rulesByAct: [],
      expects: new Float64Array(0),
    };
  }

  /** The acts a rule's `on` matches. */
  private stimulusActs(on: RuleDoc['on'], who: number, path: Path): number[] {
    const acts = new Set<number>();
    const addRef = (ref: string, p: Path) => {
      const [a, o] = this.actionRef(ref, p);
      if (a < 0) return;
      const outs = this.actions[a]!.outcomes;
      if (o >= 0) acts.add(outs[o]!.act);
      else for (const x of outs) acts.add(x.act);
    };
    if (typeof on === 'string') addRef(on, path);
    else if (Array.isArray(on)) for (const [k, r] of on.entries()) addRef(r, [...path, k]);
    else {
      const from = on.from === undefined ? null : Array.isArray(on.from) ? on.from : [on.from];
      const fromIdx = from?.map((f, k) =>
        this.actor(f, [...path, 'from', ...(Array.isArray(on.from) ? [k] : [])]),
      );
      const minRung = on.rungAtLeast !== undefined ? this.rung(on.rungAtLeast, [...path, 'rungAtLeast']) : 0;
      for (let act = 0; act < this.actIds.length; act++) {
        const action = this.actions[this.actAction[act]!]!;
        if (action.isWait || action.actor === who) continue;
        if (fromIdx && !fromIdx.includes(action.actor)) continue;
        if (on.domain !== undefined && DOMAINS[action.domain] !== on.domain) continue;
        if (action.outcomes[this.actOutcome[act]!]!.rung < minRung) continue;
        acts.add(act);
      }
    }
    return [...acts].sort((x, y) => x - y);
  }

  /** Expectation rows: every (act, responder) a rule responds to, declared, or referred to. */
  private compileExpectations(model: Model): void {
    const doc = this.doc;
    const nA = this.actorIds.length;
    const responses = new Map<number, Set<number>>(); // key action * nA + responder
    const want = (action: number, responder: number) => {
      const key = action * nA + responder;
      let s = responses.get(key);
      if (!s) {
        s = new Set([this.actionIndex.get(`${this.actorIds[responder]}.wait`)!]);
        responses.set(key, s);
      }
      return s;
    };
    this.ruleActs = new Map();
    for (const [j, jid] of this.actorIds.entries()) {
      for (const [rid, rule] of Object.entries(doc.actors[jid]!.doctrine)) {
        const rp: Path = ['actors', jid, 'doctrine', rid];
        const acts = this.stimulusActs(rule.on, j, [...rp, 'on']);
        this.ruleActs.set(`${jid}\u0000${rid}`, acts);
        const resp = this.ruleResponses(rule, j, rp);
        for (const act of acts) {
          const action = this.actAction[act]!;
          if (this.actions[action]!.actor === j) continue;
          const s = want(action, j);
          for (const r of resp) s.add(r);
        }
      }
    }
    for (const [i, iid] of this.actorIds.entries()) {
      for (const [other, table] of Object.entries(doc.actors[iid]!.beliefs?.expects ?? {})) {
        const tp: Path = ['actors', iid, 'beliefs', 'expects', other];
        const j = this.actor(other, tp);
        if (j < 0) continue;
        if (j === i) this.diag('E_SELF', tp, 'an actor does not hold expectations about itself');
        for (const [stim, row] of Object.entries(table)) {
          const [a] = this.actionRef(stim, [...tp, stim]);
          if (a < 0) continue;
          const s = want(a, j);
          for (const r of Object.keys(row)) {
            const x = this.responseRef(r, j, [...tp, stim, r]);
            if (x >= 0) s.add(x);
          }
        }
      }
      for (const [rid, rule] of Object.entries(doc.actors[iid]!.doctrine)) {
        (rule.if ?? []).forEach((cond, k) => {
          if (!('expects' in cond)) return;
          const cp: Path = ['actors', iid, 'doctrine', rid, 'if', k];
          const [ra] = this.actionRef(cond.expects, [...cp, 'expects']);
          const [oa] = this.actionRef(cond.on, [...cp, 'on']);
          if (ra >= 0 && oa >= 0) want(oa, this.actions[ra]!.actor).add(ra);
        });
      }
    }
    for (const action of this.actions) {
      const msg = action.message;
      if (msg?.kind !== 'warn') continue;
      const actorId = this.actorIds[action.actor]!;
      const a = doc.actors[actorId]!.actions[action.id.slice(actorId.length + 1)]!;
      const mp: Path = ['actors', actorId, 'actions', action.id.slice(actorId.length + 1), 'message'];
      if (!a.message?.on || !a.message.response) continue;
      const [oa] = this.actionRef(a.message.on, [...mp, 'on']);
      const ra = this.responseRef(a.message.response, action.actor, [...mp, 'response']);
      if (oa >= 0 && ra >= 0) want(oa, action.actor).add(ra);
    }
    // Build rows in a stable order.
    const keys = [...responses.keys()].sort((x, y) => x - y);
    let start = 0;
    for (const key of keys) {
      const action = Math.floor(key / nA);
      const responder = key % nA;
      const resp = Int32Array.from([...responses.get(key)!].sort((x, y) => x - y));
      model.expectRowOf[key] = model.expectRows.length;
      model.expectRows.push({
        action,
        responder,
        start,
        responses: resp,
        truth: new Float64Array(resp.length),
      });
      start += resp.length;
    }
    model.expectSize = start;
    // Warn messages now know their rows.
    for (const action of this.actions) {
      const msg = action.message;
      if (msg?.kind !== 'warn') continue;
      const actorId = this.actorIds[action.actor]!;
      const a = doc.actors[actorId]!.actions[action.id.slice(actorId.length + 1)]!;
      const [oa] = this.actionRef(a.message!.on!, []);
      const ra = this.actionIndex.get(
        a.message!.response!.includes('.') ? a.message!.response! : `${actorId}.${a.message!.response}`,
      );
      const row = model.expectRowOf[oa * nA + action.actor]!;
      if (row >= 0 && ra !== undefined) {
        msg.row = row;
        msg.entry = model.expectRows[row]!.responses.indexOf(ra);
      }
    }
  }

  private ruleActs = new Map<string, number[]>();

  private ruleResponses(rule: RuleDoc, who: number, path: Path): number[] {
    const out: number[] = [];
    if ((rule.respond === undefined) === (rule.choose === undefined)) {
      this.diag(
        'E_SCHEMA_REQUIRED',
        path,
        'a doctrine rule needs exactly one of `respond` (fixed) or `choose` (logit)',
      );
      return out;
    }
    const field = rule.respond ? 'respond' : 'choose';
    const refs = rule.respond ? Object.keys(rule.respond) : rule.choose!;
    const firstAt = new Map<number, number>();
    refs.forEach((r, k) => {
      const x = this.responseRef(r, who, [...path, field, r]);
      if (x < 0) return;
      // The engine sizes its buffers by the actor's actions: a response listed twice (`act` and
      // `ACTOR.act` are the same) would also count twice in a logit choice.
      const first = firstAt.get(x);
      if (first !== undefined)
        this.diag(
          'E_DUPLICATE_RESPONSE',
          [...path, field, rule.respond ? r : k],
          refs[first] === r
            ? `'${r}' appears more than once in this rule's \`${field}\`: each response appears once`
            : `'${r}' is the same response as '${refs[first]}': each response appears once`,
          field === 'choose' ? 'remove the repeated entry; `values` weights a candidate' : undefined,
        );
      else {
        firstAt.set(x, k);
        out.push(x);
      }
    });
    return out;
  }

  private compileRules(model: Model): void {
    const doc = this.doc;
    const nA = this.actorIds.length;
    for (const [i, iid] of this.actorIds.entries()) {
      const actor = model.actors[i]!;
      const byAct: number[][] = Array.from({ length: this.actIds.length }, () => []);
      for (const [rid, rule] of Object.entries(doc.actors[iid]!.doctrine)) {
        const rp: Path = ['actors', iid, 'doctrine', rid];
        const conditions: ConditionModel[] = [];
        (rule.if ?? []).forEach((cond, k) => {
          const cp = [...rp, 'if', k];
          const lo = 'above' in cond && cond.above !== undefined ? cond.above : Number.NEGATIVE_INFINITY;
          const hi = 'below' in cond && cond.below !== undefined ? cond.below : Number.POSITIVE_INFINITY;
          if ('belief' in cond) {
            const [aid, tid] = cond.belief.split(':') as [string, string];
            const about = this.actor(aid, [...cp, 'belief']);
            const type = this.type(tid, [...cp, 'belief']);
            if (about >= 0 && type >= 0) conditions.push({ kind: 'belief', actor: about, type, lo, hi });
          } else if ('expects' in cond) {
            const [ra] = this.actionRef(cond.expects, [...cp, 'expects']);
            const [oa] = this.actionRef(cond.on, [...cp, 'on']);
            if (ra < 0 || oa < 0) return;
            const row = model.expectRowOf[oa * nA + this.actions[ra]!.actor]!;
            conditions.push({
              kind: 'expects',
              row,
              entry: model.expectRows[row]!.responses.indexOf(ra),
              lo,
              hi,
            });
          } else if ('readiness' in cond) conditions.push({ kind: 'readiness', lo, hi });
          else if ('policy' in cond)
            conditions.push({
              kind: 'policy',
              policy: this.policy(cond.policy),
              active: cond.active ?? true,
            });
          else if ('notified' in cond) conditions.push({ kind: 'notified', notified: cond.notified });
          else {
            const t = this.type(cond.type, [...cp, 'type']);
            if (t >= 0) conditions.push({ kind: 'type', type: t });
          }
        });
        let respond: RuleModel['respond'] = null;
        let choose: RuleModel['choose'] = null;
        let bonus: RuleModel['bonus'] = null;
        if (rule.respond) {
          const acts: number[] = [];
          const keys: string[] = [];
          for (const r of Object.keys(rule.respond)) {
            const x = this.responseRef(r, i, [...rp, 'respond', r]);
            if (x < 0) continue;
            acts.push(x);
            keys.push(r);
          }
          respond = { actions: Int32Array.from(acts), cum: this.responseCum(rule, keys, rp, rid) };
        } else if (rule.choose) {
          const cands = rule.choose.map((r) => this.responseRef(r, i, [...rp, 'choose', r]));
          choose = Int32Array.from(cands.filter((x) => x >= 0));
          if (rule.values) {
            bonus = new Float64Array(choose.length);
            for (const [r, v] of Object.entries(rule.values)) {
              const x = this.responseRef(r, i, [...rp, 'values', r]);
              const k = choose.indexOf(x);
              if (x >= 0 && k < 0)
                this.diag(
                  'E_REF_ACTION',
                  [...rp, 'values', r],
                  `'${r}' is not one of this rule's choose candidates`,
                );
              if (k >= 0) bonus[k] = v;
            }
          }
        }
        if (rule.values && !rule.choose)
          this.diag('E_SCHEMA_VALUE', [...rp, 'values'], '`values` only applies to rules that `choose`');
        const index = actor.rules.length;
        actor.rules.push({
          id: rid,
          conditions,
          respond,
          choose,
          bonus,
          requires: this.talksRefs(rule.requires, [...rp, 'requires']),
          also: rule.also ?? false,
          decisionTicks: this.ruleTicks(rule, rp),
        });
        for (const act of this.ruleActs.get(`${iid}\u0000${rid}`) ?? []) byAct[act]!.push(index);
      }
      actor.rulesByAct = byAct.map((x) => Int32Array.from(x));
    }
  }

  /** The cumulative table of a fixed rule's response probabilities (its entries `keys`; the last 1). */
  private responseCum(rule: RuleDoc, keys: readonly string[], rp: Path, rid: string): Float64Array {
    const probs = keys.map((r) => this.prob(rule.respond![r], [...rp, 'respond', r], 0));
    this.sumsToOne(probs, [...rp, 'respond'], `the response probabilities of rule ${rid}`);
    const cum = new Float64Array(probs.length);
    let acc = 0;
    probs.forEach((p, k) => {
      acc += p;
      cum[k] = acc;
    });
    if (cum.length > 0) cum[cum.length - 1] = 1;
    return cum;
  }

  /** A rule's own decision time in ticks (-1: the actor's). */
  private ruleTicks(rule: RuleDoc, rp: Path): number {
    return rule.decisionHours !== undefined
      ? this.ticks(this.num(rule.decisionHours, [...rp, 'decisionHours'], 0, 0))
      : -1;
  }

  /** The numbers of the rules of `template`'s actors, on copies (the conditions and triggers are kept). */
  private ruleNumbers(model: Model, template: Model): void {
    for (const [i, iid] of this.actorIds.entries()) {
      const doctrine = this.doc.actors[iid]!.doctrine;
      const actor = model.actors[i]!;
      actor.rules = template.actors[i]!.rules.map((rm) => {
        const rule = doctrine[rm.id]!;
        const rp: Path = ['actors', iid, 'doctrine', rm.id];
        return {
          id: rm.id,
          conditions: rm.conditions,
          respond: rm.respond && {
            actions: rm.respond.actions,
            cum: this.responseCum(rule, Object.keys(rule.respond!), rp, rm.id),
          },
          choose: rm.choose,
          bonus: rm.bonus,
          requires: rm.requires,
          also: rm.also,
          decisionTicks: this.ruleTicks(rule, rp),
        };
      });
      actor.rulesByAct = template.actors[i]!.rulesByAct;
    }
  }

  /**
   * Undeclared expectations are the truth: each responder's response distribution at the start of a
   * run (priors, baseline readiness, protocols in force), averaged over its type distribution. Logit
   * responses depend on expectations in turn, so the truth is found by three rounds of level-k
   * reasoning from "everyone waits".
   */
  private solveExpectations(model: Model): void {
    const doc = this.doc;
    const nA = this.actorIds.length;
    const declared: Float64Array[] = [];
    const isDeclared: Uint8Array[] = [];
    for (const [_i, iid] of this.actorIds.entries()) {
      const e = new Float64Array(model.expectSize);
      const d = new Uint8Array(model.expectRows.length);
      for (const [other, table] of Object.entries(doc.actors[iid]!.beliefs?.expects ?? {})) {
        const j = this.actorIndex.get(other)!;
        for (const [stim, row] of Object.entries(table)) {
          const a = this.actionIndex.get(stim.split('/')[0]!)!;
          const r = model.expectRowOf[a * nA + j]!;
          const rowM = model.expectRows[r]!;
          const probs: number[] = [];
          for (const [resp, p] of Object.entries(row)) {
            const x = this.responseRef(resp, j, []);
            const v = this.prob(p, ['actors', iid, 'beliefs', 'expects', other, stim, resp], 0);
            probs.push(v);
            e[rowM.start + rowM.responses.indexOf(x)] = v;
          }
          this.sumsToOne(
            probs,
            ['actors', iid, 'beliefs', 'expects', other, stim],
            `${iid}'s expectations of ${other} after ${stim}`,
          );
          d[r] = 1;
        }
      }
      declared.push(e);
      isDeclared.push(d);
    }
    // Start: every undeclared row expects the responder to wait.
    for (const row of model.expectRows) row.truth.fill(0).set([1], 0);
    const assemble = () => {
      for (let i = 0; i < nA; i++) {
        const e = declared[i]!.slice();
        model.expectRows.forEach((row, r) => {
          if (isDeclared[i]![r] === 1) return;
          e.set(row.truth, row.start);
        });
        model.actors[i]!.expects = e;
      }
      for (let a = 0; a < this.actions.length; a++) {
        const owner = this.actions[a]!.actor;
        model.baseValue[a] = lookaheadValue(model, owner, model.actors[owner]!.expects, a);
      }
    };
    assemble();
    const ctx = new StartContext(model);
    const dist = new Float64Array(this.actions.length + 8);
    const acts = new Int32Array(this.actions.length + 8);
    for (let iter = 0; iter < 3; iter++) {
      const next = model.expectRows.map((row) => {
        const truth = new Float64Array(row.responses.length);
        const j = row.responder;
        const typeCum = model.actors[j]!.typeCum;
        for (let t = 0; t < typeCum.length; t++) {
          const pt = typeCum[t]! - (t > 0 ? typeCum[t - 1]! : 0);
          if (pt <= 0) continue;
          ctx.types[j] = t;
          for (const o of this.actions[row.action]!.outcomes) {
            const n = responseDistribution(ctx, j, o.act, dist, acts);
            if (n === 0) truth[0] = truth[0]! + pt * o.p;
            for (let k = 0; k < n; k++) {
              const x = row.responses.indexOf(acts[k]!);
              if (x >= 0) truth[x] = truth[x]! + pt * o.p * dist[k]!;
            }
          }
        }
        return truth;
      });
      model.expectRows.forEach((row, r) => {
        row.truth.set(next[r]!);
      });
      assemble();
    }
  }
}

// Copies for renumbering. Each lists its fields in the order of the compiler's literal, so that the
// copy has the same hidden class (V8 map) as the compiled object: a `{...x}` copy gets another one, and
// the engine's code, fast on one shape per kind of object, slows down when it meets two (tested).

/** A copy of a model with its own actions, expectation rows' truths and base values (filled later). */
function copyModel(m: Model, actions: ActionModel[]): Model {
  return {
    id: m.id,
    hash: m.hash,
    rungIds: m.rungIds,
    rungNames: m.rungNames,
    rungMid: m.rungMid,
    warRung: m.warRung,
    nuclearRung: m.nuclearRung,
    lethalRung: m.lethalRung,
    quietRung: m.quietRung,
    typeIds: m.typeIds,
    hostileType: m.hostileType,
    domainIds: m.domainIds,
    tickHours: m.tickHours,
    horizon: m.horizon,
    warPhase: m.warPhase,
    resolveQuiet: m.resolveQuiet,
    resolveSlack: m.resolveSlack,
    war: m.war,
    policies: m.policies,
    formatVersion: m.formatVersion,
    actors: m.actors,
    actions,
    actAction: m.actAction,
    actOutcome: m.actOutcome,
    actIds: m.actIds,
    channels: m.channels,
    notifications: m.notifications,
    talks: m.talks,
    hazards: m.hazards,
    injects: m.injects,
    expectRows: m.expectRows.map((row) => ({
      action: row.action,
      responder: row.responder,
      start: row.start,
      responses: row.responses,
      truth: new Float64Array(row.truth.length),
    })),
    expectRowOf: m.expectRowOf,
    expectSize: m.expectSize,
    baseValue: new Float64Array(m.baseValue.length),
    interventions: m.interventions,
  };
}

/** A copy of an action with its own outcomes and consultation (its numbers are set again). */
function copyAction(a: ActionModel): ActionModel {
  return {
    id: a.id,
    name: a.name,
    actor: a.actor,
    isWait: a.isWait,
    rung: a.rung,
    domain: a.domain,
    isPublic: a.isPublic,
    signature: a.signature,
    value: a.value,
    cost: a.cost,
    intent: a.intent,
    outcomes: a.outcomes.map((o) => ({
      id: o.id,
      name: o.name,
      p: o.p,
      rung: o.rung,
      casualties: o.casualties,
      act: o.act,
    })),
    outcomeCum: a.outcomeCum,
    readiness: a.readiness,
    standDown: a.standDown,
    preemptive: a.preemptive,
    message: a.message,
    cutChannel: a.cutChannel,
    substitutionP: a.substitutionP,
    substitutionTo: a.substitutionTo,
    durationTicks: a.durationTicks,
    setsPolicy: a.setsPolicy,
    revokesPolicy: a.revokesPolicy,
    consult: a.consult && { ally: a.consult.ally, channel: a.consult.channel, ticks: 0, veto: 0 },
    reassuring: a.reassuring,
    holdsState: a.holdsState,
  };
}

function indexOr(k: number, fallback: number): number {
  return k >= 0 ? k : fallback;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export type { ExpectRow };
