// The contingency-talks room's use cases: convene, invite and join, positions and their release, drafts
// and agreements, analyses (gap ranking, protocol simulation), the host's notes, the playbook and the
// audit log. Every confidential value is sealed with the dialogue's data key before it reaches the
// store; every read or change of one is appended to the dialogue's hash-chained audit log. Errors say
// what to do without naming any confidential content (they never quote positions or agenda items).
import { randomInt, randomUUID } from 'node:crypto';
import { conflict, type DomainError, forbidden, invalid, notFound, unprocessable } from '../../errors.ts';
import type { Store, User } from '../../store/index.ts';
import type {
  AnalysisRow,
  AuditRow,
  DialogueRow,
  DraftRow,
  MemberRow,
  TalksRole,
  TalksStore,
} from '../../store/talks.ts';
import type * as V from '../../talks/contract.ts';
import {
  checkPositions,
  type Dist,
  type DraftMapping,
  type ExpectationSource,
  type GapRanking,
  type Manifest,
  type Positions,
  type ProtocolResults,
  type ScenarioAgenda,
  selectTriggers,
  TalksError,
} from '../../talks/index.ts';
import { hashToken, newToken } from '../invitations.ts';
import { doWork, type WorkResult, type WorkTask } from '../work-tasks.ts';
import { workspaceFiles } from '../workspace.ts';
import { auditHash, verifyChain } from './audit.ts';
import { Keyring } from './crypto.ts';

export type Files = Record<string, string>;

export interface Delegation {
  id: string;
  label: string;
  /** The scenario actor it speaks for (null for an observer without one). */
  actor: string | null;
  kind: 'delegation' | 'observer';
}

export interface AgendaScenario {
  path: string;
  /** The scenario's files as they were when the dialogue was convened (entry first). */
  files: Files;
  /** Every trigger of every delegation actor. */
  agenda: ScenarioAgenda;
  /** Actor -> trigger ids on the agenda. */
  selected: Record<string, string[]>;
}

export interface Settings {
  runs: number;
  seed: number;
  /** Gaps smaller than this total variation distance are listed as aligned. */
  threshold: number;
  /** The most runs per arm of the gap ranking (absent in dialogues made before: DEFAULT_MAX_RUNS). */
  maxRuns?: number;
}

export interface DialogueConfig {
  hostLabel: string;
  delegations: Delegation[];
  scenarios: AgendaScenario[];
  settings: Settings;
  playbook: { distribution: string[]; extra: { name: string; role: string }[]; issuedAt: string | null };
}

export interface SavedPositions {
  scenarios: Record<string, Positions>;
}

export type Release =
  | { kind: 'response'; scenario: string; trigger: string; to: string }
  | { kind: 'expectation'; scenario: string; of: string; trigger: string; to: string }
  | { kind: 'gap'; scenario: string; trigger: string; to: string };

export interface DraftContent {
  title: string;
  text: string;
  mapping: Record<string, DraftMapping>;
}

/** When each delegation submitted the positions an analysis used (delegation id -> time). */
export type PositionsAt = Record<string, string>;

export type AnalysisResult =
  | { kind: 'gaps'; settings: Settings; results: GapRanking[]; positionsAt?: PositionsAt; error?: string }
  | {
      kind: 'protocols';
      settings: Settings;
      drafts: { id: string; title: string }[];
      agreed: string[];
      results: ProtocolResults[];
      positionsAt?: PositionsAt;
      error?: string;
    };

/**
 * Whether an analysis still reflects the positions: `positionsAt` is the latest submission it used,
 * `stale` is true once a delegation has submitted (or withdrawn) positions since.
 */
export interface Freshness {
  positionsAt: string | null;
  stale: boolean;
}

/** Who is calling, in which dialogue, as what. */
export interface Caller {
  user: User;
  member: MemberRow;
  dialogue: DialogueRow;
  config: DialogueConfig;
}

export const INVITATION_DAYS = 7;

const now = () => new Date().toISOString();

const noSuch = (what = 'dialogue'): DomainError => notFound(`no such ${what}`);

/**
 * Where the room's scenario work (compiling, convening's pilot runs) runs: the server's request pool,
 * queued under `scope` (src/server/pool.ts); without one, on this thread.
 */
export type Work = <T extends WorkTask>(scope: string, task: T) => Promise<WorkResult<T>>;

const onThisThread: Work = async (_scope, task) => doWork(task) as never;

/** The room: the talks store, the keyring and the jobs, over the workbench's store. */
export class TalksRoom {
  readonly store: Store;
  readonly talks: TalksStore;
  readonly keys: Keyring;
  /** How long a browser session may be to use the talks room. */
  readonly sessionHours: number;
  private readonly locks = new Map<string, Promise<void>>();
  /** Set by the jobs runner. */
  onAnalysis: ((dialogueId: string, analysisId: string) => void) | undefined;
  readonly work: Work;

  constructor(
    store: Store,
    master: Buffer | (() => Buffer),
    opts: { sessionHours?: number; work?: Work } = {},
  ) {
    this.store = store;
    this.talks = store.talks;
    this.keys = new Keyring(master);
    this.sessionHours = opts.sessionHours ?? 12;
    this.work = opts.work ?? onThisThread;
  }

  // Sealing ------------------------------------------------------------------------------------

  seal(d: DialogueRow, kind: string, id: string, value: unknown): string {
    return this.keys.seal(d.id, d.wrappedKey, kind, id, value);
  }

  open<T>(d: DialogueRow, kind: string, id: string, sealed: string): T {
    return this.keys.open<T>(d.id, d.wrappedKey, kind, id, sealed);
  }

  // Audit ---------------------------------------------------------------------------------------

