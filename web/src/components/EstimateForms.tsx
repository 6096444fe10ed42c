// The launchers of the analyses the registry added to the workbench: a sweep over one parameter, a
// break-even search, a rare-event estimate, and (on a library) the backtest of its historical cases. Each checks its body with the API's own schema, starts
// a background job (`POST …/analyses/{kind}`) and opens its page.
import { useState } from 'react';
import {
  BacktestOptionsSchema,
  BreakevenOptionsSchema,
  IcbBacktestOptionsSchema,
  RareOptionsSchema,
  SweepOptionsSchema,
} from '../../../src/analysis/options.ts';
import { type Props, StartButton, useStart } from './AnalysisForms.tsx';
import {
  DrawsField,
  type FieldErrors,
  NumberField,
  OptionField,
  type Options,
  SelectField,
  TextField,
  useOptions,
} from './forms.tsx';
import { InterventionChecks } from './InterventionChecks.tsx';

type Form = FieldErrors;
type Num = [number, (n: number) => void];

/** The interventions applied before the analysis. */
function Applied(p: Props & { applied: string[]; onChange: (a: string[]) => void; legend: string }) {
  return (
    <fieldset className="interventions">
      <legend>{p.legend}</legend>
      <InterventionChecks interventions={p.interventions} selected={p.applied} onChange={p.onChange} />
    </fieldset>
  );
}

/** A parameter's dotted path and the range it varies over. */
function ParamRange(p: { form: Form; name: string; path: [string, (v: string) => void]; lo: Num; hi: Num }) {
  return (
    <>
      <TextField
        form={p.form}
        name={p.name}
        label="Parameter (dotted path)"
        value={p.path[0]}
        onChange={p.path[1]}
        placeholder="talks.eu-hosted.leak.DPRK.p"
      />
      <div className="row wrap">
        <NumberField form={p.form} name="lo" label="From" value={p.lo[0]} onChange={p.lo[1]} step={0.01} />
        <NumberField form={p.form} name="hi" label="To" value={p.hi[0]} onChange={p.hi[1]} step={0.01} />
      </div>
    </>
  );
}

/** Runs (per cell or point), the seed and the parameter draws. */
function RunsAndSeed({ o }: { o: Options }) {
  return (
    <div className="row wrap">
      <OptionField o={o} name="runs" step={1000} />
      <OptionField o={o} name="seed" />
      <DrawsField o={o} />
    </div>
  );
}

export function SweepForm(p: Props) {
  const [applied, setApplied] = useState<string[]>([]);
  const [path, setPath] = useState('');
  const [lo, setLo] = useState(0);
  const [hi, setHi] = useState(0.3);
  const [steps, setSteps] = useState(4);
  const o = useOptions(SweepOptionsSchema, {
    params: 'Parameter',
    runs: 'Runs per cell',
  });
  const { form } = o;
  const job = useStart(p, form);
  return (
    <div className="analysis-form">
      <p className="muted small">
        Every value of the parameter runs on the same random worlds, so the cells differ by the parameter
        only.
      </p>
      <Applied {...p} applied={applied} onChange={setApplied} legend="Interventions to apply first" />
      <ParamRange form={form} name="params" path={[path, setPath]} lo={[lo, setLo]} hi={[hi, setHi]} />
      <NumberField
        form={form}
        name="steps"
        label="Values"
        value={steps}
        onChange={setSteps}
        min={1}
        max={1000}
      />
      <RunsAndSeed o={o} />
      <StartButton
        {...p}
        job={job}
        label="Sweep"
        disabled={!path}
        onClick={() =>
          void job.start('analyses/sweep', {
            interventions: applied,
            params: [{ path, lo, hi, steps }],
            ...o.values,
          })
        }
      />
    </div>
  );
}

export function BreakevenForm(p: Props) {
  const [arm, setArm] = useState('');
  const [param, setParam] = useState('');
  const [lo, setLo] = useState(0);
  const [hi, setHi] = useState(1);
  const o = useOptions(BreakevenOptionsSchema, {
    with: 'Intervention',
    param: 'Parameter',
    range: 'Range',
    runs: 'Paired runs per point',
  });
  const { form } = o;
  const job = useStart(p, form);
  const armId = arm || p.interventions[0]?.id || '';
  return (
    <div className="analysis-form">
      <p className="muted small">
        Where the intervention stops lowering P(war or worse) as a parameter varies: a grid, then bisection,
        with a bootstrap interval.
      </p>
      <div className="field">
        <label htmlFor="breakeven-with">Intervention</label>
        <select id="breakeven-with" value={armId} onChange={(e) => setArm(e.target.value)}>
          {p.interventions.map((iv) => (
            <option key={iv.id} value={iv.id}>
              {iv.title}
            </option>
          ))}
        </select>
      </div>
      <ParamRange form={form} name="param" path={[param, setParam]} lo={[lo, setLo]} hi={[hi, setHi]} />
      <RunsAndSeed o={o} />
      <StartButton
        {...p}
        job={job}
        label="Find the break-even"
        disabled={!armId || !param}
        onClick={() =>
          void job.start('analyses/breakeven', {
            with: armId,
            param,
            range: [lo, hi],
            runs: o.values.runs,
            seed: o.values.seed,
            epistemic: o.values.epistemic,
          })
        }
      />
    </div>
  );
}

