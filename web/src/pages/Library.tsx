// The scenario library of a workspace: search, tags, new from a template, members.
import { useEffect, useMemo, useState } from 'react';
import {
  errText,
  get,
  post,
  type Role,
  type ScenarioDetail,
  type ScenarioSummary,
  type WorkspaceRef,
} from '../api.ts';
import { InviteMembers, MyInvitations } from '../members/Invitations.tsx';
import { Link, navigate } from '../router.tsx';

interface Template {
  id: string;
  title: string;
  description: string;
}

function when(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function Library({ ws }: { ws: WorkspaceRef }) {
  const [q, setQ] = useState('');
  const [tag, setTag] = useState<string | null>(null);
  const [list, setList] = useState<ScenarioSummary[] | null>(null);
  const [all, setAll] = useState<ScenarioSummary[]>([]);
  const [error, setError] = useState('');
  const canEdit = ws.role !== 'viewer';

  useEffect(() => {
    void get<ScenarioSummary[]>(`/api/workspaces/${ws.id}/scenarios?kind=all`).then(setAll, (e: Error) =>
      setError(e.message),
    );
  }, [ws.id]);
  useEffect(() => {
    const params = new URLSearchParams({ kind: 'all' });
    if (q) params.set('q', q);
    if (tag) params.set('tag', tag);
    const t = setTimeout(() => {
      void get<ScenarioSummary[]>(`/api/workspaces/${ws.id}/scenarios?${params}`).then(setList, (e: Error) =>
        setError(e.message),
      );
    }, 150);
    return () => clearTimeout(t);
  }, [ws.id, q, tag]);

  const tags = useMemo(() => [...new Set(all.flatMap((s) => s.tags))].sort(), [all]);
  const scenarios = (list ?? []).filter((s) => s.kind === 'scenario');
  const libraries = (list ?? []).filter((s) => s.kind === 'library');

  return (
    <div className="page">
      <div className="page-head">
        <div>
          <h1>Scenarios</h1>
          <p className="muted">
            Workspace “{ws.name}” · you are{' '}
            {ws.role === 'owner' ? 'an owner' : `an ${ws.role}`.replace('an viewer', 'a viewer')}
          </p>
        </div>
        {canEdit ? <NewScenario ws={ws} /> : null}
      </div>
      <search className="toolbar">
        <label className="search">
          <span className="sr-only">Search scenarios</span>
          <input
            type="search"
            placeholder="Search by name, title or tag…"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
        </label>
        <fieldset className="chips">
          <legend className="sr-only">Filter by tag</legend>
          <button
            type="button"
            className={tag === null ? 'chip on' : 'chip'}
            aria-pressed={tag === null}
            onClick={() => setTag(null)}
          >
            All
          </button>
          {tags.map((t) => (
            <button
              type="button"
              key={t}
              className={tag === t ? 'chip on' : 'chip'}
              aria-pressed={tag === t}
              onClick={() => setTag(tag === t ? null : t)}
            >
              {t}
            </button>
          ))}
        </fieldset>
      </search>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {list === null ? <p className="muted">Loading…</p> : null}
      <ul className="cards" aria-label="Scenarios">
        {scenarios.map((s) => (
          <li key={s.id} className="card">
            <Link to={`/w/${ws.id}/s/${s.id}`} className="card-link">
              <span className="card-title">{s.title}</span>
              <span className="card-path">{s.path}</span>
            </Link>
            <div className="card-foot">
              <span className="tags">
                {s.tags.map((t) => (
                  <span className="tag" key={t}>
                    {t}
                  </span>
                ))}
              </span>
              <span className="muted small">
                v{s.version} · {when(s.updatedAt)}
              </span>
            </div>
          </li>
        ))}
      </ul>
      {list && scenarios.length === 0 ? <p className="muted">No scenario matches.</p> : null}
      {libraries.length ? (
        <section className="libraries">
          <h2>Libraries</h2>
          <p className="muted">Shared actors, channels and interventions that scenarios extend.</p>
          <ul className="plain">
            {libraries.map((s) => (
              <li key={s.id}>
                <Link to={`/w/${ws.id}/s/${s.id}`}>{s.path}</Link>{' '}
                <span className="muted">
                  — {s.title} · v{s.version}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <MyInvitations onAccepted={(w) => location.assign(`/w/${w.id}`)} />
      <Members ws={ws} />
      <NewWorkspace />
    </div>
  );
}

function NewScenario({ ws }: { ws: WorkspaceRef }) {
  const [open, setOpen] = useState(false);
  const [templates, setTemplates] = useState<Template[]>([]);
  const [template, setTemplate] = useState('korea-trigger');
  const [path, setPath] = useState('my-scenario.yaml');
  const [error, setError] = useState('');
  useEffect(() => {
    if (open && !templates.length)
      void get<Template[]>(`/api/workspaces/${ws.id}/templates`).then(setTemplates);
  }, [open, ws.id, templates.length]);
  if (!open)
    return (
      <button type="button" className="primary" onClick={() => setOpen(true)}>
        New scenario
      </button>
    );
  return (
    <form
      className="panel new-scenario"
      aria-label="New scenario"
      onSubmit={async (e) => {
        e.preventDefault();
        setError('');
        try {
          const s = await post<ScenarioDetail>(`/api/workspaces/${ws.id}/scenarios`, {
            path,
            template,
            tags: ['draft'],
          });
          navigate(`/w/${ws.id}/s/${s.id}`);
        } catch (err) {
          setError(errText(err));
        }
      }}
    >
      <label className="field">
        <span>File name</span>
        <input value={path} onChange={(e) => setPath(e.target.value)} required />
      </label>
      <fieldset>
        <legend>Start from</legend>
        {templates.map((t) => (
          <label key={t.id} className="radio">
            <input
              type="radio"
              name="template"
              value={t.id}
              checked={template === t.id}
              onChange={() => setTemplate(t.id)}
            />
            <span>
              <strong>{t.title}</strong>
              <br />
              <small className="muted">{t.description}</small>
            </span>
          </label>
        ))}
      </fieldset>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="row">
        <button type="submit" className="primary">
          Create
        </button>
        <button type="button" className="ghost" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

interface Member {
  id: string;
  email: string;
  name: string;
  role: Role;
  signInLocked?: boolean;
}

function Members({ ws }: { ws: WorkspaceRef }) {
  const [members, setMembers] = useState<Member[]>([]);
  const reload = () => void get<Member[]>(`/api/workspaces/${ws.id}/members`).then(setMembers);
  useEffect(reload, [ws.id]);
  return (
    <section className="members">
      <h2>Members</h2>
      <table className="grid">
        <thead>
          <tr>
            <th scope="col">name</th>
            <th scope="col">email</th>
            <th scope="col">role</th>
            {ws.role === 'owner' ? <th scope="col">sign-in</th> : null}
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <tr key={m.id}>
              <td>{m.name}</td>
              <td>{m.email}</td>
              <td>{m.role}</td>
              {ws.role === 'owner' ? (
                <td>
                  {m.signInLocked ? (
                    <button
                      type="button"
                      className="ghost small"
                      onClick={async () => {
                        await post(`/api/workspaces/${ws.id}/members/${m.id}/unlock`);
                        reload();
                      }}
                    >
                      Clear sign-in lock
                    </button>
                  ) : (
                    <span className="muted">ok</span>
                  )}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {ws.role === 'owner' ? <InviteMembers ws={ws} onChange={reload} /> : null}
    </section>
  );
}

function NewWorkspace() {
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  return (
    <section className="members">
      <h2>Another workspace</h2>
      <p className="muted">A workspace has its own scenarios, runs and members; you become its owner.</p>
      <form
        className="row wrap add-member"
        aria-label="New workspace"
        onSubmit={async (e) => {
          e.preventDefault();
          setError('');
          try {
            const w = await post<WorkspaceRef>('/api/workspaces', { name, examples: true });
            location.assign(`/w/${w.id}`);
          } catch (err) {
            setError(errText(err));
          }
        }}
      >
        <label className="field">
          <span>Name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <button type="submit" className="secondary">
          Create workspace (with the examples)
        </button>
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
    </section>
  );
}
