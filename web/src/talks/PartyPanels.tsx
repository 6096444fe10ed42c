// A delegation's pages: its private form (what it would do, what it expects of the others), its
// releases, and what was shared with it (released answers, gaps, simulated effects). Observers get the
// shared parts.
import { useCallback, useEffect, useState } from 'react';
import { errText, get, post, put } from '../api.ts';
import { DeleteButton } from '../components/forms.tsx';
import { BaseLine, EffectsTable, LeakSection, packageRow } from './Results.tsx';
import type {
  Dist,
  Form,
  Overview,
  Positions,
  ReleasedItem,
  ReleaseRow,
  SharedEffects,
  SharedGaps,
  Trigger,
} from './types.ts';
import { DistBar, DistEditor, DistWords, ErrorLine, pct, StaleNote, useGet, when } from './ui.tsx';

const total = (d: Dist) => Object.values(d).reduce((s, p) => s + p, 0);

function TriggerCard(props: {
  t: Trigger;
  title: string;
  dist: Dist;
  prefill: Dist;
  note: string;
  onChange: (d: Dist) => void;
}) {
  const { t } = props;
  return (
    <article className="trigger-card" aria-label={props.title}>
      <header>
        <h4>{props.title}</h4>
        <span className="rung">{t.rung}</span>
        <span className="muted small">{pct(t.frequency, 1)} of pilot runs</span>
      </header>
      <p className="muted small">
        {props.note} <DistWords dist={props.prefill} options={t.options} />
      </p>
      <DistBar dist={props.dist} options={t.options} />
      <DistEditor
        label={props.title}
        dist={props.dist}
        options={t.options}
        prefill={props.prefill}
        onChange={props.onChange}
      />
    </article>
  );
}

export function PositionsPanel({ ov }: { ov: Overview }) {
  const [form, setForm] = useState<Form | null>(null);
  const [draft, setDraft] = useState<Record<string, Positions>>({});
  const [msg, setMsg] = useState('');
  const [error, setError] = useState('');
  const load = useCallback(async () => {
    const f = await get<Form>(`/api/talks/${ov.id}/form`);
    setForm(f);
    setDraft(Object.fromEntries(f.scenarios.map((s) => [s.path, s.positions])));
  }, [ov.id]);
  useEffect(() => {
    void load().catch((e) => setError(errText(e)));
  }, [load]);
  if (!form) return <ErrorLine error={error} />;
  const valid = Object.values(draft).every(
    (p) =>
      Object.values(p.responses).every((d) => Math.abs(total(d) - 1) < 0.005) &&
      Object.values(p.expectations).every((t) =>
        Object.values(t).every((d) => Math.abs(total(d) - 1) < 0.005),
      ),
  );
  const save = async (submit: boolean) => {
    setError('');
    setMsg('');
    try {
      const r = await put<{ version: number; submittedAt: string | null }>(`/api/talks/${ov.id}/positions`, {
        version: form.version,
        submit,
        scenarios: draft,
      });
      setForm({ ...form, version: r.version, submittedAt: r.submittedAt });
      setMsg(
        submit
          ? 'Submitted. The host can now include your positions in the analysis.'
          : 'Saved (not submitted).',
      );
    } catch (e) {
      setError(errText(e));
    }
  };
  const setResp = (path: string, id: string, d: Dist) =>
    setDraft({ ...draft, [path]: { ...draft[path]!, responses: { ...draft[path]!.responses, [id]: d } } });
  const setExp = (path: string, of: string, id: string, d: Dist) =>
    setDraft({
      ...draft,
      [path]: {
        ...draft[path]!,
        expectations: { ...draft[path]!.expectations, [of]: { ...draft[path]!.expectations[of], [id]: d } },
      },
    });
  return (
    <section className="positions" aria-labelledby="pos-h">
      <div className="panel">
        <h2 id="pos-h">Positions of {form.delegation.label}</h2>
        <p className="muted small">
          In private: nobody else sees these numbers, not even in part, unless you release them. The host sees
          them to compute the gaps. Each form starts from the scenario: its doctrine for what you would do,
          its assumptions for what you expect of the others.
        </p>
        <p className="small">
          {form.submittedAt ? (
            <span className="status good">submitted {when(form.submittedAt)}</span>
          ) : form.version ? (
            <span className="pill">saved, not submitted</span>
          ) : (
            <span className="pill">not saved yet</span>
          )}
        </p>
      </div>
      {form.scenarios.map((s) => (
        <div key={s.path}>
          <div className="panel">
            <h3>What we would do — {s.title}</h3>
            <div className="trigger-grid">
              {s.mine.map((t) => (
                <TriggerCard
                  key={t.id}
                  t={t}
                  title={`If ${t.label}`}
                  dist={draft[s.path]!.responses[t.id]!}
                  prefill={s.prefill.responses[t.id]!}
                  note={
                    t.doctrine.kind === 'choose'
                      ? 'The scenario’s doctrine chooses on expected utility; at the start of a crisis:'
                      : 'The scenario’s doctrine:'
                  }
                  onChange={(d) => setResp(s.path, t.id, d)}
                />
              ))}
            </div>
          </div>
          {s.others.map((o) => (
            <div className="panel" key={o.actor}>
              <h3>
                What we expect of {o.label} — {s.title}
              </h3>
              <div className="trigger-grid">
                {o.triggers.map((t) => (
                  <TriggerCard
                    key={t.id}
                    t={t}
                    title={`If ${t.label}, ${o.label} would…`}
                    dist={draft[s.path]!.expectations[o.actor]![t.id]!}
                    prefill={s.prefill.expectations[o.actor]![t.id]!}
                    note={
                      s.sources[o.actor]?.[t.id] === 'belief'
                        ? 'The scenario assumes your side expects:'
                        : 'The scenario assumes no misperception here:'
                    }
                    onChange={(d) => setExp(s.path, o.actor, t.id, d)}
                  />
                ))}
              </div>
            </div>
          ))}
        </div>
      ))}
      <div className="panel">
        <ErrorLine error={error} />
        <div className="row">
          <button type="button" className="secondary" onClick={() => void save(false)}>
            Save without submitting
          </button>
          <button type="button" className="primary" disabled={!valid} onClick={() => void save(true)}>
            {form.submittedAt ? 'Submit again' : 'Submit positions'}
          </button>
          <span className="muted" aria-live="polite">
            {msg || (valid ? '' : 'Every distribution must add up to 100%.')}
          </span>
        </div>
      </div>
    </section>
  );
}

