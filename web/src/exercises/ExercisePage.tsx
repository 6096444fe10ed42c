// An exercise, live: a team's screen (only what its actor perceives, its decision, its messages) or the
// facilitator's console (the true state, every team's view, the clock, injects, overrides, rewinds, the
// coach and the review). The server pushes the caller's own view over server-sent events after every
// change, so every screen updates without reloading.
import { useCallback, useEffect, useState } from 'react';
import type { Aar } from '../../../src/exercise/aar.ts';
import { effectText, viewLine } from '../../../src/exercise/aar.ts';
import type { Lookahead } from '../../../src/exercise/coach.ts';
import type { ClockMode, Inject, Team } from '../../../src/exercise/schema.ts';
import type { TeamView, TrueView } from '../../../src/exercise/views.ts';
import { errText, get, post } from '../api.ts';
import { useAction } from '../components/forms.tsx';
import { invitationLink } from '../components/InvitationForm.tsx';
import { TabList } from '../components/Tabs.tsx';
import { ErrorLine, pct } from '../talks/ui.tsx';

interface Summary {
  id: string;
  title: string;
  scenario: string;
  role: 'facilitator' | 'team';
  team: string | null;
  teams: Team[];
  turnHours: number;
  clock: ClockMode;
  tickHours: number;
  now: number;
  paused: boolean;
  ended: boolean;
}

const hours = (tick: number, tickHours: number) => `H+${tick * tickHours}`;

/** The caller's own view, kept current by the event stream. */
function useLiveView<T>(ex: string): [T | null, string, () => Promise<void>] {
  const [view, setView] = useState<T | null>(null);
  const [error, setError] = useState('');
  const reload = useCallback(async () => {
    try {
      setView(await get<T>(`/api/exercises/${ex}/view`));
    } catch (e) {
      setError(errText(e));
    }
  }, [ex]);
  useEffect(() => {
    const es = new EventSource(`/api/exercises/${ex}/events`);
    es.addEventListener('view', (e) => setView(JSON.parse((e as MessageEvent<string>).data) as T));
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) void reload();
    };
    return () => es.close();
  }, [ex, reload]);
  return [view, error, reload];
}

interface Job<R> {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';
  done: number;
  total: number;
  error: string | null;
  result?: R;
}

/**
 * Asks for a background job of the exercise (the coach's look-ahead, the review) and polls it until it
 * ends, telling `onProgress` as it goes; resolves with its result.
 */
async function awaitJob<R>(url: string, body: unknown, onProgress: (done: number, total: number) => void) {
  let job = await post<Job<R>>(url, body);
  while (job.status === 'queued' || job.status === 'running') {
    onProgress(job.done, job.total);
    await new Promise((r) => setTimeout(r, 400));
    job = await get<Job<R>>(`${url.replace(/\/(lookahead|review)$/, '')}/jobs/${job.id}`);
  }
  if (job.status !== 'done' || job.result === undefined)
    throw new Error(job.error ?? `the job ended ${job.status}: ask again`);
  return job.result;
}

const progressText = (p: { done: number; total: number } | null) =>
  p && p.total > 0 ? ` ${Math.floor((100 * p.done) / p.total)}%` : '';

export function ExercisePage({ id }: { id: string }) {
  const [summary, setSummary] = useState<Summary | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    void get<Summary>(`/api/exercises/${id}`).then(
      (s) => {
        setSummary(s);
        document.title = `${s.title} · Brink`;
      },
      (e) => setError(errText(e)),
    );
  }, [id]);
  if (error)
    return (
      <div className="page">
        <h1>Exercise</h1>
        <ErrorLine error={error} />
      </div>
    );
  if (!summary) return <div className="page muted">Loading…</div>;
  return summary.role === 'facilitator' ? <Console s={summary} /> : <TeamScreen s={summary} />;
}

// A team ---------------------------------------------------------------------------------------

