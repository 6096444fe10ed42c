// The scenario library of a workspace: search, tags, new from a template, members.
import { useEffect, useMemo, useState } from 'react';
import { CreateScenarioBody, CreateWorkspaceBody } from '../../../src/server/schemas.ts';
import {
  del,
  errText,
  get,
  type Me,
  patch,
  post,
  type Role,
  type ScenarioDetail,
  type ScenarioSummary,
  type WorkspaceRef,
} from '../api.ts';
import { CheckedForm, FormError, TextField, useFieldErrors } from '../components/forms.tsx';
import { Page } from '../components/Page.tsx';
import { ScrollRegion } from '../components/ScrollRegion.tsx';
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
    <Page
      title="Scenarios"
      actions={canEdit ? <NewScenario ws={ws} /> : null}
      intro={
        <>
          Workspace “{ws.name}” · you are{' '}
          {ws.role === 'owner' ? 'an owner' : `an ${ws.role}`.replace('an viewer', 'a viewer')}
        </>
      }
    >
      <MyInvitations onAccepted={(w) => location.assign(`/w/${w.id}`)} />
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
      <p className="muted">
        <Link to={`/w/${ws.id}/members`}>Members of this workspace</Link>
        {ws.role === 'owner' ? ': add colleagues, change their role or remove them.' : '.'}
      </p>
    </Page>
  );
}

function NewScenario({ ws }: { ws: WorkspaceRef }) {
  const [open, setOpen] = useState(false);
  const [templates, setTemplates] = useState<Template[]>([]);
  const [template, setTemplate] = useState('korea-trigger');
  const [path, setPath] = useState('my-scenario.yaml');
  const form = useFieldErrors(CreateScenarioBody, { path: 'File name' });
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
    <CheckedForm
      className="panel new-scenario"
      label="New scenario"
      form={form}
      body={() => ({ path, template, tags: ['draft'] })}
      send={async (body) => {
        const s = await post<ScenarioDetail>(`/api/workspaces/${ws.id}/scenarios`, body);
        navigate(`/w/${ws.id}/s/${s.id}`);
      }}
    >
      <TextField
        form={form}
        name="path"
        label="File name"
        value={path}
        onChange={setPath}
        required
        hint="Ends in .yaml; letters, digits, - _ . / (e.g. my-scenario.yaml)."
      />
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
      <FormError form={form} />
      <div className="row">
        <button type="submit" className="primary">
          Create
        </button>
        <button type="button" className="ghost" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </CheckedForm>
  );
}

interface Member {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** For owners: the member's sign-in is locked after failed tries. */
  signInLocked?: boolean;
}

const ROLE_HINT: Record<Role, string> = {
  viewer: 'reads scenarios, runs and reports',
  analyst: 'also edits scenarios and starts runs and analyses',
  owner: 'also invites, changes and removes members',
};

/** The members of a workspace: who has which role; an owner adds, changes and removes them. */
export function MembersPage({ ws, me }: { ws: WorkspaceRef; me: Me }) {
  return (
    <Page
      title="Members"
      intro={
        <>
          Workspace “{ws.name}”: <strong>viewers</strong> {ROLE_HINT.viewer}; <strong>analysts</strong>{' '}
          {ROLE_HINT.analyst}; <strong>owners</strong> {ROLE_HINT.owner}. A workspace keeps at least one
          owner.
        </>
      }
    >
      <MyInvitations onAccepted={(w) => location.assign(`/w/${w.id}`)} />
      <Members ws={ws} me={me} />
      <NewWorkspace />
    </Page>
  );
}

