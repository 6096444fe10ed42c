// Shrinks a mutant that throws to a small file that throws the same way: delta debugging over lines
// (Zeller and Hildebrandt 2002), then over single characters of what is left when it is short.
import { check } from './check.ts';
import type { Mutant } from './mutate.ts';

/** What identifies a failure: the error's name and message with numbers and quoted text blurred. */
export function signature(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text
    .replace(/'[^']*'|`[^`]*`|"[^"]*"/g, 'Q')
    .replace(/\d+/g, 'N')
    .slice(0, 80);
}

function failsAs(m: Mutant, seed: number, sig: string): boolean {
  try {
    check(m, seed);
    return false;
  } catch (e) {
    return signature(e) === sig;
  }
}

function ddmin<T>(items: T[], fails: (xs: T[]) => boolean, deadline: number): T[] {
  let n = 2;
  while (items.length >= 2 && performance.now() < deadline) {
    const size = Math.ceil(items.length / n);
    let reduced = false;
    for (let k = 0; k < n && performance.now() < deadline; k++) {
      const rest = [...items.slice(0, k * size), ...items.slice((k + 1) * size)];
      if (rest.length < items.length && fails(rest)) {
        items = rest;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= items.length) break;
      n = Math.min(items.length, n * 2);
    }
  }
  return items;
}

/** The smallest entry text found (within about a minute) that fails like mutant `m`, or undefined. */
export function minimize(
  m: Mutant,
  seed: number,
  budgetMs = 60_000,
): { text: string; error: string } | undefined {
  let sig: string;
  try {
    check(m, seed);
    return undefined;
  } catch (e) {
    sig = signature(e);
  }
  const deadline = performance.now() + budgetMs;
  const withText = (text: string): Mutant => ({ ...m, files: { ...m.files, [m.entry]: text } });
  const lines = ddmin(
    m.files[m.entry]!.split('\n'),
    (ls) => failsAs(withText(ls.join('\n')), seed, sig),
    deadline,
  );
  let text = lines.join('\n');
  if (text.length < 2000) {
    const chars = ddmin([...text], (cs) => failsAs(withText(cs.join('')), seed, sig), deadline);
    text = chars.join('');
  }
  return { text, error: sig };
}
