// One run as a timeline: what truly happened (left) beside what each actor perceived, believed and
// chose at the same time. Misreadings, misses and false alarms are marked.
import type { ReactNode } from 'react';
import type { TraceRecord, TraceReply } from '../api.ts';
import { useAction } from './forms.tsx';
import { ScrollRegion } from './ScrollRegion.tsx';

const TYPE_COLORS = ['#15803d', '#a16207', '#b91c1c', '#7e22ce', '#0e7490'];
// A pattern per intent category, on top of its colour (plain, stripes, dots, cross-hatch, waves).
const TYPE_PATTERNS = [
  'none',
  'repeating-linear-gradient(45deg, rgba(255,255,255,0.55) 0 2px, transparent 2px 5px)',
  'radial-gradient(rgba(255,255,255,0.7) 1px, transparent 1.3px) 0 0 / 4px 4px',
  'repeating-linear-gradient(0deg, rgba(255,255,255,0.55) 0 1.5px, transparent 1.5px 4px), repeating-linear-gradient(90deg, rgba(255,255,255,0.55) 0 1.5px, transparent 1.5px 4px)',
  'repeating-linear-gradient(-45deg, rgba(255,255,255,0.55) 0 2px, transparent 2px 5px)',
];
const swatchStyle = (i: number): React.CSSProperties => ({
  background:
    TYPE_PATTERNS[i % TYPE_PATTERNS.length] === 'none'
      ? TYPE_COLORS[i % TYPE_COLORS.length]
      : `${TYPE_PATTERNS[i % TYPE_PATTERNS.length]}, ${TYPE_COLORS[i % TYPE_COLORS.length]}`,
});

function when(t: number, tickHours: number): string {
  const h = t * tickHours;
  const d = Math.floor(h / 24);
  return `${d > 0 ? `day ${d + 1}, ` : 'day 1, '}${String(Math.round(h - d * 24)).padStart(2, '0')}:00`;
}

/** A belief as a bar of patterned segments, followed by its numbers in words (no hover needed). */
function Belief({ types, values }: { types: string[]; values: number[] }) {
  const words = types.map((t, i) => `${t} ${Math.round((values[i] ?? 0) * 100)}%`).join(', ');
  return (
    <>
      <span className="belief" aria-hidden="true">
        {values.map((v, i) => (
          <span key={types[i]} style={{ width: `${v * 100}%`, ...swatchStyle(i) }} />
        ))}
      </span>
      <span className="belief-values">{words}</span>
    </>
  );
}

function ActorEntry({ r, trace }: { r: TraceRecord; trace: TraceReply }) {
  switch (r.kind) {
    case 'perceive':
      return r.perceived === r.act ? (
        <li className="seen">
          sees #{r.event} {r.act}
          {r.notified ? ' (notified in advance)' : ''}
        </li>
      ) : (
        <li className="misread">
          <strong>misreads</strong> #{r.event} {r.act} as <strong>{r.perceived}</strong> (p{' '}
          {(r.misreadP * 100).toFixed(1)}%)
        </li>
      );
    case 'miss':
      return (
        <li className="missed">
          misses #{r.event} {r.act} (detection p {(r.detectP * 100).toFixed(0)}%)
        </li>
      );
    case 'false-alarm':
      return (
        <li className="misread">
          <strong>false alarm:</strong> phantom {r.perceived}
        </li>
      );
    case 'belief':
      return (
        <li className="belief-row">
          belief about {r.about} <Belief types={trace.types} values={r.after} />{' '}
          <span className="muted">({r.reason})</span>
        </li>
      );
    case 'decide':
      return (
        <li className="decide">
          decides <strong>{r.chosen}</strong>{' '}
          <span className="muted">
            on {r.stimulus}, rule {r.rule}
          </span>
        </li>
      );
    case 'readiness':
      return (
        <li>
          readiness {r.from} → {r.to} <span className="muted">({r.reason})</span>
        </li>
      );
    case 'message':
      return (
        <li>
          message to {r.to} via {r.channel}: {r.status}
        </li>
      );
    default:
      return null;
  }
}

function actorOf(r: TraceRecord): string | undefined {
  switch (r.kind) {
    case 'perceive':
    case 'miss':
    case 'false-alarm':
    case 'belief':
      return r.observer;
    case 'decide':
    case 'readiness':
      return r.actor;
    case 'message':
      return r.from;
    default:
      return undefined;
  }
}

