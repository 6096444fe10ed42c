// The results of a sweep (each cell's metrics with intervals), a break-even search (the paired
// difference at each point and the crossing) and a rare-event estimate: tables of the reports the CLI
// prints with --json, stored by the job.
import type { BreakevenReport } from '../../../src/analysis/breakeven.ts';
import type { RareResult } from '../../../src/analysis/rare.ts';
import type { SweepReport } from '../../../src/analysis/sweep.ts';
import type { RunDetail } from '../api.ts';
import { BreakevenBands, SweepBands } from '../components/Bands.tsx';
import { fmtP } from '../components/charts.tsx';
import { DataTable } from '../components/DataTable.tsx';

/** A probability and, in small type, its 95% interval. */
function WithCi({ p, ci95 }: { p: number; ci95: [number, number] }) {
  return (
    <>
      {fmtP(p)}{' '}
      <span className="muted small">
        ({fmtP(ci95[0])} to {fmtP(ci95[1])})
      </span>
    </>
  );
}

export function SweepResults({ run }: { run: RunDetail }) {
  const r = run.report as unknown as SweepReport;
  return (
    <>
      <section className="panel" aria-labelledby="sweep-h">
        <h2 id="sweep-h">Sweep: each cell on the same random numbers</h2>
        <DataTable
          className="mini"
          testId="sweep-table"
          head={[...r.params.map((p) => p.path), ...r.metrics.map((x) => `${x.label} (95% interval)`)]}
          rows={r.cells}
          rowKey={(c) => c.values.join(',')}
          cells={(c) => [
            ...c.values,
            ...r.metrics.map((x) => (
              <WithCi key={x.id} p={c.metrics[x.id]!.p} ci95={c.metrics[x.id]!.ci95} />
            )),
          ]}
        />
        <p className="muted small">
          {r.runs.toLocaleString()} runs per cell, seed {r.seed}
        </p>
      </section>
      <SweepBands report={r} />
    </>
  );
}

export function BreakevenResults({ run }: { run: RunDetail }) {
  const r = run.report as unknown as BreakevenReport;
  const verdict =
    r.verdict === 'crosses' && r.crossing
      ? `${r.with} ${r.crossing.direction === 'stops-paying' ? 'stops' : 'starts'} paying at ${r.param.path} = ${r.crossing.x} (95% interval ${r.crossing.ci95[0]} to ${r.crossing.ci95[1]})`
      : r.verdict === 'pays'
        ? `${r.with} lowers ${r.metric.label} over the whole range`
        : `${r.with} never lowers ${r.metric.label} in the range`;
  return (
    <>
      <section className="panel" aria-labelledby="be-h">
        <h2 id="be-h">Break-even</h2>
        <p data-testid="breakeven-verdict">{verdict}</p>
        <DataTable
          className="mini"
          head={[r.param.path, 'baseline', `with ${r.with}`, 'difference (95% interval)']}
          rows={r.points}
          rowKey={(p) => p.x}
          cells={(p) => [p.x, fmtP(p.base), fmtP(p.alt), <WithCi key="d" p={p.d} ci95={p.ci95} />]}
        />
      </section>
      <BreakevenBands report={r} />
    </>
  );
}

export function RareResults({ run }: { run: RunDetail }) {
  const r = run.report as unknown as RareResult;
  return (
    <section className="panel" aria-labelledby="rare-h">
      <h2 id="rare-h">Rare-event estimate ({r.estimator})</h2>
      <p data-testid="rare-estimate">
        P(peak ≥ {r.target.id}) = {r.estimate.toPrecision(3)}{' '}
        <span className="muted">
          (95% interval {r.ci95[0].toPrecision(3)} to {r.ci95[1].toPrecision(3)})
        </span>
      </p>
      <p className="muted small">
        relative error {r.relativeError.toPrecision(3)} · effective sample size{' '}
        {Math.round(r.ess).toLocaleString()} · work {r.work.events.toLocaleString()} engine events · gain over
        crude Monte Carlo {r.gainVsCrude.toPrecision(3)}×
      </p>
    </section>
  );
}