  /** Appends to the dialogue's audit chain (serialised per dialogue). */
  async audit(
    dialogueId: string,
    who: { userId: string; role: string; delegationId: string | null },
    action: string,
    target = '',
    outcome: 'ok' | 'denied' = 'ok',
  ): Promise<void> {
    const prev = this.locks.get(dialogueId) ?? Promise.resolve();
    const next = prev.then(async () => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const head = await this.talks.auditHead(dialogueId);
        if (!head) return;
        const fields = {
          seq: head.seq + 1,
          at: now(),
          userId: who.userId,
          role: who.role,
          delegationId: who.delegationId,
          action,
          target,
          outcome,
        };
        const hash = auditHash(head.hash, fields);
        if (await this.talks.appendAudit(dialogueId, { ...fields, prevHash: head.hash, hash }, head.seq))
          return;
      }
      throw new Error('the audit log is busy');
    });
    this.locks.set(
      dialogueId,
      next.catch(() => {}),
    );
    await next;
  }

  private auditAs(c: Caller, action: string, target = '', outcome: 'ok' | 'denied' = 'ok'): Promise<void> {
    return this.audit(
      c.dialogue.id,
      { userId: c.user.id, role: c.member.role, delegationId: c.member.delegationId },
      action,
      target,
      outcome,
    );
  }

  /** Records a refused request by a member, then returns the error to throw. */
  async deny(c: Caller, action: string, target: string, e: DomainError): Promise<DomainError> {
    await this.auditAs(c, action, target, 'denied');
    return e;
  }

  // Callers -------------------------------------------------------------------------------------

  /** The caller in a dialogue, or 404 when the dialogue does not exist or the user is not in it. */
  async caller(dialogueId: string, user: User): Promise<Caller> {
    const member = await this.talks.member(dialogueId, user.id);
    if (!member) throw noSuch();
    const dialogue = await this.talks.dialogue(dialogueId);
    if (!dialogue) throw noSuch();
    const config = this.open<DialogueConfig>(dialogue, 'config', dialogue.id, dialogue.sealed);
    return { user, member, dialogue, config };
  }

  private delegationOf(c: Caller): Delegation {
    const d = c.config.delegations.find((x) => x.id === c.member.delegationId);
    if (!d) throw forbidden('this needs a delegation of the dialogue');
    return d;
  }

  private async saveConfig(c: Caller, config: DialogueConfig): Promise<void> {
    const sealed = this.seal(c.dialogue, 'config', c.dialogue.id, config);
    if (!(await this.talks.updateDialogue(c.dialogue.id, c.dialogue.version, { sealed })))
      throw conflict('the dialogue changed meanwhile: reload and try again');
    c.config = config;
    c.dialogue = { ...c.dialogue, version: c.dialogue.version + 1, sealed };
  }

  private async notifyMembers(c: Caller, subject: string, filter: (m: MemberRow) => boolean): Promise<void> {
    const members = await this.talks.members(c.dialogue.id);
    const to = members.filter((m) => m.userId !== c.user.id && filter(m)).map((m) => m.userId);
    // Codename only: a notification never carries the subject of the talks.
    if (to.length) await this.talks.notify(c.dialogue.id, to, `${c.dialogue.codename}: ${subject}`);
  }

  /** Tells the host and the members of the delegations party to a draft. */
  private notifyParties(c: Caller, subject: string, parties: readonly string[]): Promise<void> {
    return this.notifyMembers(c, subject, (m) => m.role === 'host' || parties.includes(m.delegationId ?? ''));
  }

  // Convening -----------------------------------------------------------------------------------

  async convene(
    user: User,
    workspaceId: string,
    body: {
      codename: string;
      hostLabel: string;
      scenarios: string[];
      delegations: { label: string; actor: string | null; kind: 'delegation' | 'observer' }[];
      settings?: Partial<Settings>;
    },
  ): Promise<{ id: string }> {
    const files = await workspaceFiles(this.store, workspaceId);
    const delegations: Delegation[] = body.delegations.map((d) => ({ id: randomUUID(), ...d }));
    const actors = [...new Set(delegations.filter((d) => d.kind === 'delegation').map((d) => d.actor))];
    if (actors.some((a) => !a))
      throw invalid('every delegation speaks for an actor', { path: 'delegations' });
    if (actors.length < 2)
      throw invalid('a dialogue needs at least two delegations of different actors', { path: 'delegations' });
    if (actors.length !== delegations.filter((d) => d.kind === 'delegation').length)
      throw invalid('two delegations cannot speak for the same actor', { path: 'delegations' });
    // Loading each scenario and its 300 pilot runs happen on the request pool.
    const convened = await this.work(workspaceId, {
      op: 'convene',
      files,
      paths: body.scenarios,
      actors: actors as string[],
    });
    if (!convened.ok) {
      if ('notFound' in convened) throw notFound(`no scenario ${convened.notFound} in the workspace`);
      if ('notRunnable' in convened) throw unprocessable(convened.notRunnable, { code: 'not_runnable' });
      const { path, actor } = convened.noActor;
      throw invalid(`scenario ${path} has no actor ${actor}`, { path: 'delegations' });
    }
    const scenarios: AgendaScenario[] = convened.scenarios;
    const id = randomUUID();
    const config: DialogueConfig = {
      hostLabel: body.hostLabel,
      delegations,
      scenarios,
      // The seed is random unless the host sets one, and only the host sees it: with a seed the parties
      // could guess, a party could re-run the published numbers against guessed positions (docs/security.md).
      settings: { runs: 10_000, seed: randomInt(2 ** 31), threshold: 0.02, ...body.settings },
      playbook: { distribution: [], extra: [], issuedAt: null },
    };
    const wrappedKey = this.keys.newDataKey(id);
    const sealed = this.keys.seal(id, wrappedKey, 'config', id, config);
    await this.talks.createDialogue({
      id,
      codename: body.codename,
      hostId: user.id,
      workspaceId,
      status: 'open',
      wrappedKey,
      sealed,
    });
    await this.audit(
      id,
      { userId: user.id, role: 'host', delegationId: null },
      'dialogue.convene',
      `dialogue:${id}`,
    );
    return { id };
  }

  async list(user: User): Promise<V.DialogueRef[]> {
    const rows = await this.talks.dialoguesOf(user.id);
    return rows.map((r) => ({
      id: r.dialogueId,
      codename: r.codename,
      role: r.role,
      status: r.status,
      createdAt: r.createdAt,
    }));
  }

  /** What the caller may see of the dialogue itself. */
  async overview(c: Caller): Promise<V.Overview> {
    await this.auditAs(c, 'dialogue.open', `dialogue:${c.dialogue.id}`);
    const parties = c.config.delegations.map((d) => ({
      id: d.id,
      label: d.label,
      actor: d.actor,
      kind: d.kind,
    }));
    const scenarios = c.config.scenarios.map((s) => {
      const agenda = selectTriggers(s.agenda, s.selected);
      return {
        path: s.path,
        title: s.agenda.title,
        actorNames: s.agenda.actorNames,
        triggers: agenda.triggers,
      };
    });
    const base = {
      id: c.dialogue.id,
      codename: c.dialogue.codename,
      status: c.dialogue.status,
      role: c.member.role,
      hostLabel: c.config.hostLabel,
      me: c.member.delegationId ? (parties.find((p) => p.id === c.member.delegationId) ?? null) : null,
      parties,
      scenarios,
      playbookIssued: c.config.playbook.issuedAt !== null,
      onDistribution: c.config.playbook.distribution.includes(c.user.id),
    };
    if (c.member.role !== 'host') {
      const mine = c.member.delegationId
        ? await this.talks.positions(c.dialogue.id, c.member.delegationId)
        : undefined;
      return { ...base, myPositions: mine ? { version: mine.version, submittedAt: mine.submittedAt } : null };
    }
    const members = await this.talks.members(c.dialogue.id);
    const positions = await this.talks.allPositions(c.dialogue.id);
    const invitations = await this.talks.invitations(c.dialogue.id);
    return {
      ...base,
      settings: c.config.settings,
      fullAgenda: c.config.scenarios.map((s) => ({
        path: s.path,
        triggers: s.agenda.triggers,
        selected: s.selected,
      })),
      distribution: c.config.playbook,
      delegations: c.config.delegations.map((d) => ({
        ...d,
        members: members
          .filter((m) => m.delegationId === d.id)
          .map((m) => ({ userId: m.userId, name: m.name, joinedAt: m.joinedAt })),
        positions: (() => {
          const p = positions.find((x) => x.delegationId === d.id);
          return p ? { version: p.version, submittedAt: p.submittedAt, updatedAt: p.updatedAt } : null;
        })(),
        invitations: invitations
          .filter((i) => i.delegationId === d.id)
          .map((i) => ({
            id: i.id,
            status: invitationStatus(i),
            createdAt: i.createdAt,
            expiresAt: i.expiresAt,
          })),
      })),
    };
  }

  async setAgenda(c: Caller, selected: Record<string, Record<string, string[]>>): Promise<void> {
    const scenarios = c.config.scenarios.map((s) => {
      const pick = selected[s.path];
      if (!pick) return s;
      const next: Record<string, string[]> = {};
      for (const [actor, ids] of Object.entries(s.agenda.triggers)) {
        const want = pick[actor] ?? s.selected[actor] ?? [];
        const known = new Set(ids.map((t) => t.id));
        for (const w of want)
          if (!known.has(w))
            throw invalid(`trigger ${w} is not one of ${actor}'s`, { path: `selected.${s.path}.${actor}` });
        next[actor] = ids.filter((t) => want.includes(t.id)).map((t) => t.id);
      }
      return { ...s, selected: next };
    });
    for (const p of Object.keys(selected))
      if (!c.config.scenarios.some((s) => s.path === p))
        throw invalid(`${p} is not on the agenda`, { path: 'selected' });
    await this.saveConfig(c, { ...c.config, scenarios });
    await this.auditAs(c, 'agenda.change', `dialogue:${c.dialogue.id}`);
  }

  async setSettings(c: Caller, s: Partial<Settings>): Promise<Settings> {
    const settings = { ...c.config.settings, ...s };
    await this.saveConfig(c, { ...c.config, settings });
    await this.auditAs(c, 'settings.change', `dialogue:${c.dialogue.id}`);
    return settings;
  }

  // Members and invitations -------------------------------------------------------------------------

  async members(c: Caller) {
    await this.auditAs(c, 'members.read', `dialogue:${c.dialogue.id}`);
    const members = await this.talks.members(c.dialogue.id);
    return members.map((m) => ({
      userId: m.userId,
      name: m.name,
      email: m.email,
      role: m.role,
      delegationId: m.delegationId,
      joinedAt: m.joinedAt,
    }));
  }

  async removeMember(c: Caller, userId: string): Promise<void> {
    if (!(await this.talks.removeMember(c.dialogue.id, userId))) throw noSuch('member');
    await this.auditAs(c, 'member.remove', `user:${userId}`);
  }

  async invite(c: Caller, delegationId: string): Promise<{ id: string; token: string; expiresAt: string }> {
    if (!c.config.delegations.some((d) => d.id === delegationId)) throw noSuch('delegation');
    const token = newToken();
    const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000).toISOString();
    const inv = await this.talks.createInvitation({
      dialogueId: c.dialogue.id,
      delegationId,
      tokenHash: hashToken(token),
      createdBy: c.user.id,
      expiresAt,
    });
    await this.auditAs(c, 'invitation.create', `invitation:${inv.id}`);
    return { id: inv.id, token, expiresAt };
  }

  async invitations(c: Caller) {
    const rows = await this.talks.invitations(c.dialogue.id);
    return rows.map((i) => ({
      id: i.id,
      delegationId: i.delegationId,
      status: invitationStatus(i),
      createdAt: i.createdAt,
      expiresAt: i.expiresAt,
      usedAt: i.usedAt,
    }));
  }

  async revokeInvitation(c: Caller, id: string): Promise<void> {
    if (!(await this.talks.revokeInvitation(c.dialogue.id, id))) throw notFound('no such pending invitation');
    await this.auditAs(c, 'invitation.revoke', `invitation:${id}`);
  }

  private async validInvitation(token: string) {
    const inv = await this.talks.invitationByHash(hashToken(token));
    if (!inv || invitationStatus(inv) !== 'pending')
      throw notFound('this invitation is not valid: it was used, revoked, or has expired', {
        code: 'invalid_invitation',
      });
    const d = await this.talks.dialogue(inv.dialogueId);
    if (!d) throw notFound('this invitation is not valid', { code: 'invalid_invitation' });
    const config = this.open<DialogueConfig>(d, 'config', d.id, d.sealed);
    const del = config.delegations.find((x) => x.id === inv.delegationId)!;
    return { inv, dialogue: d, delegation: del };
  }

  /** What an invitation is for: the codename and the delegation (shown before accepting). */
  async previewInvitation(token: string) {
    const { dialogue, delegation } = await this.validInvitation(token);
    return { codename: dialogue.codename, delegation: delegation.label, kind: delegation.kind };
  }

  async join(user: User, token: string): Promise<{ id: string; codename: string }> {
    const { inv, dialogue, delegation } = await this.validInvitation(token);
    const role: TalksRole = delegation.kind === 'observer' ? 'observer' : 'delegation';
    if (await this.talks.member(dialogue.id, user.id))
      throw conflict('you are already in this dialogue', { code: 'already_member' });
    if (!(await this.talks.acceptInvitation(inv.id, user.id, role, now())))
      throw notFound('this invitation is not valid: it was used, revoked, or has expired', {
        code: 'invalid_invitation',
      });
    await this.audit(
      dialogue.id,
      { userId: user.id, role, delegationId: delegation.id },
      'invitation.accept',
      `invitation:${inv.id}`,
    );
    await this.talks.notify(
      dialogue.id,
      [dialogue.hostId],
      `${dialogue.codename}: a delegation member joined`,
    );
    return { id: dialogue.id, codename: dialogue.codename };
  }

  // Positions -----------------------------------------------------------------------------------

  private actorParties(c: Caller): string[] {
    return c.config.delegations.filter((d) => d.kind === 'delegation' && d.actor).map((d) => d.actor!);
  }

  private async savedPositions(c: Caller, delegationId: string) {
    const row = await this.talks.positions(c.dialogue.id, delegationId);
    if (!row) return undefined;
    return { row, value: this.open<SavedPositions>(c.dialogue, 'positions', delegationId, row.sealed) };
  }

  /** The caller's form: for each scenario, its triggers and the others', prefilled or as saved. */
  async form(c: Caller): Promise<V.Form> {
    const me = this.delegationOf(c);
    if (me.kind !== 'delegation' || !me.actor) throw forbidden('observers do not declare positions');
    const saved = await this.savedPositions(c, me.id);
    const parties = this.actorParties(c);
    const agendas = c.config.scenarios.map((s) => selectTriggers(s.agenda, s.selected));
    const prefilled = await this.work(`talks:${c.dialogue.id}`, {
      op: 'prefill',
      scenarios: c.config.scenarios.map((s, k) => ({ files: s.files, path: s.path, agenda: agendas[k]! })),
      actor: me.actor,
      parties,
    });
    const scenarios = c.config.scenarios.map((s, k) => {
      const agenda = agendas[k]!;
      const pre = prefilled[k]!;
      const current = saved?.value.scenarios[s.path];
      const merged: Positions = { responses: {}, expectations: {} };
      for (const t of agenda.triggers[me.actor!] ?? [])
        merged.responses[t.id] = current?.responses[t.id] ?? pre.positions.responses[t.id]!;
      for (const of of parties) {
        if (of === me.actor) continue;
        merged.expectations[of] = {};
        for (const t of agenda.triggers[of] ?? [])
          merged.expectations[of]![t.id] =
            current?.expectations[of]?.[t.id] ?? pre.positions.expectations[of]![t.id]!;
      }
      return {
        path: s.path,
        title: s.agenda.title,
        actorNames: s.agenda.actorNames,
        mine: agenda.triggers[me.actor!] ?? [],
        others: parties
          .filter((a) => a !== me.actor)
          .map((a) => ({
            actor: a,
            label: c.config.delegations.find((d) => d.actor === a)!.label,
            triggers: agenda.triggers[a] ?? [],
          })),
        positions: merged,
        prefill: pre.positions,
        sources: pre.sources as Record<string, Record<string, ExpectationSource>>,
      };
    });
    await this.auditAs(c, 'positions.read', `delegation:${me.id}`);
    return {
      delegation: me,
      version: saved?.row.version ?? 0,
      submittedAt: saved?.row.submittedAt ?? null,
      updatedAt: saved?.row.updatedAt ?? null,
      scenarios,
    };
  }

  async savePositions(
    c: Caller,
    body: { version: number; submit: boolean; scenarios: Record<string, Positions> },
  ) {
    const me = this.delegationOf(c);
    if (me.kind !== 'delegation' || !me.actor) throw forbidden('observers do not declare positions');
    const parties = this.actorParties(c);
    const clean: SavedPositions = { scenarios: {} };
    for (const s of c.config.scenarios) {
      const p = body.scenarios[s.path];
      if (!p) {
        if (body.submit)
          throw invalid(`positions are missing for ${s.agenda.title}`, {
            code: 'incomplete',
            path: 'scenarios',
          });
        continue;
      }
      const agenda = selectTriggers(s.agenda, s.selected);
      try {
        clean.scenarios[s.path] = body.submit
          ? checkPositions(agenda, me.actor, parties, p)
          : checkPartial(agenda, me.actor, parties, p);
      } catch (e) {
        if (e instanceof TalksError)
          throw invalid(e.message, { code: 'invalid_positions', path: `scenarios.${s.path}` });
        throw e;
      }
    }
    for (const p of Object.keys(body.scenarios))
      if (!c.config.scenarios.some((s) => s.path === p))
        throw invalid(`${p} is not on the agenda`, { path: 'scenarios' });
    const sealed = this.seal(c.dialogue, 'positions', me.id, clean);
    if (
      !(await this.talks.savePositions(c.dialogue.id, me.id, body.version, {
        sealed,
        submitted: body.submit,
        by: c.user.id,
      }))
    )
      throw conflict(
        'your delegation saved these positions meanwhile: reload them and apply your change again',
      );
    await this.auditAs(c, body.submit ? 'positions.submit' : 'positions.save', `delegation:${me.id}`);
    if (body.submit) await this.notifyMembers(c, 'positions were submitted', (m) => m.role === 'host');
    const row = await this.talks.positions(c.dialogue.id, me.id);
    return { version: row!.version, submittedAt: row!.submittedAt };
  }

  /** A delegation's positions: the host's view of any delegation, or a delegation's own. */
  async positionsOf(c: Caller, delegationId: string) {
    const del = c.config.delegations.find((d) => d.id === delegationId);
    if (!del) throw noSuch('delegation');
    if (c.member.role !== 'host' && c.member.delegationId !== delegationId)
      throw await this.deny(
        c,
        'positions.read',
        `delegation:${delegationId}`,
        forbidden("another delegation's positions are not yours to read"),
      );
    const saved = await this.savedPositions(c, delegationId);
    await this.auditAs(c, 'positions.read', `delegation:${delegationId}`);
    return {
      delegation: del,
      version: saved?.row.version ?? 0,
      submittedAt: saved?.row.submittedAt ?? null,
      scenarios: saved?.value.scenarios ?? {},
    };
  }

  // Releases ------------------------------------------------------------------------------------

  async addRelease(c: Caller, r: Release) {
    const me = this.delegationOf(c);
    if (me.kind !== 'delegation' || !me.actor) throw forbidden('observers have no positions to release');
    const s = c.config.scenarios.find((x) => x.path === r.scenario);
    if (!s) throw invalid(`${r.scenario} is not on the agenda`, { path: 'scenario' });
    if (r.to !== 'observers' && !c.config.delegations.some((d) => d.id === r.to && d.id !== me.id))
      throw invalid('release to another delegation (by id) or to "observers"', { path: 'to' });
    const mine = s.selected[me.actor] ?? [];
    if (r.kind === 'response' && !mine.includes(r.trigger))
      throw invalid('you can release only your answers to your own triggers', { path: 'trigger' });
    if (r.kind === 'expectation') {
      const of = c.config.delegations.find((d) => d.actor === r.of && d.kind === 'delegation');
      if (!of || of.id === me.id || !(s.selected[r.of] ?? []).includes(r.trigger))
        throw invalid("release an expectation about another party's trigger on the agenda");
    }
    if (r.kind === 'gap' && r.trigger !== '*') {
      const all = Object.values(s.selected).flat();
      if (!all.includes(r.trigger)) throw invalid('that trigger is not on the agenda', { path: 'trigger' });
    }
    const id = randomUUID();
    await this.talks.addRelease(c.dialogue.id, me.id, id, this.seal(c.dialogue, 'release', id, r));
    await this.auditAs(c, 'release.add', `release:${id}`);
    if (r.kind !== 'gap')
      await this.notifyMembers(c, 'something was released to you', (m) =>
        r.to === 'observers' ? m.role === 'observer' : m.delegationId === r.to,
      );
    return { id, ...r };
  }

  private async allReleases(c: Caller) {
    const rows = await this.talks.releases(c.dialogue.id);
    return rows.map((x) => ({
      id: x.id,
      from: x.delegationId,
      createdAt: x.createdAt,
      release: this.open<Release>(c.dialogue, 'release', x.id, x.sealed),
    }));
  }

  async myReleases(c: Caller): Promise<V.ReleaseRow[]> {
    const me = this.delegationOf(c);
    const all = await this.allReleases(c);
    await this.auditAs(c, 'release.list', `delegation:${me.id}`);
    return all
      .filter((x) => x.from === me.id)
      .map((x) => ({ id: x.id, createdAt: x.createdAt, ...x.release }));
  }

  async removeRelease(c: Caller, id: string): Promise<void> {
    const me = this.delegationOf(c);
    if (!(await this.talks.removeRelease(c.dialogue.id, me.id, id))) throw noSuch('release');
    await this.auditAs(c, 'release.remove', `release:${id}`);
  }

  /** What other delegations released to the caller (a delegation, or the observers). */
  async released(c: Caller): Promise<V.ReleasedItem[]> {
    const me = this.delegationOf(c);
    const all = await this.allReleases(c);
    const mine = all.filter((x) =>
      c.member.role === 'observer' ? x.release.to === 'observers' : x.release.to === me.id,
    );
    const out: {
      from: string;
      scenario: string;
      kind: 'response' | 'expectation';
      trigger: string;
      triggerLabel: string;
      of?: string;
      dist: Dist | null;
      options: { key: string; label: string }[];
    }[] = [];
    const cache = new Map<string, SavedPositions | undefined>();
    for (const x of mine) {
      const r = x.release;
      if (r.kind === 'gap') continue;
      if (!cache.has(x.from)) cache.set(x.from, (await this.savedPositions(c, x.from))?.value);
      const p = cache.get(x.from)?.scenarios[r.scenario];
      const from = c.config.delegations.find((d) => d.id === x.from)!;
      const s = c.config.scenarios.find((y) => y.path === r.scenario);
      const responder = r.kind === 'response' ? from.actor! : r.of;
      const trig = s?.agenda.triggers[responder]?.find((t) => t.id === r.trigger);
      out.push({
        from: from.label,
        scenario: r.scenario,
        kind: r.kind,
        trigger: r.trigger,
        triggerLabel: trig?.label ?? r.trigger,
        ...(r.kind === 'expectation' ? { of: r.of } : {}),
        dist: (r.kind === 'response' ? p?.responses[r.trigger] : p?.expectations[r.of]?.[r.trigger]) ?? null,
        options: (trig?.options ?? []).map((o) => ({ key: o.key, label: o.label })),
      });
    }
    await this.auditAs(c, 'released.read', `delegation:${me.id}`);
    return out;
  }

  // Drafts --------------------------------------------------------------------------------------

  private canSeeDraft(c: Caller, d: DraftRow): boolean {
    if (c.member.role === 'host') return true;
    if (c.member.role === 'observer') return d.released;
    return d.parties.includes(c.member.delegationId ?? '');
  }

  private draftView(c: Caller, d: DraftRow) {
    const content = this.open<DraftContent>(c.dialogue, 'draft', d.id, d.sealed);
    const label = (id: string) => c.config.delegations.find((x) => x.id === id)?.label ?? id;
    return {
      id: d.id,
      author: d.author === 'host' ? c.config.hostLabel : label(d.author),
      authorId: d.author,
      parties: d.parties.map((p) => ({ id: p, label: label(p), agreed: d.agreed.includes(p) })),
      agreed: d.parties.length > 0 && d.parties.every((p) => d.agreed.includes(p)),
      released: d.released,
      version: d.version,
      updatedAt: d.updatedAt,
      ...content,
    };
  }

  private async checkDraft(
    c: Caller,
    body: { parties: string[]; mapping: Record<string, DraftMapping> },
  ): Promise<void> {
    for (const p of body.parties)
      if (!c.config.delegations.some((d) => d.id === p && d.kind === 'delegation'))
        throw invalid('parties are delegations of this dialogue (by id)', { path: 'parties' });
    const mapped = Object.keys(body.mapping)
      .map((path) => c.config.scenarios.find((x) => x.path === path))
      .filter((s) => s !== undefined);
    // The scenarios' interventions, compiled on the request pool (the checks below keep their order).
    const lists = mapped.length
      ? await this.work(`talks:${c.dialogue.id}`, {
          op: 'talksInterventions',
          scenarios: mapped.map((s) => ({ files: s.files, path: s.path })),
        })
      : [];
    for (const [path, m] of Object.entries(body.mapping)) {
      const k = mapped.findIndex((x) => x.path === path);
      if (k < 0) throw invalid(`${path} is not on the agenda`, { path: 'mapping' });
      const ids = lists[k]!.map((iv) => iv.id);
      for (const i of m.interventions)
        if (!ids.includes(i))
          throw invalid(`${path} has no intervention ${i} (it has: ${ids.join(', ')})`, {
            path: `mapping.${path}.interventions`,
          });
    }
  }

  async drafts(c: Caller): Promise<V.Draft[]> {
    const rows = await this.talks.drafts(c.dialogue.id);
    await this.auditAs(c, 'draft.list', `dialogue:${c.dialogue.id}`);
    return rows.filter((d) => this.canSeeDraft(c, d)).map((d) => this.draftView(c, d));
  }

  async draft(c: Caller, id: string): Promise<V.Draft> {
    const d = await this.talks.draft(c.dialogue.id, id);
    if (!d || !this.canSeeDraft(c, d)) {
      if (d) await this.auditAs(c, 'draft.read', `draft:${id}`, 'denied');
      throw noSuch('draft');
    }
    await this.auditAs(c, 'draft.read', `draft:${id}`);
    return this.draftView(c, d);
  }

  async createDraft(
    c: Caller,
    body: { title: string; text: string; parties: string[]; mapping: Record<string, DraftMapping> },
  ) {
    if (c.member.role === 'observer') throw forbidden('observers do not draft');
    if (c.member.role === 'delegation' && !body.parties.includes(c.member.delegationId!))
      throw invalid('a delegation drafts only protocols it is party to', { path: 'parties' });
    await this.checkDraft(c, body);
    const id = randomUUID();
    const author = c.member.role === 'host' ? 'host' : c.member.delegationId!;
    const content: DraftContent = { title: body.title, text: body.text, mapping: body.mapping };
    await this.talks.createDraft({
      id,
      dialogueId: c.dialogue.id,
      author,
      parties: body.parties,
      agreed: [],
      released: false,
      sealed: this.seal(c.dialogue, 'draft', id, content),
    });
    await this.auditAs(c, 'draft.create', `draft:${id}`);
    await this.notifyParties(c, 'a draft awaits your review', body.parties);
    return this.draft(c, id);
  }

  async updateDraft(
    c: Caller,
    id: string,
    body: {
      version: number;
      title: string;
      text: string;
      parties: string[];
      mapping: Record<string, DraftMapping>;
    },
  ) {
    const d = await this.talks.draft(c.dialogue.id, id);
    if (!d || !this.canSeeDraft(c, d)) throw noSuch('draft');
    if (c.member.role !== 'host' && d.author !== c.member.delegationId)
      throw await this.deny(
        c,
        'draft.change',
        `draft:${id}`,
        forbidden('only the host and the author change a draft; propose changes to them'),
      );
    if (c.member.role === 'delegation' && !body.parties.includes(c.member.delegationId!))
      throw invalid('a delegation drafts only protocols it is party to', { path: 'parties' });
    await this.checkDraft(c, body);
    const content: DraftContent = { title: body.title, text: body.text, mapping: body.mapping };
    // A changed text needs everyone's agreement again.
    const ok = await this.talks.updateDraft(c.dialogue.id, id, body.version, {
      sealed: this.seal(c.dialogue, 'draft', id, content),
      parties: body.parties,
      agreed: [],
    });
    if (!ok) throw conflict('the draft changed meanwhile: reload it and apply your change again');
    await this.auditAs(c, 'draft.change', `draft:${id}`);
    await this.notifyParties(c, 'a draft changed', body.parties);
    return this.draft(c, id);
  }

  async agreeDraft(c: Caller, id: string, agree: boolean) {
    const d = await this.talks.draft(c.dialogue.id, id);
    if (!d || !this.canSeeDraft(c, d)) throw noSuch('draft');
    const me = c.member.delegationId;
    if (!me || !d.parties.includes(me))
      throw await this.deny(
        c,
        'draft.agree',
        `draft:${id}`,
        forbidden('only a party to the draft agrees to it'),
      );
    const agreed = agree ? [...new Set([...d.agreed, me])] : d.agreed.filter((x) => x !== me);
    if (!(await this.talks.updateDraft(c.dialogue.id, id, d.version, { agreed })))
      throw conflict('the draft changed meanwhile: reload it');
    await this.auditAs(c, agree ? 'draft.agree' : 'draft.withdraw', `draft:${id}`);
    if (agree && d.parties.every((p) => agreed.includes(p)))
      await this.notifyParties(c, 'a protocol was agreed', d.parties);
    return this.draft(c, id);
  }

  async releaseDraft(c: Caller, id: string, observers: boolean) {
    const d = await this.talks.draft(c.dialogue.id, id);
    if (!d) throw noSuch('draft');
    if (!(await this.talks.updateDraft(c.dialogue.id, id, d.version, { released: observers })))
      throw conflict('the draft changed meanwhile: reload it');
    await this.auditAs(c, observers ? 'draft.release' : 'draft.unrelease', `draft:${id}`);
    return this.draft(c, id);
  }

  async deleteDraft(c: Caller, id: string): Promise<void> {
    const d = await this.talks.draft(c.dialogue.id, id);
    if (!d || !this.canSeeDraft(c, d)) throw noSuch('draft');
    if (c.member.role !== 'host' && d.author !== c.member.delegationId)
      throw await this.deny(
        c,
        'draft.delete',
        `draft:${id}`,
        forbidden('only the host and the author delete a draft'),
      );
    await this.talks.deleteDraft(c.dialogue.id, id);
    await this.auditAs(c, 'draft.delete', `draft:${id}`);
  }

  /** The interventions and leak parameters of each agenda scenario, to map drafts onto. */
  async interventions(c: Caller): Promise<V.InterventionList[]> {
    const lists = await this.work(`talks:${c.dialogue.id}`, {
      op: 'talksInterventions',
      scenarios: c.config.scenarios.map((s) => ({ files: s.files, path: s.path })),
    });
    return c.config.scenarios.map((s, k) => ({
      path: s.path,
      title: s.agenda.title,
      interventions: lists[k]!,
    }));
  }

  // Analyses ------------------------------------------------------------------------------------

  /** Submitted positions of every delegation, or 409 naming how many are missing. */
  async declaredPositions(dialogue: DialogueRow, config: DialogueConfig) {
    const rows = await this.talks.allPositions(dialogue.id);
    const out: { delegation: Delegation; positions: SavedPositions; submittedAt: string }[] = [];
    let missing = 0;
    for (const d of config.delegations.filter((x) => x.kind === 'delegation')) {
      const r = rows.find((x) => x.delegationId === d.id);
      if (!r?.submittedAt) {
        missing++;
        continue;
      }
      out.push({
        delegation: d,
        positions: this.open<SavedPositions>(dialogue, 'positions', d.id, r.sealed),
        submittedAt: r.submittedAt,
      });
    }
    if (missing)
      throw conflict(`${missing} delegation(s) have not submitted their positions yet`, {
        code: 'positions_missing',
      });
    return out;
  }

  async startAnalysis(c: Caller, kind: 'gaps' | 'protocols') {
    await this.declaredPositions(c.dialogue, c.config);
    if (kind === 'protocols' && !(await this.talks.drafts(c.dialogue.id)).length)
      throw conflict('there is no draft to simulate yet', { code: 'no_drafts' });
    const id = randomUUID();
    await this.talks.createAnalysis({ id, dialogueId: c.dialogue.id, kind, createdBy: c.user.id });
    await this.auditAs(c, `analysis.${kind}.start`, `analysis:${id}`);
    this.onAnalysis?.(c.dialogue.id, id);
    return { id };
  }

  async analyses(c: Caller): Promise<V.AnalysisRef[]> {
    const rows = await this.talks.analyses(c.dialogue.id);
    const current = await this.talks.allPositions(c.dialogue.id);
    return rows.map((a) => ({
      id: a.id,
      kind: a.kind,
      status: a.status,
      published: a.published,
      createdAt: a.createdAt,
      finishedAt: a.finishedAt,
      ...(a.status === 'done' && a.sealed
        ? freshnessOf(a, this.open<AnalysisResult>(c.dialogue, 'analysis', a.id, a.sealed), current)
        : {}),
    }));
  }

  /** Whether a finished analysis still reflects the submitted positions. */
  private async freshness(c: Caller, a: AnalysisRow, result: AnalysisResult): Promise<Freshness> {
    return freshnessOf(a, result, await this.talks.allPositions(c.dialogue.id));
  }

  /**
   * A result as it may leave the server: in every run manifest, the hash of the positions overlay and of
   * the compiled document (which contains the positions) become keyed identifiers (Keyring.mac), so that
   * no one can test guessed positions against them; the seed is shown to the host only.
   */
  published<T>(c: Caller, value: T): T {
    const host = c.member.role === 'host';
    const d = c.dialogue.id;
    const manifest = (m: Manifest): Manifest => ({
      ...m,
      hash: this.keys.mac(d, 'document', m.hash),
      positions: this.keys.mac(d, 'positions', m.positions),
      seed: host ? m.seed : null,
    });
    const walk = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(walk);
      if (!v || typeof v !== 'object') return v;
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v))
        out[k] = k === 'manifest' && x && typeof x === 'object' ? manifest(x as Manifest) : walk(x);
      return out;
    };
    return walk(value) as T;
  }

  async analysis(c: Caller, id: string, progress?: { done: number; total: number }): Promise<V.Analysis> {
    const a = await this.talks.analysis(c.dialogue.id, id);
    if (!a) throw noSuch('analysis');
    const result = a.sealed ? this.open<AnalysisResult>(c.dialogue, 'analysis', a.id, a.sealed) : null;
    await this.auditAs(c, 'analysis.read', `analysis:${id}`);
    return {
      id: a.id,
      kind: a.kind,
      status: a.status,
      published: a.published,
      createdAt: a.createdAt,
      finishedAt: a.finishedAt,
      progress: progress ?? null,
      result: result ? this.published(c, result) : null,
      ...(a.status === 'done' && result ? await this.freshness(c, a, result) : {}),
    };
  }

  async publish(c: Caller, id: string, published: boolean) {
    const a = await this.talks.analysis(c.dialogue.id, id);
    if (!a) throw noSuch('analysis');
    if (a.status !== 'done') throw conflict('only a finished analysis can be shown', { code: 'not_done' });
    await this.talks.setAnalysis(id, { published });
    await this.auditAs(c, published ? 'analysis.publish' : 'analysis.unpublish', `analysis:${id}`);
    if (published)
      await this.notifyMembers(
        c,
        a.kind === 'gaps' ? 'the host shared the gap overview' : 'the host shared simulated effects',
        (m) => m.role !== 'host',
      );
  }

  private async latestDone(c: Caller, kind: AnalysisRow['kind'], published: boolean) {
    const rows = await this.talks.analyses(c.dialogue.id);
    const a = rows.find((x) => x.kind === kind && x.status === 'done' && (!published || x.published));
    if (!a?.sealed) return null;
    return { row: a, result: this.open<AnalysisResult>(c.dialogue, 'analysis', a.id, a.sealed) };
  }

  /** Consent of delegation `from` to show gaps on `trigger` of `scenario` to `to`. */
  private consented(
    releases: { from: string; release: Release }[],
    from: string,
    scenario: string,
    trigger: string,
    to: string,
  ) {
    return releases.some(
      (x) =>
        x.from === from &&
        x.release.kind === 'gap' &&
        x.release.scenario === scenario &&
        (x.release.trigger === '*' || x.release.trigger === trigger) &&
        x.release.to === to,
    );
  }

  /**
   * The published gap ranking as the caller may see it: gaps the other party agreed to show, ranked
   * among themselves, with no numbers of positions and no count of the gaps withheld.
   */
  async gapsView(c: Caller): Promise<V.SharedGaps> {
    const me = this.delegationOf(c);
    const latest = await this.latestDone(c, 'gaps', true);
    await this.auditAs(c, 'gaps.read', `delegation:${me.id}`);
    if (latest?.result.kind !== 'gaps') return { analysis: null, scenarios: [] };
    const releases = await this.allReleases(c);
    const byActor = (a: string) =>
      c.config.delegations.find((d) => d.actor === a && d.kind === 'delegation')!;
    const scenarios = latest.result.results.map((r) => {
      const shown = r.ranked.filter((g) => {
        const holder = byActor(g.holder);
        const of = byActor(g.of);
        let ok: boolean;
        if (c.member.role === 'observer')
          ok =
            this.consented(releases, holder.id, r.scenario, g.trigger, 'observers') &&
            this.consented(releases, of.id, r.scenario, g.trigger, 'observers');
        else if (me.id === holder.id) ok = this.consented(releases, of.id, r.scenario, g.trigger, me.id);
        else if (me.id === of.id) ok = this.consented(releases, holder.id, r.scenario, g.trigger, me.id);
        else ok = false;
        return ok;
      });
      return {
        scenario: r.scenario,
        base: { war: r.base.war, lethal: r.base.lethal },
        // Ranks among the gaps shown, and no count of the others: how many gaps there are, and where a
        // shown one stands among them, derive from positions the caller may not see.
        gaps: shown.map((g, k) => ({
          rank: k + 1,
          holder: byActor(g.holder).label,
          of: byActor(g.of).label,
          trigger: g.trigger,
          triggerLabel: g.triggerLabel,
          size: g.size,
          war: g.war,
          lethal: g.lethal,
          ...(g.clear !== undefined ? { clear: g.clear, why: g.why ?? null } : {}),
        })),
        withheld: null,
      };
    });
    return {
      analysis: {
        id: latest.row.id,
        finishedAt: latest.row.finishedAt,
        ...(await this.freshness(c, latest.row, latest.result)),
      },
      scenarios,
    };
  }

  /** The published protocol simulation as the caller may see it: its drafts' effects, the package and leaks. */
  async effectsView(c: Caller): Promise<V.SharedEffects> {
    const me = this.delegationOf(c);
    const latest = await this.latestDone(c, 'protocols', true);
    await this.auditAs(c, 'effects.read', `delegation:${me.id}`);
    if (latest?.result.kind !== 'protocols') return { analysis: null, scenarios: [] };
    const rows = await this.talks.drafts(c.dialogue.id);
    const visible = new Set(rows.filter((d) => this.canSeeDraft(c, d)).map((d) => d.id));
    return {
      analysis: {
        id: latest.row.id,
        finishedAt: latest.row.finishedAt,
        ...(await this.freshness(c, latest.row, latest.result)),
      },
      scenarios: latest.result.results.map((r) => ({
        scenario: r.scenario,
        base: { war: r.base.war, lethal: r.base.lethal },
        drafts: r.drafts
          .filter((d) => visible.has(d.draft))
          .map((d) => ({ label: d.label, war: d.war, lethal: d.lethal })),
        package: r.package ? { war: r.package.war, lethal: r.package.lethal } : null,
        leak: r.leak
          ? {
              verdict: r.leak.verdict,
              breakEven: r.leak.breakEven,
              venues: r.leak.venues.map((v) => ({ name: v.name, p: v.p })),
              points: r.leak.points,
            }
          : null,
      })),
    };
  }

  // Notes ---------------------------------------------------------------------------------------

  async notes(c: Caller): Promise<{ text: string }> {
    const sealed = await this.talks.notes(c.dialogue.id);
    await this.auditAs(c, 'notes.read', `dialogue:${c.dialogue.id}`);
    return sealed ? this.open<{ text: string }>(c.dialogue, 'notes', c.dialogue.id, sealed) : { text: '' };
  }

  async saveNotes(c: Caller, text: string): Promise<void> {
    await this.talks.saveNotes(c.dialogue.id, this.seal(c.dialogue, 'notes', c.dialogue.id, { text }));
    await this.auditAs(c, 'notes.write', `dialogue:${c.dialogue.id}`);
  }

  // Playbook ------------------------------------------------------------------------------------

  async setDistribution(c: Caller, body: { users: string[]; extra: { name: string; role: string }[] }) {
    const members = await this.talks.members(c.dialogue.id);
    for (const u of body.users)
      if (!members.some((m) => m.userId === u))
        throw invalid('the distribution lists members of the dialogue (by id)', { path: 'users' });
    await this.saveConfig(c, {
      ...c.config,
      playbook: { ...c.config.playbook, distribution: body.users, extra: body.extra },
    });
    await this.auditAs(c, 'playbook.distribution', `dialogue:${c.dialogue.id}`);
    return c.config.playbook;
  }

  async issuePlaybook(c: Caller) {
    const playbook = { ...c.config.playbook, issuedAt: now() };
    await this.saveConfig(c, { ...c.config, playbook });
    await this.auditAs(c, 'playbook.issue', `dialogue:${c.dialogue.id}`);
    await this.notifyMembers(c, 'the playbook is ready', (m) => playbook.distribution.includes(m.userId));
    return playbook;
  }

  /** The playbook's content: the host's, or a member's on the distribution list once issued. */
  async playbookInput(c: Caller): Promise<import('../../talks/index.ts').PlaybookInput> {
    if (c.member.role !== 'host') {
      if (!c.config.playbook.issuedAt || !c.config.playbook.distribution.includes(c.user.id))
        throw await this.deny(
          c,
          'playbook.export',
          `dialogue:${c.dialogue.id}`,
          forbidden('the playbook goes to its distribution list once the host issues it'),
        );
    }
    const label = (actor: string) =>
      c.config.delegations.find((d) => d.actor === actor && d.kind === 'delegation')?.label ?? actor;
    const idLabel = (id: string) => c.config.delegations.find((d) => d.id === id)?.label ?? id;
    const host = c.member.role === 'host';
    const rows = await this.talks.drafts(c.dialogue.id);
    // The same rule as GET …/drafts/:draft: a copy holds only the agreed drafts its reader may see.
    const agreedDrafts = rows.filter(
      (d) => d.parties.length > 0 && d.parties.every((p) => d.agreed.includes(p)) && this.canSeeDraft(c, d),
    );
    const protocols = agreedDrafts.map((d) => {
      const content = this.open<DraftContent>(c.dialogue, 'draft', d.id, d.sealed);
      return {
        title: content.title,
        text: content.text,
        parties: d.parties.map(idLabel),
        agreedBy: d.agreed.map(idLabel),
        mapping: content.mapping,
      };
    });
    const protocolsRun = await this.latestDone(c, 'protocols', false);
    const gapsRun = await this.latestDone(c, 'gaps', false);
    const releases = await this.allReleases(c);
    const byActor = (a: string) =>
      c.config.delegations.find((d) => d.actor === a && d.kind === 'delegation')!;
    const members = await this.talks.members(c.dialogue.id);
    const me = c.member.delegationId;
    // The same rule as GET …/gaps for the reader, on top of both parties' consent to show each other.
    const mayShowGap = (scenario: string, h: string, o: string, trigger: string) =>
      this.consented(releases, h, scenario, trigger, o) &&
      this.consented(releases, o, scenario, trigger, h) &&
      (host ||
        (c.member.role === 'observer'
          ? this.consented(releases, h, scenario, trigger, 'observers') &&
            this.consented(releases, o, scenario, trigger, 'observers')
          : me === h || me === o));
    const agreedIds = new Set(agreedDrafts.map((d) => d.id));
    const scenarios = c.config.scenarios.map((s) => {
      const found =
        protocolsRun?.result.kind === 'protocols'
          ? protocolsRun.result.results.find((r) => r.scenario === s.path)
          : undefined;
      // The playbook reports the agreed protocols only (drafts under discussion stay in the room).
      const pr = found ? { ...found, drafts: found.drafts.filter((d) => agreedIds.has(d.draft)) } : null;
      const gr =
        gapsRun?.result.kind === 'gaps'
          ? (gapsRun.result.results.find((r) => r.scenario === s.path) ?? null)
          : null;
      let gaps = null;
      if (gr) {
        const shown = gr.ranked
          .filter((g) => mayShowGap(s.path, byActor(g.holder).id, byActor(g.of).id, g.trigger))
          .map((g, k) => (host ? g : { ...g, rank: k + 1 }));
        // How many were withheld is itself derived from the positions: only the host learns it.
        gaps = {
          shown,
          withheld: host ? gr.ranked.length - shown.length : null,
          base: gr.base,
          venue: gr.venue,
        };
      }
      const actors: Record<string, string> = {};
      for (const a of Object.keys(s.agenda.actorNames)) actors[a] = label(a);
      return this.published(c, { title: s.agenda.title, path: s.path, protocols: pr, gaps, actors });
    });
    const current = await this.talks.allPositions(c.dialogue.id);
    const freshness = {
      protocols: protocolsRun ? freshnessOf(protocolsRun.row, protocolsRun.result, current) : null,
      gaps: gapsRun ? freshnessOf(gapsRun.row, gapsRun.result, current) : null,
    };
    await this.auditAs(c, 'playbook.export', `dialogue:${c.dialogue.id}`);
    return {
      codename: c.dialogue.codename,
      generatedAt: now(),
      parties: c.config.delegations.map((d) => ({ label: d.label, actor: d.actor ?? '', kind: d.kind })),
      distribution: [
        ...c.config.playbook.distribution.map((u) => {
          const m = members.find((x) => x.userId === u);
          return {
            name: m?.name ?? 'former member',
            role:
              m?.role === 'host' ? c.config.hostLabel : m?.delegationId ? idLabel(m.delegationId) : 'member',
          };
        }),
        ...c.config.playbook.extra,
      ],
      protocols,
      scenarios,
      freshness,
      forHost: host,
    };
  }

  // Audit log -----------------------------------------------------------------------------------

  async auditLog(c: Caller): Promise<V.AuditLog> {
    await this.auditAs(c, 'audit.read', `dialogue:${c.dialogue.id}`);
    return this.readAudit(c);
  }

  async readAudit(c: Caller): Promise<V.AuditLog> {
    const rows = await this.talks.audit(c.dialogue.id);
    const head = (await this.talks.auditHead(c.dialogue.id))!;
    const verification = verifyChain(rows, head);
    const members = await this.talks.members(c.dialogue.id);
    const name = (u: string) => members.find((m) => m.userId === u)?.name ?? 'former member';
    return { verification, entries: rows.map((r) => toAuditView(r, name(r.userId))) };
  }
}

