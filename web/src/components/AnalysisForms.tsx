// The launchers of the analyses beside the editor: compare interventions (and combinations a+b) with
// the baseline, and the sensitivity analysis. Both start a background job and open its page.
import { useEffect, useMemo, useState } from 'react';
import { errText, get, post, type RunSummary, type UncertainParam, type WorkspaceRef } from '../api.ts';
import { navigate } from '../router.tsx';
import { InterventionChecks } from './InterventionChecks.tsx';

interface Props {
  ws: WorkspaceRef;
  scenarioId: string;
  interventions: { id: string; title: string }[];
  canEdit: boolean;
  /** The text has errors: nothing can start. */
  blocked: boolean;
  dirty: boolean;
  save: () => Promise<void>;
}

function NumberField(props: {
  label: string;
  value: number;
  onChange: (n: number) => void;
  min?: number;
  max?: number;
  step?: number;
  hint?: string;
}) {
  return (
    <label className="field small-field" title={props.hint}>
      <span>{props.label}</span>
      <input
        type="number"
        min={props.min ?? 0}
        max={props.max}
        step={props.step ?? 1}
        value={props.value}
        onChange={(e) => props.onChange(Number(e.target.value))}
      />
    </label>
  );
}

function useStart(p: Props) {
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState('');
  const start = async (path: string, body: Record<string, unknown>) => {
    setStarting(true);
    setError('');
    try {
      if (p.dirty) await p.save();
      const r = await post<RunSummary>(`/api/workspaces/${p.ws.id}/${path}`, {
        scenarioId: p.scenarioId,
        ...body,
      });
      navigate(`/w/${p.ws.id}/r/${r.id}`);
    } catch (e) {
      setError(errText(e));
    } finally {
      setStarting(false);
    }
  };
  return { starting, error, start };
}

export function CompareForm(p: Props) {
  const [singles, setSingles] = useState<string[]>([]);
  const [combos, setCombos] = useState<string[]>([]);
  const [pick, setPick] = useState<string[]>([]);
  const [runs, setRuns] = useState(20000);
  const [seed, setSeed] = useState(1);
  const [traceRuns, setTraceRuns] = useState(200);
  const { starting, error, start } = useStart(p);
  const ids = p.interventions.map((i) => i.id);
  const arms = [...ids.filter((i) => singles.includes(i)), ...combos];
  const combo = ids.filter((i) => pick.includes(i)).join('+');
  return (
    <div className="analysis-form">
      <p className="muted small">
        Each arm runs on the same random worlds as the baseline (common random numbers), so every difference
        is measured run by run, with the runs it saves from war and those it pushes into it.
      </p>
      <fieldset className="interventions">
        <legend>Compare with the baseline</legend>
        {p.interventions.length === 0 ? (
          <p className="muted small">This scenario defines no interventions.</p>
        ) : null}
        <InterventionChecks interventions={p.interventions} selected={singles} onChange={setSingles} />
        {combos.map((c) => (
          <label key={c} className="check combo">
            <input type="checkbox" checked onChange={() => setCombos(combos.filter((x) => x !== c))} />
            <span>
              combination <code>{c.replace(/\+/g, ' + ')}</code>
            </span>
          </label>
        ))}
      </fieldset>
      {p.interventions.length > 1 ? (
        <details className="combine">
          <summary>Add a combination (A + B)</summary>
          <fieldset className="chips combine-pick">
            <legend className="sr-only">Interventions to combine</legend>
            {p.interventions.map((iv) => (
              <button
                key={iv.id}
                type="button"
                className={pick.includes(iv.id) ? 'chip on' : 'chip'}
                aria-pressed={pick.includes(iv.id)}
                onClick={() =>
                  setPick(pick.includes(iv.id) ? pick.filter((x) => x !== iv.id) : [...pick, iv.id])
                }
              >
                {iv.id}
              </button>
            ))}
          </fieldset>
          <button
            type="button"
            className="secondary small"
            disabled={pick.length < 2 || combos.includes(combo)}
            onClick={() => {
              setCombos([...combos, combo]);
              setPick([]);
            }}
          >
            {pick.length < 2 ? 'Pick two or more' : `Add ${combo.replace(/\+/g, ' + ')}`}
          </button>
        </details>
      ) : null}
      <div className="row">
        <NumberField
          label="Runs per arm"
          value={runs}
          onChange={setRuns}
          min={1}
          max={10_000_000}
          step={1000}
        />
        <NumberField label="Seed" value={seed} onChange={setSeed} />
      </div>
      <details className="advanced">
        <summary>Advanced</summary>
        <NumberField
          label="Saved and harmed runs to trace (mechanisms)"
          value={traceRuns}
          onChange={setTraceRuns}
          max={1000}
          hint="Up to this many saved and this many harmed runs of each arm are traced in both arms to find what the intervention changed"
        />
      </details>
      <p className="muted small" data-testid="compare-work">
        {arms.length
          ? `${arms.length} arm${arms.length > 1 ? 's' : ''} against the baseline · ${(runs * (1 + arms.length)).toLocaleString()} runs in all`
          : 'Pick at least one intervention.'}
      </p>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <button
        type="button"
        className="primary wide"
        disabled={!p.canEdit || starting || p.blocked || arms.length === 0}
        onClick={() => void start('comparisons', { arms, runs, seed, traceRuns })}
      >
        {starting ? 'Starting…' : p.dirty ? 'Save and compare' : 'Compare'}
      </button>
      {!p.canEdit ? <p className="muted small">Viewers can read comparisons but not start them.</p> : null}
    </div>
  );
}