export function ReleasesPanel({ ov }: { ov: Overview }) {
  const [rows, setRows] = useState<ReleaseRow[]>([]);
  const [kind, setKind] = useState<'response' | 'expectation' | 'gap'>('gap');
  const [trigger, setTrigger] = useState('*');
  const [to, setTo] = useState('');
  const [error, setError] = useState('');
  const me = ov.me!;
  const s = ov.scenarios[0]!;
  const others = ov.parties.filter((p) => p.id !== me.id);
  const otherActor = ov.parties.find((p) => p.kind === 'delegation' && p.id !== me.id)?.actor ?? '';
  const mineTriggers = s.triggers[me.actor ?? ''] ?? [];
  const theirTriggers = Object.entries(s.triggers)
    .filter(([a]) => a !== me.actor)
    .flatMap(([, ts]) => ts);
  const choices =
    kind === 'response'
      ? mineTriggers
      : kind === 'expectation'
        ? theirTriggers
        : [...mineTriggers, ...theirTriggers];
  const label = (r: ReleaseRow) => {
    const all = Object.values(s.triggers).flat();
    const t = r.trigger === '*' ? 'every trigger' : (all.find((x) => x.id === r.trigger)?.label ?? r.trigger);
    const who =
      r.to === 'observers' ? 'the observers' : (ov.parties.find((p) => p.id === r.to)?.label ?? r.to);
    if (r.kind === 'gap') return `The host may show ${who} the gaps on ${t} (no numbers)`;
    if (r.kind === 'response') return `${who} sees what we would do after: ${t}`;
    return `${who} sees what we expect after: ${t}`;
  };
  const load = useCallback(
    async () => setRows(await get<ReleaseRow[]>(`/api/talks/${ov.id}/releases`)),
    [ov.id],
  );
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section className="panel" aria-labelledby="rel-h">
      <h2 id="rel-h">Releases</h2>
      <p className="muted small">
        Nothing leaves your delegation by default. Release one answer to one party, or let the host show a
        party the gaps on a trigger — how large they are and what closing them would change — without the
        numbers behind them.
      </p>
      <form
        className="row wrap"
        onSubmit={async (e) => {
          e.preventDefault();
          setError('');
          try {
            const body =
              kind === 'expectation'
                ? {
                    kind,
                    scenario: s.path,
                    trigger,
                    to,
                    of: theirTriggers.find((t) => t.id === trigger)?.responder ?? otherActor,
                  }
                : { kind, scenario: s.path, trigger, to };
            await post(`/api/talks/${ov.id}/releases`, body);
            await load();
          } catch (err) {
            setError(errText(err));
          }
        }}
      >
        <label className="field">
          <span>What</span>
          <select
            aria-label="What to release"
            value={kind}
            onChange={(e) => {
              setKind(e.target.value as typeof kind);
              setTrigger(e.target.value === 'gap' ? '*' : '');
            }}
          >
            <option value="gap">Let the host show a gap (no numbers)</option>
            <option value="response">Our answer to a trigger</option>
            <option value="expectation">Our expectation of the other party</option>
          </select>
        </label>
        <label className="field">
          <span>On</span>
          <select
            aria-label="On which trigger"
            value={trigger}
            onChange={(e) => setTrigger(e.target.value)}
            required
          >
            {kind === 'gap' ? <option value="*">every trigger</option> : <option value="">Choose…</option>}
            {choices.map((t) => (
              <option key={`${t.responder}-${t.id}`} value={t.id}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>To</span>
          <select aria-label="Release to" value={to} onChange={(e) => setTo(e.target.value)} required>
            <option value="">Choose…</option>
            {others.map((p) => (
              <option key={p.id} value={p.kind === 'observer' ? 'observers' : p.id}>
                {p.kind === 'observer' ? 'the observers' : p.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Release
        </button>
      </form>
      <ErrorLine error={error} />
      {rows.length ? (
        <ul className="plain releases">
          {rows.map((r) => (
            <li key={r.id}>
              {label(r)} <span className="muted small">{when(r.createdAt)}</span>{' '}
              <DeleteButton url={`/api/talks/${ov.id}/releases/${r.id}`} then={load}>
                Take back
              </DeleteButton>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">You have released nothing.</p>
      )}
    </section>
  );
}

export function ReleasedPanel({ ov }: { ov: Overview }) {
  const items = useGet<ReleasedItem[]>(`/api/talks/${ov.id}/released`);
  return (
    <section className="panel" aria-labelledby="relin-h">
      <h2 id="relin-h">Released to {ov.role === 'observer' ? 'the observers' : 'you'}</h2>
      {!items ? (
        <p className="muted">Loading…</p>
      ) : items.length === 0 ? (
        <p className="muted">Nothing was released to you yet.</p>
      ) : (
        <ul className="plain released">
          {items.map((x) => (
            <li key={`${x.from}-${x.kind}-${x.trigger}`}>
              <strong>{x.from}</strong> {x.kind === 'response' ? 'would, after' : 'expects, after'} “
              {x.triggerLabel}”:{' '}
              {x.dist ? (
                <DistWords dist={x.dist} options={x.options} />
              ) : (
                <span className="muted">not declared yet</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** What the host has not shared yet. */
function NotShared({ title, what }: { title: string; what: string }) {
  return (
    <section className="panel">
      <h2>{title}</h2>
      <p className="muted">The host has not shared {what} yet.</p>
    </section>
  );
}

/** The analyses a host shares with the parties: where each is read and how its panel is titled. */
const SHARED = {
  gaps: { id: 'sg-h', title: 'Expectation gaps', what: 'a gap overview' },
  effects: { id: 'se-h', title: 'Simulated effects', what: 'simulated effects' },
} as const;

/** What the host shared of an analysis: loading, not shared yet, or `children` under its heading. */
function SharedPanel<T extends { analysis: Parameters<typeof StaleNote>[0]['f'] }>(props: {
  ov: Overview;
  kind: keyof typeof SHARED;
  children: (shared: T) => React.ReactNode;
}) {
  const { id, title, what } = SHARED[props.kind];
  const shared = useGet<T>(`/api/talks/${props.ov.id}/${props.kind}`);
  if (!shared) return <p className="muted">Loading…</p>;
  if (!shared.analysis) return <NotShared title={title} what={what} />;
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>{title} shared by the host</h2>
      <StaleNote f={shared.analysis} />
      {props.children(shared)}
    </section>
  );
}

export function SharedGapsPanel({ ov }: { ov: Overview }) {
  return (
    <SharedPanel<SharedGaps> ov={ov} kind="gaps">
      {(g) => (
        <>
          <p className="muted small">
            Only gaps you are party to that the other party agreed to show, and never the numbers of anyone’s
            positions: how far apart expectation and declaration are, and what closing the gap would change.
          </p>
          {g.scenarios.map((s) => (
            <div key={s.scenario}>
              <BaseLine war={s.base.war} lethal={s.base.lethal} />
              {s.gaps.length ? (
                <EffectsTable
                  first="gap"
                  caption="Shared gaps and the effect of closing each"
                  rows={s.gaps.map((x) => ({
                    key: `${x.holder}-${x.trigger}`,
                    label: (
                      <>
                        {x.rank}. {x.holder} expects of {x.of}
                        <div className="muted small">
                          after: {x.triggerLabel} · size {pct(x.size, 0)}
                        </div>
                      </>
                    ),
                    war: x.war,
                    lethal: x.lethal,
                  }))}
                />
              ) : (
                <p className="muted">No gap may be shown to you.</p>
              )}
              <p className="muted small">
                Gaps the other party has not agreed to show are neither listed nor counted.
              </p>
            </div>
          ))}
        </>
      )}
    </SharedPanel>
  );
}

export function SharedEffectsPanel({ ov }: { ov: Overview }) {
  return (
    <SharedPanel<SharedEffects> ov={ov} kind="effects">
      {(e) =>
        e.scenarios.map((s) => (
          <div key={s.scenario}>
            <BaseLine war={s.base.war} lethal={s.base.lethal} />
            <EffectsTable
              caption="Change in risk with each draft and the package"
              rows={[
                ...s.drafts.map((d) => ({ key: d.label, label: d.label, war: d.war, lethal: d.lethal })),
                ...packageRow('pkg', s.package),
              ]}
            />
            {s.leak ? <LeakSection leak={s.leak} /> : null}
          </div>
        ))
      }
    </SharedPanel>
  );
}
