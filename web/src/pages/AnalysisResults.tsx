// The results of a comparison (forest plot, saved and harmed runs, mechanisms, a saved run replayed in
// both arms) and of a sensitivity analysis (tornado and Sobol indices).
import { useState } from 'react';
import {
  type CompareReport,
  type Comparison,
  get,
  type RunDetail,
  type SensitivityReport,
  type TraceReply,
  type WorkspaceRef,
} from '../api.ts';
import {
  ARM_COLORS,
  ARM_GLYPH,
  ForestPlot,
  fmtPts,
  SobolChart,
  TornadoChart,
} from '../components/analysis-charts.tsx';
import { CompareBands } from '../components/Bands.tsx';
import { fmtP } from '../components/charts.tsx';
import { DataTable } from '../components/DataTable.tsx';
import { type Names, useNames } from '../components/names.ts';
import { TabList, tabPanel } from '../components/Tabs.tsx';
import { Term } from '../components/Term.tsx';
import { Timeline, TraceForm } from '../components/Timeline.tsx';

export function CompareResults({ ws, run }: { ws: WorkspaceRef; run: RunDetail }) {
  const report = run.report as unknown as CompareReport;
  const war = report.outcomes.war;
  const names = useNames(ws.id, run.manifest.scenarioPath);
  return (
    <>
      <section className="kpis" aria-label="Headline figures">
        <div className="kpi">
          <div className="kpi-value">{fmtP(report.comparisons[0]?.delta.warOrWorse?.base ?? 0)}</div>
          <div className="kpi-label">
            Baseline <Term id="war-or-worse">P(war or worse)</Term>
          </div>
          <div className="muted small">
            <Term id="ended-in-war">ended in war</Term> {fmtP(war.p)} · {report.runs.toLocaleString()}{' '}
            <Term id="crn">paired runs</Term> per arm
          </div>
        </div>
        {report.comparisons.map((c, i) => {
          const d = c.delta.warOrWorse!;
          const resolved = d.ci95[1] < 0 || d.ci95[0] > 0;
          return (
            <div
              className="kpi arm-kpi"
              key={c.with}
              style={{ borderTopColor: ARM_COLORS[i % ARM_COLORS.length] }}
            >
              <div
                className={`kpi-value ${d.d < 0 && resolved ? 'good-text' : d.d > 0 && resolved ? 'bad-text' : ''}`}
              >
                {fmtPts(d.d)}
              </div>
              <div className="kpi-label">
                <span aria-hidden="true">{ARM_GLYPH[i % ARM_GLYPH.length]} </span>
                {c.with.replace(/\+/g, ' + ')}
              </div>
              <div className="muted small">
                P(war or worse), <Term id="pts">pts</Term>; 95% <Term id="newcombe">CI</Term>{' '}
                {fmtPts(d.ci95[0])} to {fmtPts(d.ci95[1])}
              </div>
              {c.epistemic ? (
                <div className="muted small">
                  <Term id="parameter-band">parameter band</Term>{' '}
                  {fmtPts(c.epistemic.d.warOrWorse!.band90[0])} to{' '}
                  {fmtPts(c.epistemic.d.warOrWorse!.band90[1])}; lowers it in {fmtP(c.epistemic.pHelps.p)} of
                  the draws (<Term id="p-helps">P(helps)</Term>)
                </div>
              ) : null}
            </div>
          );
        })}
      </section>
      <section className="panel">
        <ForestPlot comparisons={report.comparisons} />
      </section>
      <CompareBands report={report} />
      <div className="arm-grid">
        {report.comparisons.map((c, i) => (
          <ArmCard
            key={c.with}
            c={c}
            color={ARM_COLORS[i % ARM_COLORS.length]!}
            glyph={ARM_GLYPH[i % ARM_GLYPH.length]!}
            runs={report.runs}
            names={names}
          />
        ))}
      </div>
      <ReplayPair ws={ws} run={run} comparisons={report.comparisons} />
      <p className="muted small method">
        {report.method.pairing}. Interval: {report.method.interval}. Test: {report.method.test}.{' '}
        {report.method.savedHarmed}.
      </p>
    </>
  );
}

