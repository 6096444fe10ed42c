// A run: its manifest, live progress (SSE) with cancel, then the charts, a sample run's timeline and
// the downloads.
import { useEffect, useState } from 'react';
import { sobolParameters } from '../../../src/analysis/vocabulary.ts';
import {
  get,
  type JobKind,
  type Manifest as JobManifest,
  kindOf,
  post,
  type RunDetail,
  type RunSummary,
  type TraceReply,
  type WorkspaceRef,
} from '../api.ts';
import { KpiBand, RunBands } from '../components/Bands.tsx';
import {
  ExceedanceChart,
  fmtP,
  MisperceptionChart,
  OutcomesChart,
  PathSankey,
} from '../components/charts.tsx';
import { Term } from '../components/Term.tsx';
import { Timeline, TraceForm } from '../components/Timeline.tsx';
import { Link, navigate } from '../router.tsx';
import { CompareResults, SensitivityResults } from './AnalysisResults.tsx';
import { BacktestResults } from './BacktestResults.tsx';
import { BreakevenResults, RareResults, SweepResults } from './EstimateResults.tsx';
import { IcbBacktestResults } from './IcbBacktestResults.tsx';
import { STATUS_LABEL } from './RunHistory.tsx';

/** What a job's progress counts (the manifest's `runs`). */
const UNITS: Record<JobKind, string> = {
  run: 'runs',
  compare: 'runs per arm',
  sensitivity: 'engine runs',
  sweep: 'cells',
  breakeven: 'points',
  rare: 'estimates',
  backtest: 'runs over the cases',
  'backtest-icb': "runs over the held-out crises' models",
};

const CRUMB: Record<JobKind, string> = {
  run: 'run',
  compare: 'comparison',
  sensitivity: 'sensitivity',
  sweep: 'sweep',
  breakeven: 'break-even',
  rare: 'rare-event estimate',
  backtest: 'backtest',
  'backtest-icb': 'ICB backtest',
};

/** What a job is, after the scenario's name. */
export function jobTitle(m: JobManifest): string {
  const w = m.interventions.length ? ` with ${m.interventions.join(' + ')}` : '';
  switch (m.kind) {
    case 'compare':
      return `compared: ${m.compare.arms.map((a) => a.replace(/\+/g, ' + ')).join(', ')}`;
    case 'sensitivity':
      return `sensitivity${w}`;
    case 'sweep':
      return `sweep of ${m.sweep.params.map((p) => p.path).join(' × ')}${w}`;
    case 'breakeven':
      return `break-even of ${m.breakeven.with} in ${m.breakeven.param}`;
    case 'rare':
      return `rare-event estimate (${m.rare.estimator})${w}`;
    case 'backtest':
      return `backtest of ${m.backtest.cases.length} historical case${m.backtest.cases.length === 1 ? '' : 's'}`;
    case 'backtest-icb': {
      const o = m['backtest-icb'];
      return `backtest on ICB crises (${o.split === 'time' ? `held out from ${o.cutoff}` : `${o.folds} folds`}${o.until === null ? '' : `, before ${o.until}`})`;
    }
    case 'run':
      return w ? w.trim() : 'baseline';
  }
}

/** Its size in one line. */
export function jobLine(m: JobManifest): string {
  switch (m.kind) {
    case 'compare':
      return `${m.runs.toLocaleString()} runs per arm · seed ${m.seed}`;
    case 'sensitivity':
      return `${m.sensitivity.parameters} parameters · ${m.sensitivity.metric} · ${m.runs.toLocaleString()} engine runs · seed ${m.seed}`;
    case 'sweep':
      return `${m.runs.toLocaleString()} cells × ${m.sweep.runsPerCell.toLocaleString()} runs · seed ${m.seed}`;
    case 'breakeven':
      return `${m.breakeven.runsPerPoint.toLocaleString()} paired runs per point · ${m.breakeven.metric} · seed ${m.seed}`;
    case 'rare':
      return `${m.rare.estimator} · target ${m.rare.target ?? 'default'} · seed ${m.seed}`;
    case 'backtest':
      return `${m.backtest.runsPerCase.toLocaleString()} runs per case · seed ${m.seed}`;
    case 'backtest-icb':
      return `${m['backtest-icb'].runsPerCrisis.toLocaleString()} runs per held-out crisis · seed ${m.seed}`;
    case 'run':
      return `${m.runs.toLocaleString()} runs · seed ${m.seed}`;
  }
}