function toAuditView(r: AuditRow, name: string): V.AuditEntry {
  return {
    seq: r.seq,
    at: r.at,
    user: name,
    userId: r.userId,
    role: r.role,
    delegationId: r.delegationId,
    action: r.action,
    target: r.target,
    outcome: r.outcome,
    hash: r.hash,
  };
}

/**
 * An analysis is stale once the positions differ from those it used: a delegation submitted again, or
 * withdrew its submission. Results from before the dates were recorded compare with the analysis's start.
 */
export function freshnessOf(
  a: { createdAt: string },
  result: { positionsAt?: PositionsAt },
  current: readonly { delegationId: string; submittedAt: string | null }[],
): Freshness {
  const used = result.positionsAt;
  if (!used) {
    const stale = current.some((p) => !p.submittedAt || p.submittedAt > a.createdAt);
    return { positionsAt: null, stale };
  }
  const stale = Object.entries(used).some(
    ([del, at]) => current.find((p) => p.delegationId === del)?.submittedAt !== at,
  );
  const dates = Object.values(used).sort();
  return { positionsAt: dates.at(-1) ?? null, stale };
}

export function invitationStatus(i: {
  usedAt: string | null;
  revokedAt: string | null;
  expiresAt: string;
}): 'pending' | 'used' | 'revoked' | 'expired' {
  if (i.usedAt) return 'used';
  if (i.revokedAt) return 'revoked';
  if (i.expiresAt < now()) return 'expired';
  return 'pending';
}

/** A saved (not yet submitted) form: each given distribution must be valid, but some may be missing. */
function checkPartial(
  agenda: ScenarioAgenda,
  actor: string,
  parties: readonly string[],
  p: Positions,
): Positions {
  const full: Positions = { responses: {}, expectations: {} };
  // Fill what is missing with valid placeholders for the check, then keep only what was given.
  for (const t of agenda.triggers[actor] ?? []) full.responses[t.id] = p.responses[t.id] ?? { wait: 1 };
  for (const of of parties) {
    if (of === actor) continue;
    full.expectations[of] = {};
    for (const t of agenda.triggers[of] ?? [])
      full.expectations[of]![t.id] = p.expectations[of]?.[t.id] ?? { wait: 1 };
  }
  const checked = checkPositions(agenda, actor, parties, full);
  const out: Positions = { responses: {}, expectations: {} };
  for (const k of Object.keys(p.responses))
    if (checked.responses[k]) out.responses[k] = checked.responses[k]!;
  for (const [of, table] of Object.entries(p.expectations)) {
    out.expectations[of] = {};
    for (const k of Object.keys(table))
      if (checked.expectations[of]?.[k]) out.expectations[of]![k] = checked.expectations[of]![k]!;
  }
  return out;
}