export function Timeline({ trace }: { trace: TraceReply }) {
  // Each record's position in the whole trace: a stable key (the trace never changes once loaded).
  const keyOf = new Map(trace.trace.map((r, n) => [r, `r${n}`] as const));
  const actors = trace.actors.filter((a) => trace.trace.some((r) => actorOf(r) === a));
  const times = [...new Set(trace.trace.filter((r) => r.kind !== 'types').map((r) => r.t))].sort(
    (a, b) => a - b,
  );
  const types = trace.trace.find((r) => r.kind === 'types');
  return (
    <div className="timeline-wrap">
      <p className="legend">
        Belief bars show each actor's estimate of the other's intent:{' '}
        {trace.types.map((t, i) => (
          <span key={t} className="key">
            <span className="swatch" style={swatchStyle(i)} /> {t}
          </span>
        ))}
        {types?.kind === 'types' && (
          <span className="muted">
            {' '}
            · true intents this run:{' '}
            {Object.entries(types.types)
              .map(([a, t]) => `${a} ${t}`)
              .join(', ')}
          </span>
        )}
      </p>
      <ScrollRegion className="timeline-scroll" label={`Timeline of run ${trace.run}`}>
        <table className="timeline">
          <caption className="sr-only">
            Run {trace.run}: true events beside each actor's perception, beliefs and choices
          </caption>
          <thead>
            <tr>
              <th scope="col">time</th>
              <th scope="col">what happened</th>
              {actors.map((a) => (
                <th scope="col" key={a}>
                  what {a} saw, believed, chose
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {times.map((t) => {
              const at = trace.trace.filter((r) => r.t === t);
              const truth = at.filter(
                (r) =>
                  r.kind === 'event' ||
                  r.kind === 'talks' ||
                  r.kind === 'leak' ||
                  r.kind === 'notify' ||
                  r.kind === 'end',
              );
              return (
                <tr key={t}>
                  <th scope="row">{when(t, trace.tickHours)}</th>
                  <td className="truth">
                    <ul>
                      {truth.map((r) => {
                        if (r.kind === 'event')
                          return (
                            <li
                              key={keyOf.get(r)}
                              className={r.misperceptionInChain ? 'event chain' : 'event'}
                            >
                              <strong>
                                #{r.event} {r.act}
                              </strong>{' '}
                              <span className="rung">{r.rung}</span>
                              {r.outcome ? <span className="muted"> → {r.outcome.chosen}</span> : null}
                              {r.misperceptionInChain ? (
                                <span className="flag" title="a misperception is in this act's causal chain">
                                  misperception in chain
                                </span>
                              ) : null}
                            </li>
                          );
                        if (r.kind === 'talks')
                          return (
                            <li key={keyOf.get(r)}>
                              talks {r.talks}, round {r.round}
                              {r.leakedTo.length ? `, leaked to ${r.leakedTo.join(', ')}` : ''}
                            </li>
                          );
                        if (r.kind === 'leak')
                          return (
                            <li key={keyOf.get(r)} className="misread">
                              leak to {r.to}: {r.source}
                            </li>
                          );
                        if (r.kind === 'notify')
                          return (
                            <li key={keyOf.get(r)}>
                              notice {r.by} → {r.to}: {r.delivered ? 'delivered' : 'not delivered'}
                            </li>
                          );
                        if (r.kind === 'end')
                          return (
                            <li key={keyOf.get(r)} className="end">
                              <strong>end: {r.outcome}</strong>, peak {r.peak}
                            </li>
                          );
                        return null;
                      })}
                    </ul>
                  </td>
                  {actors.map((a) => (
                    <td key={a}>
                      <ul>
                        {at
                          .filter((r) => actorOf(r) === a)
                          .map((r) => (
                            <ActorEntry key={keyOf.get(r)} r={r} trace={trace} />
                          ))}
                      </ul>
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
      </ScrollRegion>
    </div>
  );
}

/** The form that asks for a trace: its fields, a button that says it is tracing, and the error in words. */
export function TraceForm({
  label,
  load,
  children,
}: {
  label: string;
  load: () => Promise<void>;
  children: ReactNode;
}) {
  const [busy, error, run] = useAction();
  return (
    <>
      <form
        className="row wrap"
        onSubmit={(e) => {
          e.preventDefault();
          void run(load);
        }}
      >
        {children}
        <button type="submit" className="secondary" disabled={busy}>
          {busy ? 'Tracing…' : label}
        </button>
      </form>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </>
  );
}
