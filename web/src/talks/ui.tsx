// Small pieces of the talks pages: a response-distribution editor in percentages, distributions in
// words, interval bars for paired differences, progress, tabs, and a field to copy a link from.
import { useEffect, useId, useState } from 'react';
import { errText, get } from '../api.ts';
import { TabList } from '../components/Tabs.tsx';
import type { Dist, Freshness, PairedDelta, ResponseOption } from './types.ts';

export const pct = (p: number, digits = 1) => {
  const v = p * 100;
  if (v !== 0 && Math.abs(v) < 0.1) return `${v.toFixed(2)}%`;
  return `${v.toFixed(digits)}%`;
};
export const pts = (d: number) => {
  const v = d * 100;
  return `${v > 0 ? '+' : ''}${Math.abs(v) < 0.1 ? v.toFixed(3) : v.toFixed(2)} pts`;
};
export const when = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';

const sum = (d: Dist) => Object.values(d).reduce((s, p) => s + p, 0);

/** A distribution in words, largest first. */
export function DistWords({ dist, options }: { dist: Dist; options: { key: string; label: string }[] }) {
  const label = (k: string) => options.find((o) => o.key === k)?.label ?? k;
  const items = Object.entries(dist)
    .filter(([, p]) => p > 0)
    .sort((a, b) => b[1] - a[1]);
  return (
    <span className="dist-words">
      {items.map(([k, p], i) => (
        <span key={k}>
          {i > 0 ? ', ' : ''}
          {label(k)} <strong>{pct(p, 0)}</strong>
        </span>
      ))}
    </span>
  );
}

/** A stacked bar of a distribution (with a legend in the title). */
export function DistBar({ dist, options }: { dist: Dist; options: ResponseOption[] }) {
  const order = options.map((o) => o.key);
  const items = Object.entries(dist)
    .filter(([, p]) => p > 0)
    .sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]));
  return (
    <span className="dist-bar" aria-hidden="true">
      {items.map(([k, p]) => (
        <span
          key={k}
          style={{ width: `${p * 100}%`, background: colour(options.find((o) => o.key === k)?.rung ?? '') }}
        />
      ))}
    </span>
  );
}

const RUNG_COLOURS: Record<string, string> = {
  Routine: '#94a3b8',
  'Incident / alarm': '#a3b8cc',
  'Coercive words': '#7aa6d8',
  'Display of force': '#5b8def',
  'Alert / mobilisation': '#d29a1e',
  'Non-lethal force': '#f59e0b',
  'Lethal limited clash': '#e4572e',
  'Nuclear brink': '#b91c1c',
  War: '#7f1d1d',
  'Nuclear use': '#3f0d0d',
};
export const colour = (rung: string) => RUNG_COLOURS[rung] ?? '#64748b';

/**
 * Edits a response distribution in percentages: a slider and a number per response, responses added
 * from the possible ones, a total that must reach 100%.
 */
export function DistEditor(props: {
  label: string;
  dist: Dist;
  options: ResponseOption[];
  prefill: Dist;
  onChange: (d: Dist) => void;
}) {
  const id = useId();
  const [adding, setAdding] = useState('');
  const keys = props.options.map((o) => o.key).filter((k) => k in props.dist);
  const rest = props.options.filter((o) => !(o.key in props.dist));
  const total = sum(props.dist);
  const ok = Math.abs(total - 1) < 0.005;
  const set = (k: string, p: number) => props.onChange({ ...props.dist, [k]: Math.max(0, Math.min(1, p)) });
  return (
    <fieldset className="dist-editor">
      <legend className="sr-only">{props.label}</legend>
      {keys.map((k) => {
        const o = props.options.find((x) => x.key === k)!;
        const v = props.dist[k] ?? 0;
        return (
          <div className="dist-row" key={k}>
            <label htmlFor={`${id}-${k}`}>
              <span className="swatch" style={{ background: colour(o.rung) }} /> {o.label}
              <span className="rung">{o.rung}</span>
            </label>
            <input
              type="range"
              min={0}
              max={100}
              step={0.5}
              value={Math.round(v * 1000) / 10}
              aria-label={`${o.label}, percent`}
              onChange={(e) => set(k, Number(e.target.value) / 100)}
            />
            <span className="pct-input">
              <input
                id={`${id}-${k}`}
                type="number"
                min={0}
                max={100}
                step={0.1}
                value={Math.round(v * 1000) / 10}
                onChange={(e) => set(k, Number(e.target.value) / 100)}
              />
              %
            </span>
            <button
              type="button"
              className="ghost small"
              aria-label={`Remove ${o.label}`}
              onClick={() => {
                const next = { ...props.dist };
                delete next[k];
                props.onChange(next);
              }}
            >
              ×
            </button>
          </div>
        );
      })}
      <div className="dist-foot">
        <span className={ok ? 'status good' : 'status bad'} aria-live="polite">
          Total {pct(total)}
        </span>
        {!ok && total > 0 ? (
          <button
            type="button"
            className="ghost small"
            onClick={() => {
              const next: Dist = {};
              for (const [k, p] of Object.entries(props.dist))
                next[k] = Math.round((p / total) * 1000) / 1000;
              const drift = 1 - sum(next);
              const first = Object.keys(next)[0];
              if (first) next[first] = Math.round((next[first]! + drift) * 1000) / 1000;
              props.onChange(next);
            }}
          >
            Scale to 100%
          </button>
        ) : null}
        {rest.length ? (
          <span className="add-response">
            <label className="sr-only" htmlFor={`${id}-add`}>
              Add a response
            </label>
            <select id={`${id}-add`} value={adding} onChange={(e) => setAdding(e.target.value)}>
              <option value="">Add a response…</option>
              {rest.map((o) => (
                <option key={o.key} value={o.key}>
                  {o.label} ({o.rung})
                </option>
              ))}
            </select>
            <button
              type="button"
              className="ghost small"
              disabled={!adding}
              onClick={() => {
                props.onChange({ ...props.dist, [adding]: 0 });
                setAdding('');
              }}
            >
              Add
            </button>
          </span>
        ) : null}
        <button type="button" className="ghost small" onClick={() => props.onChange({ ...props.prefill })}>
          Reset to the scenario
        </button>
      </div>
    </fieldset>
  );
}

