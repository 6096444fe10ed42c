// The results of a backtest on ICB crises: how the crises were split (the training crises of each fit,
// in sample and not scored), then the held-out crises' scores on each scale, Brink's forecast beside
// ICB's trigger-type base rate, a multinomial logit and uniform with Brink's paired differences, and
// each held-out crisis's forecast of what happened: the report `brink backtest --icb --json` prints,
// stored by the job.
import type { IcbBacktestReport } from '../../../src/calibration/icb-analysis.ts';
import { comparisonRows, SCALE_IDS, SCALES, type ScaleResult } from '../../../src/calibration/icb-scales.ts';
import type { RunDetail } from '../api.ts';
import { fmtP } from '../components/charts.tsx';
import { DataTable } from '../components/DataTable.tsx';

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const iv = (x: { mean: number; lo: number; hi: number }) =>
  `${x.mean >= 0 ? '+' : ''}${f2(x.mean)} (${f2(x.lo)} to ${f2(x.hi)})`;

/** One scale: each forecast's mean scores and Brink's differences from it, the floor, the PIT. */
function ScaleScores({ x, until }: { x: ScaleResult; until: boolean }) {
  const s = SCALES[x.scale];
  return (
    <section className="panel" aria-labelledby={`scale-${x.scale}-h`}>
      <h3 id={`scale-${x.scale}-h`}>
        {s.name} ({s.classes.join(' / ')}), {x.n} crises
      </h3>
      <DataTable
        className="mini"
        testId={`scale-${x.scale}`}
        head={[
          'forecast',
          'mean log score',
          'mean RPS',
          'Brink minus it: log score (95% CI)',
          'it minus Brink: RPS (95% CI)',
        ]}
        numeric={[1, 2, 3, 4]}
        rows={comparisonRows(x)}
        rowKey={(r) => r.name}
        cells={(r) => [
          r.name,
          f2(r.scores.logScore),
          f2(r.scores.rps),
          r.vs ? iv(r.vs.logScore) : '',
          r.vs ? iv(r.vs.rps) : '',
        ]}
      />
      <p className="muted small">
        Higher log score and lower RPS are better. Observed class below 1% of the engine's runs:{' '}
        {x.floor.count} of {x.n} ({fmtP(x.floor.share, 1)}) · PIT histogram (10 bins):{' '}
        {x.pitHistogram.join(' ')}
      </p>
      {until ? (
        <p className="muted small">
          Pooling with the base rate, mean log score by weight:{' '}
          {x.pool.curve.map((p) => `${p.weight.toFixed(2)}: ${p.logScore.toFixed(3)}`).join(', ')}; best{' '}
          {x.pool.best.weight.toFixed(2)}, in use {x.pool.weight.toFixed(2)}
        </p>
      ) : null}
    </section>
  );
}

export function IcbBacktestResults({ run }: { run: RunDetail }) {
  const r = run.report as unknown as IcbBacktestReport;
  const time = r.split.kind === 'time';
  const until = r.split.until !== undefined;
  const icb = SCALES.icb.classes;
  return (
    <>
      <p className="muted" data-testid="icb-split">
        {r.split.kind === 'time'
          ? `Fit on the ${r.train} ICB crises triggered before ${r.split.cutoff}, scored on the ${r.test} from ${r.split.cutoff} on`
          : `${r.split.folds}-fold cross-validation over ${r.test} ICB crises, each fold scored by a fit on the others`}
        {until ? `; only crises triggered before ${r.split.until}` : ''}; {r.runs.toLocaleString()} runs per
        crisis, seed {r.seed}.
      </p>
      <section className="panel" aria-labelledby="training-h">
        <h2 id="training-h">Training crises (in sample, not scored)</h2>
        <DataTable
          className="mini"
          testId="icb-fits"
          head={[time ? 'fit' : 'fold', 'training crises', 'fit']}
          numeric={[1]}
          rows={r.fits}
          rowKey={(f) => f.fold}
          cells={(f) => [
            time ? 'time split' : f.fold + 1,
            time ? r.train : f.n,
            f.fromCache ? 'saved' : 'fitted now',
          ]}
        />
      </section>
      <section className="panel" aria-labelledby="held-out-h">
        <h2 id="held-out-h">Held-out crises ({r.test})</h2>
        <p data-testid="icb-summary">
          On ICB's violence scale, mean log score {f2(r.summary.logScore)} (ICB trigger-type base rate{' '}
          {f2(r.summary.baseRate)}, multinomial logit {f2(r.summary.logit)}, uniform {f2(r.summary.uniform)},
          higher is better)
        </p>
        {SCALE_IDS.map((s) => (
          <ScaleScores key={s} x={r.scales[s]} until={until} />
        ))}
        <DataTable
          className="mini"
          testId="icb-cases"
          head={['crisis', 'year', 'observed (ICB scale)', 'Brink', 'base rate', 'logit']}
          numeric={[1, 3, 4, 5]}
          rows={r.cases}
          rowKey={(c) => c.id}
          cells={(c) => {
            const k = c.observed.icb;
            return [
              `${c.name} (${c.crisno})`,
              c.year,
              icb[k] ?? '–',
              fmtP(c.p.icb[k] ?? Number.NaN, 1),
              fmtP(c.baseRate.icb[k] ?? Number.NaN, 1),
              fmtP(c.logit.icb[k] ?? Number.NaN, 1),
            ];
          }}
        />
      </section>
    </>
  );
}
