// Protocol drafts: what the caller may see of them (all for the host, those it is party to for a
// delegation, those released to observers), drafting and agreeing.
import { useCallback, useEffect, useState } from 'react';
import { errText, get, post, put } from '../api.ts';
import { DeleteButton } from '../components/forms.tsx';
import type { Draft, DraftMapping, InterventionList, Overview } from './types.ts';
import { ErrorLine, ListCheck, when } from './ui.tsx';

interface Editing {
  id: string | null;
  version: number;
  title: string;
  text: string;
  parties: string[];
  mapping: Record<string, DraftMapping>;
  overrides: Record<string, string>;
}

function parseOverrides(text: string): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*([^=#\s][^=]*?)\s*=\s*(.+?)\s*$/);
    if (!m) continue;
    const v = m[2]!;
    out[m[1]!] = v === 'true' ? true : v === 'false' ? false : Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out;
}

export function DraftsPanel({ ov }: { ov: Overview }) {
  const [drafts, setDrafts] = useState<Draft[] | null>(null);
  const [ivs, setIvs] = useState<InterventionList[]>([]);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [error, setError] = useState('');
  const delegations = ov.parties.filter((p) => p.kind === 'delegation');
  const canDraft = ov.role !== 'observer';
  const load = useCallback(async () => {
    setDrafts(await get<Draft[]>(`/api/talks/${ov.id}/drafts`));
  }, [ov.id]);
  useEffect(() => {
    void load();
    if (canDraft) void get<InterventionList[]>(`/api/talks/${ov.id}/interventions`).then(setIvs);
  }, [load, ov.id, canDraft]);

  const startNew = () =>
    setEditing({
      id: null,
      version: 0,
      title: '',
      text: '',
      parties: delegations.map((d) => d.id),
      mapping: Object.fromEntries(ov.scenarios.map((s) => [s.path, { interventions: [], set: {} }])),
      overrides: Object.fromEntries(ov.scenarios.map((s) => [s.path, ''])),
    });
  const save = async () => {
    if (!editing) return;
    setError('');
    const mapping: Record<string, DraftMapping> = {};
    for (const [path, m] of Object.entries(editing.mapping))
      mapping[path] = { interventions: m.interventions, set: parseOverrides(editing.overrides[path] ?? '') };
    const body = { title: editing.title, text: editing.text, parties: editing.parties, mapping };
    try {
      if (editing.id)
        await put(`/api/talks/${ov.id}/drafts/${editing.id}`, { ...body, version: editing.version });
      else await post(`/api/talks/${ov.id}/drafts`, body);
      setEditing(null);
      await load();
    } catch (e) {
      setError(errText(e));
    }
  };

  return (
    <section className="panel" aria-labelledby="drafts-h">
      <div className="row space">
        <h2 id="drafts-h">Protocol drafts</h2>
        {canDraft && !editing ? (
          <button type="button" className="primary" onClick={startNew}>
            New draft
          </button>
        ) : null}
      </div>
      <p className="muted small">
        A protocol in plain words, mapped onto the scenario as interventions and parameter overrides, so the
        room can simulate what it would change. Its parties see it and agree to it; a changed text needs their
        agreement again.
        {ov.role === 'observer' ? ' You see the drafts the host showed to observers.' : ''}
      </p>
      <ErrorLine error={error} />
      {editing ? (
        <form
          className="draft-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <label className="field">
            <span>Protocol (one line)</span>
            <input
              value={editing.title}
              onChange={(e) => setEditing({ ...editing, title: e.target.value })}
              required
              placeholder="e.g. Each side notifies the other within 30 minutes of an interception"
            />
          </label>
          <label className="field">
            <span>Text</span>
            <textarea
              rows={3}
              value={editing.text}
              onChange={(e) => setEditing({ ...editing, text: e.target.value })}
            />
          </label>
          <fieldset>
            <legend>Parties</legend>
            {delegations.map((d) => (
              <label className="check" key={d.id}>
                <input
                  type="checkbox"
                  checked={editing.parties.includes(d.id)}
                  disabled={ov.role === 'delegation' && d.id === ov.me?.id}
                  onChange={() =>
                    setEditing({
                      ...editing,
                      parties: editing.parties.includes(d.id)
                        ? editing.parties.filter((p) => p !== d.id)
                        : [...editing.parties, d.id],
                    })
                  }
                />
                <span>{d.label}</span>
              </label>
            ))}
          </fieldset>
          {ivs.map((s) => (
            <fieldset key={s.path}>
              <legend>How it is modelled in “{s.title}”</legend>
              {s.interventions.map((iv) => (
                <ListCheck
                  key={iv.id}
                  id={iv.id}
                  selected={editing.mapping[s.path]?.interventions ?? []}
                  onChange={(next) =>
                    setEditing({
                      ...editing,
                      mapping: { ...editing.mapping, [s.path]: { interventions: next, set: {} } },
                    })
                  }
                >
                  <strong>{iv.title}</strong> <code>{iv.id}</code>
                  <br />
                  <span className="muted small">{iv.description}</span>
                </ListCheck>
              ))}
              <label className="field">
                <span>Parameter overrides (one per line: path = value)</span>
                <textarea
                  rows={2}
                  className="mono"
                  placeholder="notifications.us-interception-notice.compliance = 0.8"
                  value={editing.overrides[s.path] ?? ''}
                  onChange={(e) =>
                    setEditing({ ...editing, overrides: { ...editing.overrides, [s.path]: e.target.value } })
                  }
                />
              </label>
            </fieldset>
          ))}
          <div className="row">
            <button type="submit" className="primary">
              {editing.id ? 'Save the draft' : 'Propose the draft'}
            </button>
            <button type="button" className="ghost" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {drafts === null ? (
        <p className="muted">Loading…</p>
      ) : drafts.length === 0 ? (
        <p className="muted">No draft yet.</p>
      ) : (
        <ul className="plain drafts" aria-label="Drafts">
          {drafts.map((d) => {
            const mine = ov.me ? d.parties.find((p) => p.id === ov.me!.id) : undefined;
            return (
              <li key={d.id} className="draft">
                <div className="row space">
                  <h3>{d.title}</h3>
                  {d.agreed ? (
                    <span className="status good">agreed</span>
                  ) : (
                    <span className="pill">under discussion</span>
                  )}
                </div>
                {d.text ? <p>{d.text}</p> : null}
                <p className="small">
                  {d.parties.map((p) => (
                    <span key={p.id} className={p.agreed ? 'party agreed' : 'party'}>
                      {p.agreed ? '✓ ' : '○ '}
                      {p.label}
                    </span>
                  ))}
                  <span className="muted">
                    {' '}
                    · drafted by {d.author} · {when(d.updatedAt)}
                  </span>
                  {d.released ? <span className="pill">shown to observers</span> : null}
                </p>
                <p className="small muted">
                  Modelled as{' '}
                  {Object.entries(d.mapping)
                    .map(
                      ([path, m]) =>
                        [
                          ...m.interventions.map(
                            (i) =>
                              ivs.find((x) => x.path === path)?.interventions.find((x) => x.id === i)
                                ?.title ?? i,
                          ),
                          ...Object.entries(m.set).map(([k, v]) => `${k} = ${v}`),
                        ].join(' + ') || 'nothing yet',
                    )
                    .join('; ')}
                </p>
                <div className="row">
                  {mine ? (
                    <button
                      type="button"
                      className={mine.agreed ? 'ghost small' : 'primary small'}
                      onClick={async () => {
                        await post(`/api/talks/${ov.id}/drafts/${d.id}/agree`, { agree: !mine.agreed });
                        await load();
                      }}
                    >
                      {mine.agreed ? 'Withdraw agreement' : `Agree for ${ov.me!.label}`}
                    </button>
                  ) : null}
                  {ov.role === 'host' || d.authorId === ov.me?.id ? (
                    <>
                      <button
                        type="button"
                        className="ghost small"
                        onClick={() =>
                          setEditing({
                            id: d.id,
                            version: d.version,
                            title: d.title,
                            text: d.text,
                            parties: d.parties.map((p) => p.id),
                            mapping: d.mapping,
                            overrides: Object.fromEntries(
                              Object.entries(d.mapping).map(([path, m]) => [
                                path,
                                Object.entries(m.set)
                                  .map(([k, v]) => `${k} = ${v}`)
                                  .join('\n'),
                              ]),
                            ),
                          })
                        }
                      >
                        Edit
                      </button>
                      <DeleteButton url={`/api/talks/${ov.id}/drafts/${d.id}`} then={load}>
                        Delete
                      </DeleteButton>
                    </>
                  ) : null}
                  {ov.role === 'host' ? (
                    <label className="switch small">
                      <input
                        type="checkbox"
                        checked={d.released}
                        onChange={async (e) => {
                          await post(`/api/talks/${ov.id}/drafts/${d.id}/release`, {
                            observers: e.target.checked,
                          });
                          await load();
                        }}
                      />
                      <span>Show to observers</span>
                    </label>
                  ) : null}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
