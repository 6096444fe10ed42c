// The HTML reports open in headless Chromium (Debian's chromium through playwright-core) with every
// chart drawn, no console error and no request leaving the file.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { axeViolations, describe } from '../axe.ts';
import { launchChromium } from '../chromium.ts';
import { brink } from '../cli.ts';

let browser: Browser;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'brink-report-'));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens a report; returns, per figure id, the mark types drawn with at least one element. */
async function open(
  file: string,
): Promise<{ marks: Record<string, string[]>; errors: string[]; requests: string[]; a11y: string[] }> {
  const html = readFileSync(file, 'utf8');
  assert.doesNotMatch(html, /<script|<link |src="http|href="http/i, 'the report must be self-contained');
  const page = await browser.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  await page.goto(`file://${file}`);
  // Evaluated in the page (a string: the test's TypeScript has no DOM types).
  const marks = (await page.evaluate(`(() => {
    const out = {};
    for (const fig of document.querySelectorAll('figure.chart')) {
      const kinds = Array.from(fig.querySelectorAll('svg g[data-mark]'))
        .filter((g) => g.children.length > 0 && !/axis|tick|grid|legend/.test(g.getAttribute('data-mark') || ''))
        .map((g) => g.getAttribute('data-mark'));
      // A chart with a legend is a figure holding swatches and the plot: take the largest SVG.
      const big = Array.from(fig.querySelectorAll('svg')).some((s) => {
        const b = s.getBoundingClientRect();
        return b.width > 100 && b.height > 50;
      });
      out[fig.id] = big ? [...new Set(kinds)].sort() : [];
    }
    return out;
  })()`)) as Record<string, string[]>;
  // Accessible at a desktop and a phone width: no serious or critical axe violation, no sideways scroll
  // (wide charts and tables scroll inside their own focusable regions).
  const a11y: string[] = [];
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 800 });
    const bad = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    if (bad.length) a11y.push(`at ${width} px:\n${describe(bad)}`);
    const [scroll, inner] = (await page.evaluate(
      '[document.documentElement.scrollWidth, innerWidth]',
    )) as number[];
    if (scroll! > inner!) a11y.push(`at ${width} px the page scrolls sideways: ${scroll} > ${inner}`);
  }
  await page.close();
  return { marks, errors, requests, a11y };
}

test('brink run --report: exceedance band, outcome bars, path Sankey and misperception attribution render', async () => {
  const file = join(dir, 'run.html');
  const r = await brink([
    'run',
    'scenarios/korea-decapitation-misread.yaml',
    '--runs',
    '4000',
    '--report',
    file,
    '--format',
    'md',
  ]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^# Ensemble/);
  const { marks, errors, requests, a11y } = await open(file);
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, []);
  assert.deepEqual(a11y, []);
  assert.deepEqual(marks.exceedance, ['area', 'dot', 'line']);
  assert.ok(marks.outcomes?.includes('bar') && marks.outcomes.includes('rule'));
  assert.ok(marks.sankey?.includes('link') && marks.sankey.includes('rect'));
  assert.ok(marks.attribution?.includes('bar'));
  const html = readFileSync(file, 'utf8');
  assert.match(html, /Run manifest/);
  assert.match(html, /brink run scenarios\/korea-decapitation-misread.yaml --runs 4000/);
  assert.match(html, /actors\.DPRK\.perception\.isr\.air\.detect/);
  assert.match(html, /Mathieu Duchatel/, 'the source of a parameter is cited');
});

test('brink compare --report: the forest plot renders', async () => {
  const file = join(dir, 'compare.html');
  const r = await brink([
    'compare',
    'scenarios/korea-intercept.yaml',
    '--with',
    'eu-hosted-talks',
    '--with',
    'hotline+launch-notification',
    '--runs',
    '3000',
    '--report',
    file,
  ]);
  assert.equal(r.code, 0, r.err);
  const { marks, errors, a11y } = await open(file);
  assert.deepEqual(errors, []);
  assert.deepEqual(a11y, []);
  assert.ok(marks.forest?.includes('dot') && marks.forest.includes('rule'), JSON.stringify(marks));
  assert.ok(marks.sankey?.includes('link'));
  assert.match(readFileSync(file, 'utf8'), /EU-hosted US-China contingency talks/);
});

test('brink sweep and sensitivity --report: sweep lines, tornado and Sobol bars render', async () => {
  const sweepFile = join(dir, 'sweep.html');
  const s = await brink([
    'sweep',
    'scenarios/korea-intercept.yaml',
    '--with',
    'eu-hosted-talks',
    '--param',
    'talks.eu-hosted.leak.DPRK.p=0..0.3:3',
    '--runs',
    '1000',
    '--report',
    sweepFile,
  ]);
  assert.equal(s.code, 0, s.err);
  const sw = await open(sweepFile);
  assert.deepEqual(sw.errors, []);
  assert.deepEqual(sw.a11y, []);
  assert.ok(sw.marks['sweep-warOrWorse']?.includes('line'), JSON.stringify(sw.marks));
  const sensFile = join(dir, 'sensitivity.html');
  const t = await brink([
    'sensitivity',
    'scenarios/korea-decapitation-misread.yaml',
    '--only',
    'actors.DPRK.perception.isr.air.detect',
    '--only',
    'hazards.bomber-flights.ratePerDay',
    '--tornado-runs',
    '1000',
    '--samples',
    '8',
    '--runs',
    '50',
    '--bootstrap',
    '50',
    '--report',
    sensFile,
  ]);
  assert.equal(t.code, 0, t.err);
  const se = await open(sensFile);
  assert.deepEqual(se.errors, []);
  assert.deepEqual(se.a11y, []);
  assert.ok(se.marks.tornado?.includes('bar'), JSON.stringify(se.marks));
  assert.ok(se.marks.sobol?.includes('bar'));
});
