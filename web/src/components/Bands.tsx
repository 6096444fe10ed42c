// The parameter-uncertainty band beside the Monte Carlo interval, wherever a job ran parameter draws
// (`epistemic` in its options): the same rows and words as the HTML report (src/analysis/report/rows.ts).
import type { BreakevenReport } from '../../../src/analysis/breakeven.ts';
import type { CompareReport } from '../../../src/analysis/compare.ts';
import type { RunReport } from '../../../src/analysis/ensemble.ts';
import {
  BAND_NOTE,
  breakevenBandLines,
  drawsNote,
  epistemicCompareHead,
  epistemicCompareRows,
  epistemicRunHead,
  epistemicRunRows,
  importanceHead,
  importanceRows,
  type Row,
  sweepBandHead,
  sweepBandRows,
} from '../../../src/analysis/report/rows.ts';
import type { SweepReport } from '../../../src/analysis/sweep.ts';
import { fmtP } from './charts.tsx';
import { DataTable } from './DataTable.tsx';
import { ScrollRegion } from './ScrollRegion.tsx';
import { Term } from './Term.tsx';

function Table({ head, rows, testid }: { head: string[]; rows: Row[]; testid: string }) {
  return (
    <ScrollRegion label={head.slice(0, 3).join(', ')}>
      <DataTable
        className="mini"
        testId={testid}
        head={head}
        rows={rows}
        rowKey={(r) => String(r[0]) + String(r[1])}
        cells={(r) => r}
      />
    </ScrollRegion>
  );
}

function Section({ title, note, children }: { title: string; note: string; children: React.ReactNode }) {
  return (
    <section className="panel" aria-labelledby="band-h" data-testid="parameter-band">
      <h2 id="band-h">{title}</h2>
      {children}
      <p className="muted small">
        {note} <Term id="ci">Monte Carlo interval</Term> and{' '}
        <Term id="parameter-band">parameter-uncertainty band</Term>: {BAND_NOTE}
      </p>
    </section>
  );
}

/** A KPI's parameter-uncertainty band, under its Monte Carlo interval. */
export function KpiBand({ band }: { band: { band90: [number, number] } | undefined }) {
  if (!band) return null;
  return (
    <div className="muted small">
      <Term id="parameter-band">parameter band</Term> {fmtP(band.band90[0])} – {fmtP(band.band90[1])}
    </div>
  );
}

export function RunBands({ report }: { report: RunReport }) {
  const e = report.epistemic;
  if (!e) return null;
  return (
    <Section title="Parameter uncertainty" note={drawsNote(e)}>
      <Table head={epistemicRunHead} rows={epistemicRunRows(e, report)} testid="band-table" />
    </Section>
  );
}

export function CompareBands({ report }: { report: CompareReport }) {
  const e = report.parameterDraws;
  if (!e) return null;
  return (
    <Section title="Parameter uncertainty: does it help whatever the parameters?" note={drawsNote(e)}>
      <Table
        head={epistemicCompareHead}
        rows={epistemicCompareRows(report.comparisons)}
        testid="band-table"
      />
      {report.comparisons.map((c) =>
        c.epistemic ? (
          <details key={c.with}>
            <summary>
              What matters to {c.with.replace(/\+/g, ' + ')} (<Term id="evppi">EVPPI</Term>)
            </summary>
            <Table head={importanceHead} rows={importanceRows(c.epistemic)} testid="importance-table" />
          </details>
        ) : null,
      )}
    </Section>
  );
}

export function SweepBands({ report }: { report: SweepReport }) {
  const e = report.epistemic;
  if (!e) return null;
  return (
    <Section
      title="Parameter uncertainty per cell"
      note={`${drawsNote(e)} The swept parameters are not drawn.`}
    >
      <Table head={sweepBandHead(report)} rows={sweepBandRows(report)} testid="band-table" />
    </Section>
  );
}

export function BreakevenBands({ report }: { report: BreakevenReport }) {
  if (!report.epistemic) return null;
  return (
    <Section title="Parameter uncertainty" note="">
      {breakevenBandLines(report).map((l) => (
        <p key={l}>{l}</p>
      ))}
    </Section>
  );
}
