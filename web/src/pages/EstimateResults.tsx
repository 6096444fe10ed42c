// The results of a sweep (each cell's metrics with intervals), a break-even search (the paired
// difference at each point and the crossing) and a rare-event estimate: tables of the reports the CLI
// prints with --json, stored by the job.
import type { BreakevenReport } from '../../../src/analysis/breakeven.ts';
import type { RareResult } from '../../../src/analysis/rare.ts';
import type { SweepReport } from '../../../src/analysis/sweep.ts';
import type { RunDetail } from '../api.ts';
import { BreakevenBands, SweepBands } from '../components/Bands.tsx';
import { fmtP } from '../components/charts.tsx';

const ci = (c: [number, number]) => `${fmtP(c[0])} to ${fmtP(c[1])}`;

export function SweepResults({ run }: { run: RunDetail }) {
  const r = run.report as unknown as SweepReport;
  return (
    <>
      <section className="panel" aria-labelledby="sweep-h">
        <h2 id="sweep-h">Sweep: each cell on the same random numbers</h2>
        <table className="mini" data-testid="sweep-table">
          <thead>
            <tr>
              {r.params.map((p) => (
                <th key={p.path} scope="col">
                  {p.path}
                </th>
              ))}
              {r.metrics.map((x) => (
                <th key={x.id} scope="col">
                  {x.label} (95% interval)
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {r.cells.map((c) => (
              <tr key={c.values.join(',')}>
                {c.values.map((v, k) => (
                  <td key={r.params[k]!.path}>{v}</td>
                ))}
                {r.metrics.map((x) => {
                  const m = c.metrics[x.id]!;
                  return (
                    <td key={x.id}>
                      {fmtP(m.p)} <span className="muted small">({ci(m.ci95)})</span>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
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
        <table className="mini">
          <thead>
            <tr>
              <th scope="col">{r.param.path}</th>
              <th scope="col">baseline</th>
              <th scope="col">with {r.with}</th>
              <th scope="col">difference (95% interval)</th>
            </tr>
          </thead>
          <tbody>
            {r.points.map((p) => (
              <tr key={p.x}>
                <td>{p.x}</td>
                <td>{fmtP(p.base)}</td>
                <td>{fmtP(p.alt)}</td>
                <td>
                  {fmtP(p.d)} <span className="muted small">({ci(p.ci95)})</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
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
