// The results of a backtest: each historical case's forecast against what happened (the probability
// Brink gave the observed peak, below and above it, its scores, ICB's base rate), held-out and
// in-sample cases in tables of their own with their mean scores, and the held-out calibration table:
// the report `brink backtest FILES --json` prints, stored by the job.
import type { BacktestResult, CaseRow, CaseSummary } from '../../../src/calibration/backtest.ts';
import type { RunDetail } from '../api.ts';
import { fmtP } from '../components/charts.tsx';
import { DataTable } from '../components/DataTable.tsx';

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');

/** A set of cases: its mean scores against the base rate and uniform, and each case's row. */
function CaseSet({ id, title, rows, s }: { id: string; title: string; rows: CaseRow[]; s: CaseSummary }) {
  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>
        {title} ({s.n})
      </h2>
      {s.n === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <>
          <p data-testid={`${id}-summary`}>
            Mean log score {f2(s.logScore)} (ICB trigger-type base rate {f2(s.baseRate)}, uniform{' '}
            {f2(s.uniform)}; higher is better) · mean RPS {f2(s.rps)} · outcome type {f2(s.outcomeLogScore)}
          </p>
          <DataTable
            className="mini"
            testId={`${id}-table`}
            head={[
              'case',
              'observed peak',
              'P(observed)',
              'P(below)',
              'P(above)',
              'log score',
              'base rate',
              'PIT',
              'outcome',
              'P(outcome)',
            ]}
            numeric={[2, 3, 4, 5, 6, 7, 9]}
            rows={rows}
            rowKey={(c) => c.file}
            cells={(c) => [
              c.id,
              c.observed,
              fmtP(c.p),
              fmtP(c.pBelow),
              fmtP(c.pAbove),
              f2(c.logScore),
              c.baseRate === null ? '–' : fmtP(c.baseRate),
              f2(c.pit),
              c.outcome,
              fmtP(c.pOutcome),
            ]}
          />
        </>
      )}
    </section>
  );
}

export function BacktestResults({ run }: { run: RunDetail }) {
  const r = run.report as unknown as BacktestResult;
  const held = r.cases.filter((c) => !c.inSample);
  const inSample = r.cases.filter((c) => c.inSample);
  return (
    <>
      <p className="muted">
        {r.cases.length} case{r.cases.length === 1 ? '' : 's'}, {r.runs.toLocaleString()} runs each, seed{' '}
        {r.seed}; base rates from ICB crises before {r.cutoff}.
      </p>
      <CaseSet id="held-out" title="Held-out cases" rows={held} s={r.summary} />
      <CaseSet id="in-sample" title="In-sample cases, scored apart" rows={inSample} s={r.inSample} />
      {inSample.length ? (
        <ul className="muted small">
          {inSample.map((c) => (
            <li key={c.file}>
              {c.id}: {c.inSampleWhy}
            </li>
          ))}
        </ul>
      ) : null}
      {r.summary.n ? (
        <section className="panel" aria-labelledby="calibration-h">
          <h2 id="calibration-h">Calibration (held-out cases)</h2>
          <DataTable
            className="mini"
            head={['forecast P(peak ≥ rung)', 'pairs', 'mean forecast', 'observed frequency']}
            numeric={[1, 2, 3]}
            rows={r.summary.calibration}
            rowKey={(b) => b.lo}
            cells={(b) => [
              `${f2(b.lo)}–${f2(b.hi)}`,
              b.n,
              b.n ? f2(b.meanForecast) : '–',
              b.n ? f2(b.observedFrequency) : '–',
            ]}
          />
        </section>
      ) : null}
    </>
  );
}