function Members({ ws, me }: { ws: WorkspaceRef; me: Me }) {
  const [members, setMembers] = useState<Member[]>([]);
  const [msg, setMsg] = useState<{ text: string; error?: boolean }>({ text: '' });
  const reload = () => void get<Member[]>(`/api/workspaces/${ws.id}/members`).then(setMembers);
  useEffect(reload, [ws.id]);
  const owner = ws.role === 'owner';
  const owners = members.filter((m) => m.role === 'owner').length;
  const act = async (what: () => Promise<unknown>, done: string) => {
    setMsg({ text: '' });
    try {
      await what();
      setMsg({ text: done });
      reload();
    } catch (err) {
      setMsg({ text: errText(err), error: true });
      reload();
    }
  };
  return (
    <section className="members" aria-labelledby="members-h">
      <h2 id="members-h">People in this workspace</h2>
      <ScrollRegion label="Members table">
        <table className="grid members-table">
          <thead>
            <tr>
              <th scope="col">name</th>
              <th scope="col">email</th>
              <th scope="col">role</th>
              {owner ? (
                <th scope="col">
                  <span className="sr-only">actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          <tbody>
            {members.map((m) => {
              const lastOwner = m.role === 'owner' && owners === 1;
              const self = m.id === me.user.id;
              return (
                <tr key={m.id}>
                  <th scope="row">
                    {m.name}
                    {self ? <span className="muted small"> (you)</span> : null}
                  </th>
                  <td>{m.email}</td>
                  <td>
                    {owner ? (
                      <label className="field inline">
                        <span className="sr-only">Role of {m.name}</span>
                        <select
                          value={m.role}
                          aria-describedby={lastOwner ? `last-owner-${m.id}` : undefined}
                          onChange={(e) => {
                            const role = e.target.value as Role;
                            void act(
                              () => patch(`/api/workspaces/${ws.id}/members/${m.id}`, { role }),
                              `${m.name} is now ${role === 'owner' ? 'an owner' : role === 'analyst' ? 'an analyst' : 'a viewer'}.`,
                            );
                          }}
                        >
                          <option value="viewer">viewer</option>
                          <option value="analyst">analyst</option>
                          <option value="owner">owner</option>
                        </select>
                      </label>
                    ) : (
                      m.role
                    )}
                    {owner && lastOwner ? (
                      <div id={`last-owner-${m.id}`} className="muted small">
                        the only owner: make someone else owner first
                      </div>
                    ) : null}
                  </td>
                  {owner ? (
                    <td>
                      <button
                        type="button"
                        className="ghost small"
                        disabled={lastOwner}
                        aria-label={`Remove ${m.name}`}
                        aria-describedby={lastOwner ? `last-owner-${m.id}` : undefined}
                        onClick={() => {
                          if (!confirm(`Remove ${m.name} (${m.email}) from “${ws.name}”?`)) return;
                          void act(
                            () => del(`/api/workspaces/${ws.id}/members/${m.id}`),
                            `${m.name} was removed from the workspace.`,
                          );
                        }}
                      >
                        Remove
                      </button>
                      {m.signInLocked ? (
                        <button
                          type="button"
                          className="ghost small"
                          onClick={() =>
                            void act(
                              () => post(`/api/workspaces/${ws.id}/members/${m.id}/unlock`),
                              `${m.name} can sign in again.`,
                            )
                          }
                        >
                          Clear sign-in lock of {m.name}
                        </button>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </ScrollRegion>
      <p role="status" className={msg.error ? 'error' : 'muted'} data-testid="members-status">
        {msg.text}
      </p>
      {owner ? <InviteMembers ws={ws} onChange={reload} /> : null}
    </section>
  );
}

function NewWorkspace() {
  const [name, setName] = useState('');
  const form = useFieldErrors(CreateWorkspaceBody, { name: 'Name' });
  return (
    <section className="members">
      <h2>Another workspace</h2>
      <p className="muted">A workspace has its own scenarios, runs and members; you become its owner.</p>
      <CheckedForm
        className="row wrap add-member"
        label="New workspace"
        form={form}
        body={() => ({ name, examples: true })}
        send={async (body) => {
          const w = await post<WorkspaceRef>('/api/workspaces', body);
          location.assign(`/w/${w.id}`);
        }}
      >
        <TextField form={form} name="name" label="Name" value={name} onChange={setName} required />
        <button type="submit" className="secondary">
          Create workspace (with the examples)
        </button>
        <FormError form={form} />
      </CheckedForm>
    </section>
  );
}