function TeamScreen({ s }: { s: Summary }) {
  const [view, error] = useLiveView<TeamView>(s.id);
  const [msg, setMsg] = useState('');
  const [text, setText] = useState('');
  const [busy, err, run] = useAction();
  if (!view) return <div className="page muted">{error || 'Loading…'}</div>;
  const team = view.team;
  return (
    <div className="page exercise team-screen">
      <div className="page-head">
        <div>
          <p className="eyebrow">{s.title}</p>
          <h1>
            {team.label} ({team.actor})
          </h1>
          <p className="muted" data-testid="clock">
            Scenario time {hours(view.t, view.tickHours)}
            {view.paused ? ' · paused by the facilitator' : ''}
            {view.ended ? ' · the exercise has ended' : ''}
          </p>
        </div>
      </div>
      <ErrorLine error={err || error} />
      <div className="grid2">
        <section className="panel" aria-labelledby="dec-h">
          <h2 id="dec-h">Decision</h2>
          {view.decision ? (
            <>
              <p>
                Your picture: <strong>{view.decision.stimulus}</strong>. What does {team.actor} do?
              </p>
              <ul className="plain options" aria-label="Options">
                {view.decision.options.map((o) => (
                  <li key={o.act}>
                    <button
                      type="button"
                      className="primary"
                      disabled={busy || view.paused}
                      onClick={() =>
                        run(() =>
                          post(`/api/exercises/${s.id}/decisions`, {
                            key: view.decision!.key,
                            action: o.act,
                          }),
                        )
                      }
                    >
                      Choose {o.act}
                    </button>{' '}
                    <span className="muted small">doctrine {pct(o.p, 0)}</span>
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p className="muted">Nothing to decide now.</p>
          )}
          <h2 id="msg-h">Send a message</h2>
          <form
            aria-labelledby="msg-h"
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void run(async () => {
                await post(`/api/exercises/${s.id}/messages`, { action: msg || view.messages[0]?.act, text });
                setText('');
              });
            }}
          >
            <label>
              Message to send
              <select value={msg} onChange={(e) => setMsg(e.target.value)}>
                {view.messages.map((m) => (
                  <option key={m.act} value={m.act}>
                    {m.act} to {m.to} via {m.channels.join(' or ')}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Words for the receiver
              <textarea rows={2} value={text} onChange={(e) => setText(e.target.value)} />
            </label>
            <button type="submit" disabled={busy || view.paused || view.messages.length === 0}>
              Send
            </button>
          </form>
        </section>
        <TeamPicture view={view} />
      </div>
    </div>
  );
}

/** What a team sees: its reports, messages, injects, own acts, beliefs (shared by the console). */
export function TeamPicture({ view, heading = 'Your picture' }: { view: TeamView; heading?: string }) {
  const reports = view.items.filter((i) => i.kind === 'report');
  const hid = `pic-${view.team.id}`;
  return (
    <section className="panel" aria-labelledby={hid}>
      <h2 id={hid}>{heading}</h2>
      <h3>Reports</h3>
      {reports.length === 0 ? <p className="muted">No reports yet.</p> : null}
      <ol className="plain reports" aria-label={`Reports of ${view.team.label}`}>
        {reports.map((r, k) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows in time order, never reordered
          <li key={`r-${k}`} data-at={r.at} data-perceived={r.kind === 'report' ? r.perceived : ''}>
            {hours(r.at, view.tickHours)} · {r.kind === 'report' ? r.perceived : ''}
          </li>
        ))}
      </ol>
      <h3>Everything you know</h3>
      <table className="timeline">
        <thead>
          <tr>
            <th scope="col">time</th>
            <th scope="col">what</th>
          </tr>
        </thead>
        <tbody>
          {view.items.map((i, k) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows in time order, never reordered
            <tr key={`i-${k}`} className={`item-${i.kind}`}>
              <td>{hours(i.at, view.tickHours)}</td>
              <td>{viewLine(i)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Beliefs about the others' intent</h3>
      <table>
        <tbody>
          {Object.entries(view.beliefs).map(([about, types]) => (
            <tr key={about}>
              <th scope="row">{about}</th>
              <td>
                {Object.entries(types)
                  .map(([t, p]) => `${t} ${pct(p, 0)}`)
                  .join(', ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">Readiness {view.readiness ?? '—'}</p>
    </section>
  );
}

// The facilitator ------------------------------------------------------------------------------

type Tab = 'console' | 'teams' | 'msel' | 'invitations' | 'review';
const TABS: { id: Tab; label: string }[] = [
  { id: 'console', label: 'Console' },
  { id: 'teams', label: 'Team views' },
  { id: 'msel', label: 'MSEL' },
  { id: 'invitations', label: 'Invitations' },
  { id: 'review', label: 'Review' },
];

function Console({ s }: { s: Summary }) {
  const [view, error] = useLiveView<TrueView>(s.id);
  const [tab, setTab] = useState<Tab>('console');
  const [busy, err, act] = useAction();
  if (!view) return <div className="page muted">{error || 'Loading…'}</div>;
  const h = (t: number) => hours(t, view.tickHours);
  return (
    <div className="page exercise console">
      <div className="page-head">
        <div>
          <p className="eyebrow">Facilitator console · {s.scenario}</p>
          <h1>{s.title}</h1>
          <p className="muted" data-testid="clock">
            Clock {h(view.now)} · game at {h(view.t)} · highest rung {view.peak}
            {s.clock.kind === 'realtime' ? ` · real time ×${s.clock.multiplier}` : ''}
            {view.paused ? ' · paused' : ''}
            {view.ended ? ` · ended${view.outcome ? ` (${view.outcome.outcome})` : ''}` : ''}
          </p>
        </div>
      </div>
      <ErrorLine error={err || error} />
      <TabList label="Console sections" idPrefix="ex" tabs={TABS} value={tab} onChange={setTab} />
      <div role="tabpanel" id={`ex-panel`} aria-labelledby={`ex-tab-${tab}`}>
        {tab === 'console' ? <ConsolePanel s={s} view={view} busy={busy} act={act} /> : null}
        {tab === 'teams' ? (
          <div className="grid2">
            {view.teams.map((t) => (
              <TeamPicture key={t.team.id} view={t} heading={`${t.team.label} (${t.team.actor}) sees`} />
            ))}
          </div>
        ) : null}
        {tab === 'msel' ? <MselPanel s={s} view={view} busy={busy} act={act} /> : null}
        {tab === 'invitations' ? <InvitationsPanel s={s} /> : null}
        {tab === 'review' ? <ReviewPanel s={s} view={view} /> : null}
      </div>
    </div>
  );
}

interface PanelProps {
  s: Summary;
  view: TrueView;
  busy: boolean;
  act: (fn: () => Promise<unknown>) => Promise<void>;
}

function ConsolePanel({ s, view, busy, act }: PanelProps) {
  const h = (t: number) => hours(t, view.tickHours);
  const [coach, setCoach] = useState<Lookahead | null>(null);
  const [coachProgress, setCoachProgress] = useState<{ done: number; total: number } | null>(null);
  const [days, setDays] = useState('14');
  const [override, setOverride] = useState<{ key: string; action: string; reason: string }>({
    key: '',
    action: '',
    reason: '',
  });
  const base = `/api/exercises/${s.id}`;
  const team = (id: string | null) => s.teams.find((t) => t.id === id)?.label ?? 'the doctrine';
  const chosen = view.decisions.find((d) => d.key === override.key);
  return (
    <div className="grid2">
      <section className="panel" aria-labelledby="play-h">
        <h2 id="play-h">Play</h2>
        <div className="row">
          {s.clock.kind === 'turns' ? (
            <button
              type="button"
              className="primary"
              disabled={busy || view.ended}
              onClick={() => act(() => post(`${base}/clock`, {}))}
            >
              Advance one turn ({s.turnHours} h)
            </button>
          ) : null}
          {view.paused ? (
            <button
              type="button"
              className={s.clock.kind === 'realtime' ? 'primary' : undefined}
              disabled={busy || view.ended}
              onClick={() => act(() => post(`${base}/resume`))}
            >
              {s.clock.kind === 'realtime'
                ? `${view.now === 0 ? 'Start' : 'Resume'} the clock (×${s.clock.multiplier})`
                : 'Resume'}
            </button>
          ) : (
            <button
              type="button"
              disabled={busy || view.ended}
              onClick={() => act(() => post(`${base}/pause`))}
            >
              Pause
            </button>
          )}
          <button
            type="button"
            className="ghost"
            disabled={busy || view.ended}
            onClick={() => act(() => post(`${base}/end`))}
          >
            End the exercise
          </button>
        </div>
        <p data-testid="pending">
          {view.pending
            ? `Waiting for ${team(view.pending.team)}: ${view.pending.key} on ${view.pending.stimulus}`
            : 'Nothing waits for a team.'}
        </p>
        <h3>The model as coach</h3>
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              setCoach(null);
              setCoach(
                await awaitJob<Lookahead>(`${base}/lookahead`, { days: Number(days) }, (done, total) =>
                  setCoachProgress({ done, total }),
                ).finally(() => setCoachProgress(null)),
              );
            });
          }}
        >
          <label>
            Days ahead
            <input type="number" min={1} value={days} onChange={(e) => setDays(e.target.value)} />
          </label>
          <button type="submit" disabled={busy}>
            {coachProgress ? `The coach is running…${progressText(coachProgress)}` : 'Ask the coach'}
          </button>
        </form>
        {coach ? (
          <p data-testid="coach">
            From {h(coach.from)}, with the model playing everyone: P(war within {coach.days} days) ={' '}
            <strong>{pct(coach.p)}</strong> (95% CI {pct(coach.ci95[0])} to {pct(coach.ci95[1])}),{' '}
            {coach.runs} runs.
          </p>
        ) : null}
        <h3>Checkpoints</h3>
        <ul className="plain" aria-label="Checkpoints">
          {view.checkpoints.map((c) => (
            <li key={c.seq}>
              {h(c.now)}{' '}
              <button
                type="button"
                className="ghost small"
                disabled={busy}
                onClick={() => act(() => post(`${base}/rewind`, { to: c.seq }))}
              >
                Rewind to {h(c.now)}
              </button>
            </li>
          ))}
        </ul>
        <h3>Override an adjudication</h3>
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => post(`${base}/overrides`, override));
          }}
        >
          <label>
            Decision
            <select
              value={override.key}
              onChange={(e) => setOverride({ ...override, key: e.target.value, action: '' })}
            >
              <option value="">—</option>
              {view.decisions.map((d) => (
                <option key={d.key} value={d.key}>
                  {d.key} at {h(d.t)} on {d.stimulus}: {d.chosen}
                </option>
              ))}
            </select>
          </label>
          <label>
            Instead
            <select
              value={override.action}
              onChange={(e) => setOverride({ ...override, action: e.target.value })}
            >
              <option value="">—</option>
              {(chosen?.options ?? []).map((o) => (
                <option key={o.act} value={o.act}>
                  {o.act}
                </option>
              ))}
            </select>
          </label>
          <label>
            Reason (kept in the log and the AAR)
            <input
              value={override.reason}
              onChange={(e) => setOverride({ ...override, reason: e.target.value })}
            />
          </label>
          <button type="submit" disabled={busy || !override.key || !override.action}>
            Override
          </button>
        </form>
        {view.audit.length ? (
          <>
            <h3>Interventions (audited)</h3>
            <ul className="plain small">
              {view.audit.map((a) => (
                <li key={a.seq}>
                  #{a.seq}: {a.what}
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </section>
      <section className="panel" aria-labelledby="truth-h">
        <h2 id="truth-h">True events</h2>
        <table className="timeline" aria-label="True events">
          <thead>
            <tr>
              <th scope="col">time</th>
              <th scope="col">what happened</th>
            </tr>
          </thead>
          <tbody>
            {view.trace
              .filter(
                (r) =>
                  r.kind === 'event' ||
                  r.kind === 'perceive' ||
                  r.kind === 'miss' ||
                  r.kind === 'false-alarm' ||
                  r.kind === 'message' ||
                  r.kind === 'decide' ||
                  r.kind === 'war' ||
                  r.kind === 'end',
              )
              .map((r, k) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows in time order, never reordered
                <tr key={`t-${k}`} className={`true-${r.kind}`}>
                  <td>{h(r.t)}</td>
                  <td>{truthText(r, view.tickHours)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function truthText(r: TrueView['trace'][number], tickHours: number): string {
  switch (r.kind) {
    case 'event':
      return `${r.act} (${r.rung}) ← ${r.cause}`;
    case 'perceive':
      return `${r.observer} sees ${r.act}${r.perceived !== r.act ? ` as ${r.perceived} (MISREAD)` : ''}, report at ${hours(r.arrives, tickHours)}`;
    case 'miss':
      return `${r.observer} misses ${r.act}`;
    case 'false-alarm':
      return `${r.observer} false alarm: ${r.perceived}`;
    case 'message':
      return `message ${r.from} → ${r.to} via ${r.channel}: ${r.status}`;
    case 'decide':
      return `${r.actor} decides on ${r.stimulus}: ${r.chosen}`;
    case 'war':
      return `war ${r.event}: ${r.phase}`;
    case 'end':
      return `end: ${r.outcome} (peak ${r.peak})`;
    default:
      return r.kind;
  }
}

function triggerText(i: Inject): string {
  const t = i.trigger;
  if ('atHours' in t) return `H+${t.atHours}`;
  if ('manual' in t) return 'manual';
  if ('afterAct' in t) return `after ${t.afterAct} (+${t.delayHours} h)`;
  return `rung ≥ ${t.rungAtLeast} (+${t.delayHours} h)`;
}

function MselPanel({ s, view, busy, act }: PanelProps) {
  const base = `/api/exercises/${s.id}`;
  const [csv, setCsv] = useState('');
  const [add, setAdd] = useState({ id: '', hours: '', synopsis: '', to: '', action: '' });
  const fired = (id: string) => view.fired.find((f) => f.inject === id);
  return (
    <div className="stack">
      <section className="panel" aria-labelledby="msel-h">
        <h2 id="msel-h">Master scenario events list</h2>
        <table aria-label="MSEL">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">trigger</th>
              <th scope="col">synopsis</th>
              <th scope="col">to</th>
              <th scope="col">engine act</th>
              <th scope="col">status</th>
            </tr>
          </thead>
          <tbody>
            {view.msel.map((i) => {
              const f = fired(i.id);
              const timed = 'atHours' in i.trigger;
              return (
                <tr key={i.id}>
                  <td>{i.id}</td>
                  <td>{triggerText(i)}</td>
                  <td>{i.synopsis}</td>
                  <td>{i.to.join(', ')}</td>
                  <td>{i.action ?? ''}</td>
                  <td>
                    {f ? (
                      `fired at H+${f.tick * view.tickHours}`
                    ) : timed ? (
                      'timed'
                    ) : (
                      <button
                        type="button"
                        className="small"
                        disabled={busy}
                        onClick={() => act(() => post(`${base}/injects/${encodeURIComponent(i.id)}/fire`))}
                      >
                        Fire inject {i.id} now
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <p>
          <a href={`${base}/msel.csv`} download>
            Export the MSEL (CSV, HSEEP columns)
          </a>
        </p>
      </section>
      <div className="grid2">
        <section className="panel" aria-labelledby="add-h">
          <h2 id="add-h">Add an inject</h2>
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void act(() =>
                post(`${base}/injects`, {
                  id: add.id,
                  trigger: add.hours ? { atHours: Number(add.hours) } : { manual: true },
                  synopsis: add.synopsis,
                  to: add.to.split(/[,;\s]+/).filter(Boolean),
                  ...(add.action ? { action: add.action } : {}),
                }),
              );
            }}
          >
            <label>
              Inject number
              <input value={add.id} onChange={(e) => setAdd({ ...add, id: e.target.value })} />
            </label>
            <label>
              Scenario hour (empty: fired by hand)
              <input
                type="number"
                min={0}
                value={add.hours}
                onChange={(e) => setAdd({ ...add, hours: e.target.value })}
              />
            </label>
            <label>
              Synopsis
              <input value={add.synopsis} onChange={(e) => setAdd({ ...add, synopsis: e.target.value })} />
            </label>
            <label>
              To (actors)
              <input value={add.to} onChange={(e) => setAdd({ ...add, to: e.target.value })} />
            </label>
            <label>
              Engine act (optional, ACTOR.action)
              <input value={add.action} onChange={(e) => setAdd({ ...add, action: e.target.value })} />
            </label>
            <button type="submit" disabled={busy}>
              Add the inject
            </button>
          </form>
        </section>
        <section className="panel" aria-labelledby="imp-h">
          <h2 id="imp-h">Import an MSEL (CSV)</h2>
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void act(() => post(`${base}/msel.csv`, { csv }));
            }}
          >
            <label>
              CSV text
              <textarea rows={6} value={csv} onChange={(e) => setCsv(e.target.value)} />
            </label>
            <button type="submit" disabled={busy || !csv.trim()}>
              Replace the MSEL
            </button>
          </form>
        </section>
      </div>
    </div>
  );
}

function InvitationsPanel({ s }: { s: Summary }) {
  const [links, setLinks] = useState<Record<string, string>>({});
  const [err, setErr] = useState('');
  return (
    <section className="panel" aria-labelledby="inv-h">
      <h2 id="inv-h">Team invitations</h2>
      <p className="muted">Each link works once and for seven days; it seats one person in the team.</p>
      <ErrorLine error={err} />
      <table>
        <tbody>
          {s.teams.map((t) => (
            <tr key={t.id} aria-label={`${t.label} (${t.actor})`}>
              <th scope="row">
                {t.label} ({t.actor})
              </th>
              <td>
                <button
                  type="button"
                  onClick={async () => {
                    try {
                      const link = await invitationLink(
                        `/api/exercises/${s.id}/invitations`,
                        { team: t.id },
                        '/exercises/join',
                      );
                      setLinks({ ...links, [t.id]: link });
                    } catch (e) {
                      setErr(errText(e));
                    }
                  }}
                >
                  Create invitation link
                </button>
              </td>
              <td>
                {links[t.id] ? (
                  <label>
                    <span className="sr-only">Single-use link for {t.label}</span>
                    <input readOnly value={links[t.id]} aria-label={`Single-use link for ${t.label}`} />
                  </label>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function ReviewPanel({ s, view }: { s: Summary; view: TrueView }) {
  const [aar, setAar] = useState<Aar | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [busy, err, run] = useAction();
  const h = (t: number) => hours(t, view.tickHours);
  const base = `/api/exercises/${s.id}`;
  // A review built earlier (the job ran while the page was elsewhere) shows at once.
  useEffect(() => {
    get<Aar>(`${base}/aar`).then(setAar, () => {});
  }, [base]);
  return (
    <div className="stack">
      <section className="panel" aria-labelledby="rev-h">
        <h2 id="rev-h">After-action review</h2>
        <p className="muted">
          Each team decision is replayed against the doctrine's choice at the same point, on common random
          numbers, the model playing everyone afterwards; the table ranks them by their effect on P(war).
        </p>
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() =>
            run(async () => {
              await awaitJob<Aar>(`${base}/review`, {}, (done, total) =>
                setProgress({ done, total }),
              ).finally(() => setProgress(null));
              setAar(await get<Aar>(`${base}/aar`));
            })
          }
        >
          {busy ? `Replaying the decisions…${progressText(progress)}` : 'Build the review'}
        </button>
        <p className="muted">
          The review runs as a background job on the server: this page can be left and the review read when it
          is done.
        </p>
        <ErrorLine error={err} />
        {aar ? (
          <>
            {aar.largest ? (
              <p data-testid="largest">
                Largest counterfactual effect: <strong>{aar.largest.team}</strong> ({aar.largest.actor}) chose{' '}
                <strong>{aar.largest.chosen}</strong> at {h(aar.largest.t)} where the doctrine chose{' '}
                {aar.largest.doctrine}: {effectText(aar.largest)}.
              </p>
            ) : (
              <p>No team decision to review.</p>
            )}
            <table aria-label="Decision effects">
              <thead>
                <tr>
                  <th scope="col">decision</th>
                  <th scope="col">team</th>
                  <th scope="col">chosen</th>
                  <th scope="col">doctrine</th>
                  <th scope="col">effect on P(war), 95% CI</th>
                </tr>
              </thead>
              <tbody>
                {aar.effects.map((e) => (
                  <tr key={e.key}>
                    <td>
                      {e.key} at {h(e.t)}
                    </td>
                    <td>{e.team}</td>
                    <td>{e.chosen}</td>
                    <td>{e.doctrine}</td>
                    <td>{effectText(e)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p>
              <a href={`${base}/aar.html`} download>
                Download the AAR/IP (HTML)
              </a>{' '}
              ·{' '}
              <a href={`${base}/aar.md`} download>
                Download the AAR/IP (Markdown)
              </a>
            </p>
          </>
        ) : null}
      </section>
      {aar ? (
        <section className="panel" aria-labelledby="tl-h">
          <h2 id="tl-h">Timeline: true events beside each team's view</h2>
          <table className="timeline" aria-label="Timeline">
            <thead>
              <tr>
                <th scope="col">time</th>
                <th scope="col">true events</th>
                {aar.teams.map((t) => (
                  <th scope="col" key={t.id}>
                    {t.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {aar.timeline.map((r) => (
                <tr key={r.at}>
                  <td>{h(r.at)}</td>
                  <td>{r.truth.join('; ')}</td>
                  {aar.teams.map((t) => (
                    <td key={t.id}>{(r.teams[t.id] ?? []).join('; ')}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </div>
  );
}
