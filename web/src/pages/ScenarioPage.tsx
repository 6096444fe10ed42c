// A scenario: the YAML editor (or the form) with live diagnostics, the in-browser preview, the run
// launcher and the run history.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { EnsembleOptionsSchema } from '../../../src/analysis/options.ts';
import {
  ApiError,
  type Diagnostic,
  del,
  get,
  post,
  put,
  type RunReport,
  type RunSummary,
  type ScenarioDetail,
  type WorkspaceRef,
} from '../api.ts';
import { CompareForm, SensitivityForm } from '../components/AnalysisForms.tsx';
import { fmtP } from '../components/charts.tsx';
import {
  BacktestForm,
  BreakevenForm,
  IcbBacktestForm,
  RareForm,
  SweepForm,
} from '../components/EstimateForms.tsx';
import { DrawsField, FormError, OptionField, useOptions } from '../components/forms.tsx';
import { InterventionChecks } from '../components/InterventionChecks.tsx';
import { keyParams, mergedValue, type Param, setParam } from '../components/params.ts';
import { TabList, tabPanel } from '../components/Tabs.tsx';
import { YamlEditor } from '../components/YamlEditor.tsx';
import { Link, navigate } from '../router.tsx';
import { previewInWorker, validateInWorker } from '../worker/client.ts';
import { RunHistory } from './RunHistory.tsx';

/** The generic crisis library (what `brink fit` fits): its page also backtests it on ICB crises. */
const GENERIC_LIBRARY = 'lib/generic-actors.yaml';

const EDIT_TABS = [
  { id: 'yaml', label: 'YAML' },
  { id: 'form', label: 'Key parameters' },
] as const;

const JOB_TABS = [
  { id: 'run', label: 'Ensemble' },
  { id: 'compare', label: 'Compare' },
  { id: 'sensitivity', label: 'Sensitivity' },
  { id: 'sweep', label: 'Sweep' },
  { id: 'breakeven', label: 'Break-even' },
  { id: 'rare', label: 'Rare event' },
] as const;

let schemaPromise: Promise<object> | undefined;
const loadSchema = () => {
  schemaPromise ??= get<object>('/api/schema/scenario.json');
  return schemaPromise;
};

