// The launchers of the analyses beside the editor: compare interventions (and combinations a+b) with
// the baseline, and the sensitivity analysis. Both start a background job and open its page.
import { useEffect, useMemo, useState } from 'react';
import { CompareOptionsSchema, SensitivityOptionsSchema } from '../../../src/analysis/options.ts';
import { QUANTITY, sobolParameterCount } from '../../../src/analysis/vocabulary.ts';
import { get, post, type RunSummary, type UncertainParam, type WorkspaceRef } from '../api.ts';
import { navigate } from '../router.tsx';
import { DrawsField, type FieldErrors, FormError, OptionField, SelectField, useOptions } from './forms.tsx';
import { InterventionChecks } from './InterventionChecks.tsx';
import { Term } from './Term.tsx';

export interface Props {
  ws: WorkspaceRef;
  scenarioId: string;
  interventions: { id: string; title: string }[];
  canEdit: boolean;
  /** The text has errors: nothing can start. */
  blocked: boolean;
  dirty: boolean;
  save: () => Promise<void>;
}

export function useStart(p: Props, form: FieldErrors) {
  const [starting, setStarting] = useState(false);
  const start = async (path: string, body: Record<string, unknown>) => {
    if (!form.check(body)) return;
    setStarting(true);
    try {
      if (p.dirty) await p.save();
      const r = await post<RunSummary>(`/api/workspaces/${p.ws.id}/${path}`, {
        scenarioId: p.scenarioId,
        ...body,
      });
      navigate(`/w/${p.ws.id}/r/${r.id}`);
    } catch (e) {
      form.fromServer(e);
    } finally {
      setStarting(false);
    }
  };
  return { starting, start, form };
}

/** Starts the analysis (saving the text first when it changed), under the form's error; viewers read why they cannot. */
export function StartButton(
  p: Props & {
    job: ReturnType<typeof useStart>;
    label: string;
    onClick: () => void;
    disabled?: boolean;
    viewers?: string;
  },
) {
  return (
    <>
      <FormError form={p.job.form} />
      <button
        type="button"
        className="primary wide"
        disabled={!p.canEdit || p.job.starting || p.blocked || p.disabled}
        onClick={p.onClick}
      >
        {p.job.starting ? 'Starting…' : p.dirty ? `Save and ${p.label.toLowerCase()}` : p.label}
      </button>
      {!p.canEdit ? (
        <p className="muted small">{p.viewers ?? 'Viewers can read results but not start analyses.'}</p>
      ) : null}
    </>
  );
}

export function CompareForm(p: Props) {
  const [singles, setSingles] = useState<string[]>([]);
  const [combos, setCombos] = useState<string[]>([]);
  const [pick, setPick] = useState<string[]>([]);
  const o = useOptions(CompareOptionsSchema, {
    arms: 'Arms',
    runs: 'Runs per arm',
    traceRuns: 'Saved and harmed runs to trace',
  });
  const { form, values: v } = o;
  const job = useStart(p, form);
  const ids = p.interventions.map((i) => i.id);
  const arms = [...ids.filter((i) => singles.includes(i)), ...combos];
  const combo = ids.filter((i) => pick.includes(i)).join('+');
  return (
    <div className="analysis-form">
      <p className="muted small">
        Each <Term id="arm">arm</Term> runs on the same random worlds as the baseline (
        <Term id="crn">common random numbers</Term>), so every difference is measured run by run, with the
        runs it <Term id="saved-harmed">saves</Term> from war or worse and those it pushes into it.
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
      <div className="row wrap">
        <OptionField o={o} name="runs" step={1000} hint="1 to 10,000,000" />
        <OptionField o={o} name="seed" />
        <DrawsField o={o} />
      </div>
      <details className="advanced" open={!!form.errors.traceRuns || undefined}>
        <summary>Advanced</summary>
        <OptionField
          o={o}
          name="traceRuns"
          label="Saved and harmed runs to trace (mechanisms)"
          hint="0 to 1,000 of each kind per arm: they are replayed in both arms to find what the intervention changed."
        />
      </details>
      <p className="muted small" data-testid="compare-work">
        {arms.length
          ? `${arms.length} arm${arms.length > 1 ? 's' : ''} against the baseline · ${(v.runs! * (1 + arms.length) + 2 * (v.epistemic || 0) * arms.length * v.runs!).toLocaleString()} runs in all`
          : 'Pick at least one intervention.'}
      </p>
      <StartButton
        {...p}
        job={job}
        label="Compare"
        disabled={arms.length === 0}
        onClick={() => void job.start('comparisons', { arms, ...v })}
        viewers="Viewers can read comparisons but not start them."
      />
    </div>
  );
}

