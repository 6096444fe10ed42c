// Plain words for the forms and the playbook: names of actors, acts and responses as the scenario
// gives them (`name`), or the id made readable.
import type { Model } from '../engine/model.ts';

/** `limited-strike` -> `Limited strike`. */
export function humanize(id: string): string {
  const s = id.replace(/-/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** An action's label: its `name`, or its id made readable; `wait` is "Do nothing". */
export function actionLabel(m: Model, action: number): string {
  const a = m.actions[action]!;
  if (a.isWait) return 'Do nothing (wait)';
  const bare = a.id.slice(a.id.indexOf('.') + 1);
  if (a.name && a.name !== bare) return a.name;
  // `reassure-dprk` -> `Reassure DPRK`: actor ids keep their capitals.
  const ids = new Map(m.actors.map((x) => [x.id.toLowerCase(), x.id]));
  return humanize(bare)
    .split(' ')
    .map((w) => ids.get(w.toLowerCase()) ?? w)
    .join(' ');
}

/** A probability as a percentage for people: 0.4567 -> "45.7%", 0.0004 -> "0.04%". */
export function pct(p: number, digits = 1): string {
  const v = p * 100;
  if (v !== 0 && Math.abs(v) < 0.1) return `${v.toFixed(2)}%`;
  return `${v.toFixed(digits)}%`;
}

/** A difference in percentage points with its sign: -0.0123 -> "-1.23 pts". */
/** Points of probability as a signed number without the unit: `+0.38`, `−0.012` → `-0.012`. */
export function ptsNumber(d: number): string {
  const v = d * 100;
  const s = Math.abs(v) < 0.1 ? v.toFixed(3) : v.toFixed(2);
  return `${v > 0 ? '+' : ''}${s}`;
}

export function pts(d: number): string {
  const v = d * 100;
  const s = Math.abs(v) < 0.1 ? v.toFixed(3) : v.toFixed(2);
  return `${v > 0 ? '+' : ''}${s} pts`;
}

/** A distribution in words, largest first: "Protest 60%, Do nothing (wait) 35%, ...". */
export function distWords(d: Record<string, number>, labels: Record<string, string>): string {
  return Object.entries(d)
    .filter(([, p]) => p > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, p]) => `${labels[k] ?? humanize(k)} ${pct(p, 0)}`)
    .join(', ');
}

/** What the interval of the value of hosting (fall in P(war)) says, in words. */
export function hostingVerdict(ci95: readonly [number, number]): string {
  if (ci95[0] > 0) return 'hosting pays: it lowers P(war)';
  if (ci95[1] < 0) return 'hosting does not pay: it raises P(war)';
  return 'hosting has no clear effect on P(war)';
}