interface Progress {
  status: RunSummary['status'];
  doneRuns: number;
  totalRuns: number;
  error: string | null;
}

export function RunPage({ ws, runId }: { ws: WorkspaceRef; runId: string }) {
  const [run, setRun] = useState<RunDetail | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState('');
  const base = `/api/workspaces/${ws.id}/runs/${runId}`;

  useEffect(() => {
    let es: EventSource | undefined;
    let stop = false;
    const load = async () => {
      const r = await get<RunDetail>(base);
      if (stop) return;
      setRun(r);
      if (r.status === 'queued' || r.status === 'running') {
        es = new EventSource(`${base}/events`);
        es.addEventListener('progress', (e) => {
          const p = JSON.parse((e as MessageEvent<string>).data) as Progress;
          setProgress(p);
          if (p.status !== 'running' && p.status !== 'queued') {
            es?.close();
            void get<RunDetail>(base).then((x) => !stop && setRun(x));
          }
        });
        es.onerror = () => {
          es?.close();
          setTimeout(() => void load(), 1000);
        };
      }
    };
    load().catch((e: Error) => setError(e.message));
    return () => {
      stop = true;
      es?.close();
    };
  }, [base]);

  if (error)
    return (
      <div className="page error" role="alert">
        {error}
      </div>
    );
  if (!run) return <div className="page muted">Loading run…</div>;
  const m = run.manifest;
  const status = progress?.status ?? run.status;
  const done = progress?.doneRuns ?? run.doneRuns;
  const live = status === 'running' || status === 'queued';
  const canAct = ws.role !== 'viewer';
  const kind = kindOf(m);
  const unit = UNITS[kind];

  return (
    <div className="page run-page">
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link to={`/w/${ws.id}`}>Scenarios</Link> <span aria-hidden="true">/</span>{' '}
        <Link to={`/w/${ws.id}/s/${run.scenarioId}`}>{m.scenarioPath}</Link> <span aria-hidden="true">/</span>{' '}
        <span>{CRUMB[kind]}</span>
      </nav>
      <div className="page-head">
        <div>
          <h1>
            {m.scenarioPath.replace(/\.ya?ml$/, '')} <span className="muted">{jobTitle(m)}</span>
          </h1>
          <p className="muted">
            <span className={`pill ${status}`} data-testid="run-status">
              {STATUS_LABEL[status]}
            </span>{' '}
            {jobLine(m)}
          </p>
        </div>
        <div className="row">
          {run.report && kind.startsWith('backtest') ? (
            <a className="button secondary" href={`${base}/report?format=json`} download>
              Download JSON
            </a>
          ) : run.report ? (
            <>
              <a className="button primary" href={`${base}/report?format=html`} download>
                Download report (HTML)
              </a>
              <a className="button secondary" href={`${base}/report?format=json`} download>
                Download JSON
              </a>
              <a className="button secondary" href={`${base}/report?format=csv`} download>
                Download CSV
              </a>
            </>
          ) : null}
          {canAct && !live ? (
            <button
              type="button"
              className="ghost"
              onClick={async () => {
                const r = await post<RunSummary>(`${base}/rerun`);
                navigate(`/w/${ws.id}/r/${r.id}`);
              }}
            >
              Re-run
            </button>
          ) : null}
        </div>
      </div>

      <Manifest run={run} />

      {live || status === 'interrupted' ? (
        <section className="panel" aria-labelledby="prog-h">
          <h2 id="prog-h">{status === 'interrupted' ? 'Interrupted' : 'Running'}</h2>
          <div
            className="progress"
            role="progressbar"
            aria-label="Runs done"
            aria-valuemin={0}
            aria-valuemax={m.runs}
            aria-valuenow={done}
            aria-valuetext={`${done} of ${m.runs} ${unit}`}
          >
            <span style={{ width: `${(done / m.runs) * 100}%` }} />
          </div>
          <p className="muted" aria-live="polite">
            {done.toLocaleString()} of {m.runs.toLocaleString()} {unit} ({fmtP(done / m.runs, 0)})
            {m.kind === 'compare' ? ` · ${1 + m.compare.arms.length} arms on each` : ''}
          </p>
          {status === 'interrupted' ? (
            <p>
              The server stopped during this run. Its last checkpoint is kept: resuming gives exactly the
              numbers of an uninterrupted run.
            </p>
          ) : null}
          <div className="row">
            {canAct && live ? (
              <button type="button" className="danger" onClick={() => void post(`${base}/cancel`)}>
                {kind === 'run' ? 'Cancel run' : 'Cancel'}
              </button>
            ) : null}
            {canAct && status === 'interrupted' ? (
              <button
                type="button"
                className="primary"
                onClick={async () => {
                  await post(`${base}/resume`);
                  location.reload();
                }}
              >
                Resume
              </button>
            ) : null}
          </div>
        </section>
      ) : null}
      {status === 'failed' ? (
        <div className="banner error" role="alert">
          The run failed: {progress?.error ?? run.error}
        </div>
      ) : null}
      {status === 'cancelled' ? (
        <div className="banner warn">
          Cancelled after {done.toLocaleString()} {unit}; no report was written.
        </div>
      ) : null}

      {run.report ? (
        kind === 'compare' ? (
          <CompareResults ws={ws} run={run} />
        ) : kind === 'sensitivity' ? (
          <SensitivityResults ws={ws} run={run} />
        ) : kind === 'sweep' ? (
          <SweepResults run={run} />
        ) : kind === 'breakeven' ? (
          <BreakevenResults run={run} />
        ) : kind === 'rare' ? (
          <RareResults run={run} />
        ) : kind === 'backtest' ? (
          <BacktestResults run={run} />
        ) : kind === 'backtest-icb' ? (
          <IcbBacktestResults run={run} />
        ) : (
          <Results ws={ws} run={run} />
        )
      ) : null}
    </div>
  );
}