/** An interval bar for a paired difference, on a symmetric scale of ±range. */
export function DeltaBar({ d, range }: { d: PairedDelta; range: number }) {
  const w = 200;
  const x = (v: number) => Math.max(0, Math.min(w, w / 2 + (v / range) * (w / 2)));
  const [lo, hi] = d.ci95;
  const c = hi < 0 ? 'var(--good)' : lo > 0 ? 'var(--bad)' : '#64748b';
  return (
    <svg
      width={w}
      height={18}
      viewBox={`0 0 ${w} 18`}
      role="img"
      aria-label={`${pts(d.d)}, 95% interval ${pts(lo)} to ${pts(hi)}`}
    >
      <line x1={w / 2} y1={1} x2={w / 2} y2={17} stroke="#94a3b8" />
      <line x1={x(lo)} y1={9} x2={x(hi)} y2={9} stroke={c} strokeWidth={3} />
      <circle cx={x(d.d)} cy={9} r={4} fill={c} />
    </svg>
  );
}

export function Delta({ d }: { d: PairedDelta }) {
  return (
    <span className="num">
      {pts(d.d)}{' '}
      <span className="muted small">
        [{pts(d.ci95[0])}, {pts(d.ci95[1])}]
      </span>
    </span>
  );
}

export function rangeOf(ds: PairedDelta[]): number {
  return Math.max(0.0005, ...ds.flatMap((d) => d.ci95.map(Math.abs)));
}

export function reading(d: PairedDelta): { text: string; cls: string } {
  if (d.ci95[1] < 0) return { text: 'lowers the risk', cls: 'good' };
  if (d.ci95[0] > 0) return { text: 'raises the risk', cls: 'bad' };
  return { text: 'no clear effect', cls: '' };
}

export function ProgressBar({ done, total, label }: { done: number; total: number; label: string }) {
  const p = total > 0 ? Math.min(1, done / total) : 0;
  return (
    <div>
      <div
        className="progress"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(p * 100)}
      >
        <span style={{ width: `${p * 100}%` }} />
      </div>
      <span className="muted small">
        {label}: {Math.round(p * 100)}% ({done.toLocaleString()} of {total.toLocaleString()} runs)
      </span>
    </div>
  );
}

export function Tabs<T extends string>(props: {
  tabs: { id: T; label: string; badge?: string }[];
  value: T;
  onChange: (t: T) => void;
}) {
  return (
    <TabList
      label="Dialogue sections"
      idPrefix="talks"
      className="talks-tabs"
      tabs={props.tabs.map((t) => ({
        id: t.id,
        label: (
          <>
            {t.label}
            {t.badge ? <span className="badge">{t.badge}</span> : null}
          </>
        ),
      }))}
      value={props.value}
      onChange={props.onChange}
    />
  );
}

export function CopyField({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="copy-field">
      <label className="field">
        <span>{label}</span>
        <input readOnly value={value} onFocus={(e) => e.target.select()} />
      </label>
      <button
        type="button"
        className="secondary small"
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(value);
            setCopied(true);
          } catch {
            setCopied(false);
          }
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

export function ErrorLine({ error }: { error: string }) {
  return error ? (
    <p className="error" role="alert">
      {error}
    </p>
  ) : null;
}

/** The date of the positions an analysis used, and a warning once a delegation has resubmitted since. */
export function StaleNote({ f }: { f: Freshness | null | undefined }) {
  if (!f) return null;
  const when = f.positionsAt ? `${f.positionsAt.slice(0, 16).replace('T', ' ')} UTC` : null;
  if (f.stale)
    return (
      <p className="error" role="status" data-testid="stale">
        Stale: computed from the positions submitted {when ? `up to ${when}` : 'before'}; a delegation has
        changed its positions since, so these numbers do not reflect them.
      </p>
    );
  return when ? <p className="muted small">Computed from the positions submitted up to {when}.</p> : null;
}

/** What a GET of `url` answers (null until it has; fetched again when `url` changes). */
export function useGet<T>(url: string): T | null {
  const [data, setData] = useState<T | null>(null);
  useEffect(() => {
    void get<T>(url).then(setData);
  }, [url]);
  return data;
}

/** A button that runs an action and reports its failure in words (`onError`). */
export function ActionButton({
  className,
  run,
  onError,
  children,
}: {
  className: string;
  run: () => Promise<unknown>;
  onError: (message: string) => void;
  children: React.ReactNode;
}) {
  return (
    <button
      type="button"
      className={className}
      onClick={async () => {
        try {
          await run();
        } catch (e) {
          onError(errText(e));
        }
      }}
    >
      {children}
    </button>
  );
}

/** A checkbox for one id of a list: checked when `selected` has it; `onChange` gets the list with it toggled. */
export function ListCheck({
  id,
  selected,
  onChange,
  children,
}: {
  id: string;
  selected: readonly string[];
  onChange: (next: string[]) => void;
  children: React.ReactNode;
}) {
  const on = selected.includes(id);
  return (
    <label className="check">
      <input
        type="checkbox"
        checked={on}
        onChange={() => onChange(on ? selected.filter((x) => x !== id) : [...selected, id])}
      />
      <span>{children}</span>
    </label>
  );
}