const METRICS = [
  { id: 'warOrWorse', label: 'P(war or worse)' },
  { id: 'war', label: 'P(war)' },
  { id: 'nuclearUse', label: 'P(nuclear use)' },
  { id: 'resolved', label: 'P(resolved)' },
];

export function SensitivityForm(p: Props) {
  const [applied, setApplied] = useState<string[]>([]);
  const [metric, setMetric] = useState('warOrWorse');
  const [params, setParams] = useState<UncertainParam[] | null>(null);
  const [paramError, setParamError] = useState('');
  const [off, setOff] = useState<string[]>([]);
  const [tornadoRuns, setTornadoRuns] = useState(5000);
  const [samples, setSamples] = useState(32);
  const [runsPerPoint, setRunsPerPoint] = useState(500);
  const [seed, setSeed] = useState(1);
  const [low, setLow] = useState(0.05);
  const [high, setHigh] = useState(0.95);
  const [bootstrap, setBootstrap] = useState(500);
  const { starting, error, start } = useStart(p);
  const key = applied.join(',');
  useEffect(() => {
    setParamError('');
    get<UncertainParam[]>(
      `/api/workspaces/${p.ws.id}/scenarios/${p.scenarioId}/parameters${key ? `?interventions=${encodeURIComponent(key)}` : ''}`,
    )
      .then(setParams)
      .catch((e: Error) => {
        setParams([]);
        setParamError(e.message);
      });
  }, [p.ws.id, p.scenarioId, key]);
  const chosen = useMemo(() => (params ?? []).filter((x) => !off.includes(x.path)), [params, off]);
  const k = chosen.length;
  const work = tornadoRuns * (1 + 2 * k) + samples * (k + 2) * runsPerPoint;
  const only = off.length && params ? chosen.map((x) => x.path) : [];
  return (
    <div className="analysis-form">
      <p className="muted small">
        Varies every uncertain parameter (each distribution in the scenario and its library): one at a time
        between two quantiles (the tornado), and all together for variance-based Sobol indices.
      </p>
      {p.interventions.length ? (
        <fieldset className="interventions">
          <legend>Interventions applied</legend>
          <InterventionChecks interventions={p.interventions} selected={applied} onChange={setApplied} />
        </fieldset>
      ) : null}
      <label className="field">
        <span>Metric</span>
        <select value={metric} onChange={(e) => setMetric(e.target.value)}>
          {METRICS.map((m) => (
            <option key={m.id} value={m.id}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      <details className="params-list">
        <summary>
          {params === null ? 'Uncertain parameters…' : `${k} of ${params.length} uncertain parameters`}
        </summary>
        {paramError ? <p className="error small">{paramError}</p> : null}
        <ul className="plain">
          {(params ?? []).map((x) => (
            <li key={x.path}>
              <label className="check small">
                <input
                  type="checkbox"
                  checked={!off.includes(x.path)}
                  onChange={(e) =>
                    setOff(e.target.checked ? off.filter((o) => o !== x.path) : [...off, x.path])
                  }
                />
                <span>
                  <code>{x.path}</code>
                  <span className="muted">
                    {' '}
                    {x.distribution ?? x.nominal} · source: {x.source ?? 'none given'}
                  </span>
                </span>
              </label>
            </li>
          ))}
        </ul>
      </details>
      <div className="row">
        <NumberField
          label="Tornado runs per end"
          value={tornadoRuns}
          onChange={setTornadoRuns}
          min={1}
          step={1000}
        />
        <NumberField label="Sobol base samples N" value={samples} onChange={setSamples} step={8} />
      </div>
      <div className="row">
        <NumberField
          label="Runs per design point"
          value={runsPerPoint}
          onChange={setRunsPerPoint}
          min={1}
          step={100}
        />
        <NumberField label="Seed" value={seed} onChange={setSeed} />
      </div>
      <details className="advanced">
        <summary>Advanced</summary>
        <div className="row">
          <NumberField label="Low quantile" value={low} onChange={setLow} step={0.01} max={1} />
          <NumberField label="High quantile" value={high} onChange={setHigh} step={0.01} max={1} />
        </div>
        <NumberField label="Bootstrap replicates" value={bootstrap} onChange={setBootstrap} min={1} />
      </details>
      <p className="muted small" data-testid="sensitivity-work">
        {k
          ? `${k} parameters · ${work.toLocaleString()} engine runs (${tornadoRuns.toLocaleString()} × ${1 + 2 * k} for the tornado${samples ? `, ${runsPerPoint.toLocaleString()} × ${(samples * (k + 2)).toLocaleString()} Sobol design points` : ''})`
          : 'No uncertain parameter selected.'}
      </p>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      <button
        type="button"
        className="primary wide"
        disabled={!p.canEdit || starting || p.blocked || k === 0}
        onClick={() =>
          void start('sensitivity', {
            interventions: applied,
            metric,
            seed,
            tornadoRuns,
            samples,
            runsPerPoint,
            low,
            high,
            bootstrap,
            only,
          })
        }
      >
        {starting ? 'Starting…' : p.dirty ? 'Save and run sensitivity' : 'Run sensitivity'}
      </button>
      {!p.canEdit ? <p className="muted small">Viewers can read analyses but not start them.</p> : null}
    </div>
  );
}