function Manifest({ run }: { run: RunDetail }) {
  const m = run.manifest;
  return (
    <details className="panel manifest">
      <summary>Manifest: what makes this run reproducible</summary>
      <dl>
        <dt>scenario</dt>
        <dd>
          {m.scenarioPath}, version {m.scenarioVersion}
        </dd>
        <dt>content hash</dt>
        <dd>
          <code>{m.hash}</code>
        </dd>
        <dt>engine</dt>
        <dd>{m.engine}</dd>
        <dt>seed, runs</dt>
        <dd>
          {m.seed}, {m.runs.toLocaleString()}
          {m.kind === 'run' ? '' : ` ${UNITS[m.kind]}`}
        </dd>
        <dt>interventions</dt>
        <dd>{m.interventions.join(' + ') || 'none'}</dd>
        {m.kind === 'backtest' ? (
          <>
            <dt>cases</dt>
            <dd>{m.backtest.cases.join(', ')}</dd>
            <dt>observed outcomes</dt>
            <dd>
              {m.backtest.observed}; ICB base rates before {m.backtest.cutoff}
            </dd>
          </>
        ) : null}
        {m.kind === 'backtest-icb' ? (
          <>
            <dt>held-out crises</dt>
            <dd>
              {m['backtest-icb'].split === 'time'
                ? `triggered from ${m['backtest-icb'].cutoff} on`
                : `${m['backtest-icb'].folds} folds`}
              {m['backtest-icb'].until === null ? '' : `; only crises before ${m['backtest-icb'].until}`}
            </dd>
            <dt>fit</dt>
            <dd>{m['backtest-icb'].fit ?? 'fitted when the job opened'}</dd>
          </>
        ) : null}
        {m.kind === 'compare' ? (
          <>
            <dt>arms</dt>
            <dd>{m.compare.arms.join(', ')}</dd>
            <dt>traced per arm</dt>
            <dd>
              up to {m.compare.traceRuns} saved and {m.compare.traceRuns} harmed runs
            </dd>
          </>
        ) : null}
        {m.kind === 'sensitivity' ? (
          <>
            <dt>metric</dt>
            <dd>{m.sensitivity.metric}</dd>
            <dt>design</dt>
            <dd>
              {m.sensitivity.parameters} parameters; tornado {m.sensitivity.tornadoRuns.toLocaleString()} runs
              per end at quantiles {m.sensitivity.low} and {m.sensitivity.high}; Sobol N ={' '}
              {m.sensitivity.samples} over{' '}
              {sobolParameters(m.sensitivity.sobolTop ?? 0, m.sensitivity.parameters)},{' '}
              {m.sensitivity.runsPerPoint.toLocaleString()} runs per design point, {m.sensitivity.bootstrap}{' '}
              bootstrap replicates
              {m.sensitivity.only.length ? `; only ${m.sensitivity.only.join(', ')}` : ''}
            </dd>
          </>
        ) : null}
        <dt>overrides</dt>
        <dd>
          {Object.keys(m.set).length
            ? Object.entries(m.set)
                .map(([k, v]) => `${k}=${String(v)}`)
                .join(', ')
            : 'none'}
        </dd>
        <dt>started, finished</dt>
        <dd>
          {run.startedAt ?? '–'}, {run.finishedAt ?? '–'}
        </dd>
      </dl>
    </details>
  );
}