export function ScenarioPage({ ws, id }: { ws: WorkspaceRef; id: string }) {
  const [detail, setDetail] = useState<ScenarioDetail | null>(null);
  const [text, setText] = useState('');
  const [files, setFiles] = useState<Record<string, string>>({});
  const [schema, setSchema] = useState<object>();
  const [diagnostics, setDiagnostics] = useState<Diagnostic[]>([]);
  const [checking, setChecking] = useState(false);
  const [tab, setTab] = useState<'yaml' | 'form'>('yaml');
  const [saveState, setSaveState] = useState<{
    kind: 'idle' | 'saving' | 'saved' | 'error' | 'conflict';
    message?: string;
    theirs?: ScenarioDetail;
  }>({ kind: 'idle' });
  const [selected, setSelected] = useState<string[]>([]);
  const [starting, setStarting] = useState(false);
  const [historyKey, setHistoryKey] = useState(0);
  const [job, setJob] = useState<(typeof JOB_TABS)[number]['id']>('run');
  const [tabIndents, setTabIndents] = useState(() => localStorage.getItem('brink.tabIndents') === '1');
  const run = useOptions(EnsembleOptionsSchema, { runs: 'Runs' }, { runs: 20000 });
  const { form: runForm } = run;
  const seed = run.values.seed ?? 1;
  const canEdit = ws.role !== 'viewer';

  useEffect(() => {
    void loadSchema().then(setSchema);
    void Promise.all([
      get<ScenarioDetail>(`/api/workspaces/${ws.id}/scenarios/${id}`),
      get<Record<string, string>>(`/api/workspaces/${ws.id}/files`),
    ]).then(([d, f]) => {
      setDetail(d);
      setText(d.yaml);
      setFiles(f);
      setDiagnostics(d.diagnostics);
    });
  }, [ws.id, id]);

  const path = detail?.path ?? '';
  const allFiles = useMemo(() => ({ ...files, [path]: text }), [files, path, text]);
  const dirty = detail !== null && text !== detail.yaml;
  const errors = diagnostics.filter((d) => d.severity === 'error');

  // Diagnostics as you type: the CLI's pipeline in a worker, debounced.
  useEffect(() => {
    if (!detail) return;
    setChecking(true);
    const t = setTimeout(() => {
      void validateInWorker(allFiles, path).then((r) => {
        setDiagnostics(r.diagnostics);
        setChecking(false);
      });
    }, 250);
    return () => clearTimeout(t);
  }, [allFiles, path, detail]);

  const save = useCallback(
    async (force = false) => {
      if (!detail) return;
      setSaveState({ kind: 'saving' });
      try {
        const version = force && saveState.theirs ? saveState.theirs.version : detail.version;
        const d = await put<ScenarioDetail>(`/api/workspaces/${ws.id}/scenarios/${id}`, {
          version,
          yaml: text,
        });
        setDetail(d);
        setFiles((f) => ({ ...f, [d.path]: d.yaml }));
        setSaveState({ kind: 'saved', message: `Saved as version ${d.version}` });
      } catch (e) {
        if (e instanceof ApiError && e.status === 409) {
          setSaveState({
            kind: 'conflict',
            message: e.message,
            ...(e.body?.error?.current ? { theirs: e.body.error.current } : {}),
          });
        } else setSaveState({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
      }
    },
    [detail, id, saveState.theirs, text, ws.id],
  );

  const saveRef = useRef(save);
  saveRef.current = save;
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 's') {
        e.preventDefault();
        void saveRef.current();
      }
    };
    addEventListener('keydown', on);
    return () => removeEventListener('keydown', on);
  }, []);

  if (!detail)
    return (
      <div className="page muted" aria-live="polite">
        Loading scenario…
      </div>
    );
  const isLibrary = detail.kind === 'library';

  const jobProps = {
    ws,
    scenarioId: id,
    interventions: detail.interventions,
    canEdit,
    blocked: errors.length > 0,
    dirty,
    save: () => save(),
  };

  const startRun = async () => {
    const { runs, epistemic } = run.values;
    const body = { runs, seed, interventions: selected, epistemic };
    if (!runForm.check(body)) return;
    setStarting(true);
    try {
      if (dirty) await save();
      const r = await post<RunSummary>(`/api/workspaces/${ws.id}/runs`, { scenarioId: id, ...body });
      setHistoryKey((k) => k + 1);
      navigate(`/w/${ws.id}/r/${r.id}`);
    } catch (e) {
      runForm.fromServer(e);
    } finally {
      setStarting(false);
    }
  };

  return (
    <div className="page scenario-page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to={`/w/${ws.id}`}>Scenarios</Link> <span aria-hidden="true">/</span> <span>{detail.path}</span>
      </nav>
      <div className="page-head">
        <div>
          <h1>{detail.title}</h1>
          <p className="muted">
            {detail.path} · version {detail.version}
            {detail.tags.length ? ' · ' : ''}
            {detail.tags.map((t) => (
              <span key={t} className="tag">
                {t}
              </span>
            ))}
          </p>
        </div>
        <div className="row wrap">
          {canEdit && !dirty ? (
            <button
              type="button"
              className="ghost small"
              onClick={async () => {
                if (!confirm(`Delete ${detail.path}? Its runs stay in the history.`)) return;
                try {
                  await del(`/api/workspaces/${ws.id}/scenarios/${id}?version=${detail.version}`);
                  navigate(`/w/${ws.id}`);
                } catch (e) {
                  setSaveState({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
                }
              }}
            >
              Delete
            </button>
          ) : null}
          <TagEditor
            ws={ws}
            detail={detail}
            onSaved={(d) => setDetail({ ...detail, version: d.version, tags: d.tags })}
            disabled={!canEdit || dirty}
          />
        </div>
      </div>

      <div className="split">
        <section className="panel editor-panel" aria-label="Scenario text">
          <div className="panel-head">
            <TabList
              label="Edit as"
              idPrefix="edit"
              tabs={isLibrary ? [{ id: 'yaml', label: 'YAML' }] : EDIT_TABS}
              value={tab}
              onChange={setTab}
            />
            <div className="save-bar">
              <Status
                checking={checking}
                errors={errors.length}
                warnings={diagnostics.length - errors.length}
              />
              {canEdit ? (
                <button
                  type="button"
                  className="primary small"
                  disabled={!dirty || saveState.kind === 'saving'}
                  onClick={() => void save()}
                  title="Save (Ctrl+S)"
                >
                  {saveState.kind === 'saving' ? 'Saving…' : dirty ? 'Save' : 'Saved'}
                </button>
              ) : (
                <span className="muted small">read-only (viewer)</span>
              )}
            </div>
          </div>
          {saveState.kind === 'conflict' ? (
            <div className="banner warn" role="alert">
              <strong>Not saved: conflict.</strong> {saveState.message}
              <div className="row">
                <button
                  type="button"
                  className="secondary small"
                  onClick={() => {
                    if (saveState.theirs) {
                      setDetail({ ...detail, ...saveState.theirs });
                      setText(saveState.theirs.yaml);
                    }
                    setSaveState({ kind: 'idle' });
                  }}
                >
                  Discard mine, load theirs
                </button>
                <button type="button" className="ghost small" onClick={() => void save(true)}>
                  Keep mine over theirs
                </button>
              </div>
            </div>
          ) : null}
          {saveState.kind === 'error' ? (
            <div className="banner error" role="alert">
              {saveState.message}
            </div>
          ) : null}
          {saveState.kind === 'saved' ? (
            <div className="sr-only" role="status">
              {saveState.message}
            </div>
          ) : null}
          {tab === 'yaml' ? <EditorKeys tabIndents={tabIndents} onTabIndents={setTabIndents} /> : null}
          <div {...tabPanel('edit', tab)}>
            {tab === 'yaml' ? (
              <YamlEditor
                tabIndents={tabIndents}
                describedBy="editor-keys"
                value={text}
                onChange={setText}
                diagnostics={diagnostics}
                path={path}
                schema={schema}
                readOnly={!canEdit}
                label={`YAML of ${detail.path}`}
              />
            ) : (
              <ParamForm
                files={allFiles}
                path={path}
                text={text}
                onText={setText}
                readOnly={!canEdit}
                interventions={detail.interventions}
                selected={selected}
                onSelected={setSelected}
              />
            )}
          </div>
          <DiagnosticList diagnostics={diagnostics} path={path} />
        </section>

        <aside className="side">
          {!isLibrary ? (
            <>
              <section className="panel analyse" aria-label="Analyse this scenario">
                <TabList
                  label="Analysis"
                  idPrefix="job"
                  className="tabs job-tabs"
                  tabs={JOB_TABS}
                  value={job}
                  onChange={setJob}
                />
                <div {...tabPanel('job', job)}>
                  {job === 'compare' ? (
                    <CompareForm {...jobProps} />
                  ) : job === 'sensitivity' ? (
                    <SensitivityForm {...jobProps} />
                  ) : job === 'sweep' ? (
                    <SweepForm {...jobProps} />
                  ) : job === 'breakeven' ? (
                    <BreakevenForm {...jobProps} />
                  ) : job === 'rare' ? (
                    <RareForm {...jobProps} />
                  ) : (
                    <>
                      <h2 id="run-h" className="sr-only">
                        Run an ensemble
                      </h2>
                      <fieldset className="interventions">
                        <legend>Interventions to apply</legend>
                        {detail.interventions.length === 0 ? (
                          <p className="muted small">This scenario defines none.</p>
                        ) : null}
                        <InterventionChecks
                          interventions={detail.interventions}
                          selected={selected}
                          onChange={setSelected}
                        />
                      </fieldset>
                      <div className="row wrap">
                        <OptionField o={run} name="runs" step={1000} hint="1 to 10,000,000" />
                        <OptionField o={run} name="seed" hint="Same seed, same numbers" />
                        <DrawsField o={run} />
                      </div>
                      <FormError form={runForm} />
                      <button
                        type="button"
                        className="primary wide"
                        disabled={!canEdit || starting || errors.length > 0}
                        onClick={() => void startRun()}
                      >
                        {starting ? 'Starting…' : dirty ? 'Save and run' : 'Run'}
                      </button>
                      {!canEdit ? (
                        <p className="muted small">Viewers can read results but not start runs.</p>
                      ) : null}
                    </>
                  )}
                </div>
              </section>
              <Preview
                files={allFiles}
                path={path}
                interventions={selected}
                seed={seed}
                blocked={errors.length > 0}
              />
              <section className="panel" aria-labelledby="hist-h">
                <h2 id="hist-h">Run history</h2>
                <RunHistory key={historyKey} ws={ws} scenarioId={id} />
              </section>
            </>
          ) : (
            <>
              <section className="panel analyse" aria-labelledby="backtest-h">
                <h2 id="backtest-h">Backtest this library</h2>
                <p className="muted small">Scenarios extend this file; it is not run on its own.</p>
                <BacktestForm {...jobProps} />
              </section>
              {path === GENERIC_LIBRARY ? (
                <section className="panel analyse" aria-labelledby="icb-backtest-h">
                  <h2 id="icb-backtest-h">Backtest on ICB crises</h2>
                  <IcbBacktestForm {...jobProps} />
                </section>
              ) : null}
              <section className="panel" aria-labelledby="hist-h">
                <h2 id="hist-h">Backtests</h2>
                <RunHistory key={historyKey} ws={ws} scenarioId={id} />
              </section>
            </>
          )}
        </aside>
      </div>
    </div>
  );
}

/**
 * The editor's keys, shown before it (CodeMirror's accessibility guidance): Tab moves focus out of the
 * editor unless the user opts in to Tab indenting, and then Esc followed by Tab leaves it. The editor
 * is described by this line, so a screen reader says it when the editor takes focus.
 */
function EditorKeys({
  tabIndents,
  onTabIndents,
}: {
  tabIndents: boolean;
  onTabIndents: (on: boolean) => void;
}) {
  return (
    <div className="keys muted small">
      <p id="editor-keys">
        In the editor: <kbd>Ctrl</kbd>+<kbd>Space</kbd> completion · <kbd>Ctrl</kbd>+<kbd>S</kbd> save ·{' '}
        {tabIndents ? (
          <>
            <kbd>Tab</kbd> indents; <kbd>Esc</kbd> then <kbd>Tab</kbd> leaves the editor
          </>
        ) : (
          <>
            <kbd>Tab</kbd> leaves the editor (<kbd>Ctrl</kbd>+<kbd>]</kbd> indents)
          </>
        )}{' '}
        · problems are listed below it.
      </p>
      <label className="check">
        <input
          type="checkbox"
          checked={tabIndents}
          onChange={(e) => {
            localStorage.setItem('brink.tabIndents', e.target.checked ? '1' : '0');
            onTabIndents(e.target.checked);
          }}
        />
        <span>Tab key indents in the editor</span>
      </label>
    </div>
  );
}

