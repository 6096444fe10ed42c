// Result views shared by the host's and the parties' pages: the gap ranking, the protocol effects
// with the package, and the leak curve with its break-even point.
import { ScrollRegion } from '../components/ScrollRegion.tsx';
import type { LeakAnalysis, PairedDelta } from './types.ts';
import { Delta, DeltaBar, pct, rangeOf, reading } from './ui.tsx';

export function BaseLine({ war, lethal, runs }: { war: number; lethal: number; runs?: number }) {
  return (
    <div className="kpis">
      <div className="kpi">
        <div className="kpi-value">{pct(war, 2)}</div>
        <div className="kpi-label">P(war or worse)</div>
        <div className="muted small">with the declared positions</div>
      </div>
      <div className="kpi">
        <div className="kpi-value">{pct(lethal, 2)}</div>
        <div className="kpi-label">P(lethal clash or worse)</div>
        <div className="muted small">with the declared positions</div>
      </div>
      {runs ? (
        <div className="kpi">
          <div className="kpi-value">{runs.toLocaleString()}</div>
          <div className="kpi-label">runs per arm</div>
          <div className="muted small">paired on common random numbers</div>
        </div>
      ) : null}
    </div>
  );
}

export interface EffectRow {
  key: string;
  label: React.ReactNode;
  war: PairedDelta;
  lethal: PairedDelta;
  strong?: boolean;
}

/** The row of a package (the agreed drafts together), if there is one. */
export function packageRow(
  key: string,
  pkg: { war: PairedDelta; lethal: PairedDelta } | null | undefined,
): EffectRow[] {
  return pkg
    ? [{ key, label: 'Package (agreed drafts)', war: pkg.war, lethal: pkg.lethal, strong: true }]
    : [];
}

/** A change with its interval, in words and as a bar on the table's common scale. */
function DeltaCells({ d, range }: { d: PairedDelta; range: ReturnType<typeof rangeOf> }) {
  return (
    <>
      <td>
        <Delta d={d} />
      </td>
      <td>
        <DeltaBar d={d} range={range} />
      </td>
    </>
  );
}