function Results({ ws, run }: { ws: WorkspaceRef; run: RunDetail }) {
  const report = run.report!;
  const [others, setOthers] = useState<RunSummary[]>([]);
  const [compareId, setCompareId] = useState('');
  const [compare, setCompare] = useState<RunDetail | null>(null);
  useEffect(() => {
    void get<RunSummary[]>(`/api/workspaces/${ws.id}/runs?scenarioId=${run.scenarioId}&limit=50`).then((rs) =>
      setOthers(rs.filter((r) => r.id !== run.id && r.status === 'done' && kindOf(r.manifest) === 'run')),
    );
  }, [ws.id, run.scenarioId, run.id]);
  useEffect(() => {
    if (!compareId) return setCompare(null);
    void get<RunDetail>(`/api/workspaces/${ws.id}/runs/${compareId}`).then(setCompare);
  }, [ws.id, compareId]);
  const war = report.outcomes.war;
  const nuc = report.outcomes.nuclearUse;
  // War or worse: the peak reached war or above (the first rung that ends a run in war or nuclear use).
  const worse =
    report.exceedance.find((e) => e.id === 'war') ?? report.exceedance[report.exceedance.length - 1]!;
  return (
    <>
      <section className="kpis" aria-label="Headline figures">
        <Kpi
          label={<Term id="war-or-worse">War or worse</Term>}
          note={`P(peak ≥ ${worse.id})`}
          value={fmtP(worse.p)}
          ci={worse.ci95}
          band={report.epistemic?.outcomes.warOrWorse}
        />
        <Kpi
          label={<Term id="ended-in-war">Ended in war</Term>}
          value={fmtP(war.p)}
          ci={war.ci95}
          band={report.epistemic?.outcomes.war}
        />
        <Kpi
          label={<Term id="nuclear-use-outcome">Nuclear use</Term>}
          value={fmtP(nuc.p)}
          ci={nuc.ci95}
          band={report.epistemic?.outcomes.nuclearUse}
        />
        <Kpi
          label={
            <>
              <Term id="peak">Peak</Term> reached {report.misperception.threshold}
            </>
          }
          value={fmtP(report.exceedance.find((e) => e.id === report.misperception.threshold)?.p ?? 0)}
        />
        <Kpi
          label={<Term id="lethal-chain">…with a misperception in the chain</Term>}
          value={fmtP(report.misperception.share)}
          ci={report.misperception.ci95}
        />
        <Kpi
          label={<Term id="mean-length">Mean length</Term>}
          value={`${report.perRun.hours.toFixed(0)} h`}
        />
      </section>
      <RunBands report={report} />
      <div className="grid2">
        <section className="panel wide-panel">
          <div className="row space">
            <span />
            {others.length ? (
              <label className="field inline">
                <span>Overlay another run</span>
                <select value={compareId} onChange={(e) => setCompareId(e.target.value)}>
                  <option value="">none</option>
                  {others.map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.manifest.interventions.join(' + ') || 'baseline'} · seed {o.manifest.seed} ·{' '}
                      {o.manifest.runs.toLocaleString()} runs
                    </option>
                  ))}
                </select>
              </label>
            ) : null}
          </div>
          <ExceedanceChart
            report={report}
            {...(compare?.report
              ? {
                  compareWith: {
                    label: compare.manifest.interventions.length
                      ? `with ${compare.manifest.interventions.join(' + ')}`
                      : 'baseline',
                    report: compare.report,
                  },
                }
              : {})}
          />
        </section>
        <section className="panel">
          <OutcomesChart report={report} />
        </section>
        <section className="panel">
          <MisperceptionChart report={report} />
        </section>
        <section className="panel wide-panel">
          <PathSankey report={report} />
        </section>
      </div>
      <SampleRun ws={ws} run={run} />
    </>
  );
}

