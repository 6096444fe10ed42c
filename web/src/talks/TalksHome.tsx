// The talks room's entry: the dialogues one is in, one's notifications (codenames only), and, for an
// analyst of a workspace, convening a new dialogue on its scenarios.
import { useEffect, useState } from 'react';
import { errText, get, post, type ScenarioSummary, type WorkspaceRef } from '../api.ts';
import { SelectField, SmallButton } from '../components/forms.tsx';
import { Page } from '../components/Page.tsx';
import { Link, navigate } from '../router.tsx';
import type { DialogueRef, Notification } from './types.ts';
import { ErrorLine, when } from './ui.tsx';

const ROLE: Record<string, string> = { host: 'host', delegation: 'delegation', observer: 'observer' };

export function TalksHome({ workspaces }: { workspaces: WorkspaceRef[] }) {
  const [list, setList] = useState<DialogueRef[] | null>(null);
  const [notes, setNotes] = useState<Notification[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    document.title = 'Talks · Brink';
    void get<DialogueRef[]>('/api/talks').then(setList, (e: Error) => setError(e.message));
    void get<Notification[]>('/api/talks/notifications').then(setNotes, () => {});
  }, []);
  const canConvene = workspaces.filter((w) => w.role !== 'viewer');
  return (
    <Page
      title="Contingency talks"
      className="talks"
      intro={
        <>
          Discreet dialogues under a codename: each delegation declares, in private, what it would do and what
          it expects of the others; the host sees where expectations diverge and what closing each gap would
          change.
        </>
      }
    >
      <ErrorLine error={error} />
      <div className="grid2">
        <section className="panel" aria-labelledby="dlg-h">
          <h2 id="dlg-h">Your dialogues</h2>
          {list === null ? (
            <p className="muted">Loading…</p>
          ) : list.length === 0 ? (
            <p className="muted">
              You are in no dialogue yet. Convene one, or open the invitation link you were given.
            </p>
          ) : (
            <ul className="plain dialogue-list" aria-label="Dialogues">
              {list.map((d) => (
                <li key={d.id}>
                  <Link to={`/talks/${d.id}`} className="codename-link">
                    <span className="codename">{d.codename}</span>
                  </Link>
                  <span className="pill">{ROLE[d.role]}</span>
                  <span className="muted small">since {when(d.createdAt)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="panel" aria-labelledby="notes-h">
          <h2 id="notes-h">
            Notifications
            {notes.some((n) => !n.read) ? (
              <button
                type="button"
                className="ghost small"
                onClick={async () => {
                  await post('/api/talks/notifications/read');
                  setNotes(notes.map((n) => ({ ...n, read: true })));
                }}
              >
                Mark all read
              </button>
            ) : null}
          </h2>
          {notes.length === 0 ? (
            <p className="muted">Nothing new.</p>
          ) : (
            <ul className="plain notifications">
              {notes.slice(0, 12).map((n) => (
                <li key={n.id} className={n.read ? 'read' : 'unread'}>
                  <Link to={`/talks/${n.dialogueId}`}>{n.subject}</Link>{' '}
                  <span className="muted small">{when(n.createdAt)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      {canConvene.length ? <Convene workspaces={canConvene} /> : null}
    </Page>
  );
}

interface Row {
  label: string;
  actor: string;
  kind: 'delegation' | 'observer';
}

function Convene({ workspaces }: { workspaces: WorkspaceRef[] }) {
  const [ws, setWs] = useState(workspaces[0]!.id);
  const [scenarios, setScenarios] = useState<ScenarioSummary[]>([]);
  const [path, setPath] = useState('');
  const [actors, setActors] = useState<{ id: string; name: string; kind: string }[]>([]);
  const [codename, setCodename] = useState('');
  const [hostLabel, setHostLabel] = useState('EU facilitator');
  const [rows, setRows] = useState<Row[]>([
    { label: '', actor: '', kind: 'delegation' },
    { label: '', actor: '', kind: 'delegation' },
  ]);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void get<ScenarioSummary[]>(`/api/workspaces/${ws}/scenarios?kind=scenario`).then((l) => {
      const list = l.filter((s) => s.kind === 'scenario');
      setScenarios(list);
      setPath((p) => (list.some((s) => s.path === p) ? p : (list[0]?.path ?? '')));
    });
  }, [ws]);
  useEffect(() => {
    if (!path) return;
    void get<{ actors: { id: string; name: string; kind: string }[] }>(
      `/api/workspaces/${ws}/talks/actors?scenario=${encodeURIComponent(path)}`,
    ).then(
      (r) => setActors(r.actors),
      (e: Error) => setError(e.message),
    );
  }, [ws, path]);

  const set = (i: number, patch: Partial<Row>) =>
    setRows(rows.map((r, k) => (k === i ? { ...r, ...patch } : r)));

  return (
    <section className="panel convene" aria-labelledby="convene-h">
      <h2 id="convene-h">Convene a dialogue</h2>
      <p className="muted small">
        The codename is what every page title, link and notification shows. Pick the scenario the talks are
        about and the actor each delegation speaks for; the agenda (the triggers each delegation answers)
        comes from the scenario’s doctrine and can be trimmed afterwards. Invitations are single-use links you
        hand over yourself.
      </p>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError('');
          try {
            const r = await post<{ id: string }>(`/api/workspaces/${ws}/talks`, {
              codename,
              hostLabel,
              scenarios: [path],
              delegations: rows.map((r) => ({
                label: r.label,
                actor: r.kind === 'observer' ? null : r.actor,
                kind: r.kind,
              })),
            });
            navigate(`/talks/${r.id}`);
          } catch (err) {
            setError(errText(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <div className="row wrap">
          <label className="field">
            <span>Codename</span>
            <input
              value={codename}
              onChange={(e) => setCodename(e.target.value)}
              placeholder="e.g. BLUE HERON"
              required
            />
          </label>
          <label className="field">
            <span>You appear as</span>
            <input value={hostLabel} onChange={(e) => setHostLabel(e.target.value)} required />
          </label>
          {workspaces.length > 1 ? (
            <SelectField
              label="Workspace"
              value={ws}
              onChange={setWs}
              options={workspaces.map((w) => [w.id, w.name] as const)}
            />
          ) : null}
          <SelectField
            label="Scenario on the agenda"
            value={path}
            onChange={setPath}
            options={scenarios.map((s) => [s.path, s.title] as const)}
          />
        </div>
        <fieldset>
          <legend>Delegations and observers</legend>
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity before they are saved
            <div className="row wrap" key={i}>
              <label className="field">
                <span>Name of party {i + 1}</span>
                <input
                  value={r.label}
                  onChange={(e) => set(i, { label: e.target.value })}
                  placeholder="e.g. US delegation"
                  required
                />
              </label>
              <label className="field">
                <span>Role of party {i + 1}</span>
                <select value={r.kind} onChange={(e) => set(i, { kind: e.target.value as Row['kind'] })}>
                  <option value="delegation">delegation</option>
                  <option value="observer">observer</option>
                </select>
              </label>
              {r.kind === 'delegation' ? (
                <label className="field">
                  <span>Speaks for (actor) of party {i + 1}</span>
                  <select value={r.actor} onChange={(e) => set(i, { actor: e.target.value })} required>
                    <option value="">Choose…</option>
                    {actors
                      .filter((a) => a.kind === 'state')
                      .map((a) => (
                        <option key={a.id} value={a.id}>
                          {a.name} ({a.id})
                        </option>
                      ))}
                  </select>
                </label>
              ) : null}
              {rows.length > 2 ? (
                <SmallButton onClick={() => setRows(rows.filter((_, k) => k !== i))}>Remove</SmallButton>
              ) : null}
            </div>
          ))}
          <SmallButton onClick={() => setRows([...rows, { label: '', actor: '', kind: 'delegation' }])}>
            Add a party
          </SmallButton>
        </fieldset>
        <ErrorLine error={error} />
        <button type="submit" className="primary" disabled={busy || !path}>
          {busy ? 'Convening… (deriving the agenda)' : 'Convene'}
        </button>
      </form>
    </section>
  );
}