/** Effects as a forest plot in a table: change in P(war or worse) and P(lethal clash or worse), 95% intervals. */
export function EffectsTable({
  rows,
  caption,
  first = 'protocol',
}: {
  rows: EffectRow[];
  caption: string;
  first?: string;
}) {
  const range = rangeOf(rows.flatMap((r) => [r.war, r.lethal]));
  // P(war) with each row's change, with its interval (results made before intervals were kept have none).
  const levels = rows.some((r) => r.war.altCi95);
  return (
    <ScrollRegion label={caption}>
      <table className="effects">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{first}</th>
            {levels ? <th scope="col">P(war or worse) with it [95%]</th> : null}
            <th scope="col">P(war or worse): change [95% interval]</th>
            <th scope="col">
              <span className="sr-only">interval</span>
            </th>
            <th scope="col">P(lethal clash or worse): change</th>
            <th scope="col">
              <span className="sr-only">interval</span>
            </th>
            <th scope="col">reading</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const rd = reading(r.war);
            return (
              <tr key={r.key} className={r.strong ? 'strong' : ''}>
                <th scope="row">{r.label}</th>
                {levels ? (
                  <td className="num">
                    {pct(r.war.alt, 2)}
                    {r.war.altCi95 ? (
                      <span className="muted small">
                        {' '}
                        [{(r.war.altCi95[0] * 100).toFixed(2)}, {(r.war.altCi95[1] * 100).toFixed(2)}]
                      </span>
                    ) : null}
                  </td>
                ) : null}
                <DeltaCells d={r.war} range={range} />
                <DeltaCells d={r.lethal} range={range} />
                <td>
                  <span className={`reading ${rd.cls}`}>{rd.text}</span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollRegion>
  );
}

export function leakWords(
  l: Pick<LeakAnalysis, 'verdict' | 'breakEven'> & { venues: { name: string; p: number }[] },
): string {
  const venues = l.venues.map((v) => `${v.name}: ${pct(v.p)} per round`).join('; ');
  switch (l.verdict) {
    case 'no-talks':
      return 'The package holds no talks that could leak.';
    case 'never-pays':
      return `Even if the talks never leak, the package does not lower P(war or worse). (${venues})`;
    case 'pays-always':
      return `The package lowers P(war or worse) even if the talks leak for certain. (${venues})`;
    default:
      return `The package stops lowering P(war or worse) once the talks leak with probability ${pct(l.breakEven ?? 0)} per round or more. The venue’s own leak probability: ${venues}.`;
  }
}

/** What a leak of the talks would do to the package: in words, and as a chart. */
export function LeakSection({
  leak,
}: {
  leak: Parameters<typeof leakWords>[0] & Parameters<typeof LeakChart>[0]['leak'];
}) {
  return (
    <>
      <h3>If the talks leak</h3>
      <p>{leakWords(leak)}</p>
      <LeakChart leak={leak} />
    </>
  );
}

/** A download link of the playbook per format (the host's and each recipient's). */
export function PlaybookLinks({ dialogue }: { dialogue: string }) {
  return (
    <div className="row wrap">
      <a className="button primary" href={`/api/talks/${dialogue}/playbook?format=html`} download>
        Download HTML
      </a>
      <a className="button secondary" href={`/api/talks/${dialogue}/playbook?format=md`} download>
        Download Markdown
      </a>
    </div>
  );
}

/** The package's change in P(war or worse) as the leak probability per round grows, with its interval band. */
export function LeakChart({
  leak,
}: {
  leak: Pick<LeakAnalysis, 'points' | 'breakEven'> & { venues: { name: string; p: number }[] };
}) {
  const W = 560;
  const H = 220;
  const m = { l: 62, r: 16, t: 14, b: 40 };
  const pts = leak.points;
  if (pts.length < 2) return null;
  const ys = pts.flatMap((p) => p.war.ci95);
  const lo = Math.min(0, ...ys);
  const hi = Math.max(0, ...ys);
  const x = (p: number) => m.l + p * (W - m.l - m.r);
  const y = (v: number) => m.t + ((hi - v) / (hi - lo || 1)) * (H - m.t - m.b);
  const line = pts.map((p, i) => `${i ? 'L' : 'M'}${x(p.p)},${y(p.war.d)}`).join(' ');
  const band = `${pts.map((p, i) => `${i ? 'L' : 'M'}${x(p.p)},${y(p.war.ci95[1])}`).join(' ')} ${[...pts]
    .reverse()
    .map((p) => `L${x(p.p)},${y(p.war.ci95[0])}`)
    .join(' ')} Z`;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  const yticks = [lo, 0, hi].filter((v, i, a) => a.indexOf(v) === i);
  return (
    <figure className="chart leak-chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        role="img"
        aria-label={`Change in P(war or worse) with the package against the leak probability per round: ${pts
          .map((p) => `${pct(p.p, 0)} leak ${p.war.d > 0 ? '+' : ''}${(p.war.d * 100).toFixed(2)} points`)
          .join(', ')}${leak.breakEven !== null ? `; break-even ${pct(leak.breakEven)}` : ''}`}
      >
        <path d={band} fill="#2d6cdf" opacity={0.15} />
        <line x1={m.l} x2={W - m.r} y1={y(0)} y2={y(0)} stroke="#94a3b8" />
        <path d={line} fill="none" stroke="#2d6cdf" strokeWidth={2} />
        {pts.map((p) => (
          <circle key={p.p} cx={x(p.p)} cy={y(p.war.d)} r={3} fill="#2d6cdf" />
        ))}
        {leak.breakEven !== null ? (
          <g>
            <line
              x1={x(leak.breakEven)}
              x2={x(leak.breakEven)}
              y1={m.t}
              y2={H - m.b}
              stroke="#b91c1c"
              strokeDasharray="4 3"
            />
            <text x={x(leak.breakEven) + 4} y={m.t + 10} fontSize={11} fill="#b91c1c">
              break-even {pct(leak.breakEven)}
            </text>
          </g>
        ) : null}
        {leak.venues.map((v) => (
          <g key={v.name}>
            <line x1={x(v.p)} x2={x(v.p)} y1={H - m.b - 6} y2={H - m.b} stroke="#15803d" strokeWidth={2} />
            <text x={x(v.p) + 3} y={H - m.b - 8} fontSize={10} fill="#15803d">
              venue {pct(v.p, 0)}
            </text>
          </g>
        ))}
        {ticks.map((t) => (
          <text key={t} x={x(t)} y={H - m.b + 16} fontSize={11} textAnchor="middle" fill="#5b6675">
            {t * 100}%
          </text>
        ))}
        {yticks.map((t) => (
          <text key={t} x={m.l - 6} y={y(t) + 4} fontSize={11} textAnchor="end" fill="#5b6675">
            {`${t > 0 ? '+' : ''}${(t * 100).toFixed(2)}`}
          </text>
        ))}
        <text x={(m.l + W - m.r) / 2} y={H - 4} fontSize={11} textAnchor="middle" fill="#5b6675">
          leak probability per round of talks
        </text>
        <text
          x={12}
          y={(m.t + H - m.b) / 2}
          fontSize={11}
          textAnchor="middle"
          fill="#5b6675"
          transform={`rotate(-90 12 ${(m.t + H - m.b) / 2})`}
        >
          ΔP(war or worse), points
        </text>
      </svg>
      <figcaption>
        Change in P(war or worse) with the package, against the declared positions, as the talks leak more
        often (line: estimate; band: 95% interval; below the grey line the package lowers the risk).
      </figcaption>
    </figure>
  );
}