function ArmCard({
  c,
  color,
  glyph,
  runs,
  names,
}: {
  c: Comparison;
  color: string;
  glyph: string;
  runs: number;
  names: Names;
}) {
  const mech = [
    ...(c.mechanisms.saved?.sentences.map((s) => ({ s, kind: 'saved' })) ?? []),
    ...(c.mechanisms.harmed?.sentences.map((s) => ({ s, kind: 'harmed' })) ?? []),
  ];
  const scale = Math.max(c.saved, c.harmed, 1);
  return (
    <section
      className="panel arm-card"
      aria-label={`${c.with}: saved and harmed runs`}
      style={{ borderTopColor: color }}
    >
      <h2>
        <span aria-hidden="true" style={{ color }}>
          {glyph}
        </span>{' '}
        {c.with.replace(/\+/g, ' + ')}
      </h2>
      <div className="saved-harmed">
        <div>
          <span className="sh-label">
            <Term id="saved-harmed">saved</Term> from war or worse
          </span>
          <span className="sh-bar saved" style={{ width: `${(70 * c.saved) / scale}%` }} />
          <strong data-testid="saved">{c.saved.toLocaleString()}</strong>
          <span className="muted small"> runs ({fmtP(c.savedShare)})</span>
        </div>
        <div>
          <span className="sh-label">pushed into it</span>
          <span className="sh-bar harmed" style={{ width: `${(70 * c.harmed) / scale}%` }} />
          <strong data-testid="harmed">{c.harmed.toLocaleString()}</strong>
          <span className="muted small"> runs ({fmtP(c.harmedShare)})</span>
        </div>
        <p className="muted small">
          net {c.saved - c.harmed >= 0 ? '' : '−'}
          {Math.abs(c.saved - c.harmed).toLocaleString()} of {runs.toLocaleString()} runs
        </p>
      </div>
      <h3>
        <Term id="mechanism">Mechanisms</Term>
      </h3>
      {mech.length ? null : (
        <p className="muted small">
          {c.saved + c.harmed
            ? 'No traced event differs by 5 points or more between the arms.'
            : 'No run changed.'}
        </p>
      )}
      {(['saved', 'harmed'] as const).map((kind) => {
        const list = mech.filter((m) => m.kind === kind);
        const traced = c.mechanisms[kind]?.traced ?? 0;
        return list.length ? (
          <div key={kind}>
            <p className="mech-head small">
              In the {traced} {kind === 'saved' ? 'runs it saves' : 'runs it pushes into war or worse'}
              {traced < (kind === 'saved' ? c.saved : c.harmed) ? ' (traced)' : ''}:
            </p>
            <ul className={`mechanisms ${kind}`}>
              {list.map((m) => (
                <li key={m.s}>{names.text(m.s.replace(/^in (\d+%) of (saved|harmed) runs, /, 'in $1: '))}</li>
              ))}
            </ul>
          </div>
        ) : null;
      })}
      <details>
        <summary>Every rung: P(peak ≥ rung), baseline and with</summary>
        <DataTable
          className="mini"
          head={['rung', 'baseline', 'with', 'difference', '95% CI']}
          numeric={[1, 2, 3]}
          rows={c.exceedance}
          rowKey={(e) => e.id}
          cells={(e) => [
            e.id,
            fmtP(e.base),
            fmtP(e.alt),
            fmtPts(e.d),
            `${fmtPts(e.ci95[0])} to ${fmtPts(e.ci95[1])}`,
          ]}
        />
      </details>
    </section>
  );
}