const ESTIMATORS = [
  { id: 'ams', label: 'Adaptive multilevel splitting' },
  { id: 'is', label: 'Importance sampling (cross-entropy)' },
  { id: 'crude', label: 'Crude Monte Carlo' },
] as const;

export function RareForm(p: Props) {
  const [applied, setApplied] = useState<string[]>([]);
  const [estimator, setEstimator] = useState<(typeof ESTIMATORS)[number]['id']>('ams');
  const [target, setTarget] = useState('');
  const o = useOptions(RareOptionsSchema, {
    target: 'Target rung',
    particles: 'Particles',
    replicates: 'Replicates',
  });
  const { form } = o;
  const job = useStart(p, form);
  return (
    <div className="analysis-form">
      <p className="muted small">
        P(peak at or above a rung) for outcomes too rare for plain Monte Carlo, with an interval and the gain
        over it.
      </p>
      <Applied {...p} applied={applied} onChange={setApplied} legend="Interventions to apply" />
      <SelectField
        label="Estimator"
        value={estimator}
        onChange={setEstimator}
        options={ESTIMATORS.map((x) => [x.id, x.label] as const)}
      />
      <TextField
        form={form}
        name="target"
        label="Target rung (default: nuclear use)"
        value={target}
        onChange={setTarget}
        placeholder="nuclear-use"
      />
      {estimator === 'ams' ? (
        <div className="row wrap">
          <OptionField o={o} name="particles" />
          <OptionField o={o} name="replicates" />
        </div>
      ) : null}
      <OptionField o={o} name="seed" />
      <StartButton
        {...p}
        job={job}
        label="Estimate"
        onClick={() =>
          void job.start('analyses/rare', {
            interventions: applied,
            estimator,
            ...(target ? { target } : {}),
            particles: o.values.particles,
            replicates: o.values.replicates,
            seed: o.values.seed,
          })
        }
      />
    </div>
  );
}

/** On a library: the backtest of the historical cases shipped with Brink that extend it. */
export function BacktestForm(p: Props) {
  const o = useOptions(BacktestOptionsSchema, { runs: 'Runs per case' });
  const { form } = o;
  const job = useStart(p, form);
  return (
    <div className="analysis-form">
      <p className="muted small">
        Runs every historical case shipped with Brink that extends this library (as saved here) and scores its
        forecast against what happened, beside ICB's base rate for the case's trigger type. Cases used to
        write or fit the library are scored apart from the held-out ones.
      </p>
      <div className="row wrap">
        <OptionField o={o} name="runs" step={1000} />
        <OptionField o={o} name="seed" />
      </div>
      <StartButton
        {...p}
        job={job}
        label="Backtest"
        onClick={() => void job.start('analyses/backtest', { runs: o.values.runs, seed: o.values.seed })}
      />
    </div>
  );
}

/**
 * On the generic crisis library: the backtest on ICB crises held out from its fit (a time split at a
 * year, or k folds; optionally only the crises before a later year), against the baselines.
 */
export function IcbBacktestForm(p: Props) {
  const o = useOptions(
    IcbBacktestOptionsSchema,
    { cutoff: 'Fit on crises before', folds: 'Folds', until: 'Only crises before', runs: 'Runs per crisis' },
    { folds: 5, until: 1985 },
  );
  const [split, setSplit] = useState<'time' | 'folds'>('time');
  const [inside, setInside] = useState(false);
  const job = useStart(p, o.form);
  const v = o.values;
  return (
    <div className="analysis-form">
      <p className="muted small">
        Forecasts each ICB crisis held out from the fit with this library under the fit of the other crises
        (the fits saved with Brink), and scores it against ICB's trigger-type base rate, a multinomial logit
        and uniform. Training crises are not scored.
      </p>
      <SelectField
        label="Held-out crises"
        value={split}
        onChange={setSplit}
        options={[
          ['time', 'Time split: those from a year on'],
          ['folds', 'k-fold cross-validation'],
        ]}
      />
      <div className="row wrap">
        {split === 'time' ? <OptionField o={o} name="cutoff" /> : <OptionField o={o} name="folds" />}
        <OptionField o={o} name="runs" step={500} />
        <OptionField o={o} name="seed" />
      </div>
      <label className="check">
        <input type="checkbox" checked={inside} onChange={(e) => setInside(e.target.checked)} /> Inside a
        training set: only the crises triggered before a year
      </label>
      {inside ? <OptionField o={o} name="until" /> : null}
      <StartButton
        {...p}
        job={job}
        label="Backtest on ICB crises"
        onClick={() =>
          void job.start('analyses/backtest-icb', {
            ...(split === 'time' ? { cutoff: v.cutoff } : { folds: v.folds }),
            ...(inside ? { until: v.until } : {}),
            runs: v.runs,
            seed: v.seed,
          })
        }
      />
    </div>
  );
}
