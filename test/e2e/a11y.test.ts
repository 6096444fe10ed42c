// Accessibility of every main page of the workbench and the talks room in Debian's Chromium, at a
// desktop (1280 px) and a phone (390 px) width: axe-core finds no serious or critical violation, the
// page does not scroll sideways, and the navigation is reachable. Then a keyboard-only session: open a
// scenario, edit it, leave the editor, run, open a data table and download the report, with Tab,
// Shift+Tab, Enter, Space, Escape and arrows only.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_WEB, type Running, startServer } from '../../src/server/index.ts';
import { axeViolations, describe } from '../axe.ts';
import { launchChromium } from '../chromium.ts';
import { mainPages, type Seeded, seed } from './fixture.ts';

// The page's globals, as the functions passed to evaluate (which run in the browser) see them.
declare const document: {
  documentElement: { scrollWidth: number; clientWidth: number };
  activeElement: {
    tagName: string;
    textContent: string | null;
    getAttribute(n: string): string | null;
  } | null;
};
declare const innerWidth: number;

const dir = mkdtempSync(join(tmpdir(), 'brink-a11y-'));
let server: Running;
let browser: Browser;
let seeded: Seeded;

before(async () => {
  assert.ok(existsSync(join(DEFAULT_WEB, 'index.html')), 'dist/web is missing: run `npm run build` first');
  server = await startServer({ port: 0, host: '127.0.0.1', database: join(dir, 'brink.db'), log: () => {} });
  browser = await launchChromium();
  seeded = await seed(browser, server.url);
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** What axe found on each page at each width (printed at the end, for the record). */
const found: string[] = [];

for (const width of [1280, 390]) {
  test(`axe: no serious or critical violation on any main page at ${width} px; no sideways scroll`, async () => {
    const page = await seeded.context.newPage();
    await page.setViewportSize({ width, height: width > 800 ? 900 : 844 });
    page.setDefaultTimeout(30_000);
    const failures: string[] = [];
    for (const m of mainPages(seeded)) {
      await page.goto(`${server.url}${m.path}`);
      await m.ready(page);
      await page.waitForTimeout(250);
      const vs = await axeViolations(page);
      const bad = vs.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      const count = (i: string) => vs.filter((v) => v.impact === i).reduce((n, v) => n + v.nodes.length, 0);
      found.push(
        `${m.name} @${width}: critical ${count('critical')}, serious ${count('serious')}, moderate ${count('moderate')}, minor ${count('minor')}${
          vs.length ? ` [${vs.map((v) => `${v.id}×${v.nodes.length}`).join(', ')}]` : ''
        }`,
      );
      if (bad.length) failures.push(`${m.name} at ${width} px:\n${describe(bad)}`);
      const [scroll, viewport] = await page.evaluate(() => [
        document.documentElement.scrollWidth,
        innerWidth,
      ]);
      if (scroll > viewport)
        failures.push(
          `${m.name} at ${width} px scrolls sideways: ${scroll} > ${viewport}: ${await widest(page)}`,
        );
      // The navigation: in the bar, or behind the menu button on a phone.
      const menu = page.getByRole('button', { name: 'Menu' });
      if (await menu.isVisible()) {
        await menu.click();
        assert.equal(await menu.getAttribute('aria-expanded'), 'true');
      }
      const nav = page.getByRole('navigation', { name: 'Main' });
      for (const name of ['Talks', 'Glossary']) {
        const link = nav.getByRole('link', { name, exact: true });
        if (!(await link.isVisible()))
          failures.push(`${m.name} at ${width} px: the ${name} link is not reachable`);
      }
      if (await menu.isVisible()) await page.keyboard.press('Escape');
    }
    await page.close();
    console.log(found.filter((f) => f.includes(`@${width}`)).join('\n'));
    assert.deepEqual(failures, [], failures.join('\n\n'));
  });
}

/** The innermost elements that stick out on the right, for the message of a failure. */
function widest(page: Page): Promise<string> {
  return page.evaluate(`(() => {
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right <= innerWidth + 1) continue;
      if ([...el.children].some((c) => c.getBoundingClientRect().right > innerWidth + 1)) continue;
      out.push(el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') + ' ' + Math.round(r.right));
    }
    return out.slice(0, 5).join(', ');
  })()`);
}

/** Presses Tab (or Shift+Tab) until the focused element matches; fails after `max` presses. */
async function tabTo(
  page: Page,
  what: (el: { tag: string; text: string; label: string }) => boolean,
  max = 80,
  back = false,
) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const el = await page.evaluate(() => {
      const a = document.activeElement;
      return {
        tag: a?.tagName ?? '',
        text: (a?.textContent ?? '').trim(),
        label: a?.getAttribute('aria-label') ?? '',
      };
    });
    if (what(el)) return i + 1;
  }
  throw new Error(`no such element within ${max} presses of ${back ? 'Shift+' : ''}Tab`);
}

test('keyboard only: open a scenario, edit it, leave the editor, run, open a data table, download the report', async () => {
  const page = await seeded.context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  page.setDefaultTimeout(30_000);
  await page.goto(`${server.url}/w/${seeded.ws}`);
  await page.locator('.cards .card').first().waitFor();

  // Open the scenario from the list: Tab to its card's link, Enter. Focus lands on the page heading.
  await tabTo(page, (e) => e.tag === 'A' && e.text.includes('intercepts a DPRK test missile'));
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'The US intercepts a DPRK test missile', level: 1 }).waitFor();
  await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
  await page.getByTestId('preview-table').waitFor();

  // Into the editor: Tab moves focus there; a typed comment goes into the text.
  await tabTo(page, (e) => e.label.startsWith('YAML of'));
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type('# edited from the keyboard');
  // Tab does not indent by default: it leaves the editor (no trap).
  await page.keyboard.press('Tab');
  const out = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
  assert.doesNotMatch(out, /^YAML of/, 'Tab leaves the editor');
  assert.match(
    (await page.getByRole('textbox', { name: /^YAML of/ }).textContent()) ?? '',
    /# edited from the keyboard/,
  );

  // Save and run: Tab to the Run button (it saves first), Enter.
  await tabTo(page, (e) => e.tag === 'BUTTON' && /^(Save and run|Run)$/.test(e.text), 120);
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    () =>
      (document as unknown as { querySelector(s: string): { textContent: string } | null }).querySelector(
        '[data-testid=run-status]',
      )?.textContent === 'done',
    null,
    { timeout: 120_000 },
  );
  await page.waitForFunction(() => document.activeElement?.tagName === 'H1');

  // A chart's data table: Tab to its summary, Enter opens it.
  await tabTo(page, (e) => e.tag === 'SUMMARY' && e.text.startsWith('Data table'), 120);
  await page.keyboard.press('Enter');
  assert.ok(await page.locator('figure.chart details[open] table').first().isVisible());

  // Download the report: back up to its link (Shift+Tab), Enter.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    (async () => {
      await tabTo(page, (e) => e.tag === 'A' && e.text === 'Download report (HTML)', 120, true);
      await page.keyboard.press('Enter');
    })(),
  ]);
  const html = readFileSync((await download.path())!, 'utf8');
  assert.match(html, /^<!doctype html>/);
  await page.close();
});