/** A saved (or harmed) run replayed at baseline and with the arm: the same random world, two histories. */
function ReplayPair({
  ws,
  run,
  comparisons,
}: {
  ws: WorkspaceRef;
  run: RunDetail;
  comparisons: Comparison[];
}) {
  const options = comparisons.flatMap((c) => [
    ...c.savedRuns.map((i) => ({ arm: c.with, index: i, what: 'saved' })),
    ...c.harmedRuns.map((i) => ({ arm: c.with, index: i, what: 'harmed' })),
  ]);
  const [choice, setChoice] = useState(0);
  const [pair, setPair] = useState<[TraceReply, TraceReply] | null>(null);
  const [side, setSide] = useState<0 | 1>(1);
  if (!options.length) return null;
  const o = options[choice] ?? options[0]!;
  const load = async () => {
    const base = `/api/workspaces/${ws.id}/runs/${run.id}/trace?index=${o.index}`;
    setPair(
      await Promise.all([get<TraceReply>(base), get<TraceReply>(`${base}&arm=${encodeURIComponent(o.arm)}`)]),
    );
    setSide(1);
  };
  return (
    <section className="panel" aria-labelledby="replay-h">
      <h2 id="replay-h">The same random world, with and without the intervention</h2>
      <TraceForm label="Replay both arms" load={load}>
        <label className="field inline">
          <span>Replay</span>
          <select value={choice} onChange={(e) => setChoice(Number(e.target.value))}>
            {options.map((x, i) => (
              <option key={`${x.arm}|${x.what}|${x.index}`} value={i}>
                run {x.index}: {x.what} by {x.arm}
              </option>
            ))}
          </select>
        </label>
      </TraceForm>
      {pair ? (
        <>
          <TabList
            label="Arm replayed"
            idPrefix="replay"
            className="tabs replay-tabs"
            tabs={pair.map((t, i) => ({
              id: String(i) as '0' | '1',
              label: `${t.interventions.length ? `with ${t.interventions.join(' + ')}` : 'baseline'}: ${t.outcome}, peak ${t.peak}`,
            }))}
            value={String(side) as '0' | '1'}
            onChange={(v) => setSide(Number(v) as 0 | 1)}
          />
          <div {...tabPanel('replay', String(side))}>
            <Timeline trace={pair[side]} />
          </div>
        </>
      ) : null}
    </section>
  );
}

export function SensitivityResults({ ws, run }: { ws: WorkspaceRef; run: RunDetail }) {
  const report = run.report as unknown as SensitivityReport;
  const names = useNames(ws.id, run.manifest.scenarioPath);
  const top = report.tornado.bars[0];
  const topSobol = report.sobol?.indices[0];
  return (
    <>
      <section className="kpis" aria-label="Headline figures">
        <div className="kpi">
          <div className="kpi-value">{fmtP(report.nominal.p)}</div>
          <div className="kpi-label">
            <Term id="nominal">Nominal</Term> {report.metric.label}
          </div>
          <div className="muted small">{report.nominal.runs.toLocaleString()} runs</div>
        </div>
        <div className="kpi">
          <div className="kpi-value">{report.params.length}</div>
          <div className="kpi-label">Uncertain parameters</div>
          <div className="muted small">
            {report.interventions.length ? `with ${report.interventions.join(' + ')}` : 'baseline'}
          </div>
        </div>
        {top ? (
          <div className="kpi">
            <div className="kpi-value">{fmtPts(top.d)}</div>
            <div className="kpi-label">
              Largest swing (<Term id="tornado">tornado</Term>)
            </div>
            <div className="muted small">{names.param(top.path)}</div>
          </div>
        ) : null}
        {topSobol ? (
          <div className="kpi">
            <div className="kpi-value">{topSobol.total}</div>
            <div className="kpi-label">
              Largest total <Term id="sobol">Sobol index</Term>
            </div>
            <div className="muted small">
              {names.param(topSobol.path)}
              {report.sobol?.screening?.by === 'tornado-swing'
                ? ` (of the ${report.sobol.screening.parameters.length} with the largest swing, the others at nominal)`
                : ''}
            </div>
          </div>
        ) : null}
      </section>
      <section className="panel">
        <TornadoChart report={report} names={names} />
      </section>
      {report.sobol ? (
        <section className="panel">
          <SobolChart report={report} names={names} />
        </section>
      ) : null}
    </>
  );
}