function Status({ checking, errors, warnings }: { checking: boolean; errors: number; warnings: number }) {
  return (
    <span
      className={`status ${errors ? 'bad' : 'good'}`}
      role="status"
      aria-live="polite"
      data-testid="validity"
    >
      {checking ? 'checking…' : errors ? `${errors} error${errors > 1 ? 's' : ''}` : 'valid'}
      {!checking && warnings ? `, ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}
    </span>
  );
}

function DiagnosticList({ diagnostics, path }: { diagnostics: Diagnostic[]; path: string }) {
  if (!diagnostics.length) return null;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: the list scrolls, so it takes focus
    <ul className="diagnostics" aria-label="Problems" tabIndex={0}>
      {diagnostics.slice(0, 30).map((d) => (
        <li key={`${d.code}:${d.file}:${d.line}:${d.column}:${d.message}`} className={d.severity}>
          <span className="where">
            {d.file && d.file !== path ? d.file : ''}
            {d.line ? `${d.file && d.file !== path ? ':' : 'line '}${d.line}:${d.column ?? 1}` : ''}
          </span>
          <span className="code">{d.code}</span> {d.message}
          {d.hint ? <span className="hint"> — {d.hint}</span> : null}
        </li>
      ))}
    </ul>
  );
}

function TagEditor({
  ws,
  detail,
  onSaved,
  disabled,
}: {
  ws: WorkspaceRef;
  detail: ScenarioDetail;
  onSaved: (d: ScenarioDetail) => void;
  disabled: boolean;
}) {
  const [value, setValue] = useState('');
  const [error, setError] = useState('');
  if (disabled) return null;
  const saveTags = async (tags: string[]) => {
    setError('');
    try {
      onSaved(
        await put<ScenarioDetail>(`/api/workspaces/${ws.id}/scenarios/${detail.id}`, {
          version: detail.version,
          tags,
        }),
      );
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <form
      className="tag-editor"
      aria-label="Tags"
      onSubmit={(e) => {
        e.preventDefault();
        if (value.trim()) void saveTags([...detail.tags, value.trim()]).then(() => setValue(''));
      }}
    >
      <label className="field inline">
        <span className="sr-only">Add a tag</span>
        <input placeholder="add tag" value={value} onChange={(e) => setValue(e.target.value)} />
      </label>
      {detail.tags.map((t) => (
        <button
          key={t}
          type="button"
          className="chip"
          aria-label={`Remove tag ${t}`}
          onClick={() => void saveTags(detail.tags.filter((x) => x !== t))}
        >
          {t} ×
        </button>
      ))}
      {error ? (
        <span className="error small" role="alert">
          {error}
        </span>
      ) : null}
    </form>
  );
}

function ParamForm(props: {
  files: Record<string, string>;
  path: string;
  text: string;
  onText: (t: string) => void;
  readOnly: boolean;
  interventions: { id: string; title: string }[];
  selected: string[];
  onSelected: (s: string[]) => void;
}) {
  const [error, setError] = useState('');
  const params = useMemo(
    () => keyParams(mergedValue(props.files, props.path), props.text),
    [props.files, props.path, props.text],
  );
  const groups = [...new Set(params.map((p) => p.group))];
  const change = (p: Param, v: number | boolean) => {
    try {
      props.onText(setParam(props.text, p.path, v));
      setError('');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div className="param-form">
      <p className="muted small">
        Changes are written into the YAML as overrides of the library (comments kept); switch to the YAML tab
        to see them.
      </p>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <fieldset>
        <legend>Interventions (for the preview and the next run)</legend>
        {props.interventions.map((iv) => (
          <label key={iv.id} className="switch">
            <input
              type="checkbox"
              role="switch"
              aria-checked={props.selected.includes(iv.id)}
              checked={props.selected.includes(iv.id)}
              onChange={(e) =>
                props.onSelected(
                  e.target.checked ? [...props.selected, iv.id] : props.selected.filter((x) => x !== iv.id),
                )
              }
            />
            <span>{iv.title}</span>
          </label>
        ))}
      </fieldset>
      {groups.map((g) => (
        <fieldset key={g}>
          <legend>{g}</legend>
          {params
            .filter((p) => p.group === g)
            .map((p) => {
              const id = `param-${p.path.join('-')}`;
              return p.kind === 'toggle' ? (
                <label key={id} className="switch">
                  <input
                    type="checkbox"
                    role="switch"
                    aria-checked={p.value}
                    checked={p.value}
                    disabled={props.readOnly}
                    onChange={(e) => change(p, e.target.checked)}
                  />
                  <span>
                    {p.label} exists{' '}
                    {p.inherited ? (
                      <span className="muted small">(library)</span>
                    ) : (
                      <span className="override">override</span>
                    )}
                  </span>
                </label>
              ) : (
                <div key={id} className="slider">
                  <label htmlFor={id}>
                    {p.label}{' '}
                    {p.inherited ? (
                      <span className="muted small">(library)</span>
                    ) : (
                      <span className="override">override</span>
                    )}
                  </label>
                  <input
                    id={id}
                    type="range"
                    min={0}
                    max={1}
                    step={0.01}
                    value={p.value}
                    disabled={props.readOnly}
                    onChange={(e) => change(p, Number(e.target.value))}
                    aria-valuetext={fmtP(p.value, 0)}
                  />
                  <output htmlFor={id}>{fmtP(p.value, 0)}</output>
                </div>
              );
            })}
        </fieldset>
      ))}
    </div>
  );
}

const PREVIEW_RUNS = 2000;

function Preview({
  files,
  path,
  interventions,
  seed,
  blocked,
}: {
  files: Record<string, string>;
  path: string;
  interventions: string[];
  seed: number;
  blocked: boolean;
}) {
  const [report, setReport] = useState<RunReport | null>(null);
  const [state, setState] = useState<{ busy: boolean; ms?: number; error?: string | null }>({ busy: false });
  useEffect(() => {
    if (blocked) {
      setState((s) => ({ ...s, busy: false }));
      return;
    }
    setState((s) => ({ ...s, busy: true }));
    const t = setTimeout(() => {
      void previewInWorker({ files, path, runs: PREVIEW_RUNS, seed, interventions, set: {} }).then((r) => {
        if (r.report) setReport(r.report);
        setState({ busy: false, ms: r.ms, error: r.error });
      });
    }, 500);
    return () => clearTimeout(t);
  }, [files, path, interventions, seed, blocked]);
  // Rungs that every run reaches (the injected trigger) are folded into one line.
  const all = report ? report.exceedance.slice(1) : [];
  const sure = all.filter((e) => e.p === 1);
  const top = all.filter((e) => e.p < 1);
  return (
    <section className="panel preview" aria-labelledby="prev-h" aria-busy={state.busy}>
      <h2 id="prev-h">
        Quick preview{' '}
        <span className="muted small">{PREVIEW_RUNS.toLocaleString()} runs in your browser</span>
      </h2>
      {blocked ? <p className="muted small">Fix the errors to see a preview.</p> : null}
      {state.error ? <p className="error small">{state.error}</p> : null}
      {report ? (
        <table className="mini" data-testid="preview-table">
          <caption className="sr-only">Preview: probability that the crisis peak reaches each rung</caption>
          <thead>
            <tr>
              <th scope="col">peak ≥</th>
              <th scope="col">P</th>
              <th scope="col">
                <span className="sr-only">bar</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sure.length ? (
              <tr>
                <td>{sure.length > 1 ? `${sure[0]!.id} … ${sure[sure.length - 1]!.id}` : sure[0]!.id}</td>
                <td className="num">100%</td>
                <td className="barcell muted small">every run (the trigger)</td>
              </tr>
            ) : null}
            {top.map((e) => (
              <tr key={e.id}>
                <td>{e.id}</td>
                <td className="num">{fmtP(e.p)}</td>
                <td className="barcell">
                  <span className="bar" style={{ width: `${Math.max(0.5, e.p * 100)}%` }} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : !blocked ? (
        <p className="muted small">Computing…</p>
      ) : null}
      <p className="muted small" aria-live="polite">
        {state.busy
          ? 'updating…'
          : state.ms !== undefined
            ? `updated in ${(state.ms / 1000).toFixed(1)} s${interventions.length ? ` · with ${interventions.join(' + ')}` : ''}`
            : ''}
      </p>
    </section>
  );
}