function Kpi({
  label,
  value,
  ci,
  note,
  band,
}: {
  label: React.ReactNode;
  value: string;
  ci?: [number, number];
  note?: string;
  band?: { band90: [number, number] } | undefined;
}) {
  return (
    <div className="kpi">
      <div className="kpi-value">{value}</div>
      <div className="kpi-label">{label}</div>
      {note ? <div className="muted small">{note}</div> : null}
      {ci ? (
        <div className="muted small">
          95% <Term id="wilson">CI</Term> {fmtP(ci[0])} – {fmtP(ci[1])}
        </div>
      ) : null}
      <KpiBand band={band} />
    </div>
  );
}

function SampleRun({ ws, run }: { ws: WorkspaceRef; run: RunDetail }) {
  const [find, setFind] = useState('war');
  const [index, setIndex] = useState(0);
  const [trace, setTrace] = useState<TraceReply | null>(null);
  const load = async () => {
    const q = find === 'index' ? `index=${index}` : `find=${encodeURIComponent(find)}&index=${index}`;
    setTrace(await get<TraceReply>(`/api/workspaces/${ws.id}/runs/${run.id}/trace?${q}`));
  };
  return (
    <section className="panel" aria-labelledby="sample-h">
      <h2 id="sample-h">A sample run: what happened, and what each side believed</h2>
      <TraceForm label="Show timeline" load={load}>
        <label className="field inline">
          <span>Show</span>
          <select value={find} onChange={(e) => setFind(e.target.value)}>
            <option value="war">the first run ending in war</option>
            <option value="nuclearUse">the first run with nuclear use</option>
            <option value="resolved">the first resolved run</option>
            <option value="horizon">the first run unresolved at the horizon</option>
            <option value="index">run number…</option>
          </select>
        </label>
        <label className="field inline">
          <span>{find === 'index' ? 'run' : 'from run'}</span>
          <input type="number" min={0} value={index} onChange={(e) => setIndex(Number(e.target.value))} />
        </label>
      </TraceForm>
      {trace ? (
        <>
          <p>
            Run <strong>{trace.run}</strong> of seed {trace.seed}: ended <strong>{trace.outcome}</strong>,
            peak <strong>{trace.peak}</strong>.
          </p>
          <Timeline trace={trace} />
        </>
      ) : null}
    </section>
  );
}