const METRICS = (['warOrWorse', 'war', 'nuclearUse', 'resolved'] as const).map((id) => ({
  id,
  label: `${QUANTITY[id].p}${id === 'warOrWorse' ? ': peak reached war or above' : id === 'war' ? ' (outcome)' : ''}`,
}));

export function SensitivityForm(p: Props) {
  const [applied, setApplied] = useState<string[]>([]);
  const [metric, setMetric] = useState<(typeof METRICS)[number]['id']>('warOrWorse');
  const [params, setParams] = useState<UncertainParam[] | null>(null);
  const [paramError, setParamError] = useState('');
  const [off, setOff] = useState<string[]>([]);
  const o = useOptions(SensitivityOptionsSchema, {
    tornadoRuns: 'Tornado runs per end',
    samples: 'Sobol base samples N',
    sobolTop: 'Sobol parameters K',
    runsPerPoint: 'Runs per design point',
    low: 'Low quantile',
    high: 'High quantile',
    bootstrap: 'Bootstrap replicates',
  });
  const { form, values: v } = o;
  const { tornadoRuns = 0, samples = 0, runsPerPoint = 0, sobolTop = 0 } = v;
  const job = useStart(p, form);
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
  const K = sobolParameterCount(sobolTop, k);
  const work = tornadoRuns * (1 + 2 * k) + samples * (K + 2) * runsPerPoint;
  const only = off.length && params ? chosen.map((x) => x.path) : [];
  return (
    <div className="analysis-form">
      <p className="muted small">
        Varies every uncertain parameter (each distribution in the scenario and its library) one at a time
        between two quantiles (the <Term id="tornado">tornado</Term>); then the K with the largest tornado
        swing together, the others at their nominal values, for variance-based{' '}
        <Term id="sobol">Sobol indices</Term> (conditional on the others at nominal).
      </p>
      {p.interventions.length ? (
        <fieldset className="interventions">
          <legend>Interventions applied</legend>
          <InterventionChecks interventions={p.interventions} selected={applied} onChange={setApplied} />
        </fieldset>
      ) : null}
      <SelectField
        label="Metric"
        value={metric}
        onChange={setMetric}
        options={METRICS.map((m) => [m.id, m.label] as const)}
      />
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
      <div className="row wrap">
        <OptionField
          o={o}
          name="tornadoRuns"
          step={1000}
          hint="Paired runs at each parameter's low and high end"
        />
        <OptionField o={o} name="samples" step={8} hint="0 skips the Sobol indices" />
        <OptionField
          o={o}
          name="sobolTop"
          step={4}
          hint="The K parameters with the largest tornado swing; 0: all"
        />
      </div>
      <div className="row wrap">
        <OptionField o={o} name="runsPerPoint" step={100} />
        <OptionField o={o} name="seed" />
      </div>
      <details
        className="advanced"
        open={['low', 'high', 'bootstrap'].some((k) => form.errors[k]) || undefined}
      >
        <summary>Advanced</summary>
        <div className="row wrap">
          <OptionField o={o} name="low" step={0.01} hint="Between 0 and 1, below the high one" />
          <OptionField o={o} name="high" step={0.01} />
        </div>
        <OptionField o={o} name="bootstrap" />
      </details>
      <p className="muted small" data-testid="sensitivity-work">
        {k
          ? `${k} parameters · ${work.toLocaleString()} engine runs (${tornadoRuns.toLocaleString()} × ${1 + 2 * k} for the tornado${samples ? `, ${runsPerPoint.toLocaleString()} × ${(samples * (K + 2)).toLocaleString()} Sobol design points over ${K === k ? `all ${k}` : `the ${K} with the largest swing`}` : ''})`
          : 'No uncertain parameter selected.'}
      </p>
      <StartButton
        {...p}
        job={job}
        label="Run sensitivity"
        disabled={k === 0}
        onClick={() => void job.start('sensitivity', { interventions: applied, metric, ...v, only })}
        viewers="Viewers can read analyses but not start them."
      />
    </div>
  );
}
