// axe-core (Deque, MPL-2.0, used unmodified as a dev dependency: docs/decisions/0011-accessibility.md)
// injected into a page as its published script and run there. @axe-core/playwright would do the same
// but needs Node 22.
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const source: string = createRequire(import.meta.url)('axe-core').source;

export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string | undefined }[];
}

// The page's axe, as the function passed to evaluate (which runs in the browser) sees it.
declare const axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> };

/** Runs axe on the page (WCAG 2.0–2.2 A and AA rules and best practices); returns its violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe === 'object')))
    await page.evaluate(source);
  const r = await page.evaluate(() =>
    axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
      },
      resultTypes: ['violations'],
    }),
  );
  return r.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
  }));
}

/** One line per violation: impact, rule, node count, the first nodes. */
export function describe(vs: AxeViolation[]): string {
  return vs
    .map(
      (v) =>
        `${v.impact} ${v.id} (${v.nodes.length}): ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    )
    .join('\n');
}

declare const document: unknown;
