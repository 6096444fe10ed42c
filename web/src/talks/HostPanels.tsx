// The host's pages: the room (parties, invitations, settings), the agenda, the gap ranking, the
// protocol simulation, the playbook, private notes and the audit log.
import { useCallback, useEffect, useId, useState } from 'react';
import { hostingVerdict } from '../../../src/talks/words.ts';
import { errText, get, post, put } from '../api.ts';
import { DataTable } from '../components/DataTable.tsx';
import { DeleteButton, SmallButton } from '../components/forms.tsx';
import { invitationLink } from '../components/InvitationForm.tsx';
import { ScrollRegion } from '../components/ScrollRegion.tsx';
import { Term } from '../components/Term.tsx';
import { BaseLine, EffectsTable, LeakSection, PlaybookLinks, packageRow } from './Results.tsx';
import type { Analysis, AnalysisRef, AuditLog, Overview } from './types.ts';
import {
  ActionButton,
  CopyField,
  DistWords,
  ErrorLine,
  ListCheck,
  ProgressBar,
  pct,
  StaleNote,
  when,
} from './ui.tsx';

export function RoomPanel({ ov, reload }: { ov: Overview; reload: () => void }) {
  const [links, setLinks] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [settings, setSettings] = useState(ov.settings!);
  const actorName = (a: string | null) => (a ? (ov.scenarios[0]?.actorNames[a] ?? a) : '—');
  return (
    <>
      <section className="panel" aria-labelledby="parties-h">
        <h2 id="parties-h">Parties</h2>
        <ScrollRegion label="Parties table">
          <table className="grid talks-grid">
            <thead>
              <tr>
                <th scope="col">party</th>
                <th scope="col">speaks for</th>
                <th scope="col">joined</th>
                <th scope="col">positions</th>
                <th scope="col">invitation</th>
              </tr>
            </thead>
            <tbody>
              {ov.delegations!.map((d) => (
                <tr key={d.id}>
                  <th scope="row">
                    {d.label}
                    {d.kind === 'observer' ? <span className="pill">observer</span> : null}
                  </th>
                  <td>{actorName(d.actor)}</td>
                  <td>
                    {d.members.length ? (
                      d.members.map((m) => (
                        <div key={m.userId}>
                          <span className="status good">joined</span> {m.name}{' '}
                          <span className="muted small">{when(m.joinedAt)}</span>
                        </div>
                      ))
                    ) : (
                      <span className="muted">not yet</span>
                    )}
                  </td>
                  <td>
                    {d.kind === 'observer' ? (
                      <span className="muted">—</span>
                    ) : d.positions?.submittedAt ? (
                      <span className="status good">submitted {when(d.positions.submittedAt)}</span>
                    ) : d.positions ? (
                      <span className="pill">draft saved</span>
                    ) : (
                      <span className="muted">none yet</span>
                    )}
                  </td>
                  <td>
                    {links[d.id] ? (
                      <CopyField label={`Single-use link for ${d.label}`} value={links[d.id]!} />
                    ) : (
                      <ActionButton
                        className="secondary small"
                        onError={setError}
                        run={async () => {
                          const link = await invitationLink(
                            `/api/talks/${ov.id}/invitations`,
                            { delegation: d.id },
                            '/talks/join',
                          );
                          setLinks({ ...links, [d.id]: link });
                          reload();
                        }}
                      >
                        Create invitation link
                      </ActionButton>
                    )}
                    {d.invitations
                      .filter((i) => i.status === 'pending')
                      .map((i) => (
                        <div key={i.id} className="small">
                          <span className="pill">pending</span> until {when(i.expiresAt)}{' '}
                          <DeleteButton url={`/api/talks/${ov.id}/invitations/${i.id}`} then={reload}>
                            Revoke
                          </DeleteButton>
                        </div>
                      ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
        <p className="muted small">
          Hand each link to its delegation yourself, by a channel you trust. A link works once and for seven
          days; it names only the codename. Suggested message: “You are invited to {ov.codename}. Open this
          link once: …”
        </p>
        <ErrorLine error={error} />
      </section>
      <section className="panel" aria-labelledby="settings-h">
        <h2 id="settings-h">Simulation settings</h2>
        <form
          className="row wrap"
          onSubmit={async (e) => {
            e.preventDefault();
            try {
              await put(`/api/talks/${ov.id}/settings`, settings);
              reload();
            } catch (err) {
              setError(errText(err));
            }
          }}
        >
          <SettingField
            label="Runs per arm"
            min={100}
            step={100}
            value={settings.runs}
            set={(runs) => setSettings({ ...settings, runs })}
          />
          <SettingField
            label="Most runs per arm"
            min={100}
            step={100}
            value={settings.maxRuns ?? 200_000}
            set={(maxRuns) => setSettings({ ...settings, maxRuns })}
            hint={{
              id: 'max-runs-hint',
              text: 'The gap ranking adds runs until each gap’s interval is ±0.1 points, up to this many.',
            }}
          />
          <SettingField
            label="Seed"
            min={0}
            value={settings.seed}
            set={(seed) => setSettings({ ...settings, seed })}
          />
          <SettingField
            label={<Term id="smallest-gap">Smallest gap ranked</Term>}
            min={0}
            max={1}
            step={0.01}
            value={settings.threshold}
            set={(threshold) => setSettings({ ...settings, threshold })}
            hint={{
              id: 'threshold-hint',
              text: (
                <>
                  A share from 0 to 1: {settings.threshold} = {pct(settings.threshold || 0, 0)}. Smaller gaps
                  count as aligned and are not ranked.
                </>
              ),
            }}
          />
          <button type="submit" className="secondary">
            Save settings
          </button>
        </form>
      </section>
    </>
  );
}

export function AgendaPanel({ ov, reload }: { ov: Overview; reload: () => void }) {
  const [sel, setSel] = useState(() => Object.fromEntries(ov.fullAgenda!.map((s) => [s.path, s.selected])));
  const [saved, setSaved] = useState('');
  const [error, setError] = useState('');
  const party = (actor: string) =>
    ov.parties.find((p) => p.actor === actor && p.kind === 'delegation')?.label ?? actor;
  return (
    <section className="panel" aria-labelledby="agenda-h">
      <h2 id="agenda-h">Agenda</h2>
      <p className="muted small">
        Each delegation answers the triggers its actor’s doctrine responds to. The share is how often the
        trigger came up in 300 pilot runs of the scenario; a trigger that never came up can still matter (a
        strike is rare and decisive). Triggers answered by a choice on expected utility are those where
        expectations of the others count.
      </p>
      {ov.fullAgenda!.map((s) => (
        <div key={s.path}>
          <h3>{ov.scenarios.find((x) => x.path === s.path)?.title}</h3>
          <div className="grid2">
            {Object.entries(s.triggers).map(([actor, ts]) => (
              <fieldset key={actor}>
                <legend>{party(actor)} answers</legend>
                {ts.map((t) => (
                  <ListCheck
                    key={t.id}
                    id={t.id}
                    selected={sel[s.path]?.[actor] ?? []}
                    onChange={(next) => {
                      setSel({ ...sel, [s.path]: { ...sel[s.path], [actor]: next } });
                      setSaved('');
                    }}
                  >
                    {t.label} <span className="rung">{t.rung}</span>
                    <br />
                    <span className="muted small">
                      {pct(t.frequency, 1)} of pilot runs ·{' '}
                      {t.doctrine.kind === 'choose' ? 'chosen on expected utility' : 'a fixed table'}
                    </span>
                  </ListCheck>
                ))}
              </fieldset>
            ))}
          </div>
        </div>
      ))}
      <ActionRow error={error} message={saved}>
        <ActionButton
          className="primary"
          onError={setError}
          run={andShow(
            () => put(`/api/talks/${ov.id}/agenda`, { selected: sel }),
            setSaved,
            'Agenda saved.',
            reload,
          )}
        >
          Save the agenda
        </ActionButton>
      </ActionRow>
    </section>
  );
}

/** One number of the simulation settings, with a hint under it when one is given. */
function SettingField(props: {
  label: React.ReactNode;
  value: number;
  set: (value: number) => void;
  min: number;
  max?: number;
  step?: number;
  hint?: { id: string; text: React.ReactNode };
}) {
  return (
    <label className="field small-field">
      <span>{props.label}</span>
      <input
        type="number"
        min={props.min}
        max={props.max}
        step={props.step}
        value={props.value}
        aria-describedby={props.hint?.id}
        onChange={(e) => props.set(Number(e.target.value))}
      />
      {props.hint ? (
        <small id={props.hint.id} className="field-hint muted">
          {props.hint.text}
        </small>
      ) : null}
    </label>
  );
}

/** A row of buttons: the last error above it, the last outcome (`message`) after it. */
function ActionRow({
  error,
  message,
  children,
}: {
  error: string;
  message: string;
  children: React.ReactNode;
}) {
  return (
    <>
      <ErrorLine error={error} />
      <div className="row">
        {children}
        <span className="muted" aria-live="polite">
          {message}
        </span>
      </div>
    </>
  );
}

/** What a host's button does: `run`, then `message` shown and the overview reloaded. */
function andShow(
  run: () => Promise<unknown>,
  show: (message: string) => void,
  message: string,
  reload: () => void,
) {
  return async () => {
    await run();
    show(message);
    reload();
  };
}

/** Starts and follows the latest analysis of a kind. */
function useAnalysis(dlg: string, kind: 'gaps' | 'protocols') {
  const [analysis, setAnalysis] = useState<Analysis | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    const list = await get<AnalysisRef[]>(`/api/talks/${dlg}/analyses`);
    const latest = list.find((a) => a.kind === kind);
    setAnalysis(latest ? await get<Analysis>(`/api/talks/${dlg}/analyses/${latest.id}`) : null);
  }, [dlg, kind]);
  useEffect(() => {
    void load().catch((e) => setError(errText(e)));
  }, [load]);
  const active = analysis?.status === 'queued' || analysis?.status === 'running';
  useEffect(() => {
    if (!active || !analysis) return;
    const t = setInterval(() => {
      void get<Analysis>(`/api/talks/${dlg}/analyses/${analysis.id}`).then(setAnalysis, () => {});
    }, 600);
    return () => clearInterval(t);
  }, [active, analysis, dlg]);
  const start = async () => {
    setError('');
    try {
      const r = await post<{ id: string }>(`/api/talks/${dlg}/analyses`, { kind });
      setAnalysis(await get<Analysis>(`/api/talks/${dlg}/analyses/${r.id}`));
    } catch (e) {
      setError(errText(e));
    }
  };
  const publish = async (published: boolean) => {
    if (!analysis) return;
    setAnalysis({ ...analysis, published });
    try {
      await post(`/api/talks/${dlg}/analyses/${analysis.id}/publish`, { published });
    } catch (e) {
      setError(errText(e));
    }
    await load();
  };
  return { analysis, error, start, active, publish };
}

/** The latest analysis's error, progress (with Cancel) or outcome, and whether it is stale. */
function AnalysisState({ dlg, a, error }: { dlg: string; a: Analysis | null; error: string }) {
  return (
    <>
      <ErrorLine error={error} />
      {a ? (
        <AnalysisStatus a={a} onCancel={() => void post(`/api/talks/${dlg}/analyses/${a.id}/cancel`)} />
      ) : null}
      {a?.status === 'done' ? <StaleNote f={a} /> : null}
    </>
  );
}

/** Sharing a finished analysis with the parties (what each sees: `children`). */
function ShareSwitch({
  a,
  publish,
  children,
}: {
  a: Analysis;
  publish: (published: boolean) => Promise<void>;
  children: React.ReactNode;
}) {
  return (
    <label className="switch">
      <input type="checkbox" checked={a.published} onChange={(e) => void publish(e.target.checked)} />
      <span>{children}</span>
    </label>
  );
}

function AnalysisStatus({ a, onCancel }: { a: Analysis; onCancel: () => void }) {
  if (a.status === 'queued' || a.status === 'running')
    return (
      <div className="row">
        <div style={{ flex: 1 }}>
          <ProgressBar done={a.progress?.done ?? 0} total={a.progress?.total ?? 1} label="Simulating" />
        </div>
        <button type="button" className="ghost small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    );
  if (a.status === 'failed')
    return <p className="banner error">The analysis failed: {a.result?.error ?? 'unknown reason'}</p>;
  if (a.status === 'cancelled' || a.status === 'interrupted')
    return <p className="banner warn">The last analysis was {a.status}. Run it again.</p>;
  return null;
}

export function GapsPanel({ ov }: { ov: Overview }) {
  const { analysis: a, error, start, active, publish } = useAnalysis(ov.id, 'gaps');
  const label = (actor: string) =>
    ov.parties.find((p) => p.actor === actor && p.kind === 'delegation')?.label ?? actor;
  const result = a?.status === 'done' && a.result?.kind === 'gaps' ? a.result : null;
  const missing = ov.delegations!.filter((d) => d.kind === 'delegation' && !d.positions?.submittedAt);
  return (
    <section className="panel" aria-labelledby="gaps-h">
      <div className="row space">
        <h2 id="gaps-h">Expectation gaps, ranked by their effect on escalation risk</h2>
        <button type="button" className="primary" disabled={active || missing.length > 0} onClick={start}>
          {result ? 'Rank again' : 'Rank the gaps'}
        </button>
      </div>
      {missing.length ? (
        <p className="banner warn">
          Waiting for the positions of {missing.map((d) => d.label).join(' and ')}.
        </p>
      ) : null}
      <p className="muted small">
        A gap is what one delegation expects another to do after a trigger against what that delegation
        declared (its size: the share of probability that would have to move, 0–100%). Each gap is closed in
        turn — the expectation set to the declaration — and P(war or worse) and P(lethal clash or worse) are
        compared with the declared positions over the same runs (<Term id="crn">paired</Term>, in{' '}
        <Term id="pts">points</Term>).
      </p>
      <AnalysisState dlg={ov.id} a={a} error={error} />
      {result
        ? result.results.map((r) => (
            <div key={r.scenario}>
              <BaseLine war={r.base.war} lethal={r.base.lethal} runs={r.base.manifest.runs} />
              <VenueLine venue={r.venue} />
              <table className="effects gaps-table">
                <caption className="sr-only">Gaps ranked by their effect on P(war or worse)</caption>
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">gap</th>
                    <th scope="col">expected → declared</th>
                    <th scope="col">size</th>
                    <th scope="col">closing it: P(war or worse)</th>
                    <th scope="col">closing it: P(lethal clash or worse)</th>
                  </tr>
                </thead>
                {[true, false].map((clear) => {
                  const gaps = r.ranked.filter((g) => (g.clear ?? true) === clear);
                  if (!gaps.length) return null;
                  return (
                    <tbody key={String(clear)}>
                      <tr className="group">
                        <th scope="colgroup" colSpan={6}>
                          {clear
                            ? 'Closing these clearly changes P(war or worse): the interval excludes 0'
                            : 'No clear effect on P(war or worse): the interval includes 0'}
                        </th>
                      </tr>
                      {gaps.map((g) => {
                        const opts =
                          ov.scenarios
                            .find((s) => s.path === r.scenario)
                            ?.triggers[g.of]?.find((t) => t.id === g.trigger)?.options ?? [];
                        return (
                          <tr key={`${g.holder}-${g.trigger}`}>
                            <td>{g.rank}</td>
                            <th scope="row">
                              {label(g.holder)} expects of {label(g.of)}
                              <div className="muted small">after: {g.triggerLabel}</div>
                            </th>
                            <td className="small">
                              <div>
                                <span className="muted">expects</span>{' '}
                                <DistWords dist={g.expected} options={opts} />
                              </div>
                              <div>
                                <span className="muted">declared</span>{' '}
                                <DistWords dist={g.declared} options={opts} />
                              </div>
                            </td>
                            <td className="num">{pct(g.size, 0)}</td>
                            <td>
                              <GapDelta d={g.war} />
                              {g.runs ? (
                                <div className="muted small">{g.runs.toLocaleString()} runs per arm</div>
                              ) : null}
                              {g.why ? <div className="small why">Why: {g.why}.</div> : null}
                            </td>
                            <td>
                              <GapDelta d={g.lethal} />
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  );
                })}
              </table>
              {r.aligned.length ? (
                <p className="muted small">
                  {r.aligned.length} further pair(s) of expectation and declaration differ by less than{' '}
                  {pct(r.threshold, 0)}: aligned.
                </p>
              ) : null}
              <details className="manifest">
                <summary>Run manifests</summary>
                <dl>
                  <dt>scenario</dt>
                  <dd>
                    {r.base.manifest.scenario} · id {r.base.manifest.hash.slice(0, 16)}
                  </dd>
                  <dt>engine · seed · runs</dt>
                  <dd>
                    {r.base.manifest.engine} · {r.base.manifest.seed} ·{' '}
                    {r.base.manifest.runs.toLocaleString()}
                  </dd>
                  <dt>positions</dt>
                  <dd>
                    {r.base.manifest.positions.slice(0, 16)} (a keyed identifier of the declared positions:
                    the same positions give the same identifier)
                  </dd>
                </dl>
              </details>
            </div>
          ))
        : null}
      {result ? (
        <ShareSwitch a={a!} publish={publish}>
          Share with the delegations — each sees only the gaps it is party to that the other party agreed to
          show, and never the numbers of anyone’s positions.
        </ShareSwitch>
      ) : null}
    </section>
  );
}

/** Whether the gap ranking took the talks as held, or how often they took place. */
function VenueLine({ venue }: { venue: import('./types.ts').GapRanking['venue'] }) {
  if (venue === undefined) return null;
  if (venue === null)
    return (
      <p className="muted small">The scenario models no talks: each gap is taken as closed in every run.</p>
    );
  return (
    <p className="small">
      A gap is closed only where the talks take place: <b>{venue.title}</b> took place in{' '}
      <b>
        <Share p={venue.happened} />
      </b>{' '}
      of {venue.runs.toLocaleString()} runs (Beijing declined or no round was convened in the others).
    </p>
  );
}

/** A share with its 95% interval: `61.2% [60.3, 62.1]`. */
function Share({ p }: { p: { p: number; ci95: [number, number] } }) {
  return (
    <span className="num">
      {pct(p.p, 1)}{' '}
      <span className="muted small">
        [{(p.ci95[0] * 100).toFixed(1)}, {(p.ci95[1] * 100).toFixed(1)}]
      </span>
    </span>
  );
}

/** The value of hosting: P(talks happen), P(they leak), and the fall in P(war), with intervals. */
function HostingBox({ h }: { h: NonNullable<import('./types.ts').ProtocolResults['hosting']> }) {
  const v = h.value;
  const id = useId();
  const words = hostingVerdict(v.ci95);
  const verdict = `${words[0]!.toUpperCase()}${words.slice(1)}.`;
  return (
    <section className="hosting" aria-labelledby={id}>
      <h3 id={id}>Hosting: {h.venue.title}</h3>
      <div className="kpis">
        <div className="kpi">
          <div className="kpi-value">
            <Share p={h.happened} />
          </div>
          <div className="kpi-label">P(talks happen)</div>
          <div className="muted small">Beijing takes part and the rounds are convened</div>
        </div>
        <div className="kpi">
          <div className="kpi-value">
            <Share p={h.leaked} />
          </div>
          <div className="kpi-label">P(they leak)</div>
          <div className="muted small">at the venue’s own leak chance</div>
        </div>
        <div className="kpi">
          <div className="kpi-value num">
            <DeltaPts d={v} />
          </div>
          <div className="kpi-label">value of hosting</div>
          <div className="muted small">
            fall in P(war or worse), {h.of === 'package' ? 'with the agreed package' : 'talks alone'}, leaks
            included
          </div>
        </div>
      </div>
      <p className="small">{verdict} Protocols take effect only in the runs where the talks take place.</p>
    </section>
  );
}

/** A paired difference in points with its 95% interval. */
function DeltaPts({ d }: { d: { d: number; ci95: readonly [number, number] } }) {
  return (
    <>
      {`${d.d > 0 ? '+' : ''}${(d.d * 100).toFixed(2)} pts`}{' '}
      <span className="muted small">
        [{(d.ci95[0] * 100).toFixed(2)}, {(d.ci95[1] * 100).toFixed(2)}]
      </span>
    </>
  );
}

function GapDelta({ d }: { d: import('./types.ts').PairedDelta }) {
  const range = Math.max(0.0005, ...d.ci95.map(Math.abs));
  return (
    <div className="gap-delta">
      <span className="num">
        <DeltaPts d={d} />
      </span>
      <MiniBar d={d} range={range} />
    </div>
  );
}

function MiniBar({ d, range }: { d: import('./types.ts').PairedDelta; range: number }) {
  const w = 120;
  const x = (v: number) => Math.max(0, Math.min(w, w / 2 + (v / range) * (w / 2)));
  const c = d.ci95[1] < 0 ? 'var(--good)' : d.ci95[0] > 0 ? 'var(--bad)' : '#64748b';
  return (
    <svg width={w} height={12} aria-hidden="true">
      <line x1={w / 2} y1={0} x2={w / 2} y2={12} stroke="#94a3b8" />
      <line x1={x(d.ci95[0])} y1={6} x2={x(d.ci95[1])} y2={6} stroke={c} strokeWidth={3} />
      <circle cx={x(d.d)} cy={6} r={3} fill={c} />
    </svg>
  );
}

export function SimulationPanel({ ov }: { ov: Overview }) {
  const { analysis: a, error, start, active, publish } = useAnalysis(ov.id, 'protocols');
  const result = a?.status === 'done' && a.result?.kind === 'protocols' ? a.result : null;
  return (
    <section className="panel" aria-labelledby="sim-h">
      <div className="row space">
        <h2 id="sim-h">Simulated effects of the drafts and the package</h2>
        <button type="button" className="primary" disabled={active} onClick={start}>
          {result ? 'Simulate again' : 'Simulate the drafts'}
        </button>
      </div>
      <p className="muted small">
        Each draft is applied to the scenario with the declared positions and compared with it over the same
        runs; the package joins every draft all its parties agreed to. Then the package is run with the talks
        leaking more and more often: a leak tells Pyongyang that Beijing plans with Washington, and the talks
        may end.
      </p>
      <AnalysisState dlg={ov.id} a={a} error={error} />
      {result
        ? result.results.map((r) => (
            <div key={r.scenario}>
              <BaseLine war={r.base.war} lethal={r.base.lethal} runs={result.settings.runs} />
              {r.hosting ? (
                <HostingBox h={r.hosting} />
              ) : r.hosting === null ? (
                <p className="muted small">The scenario models no talks: every draft is taken as held.</p>
              ) : null}
              <EffectsTable
                caption="Change in risk with each draft and with the package"
                rows={[
                  ...r.drafts.map((d) => ({
                    key: d.draft,
                    label: (
                      <>
                        {d.label}
                        {result.agreed.includes(d.draft) ? (
                          <span className="status good">agreed</span>
                        ) : (
                          <span className="pill">draft</span>
                        )}
                      </>
                    ),
                    war: d.war,
                    lethal: d.lethal,
                  })),
                  ...packageRow('package', r.package),
                ]}
              />
              {r.leak ? (
                <LeakSection leak={r.leak} />
              ) : (
                <p className="muted">No draft is agreed yet: there is no package to test against leaks.</p>
              )}
            </div>
          ))
        : null}
      {result ? (
        <ShareSwitch a={a!} publish={publish}>
          Share with the parties (each sees the drafts it is party to, the package and the leak analysis).
        </ShareSwitch>
      ) : null}
    </section>
  );
}

export function PlaybookPanel({ ov, reload }: { ov: Overview; reload: () => void }) {
  const members = ov.delegations!.flatMap((d) => d.members.map((m) => ({ ...m, party: d.label })));
  const [users, setUsers] = useState<string[]>(ov.distribution!.distribution);
  const [extra, setExtra] = useState(ov.distribution!.extra);
  const [msg, setMsg] = useState('');
  const [error, setError] = useState('');
  const saveList = () =>
    put(`/api/talks/${ov.id}/playbook/distribution`, { users, extra: extra.filter((x) => x.name && x.role) });
  return (
    <section className="panel" aria-labelledby="pb-h">
      <h2 id="pb-h">Playbook</h2>
      <p className="muted small">
        The agreed protocols, their simulated effects with intervals, the remaining gaps both parties agreed
        to show (without the numbers of anyone’s positions), the run manifests, and the distribution list. The
        HTML file is self-contained and prints to PDF from the browser.
      </p>
      <PlaybookLinks dialogue={ov.id} />
      <h3>Distribution list</h3>
      <fieldset>
        <legend>Members who receive it</legend>
        {members.map((m) => (
          <label className="check" key={m.userId}>
            <input
              type="checkbox"
              checked={users.includes(m.userId)}
              onChange={() =>
                setUsers(
                  users.includes(m.userId) ? users.filter((u) => u !== m.userId) : [...users, m.userId],
                )
              }
            />
            <span>
              {m.name} <span className="muted">({m.party})</span>
            </span>
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Others named on the list</legend>
        {extra.map((x, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: plain rows
          <div className="row" key={i}>
            <input
              aria-label="Name"
              value={x.name}
              onChange={(e) => setExtra(extra.map((y, k) => (k === i ? { ...y, name: e.target.value } : y)))}
            />
            <input
              aria-label="Role"
              value={x.role}
              onChange={(e) => setExtra(extra.map((y, k) => (k === i ? { ...y, role: e.target.value } : y)))}
            />
            <SmallButton onClick={() => setExtra(extra.filter((_, k) => k !== i))}>Remove</SmallButton>
          </div>
        ))}
        <SmallButton onClick={() => setExtra([...extra, { name: '', role: '' }])}>
          Add a recipient
        </SmallButton>
      </fieldset>
      <ActionRow
        error={error}
        message={msg || (ov.distribution!.issuedAt ? `Issued ${when(ov.distribution!.issuedAt)}` : '')}
      >
        <ActionButton
          className="secondary"
          onError={setError}
          run={andShow(saveList, setMsg, 'Distribution list saved.', reload)}
        >
          Save the list
        </ActionButton>
        <ActionButton
          className="primary"
          onError={setError}
          run={andShow(
            async () => {
              await saveList();
              await post(`/api/talks/${ov.id}/playbook/issue`);
            },
            setMsg,
            'Issued: the members on the list can download the playbook.',
            reload,
          )}
        >
          Issue to the list
        </ActionButton>
      </ActionRow>
    </section>
  );
}

export function NotesPanel({ ov }: { ov: Overview }) {
  const [text, setText] = useState<string | null>(null);
  const [msg, setMsg] = useState('');
  useEffect(() => {
    void get<{ text: string }>(`/api/talks/${ov.id}/notes`).then((r) => setText(r.text));
  }, [ov.id]);
  return (
    <section className="panel" aria-labelledby="notes-h">
      <h2 id="notes-h">Private notes</h2>
      <p className="muted small">Only you see these; they are sealed like the positions.</p>
      <label className="field">
        <span className="sr-only">Notes</span>
        <textarea
          rows={12}
          value={text ?? ''}
          disabled={text === null}
          onChange={(e) => {
            setText(e.target.value);
            setMsg('');
          }}
        />
      </label>
      <div className="row">
        <button
          type="button"
          className="primary"
          onClick={async () => {
            await put(`/api/talks/${ov.id}/notes`, { text: text ?? '' });
            setMsg('Saved.');
          }}
        >
          Save notes
        </button>
        <span className="muted" aria-live="polite">
          {msg}
        </span>
      </div>
    </section>
  );
}

export function AuditPanel({ ov }: { ov: Overview }) {
  const [log, setLog] = useState<AuditLog | null>(null);
  const party = (id: string | null) =>
    id ? (ov.parties.find((p) => p.id === id)?.label ?? '') : ov.hostLabel;
  useEffect(() => {
    void get<AuditLog>(`/api/talks/${ov.id}/audit`).then(setLog);
  }, [ov.id]);
  if (!log) return <p className="muted">Loading…</p>;
  const v = log.verification;
  return (
    <section className="panel" aria-labelledby="audit-h">
      <h2 id="audit-h">Audit log</h2>
      {v.ok ? (
        <p className="banner good-banner" data-testid="audit-ok">
          The hash chain verifies: {v.entries} entries, head <code>{v.head.slice(0, 16)}</code>.
        </p>
      ) : (
        <p className="banner error" role="alert" data-testid="audit-bad">
          Tampering detected at row {v.row}: {v.problem}.
        </p>
      )}
      <ScrollRegion className="audit-scroll" label="Audit entries">
        <DataTable
          className="grid talks-grid audit"
          head={['#', 'when', 'who', 'what', 'on', '']}
          classes={['num', 'small', undefined, undefined, 'small muted']}
          rows={[...log.entries].reverse()}
          rowKey={(e) => e.seq}
          rowClass={(e) => (e.outcome === 'denied' ? 'denied' : '')}
          cells={(e) => [
            e.seq,
            when(e.at),
            <>
              {e.user} <span className="muted small">{party(e.delegationId)}</span>
            </>,
            <code key="a">{e.action}</code>,
            e.target.split(':')[0],
            e.outcome === 'denied' ? (
              <span key="o" className="status bad">
                refused
              </span>
            ) : null,
          ]}
        />
      </ScrollRegion>
    </section>
  );
}
