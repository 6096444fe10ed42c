// End to end in Debian's Chromium: first-start setup, open a Korea scenario, make an error and see it
// underlined, fix it, edit a parameter in the form, run, read the charts and a sample run, compare two
// interventions and see the forest plot, a sensitivity analysis, download the HTML reports, backtest
// the Korea actor library against its historical case. Screenshots go to test-output/screenshots/ (git-ignored).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_WEB, type Running, startServer } from '../../src/server/index.ts';
import { launchChromium } from '../chromium.ts';

// The page's document, as the functions passed to waitForFunction/evaluate (which run in the browser) use it.
declare const document: {
  querySelector(selector: string): { textContent: string | null } | null;
  querySelectorAll(selector: string): { length: number };
  activeElement: { textContent: string | null } | null;
};

const SHOTS = fileURLToPath(new URL('../../test-output/screenshots', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'brink-e2e-'));
let server: Running;
let browser: Browser;
let page: Page;

before(async () => {
  assert.ok(existsSync(join(DEFAULT_WEB, 'index.html')), 'dist/web is missing: run `npm run build` first');
  mkdirSync(SHOTS, { recursive: true });
  // workbench-queue.test.ts runs this file again with the jobs computed by `brink worker` processes.
  const jobs = process.env.BRINK_E2E_JOBS;
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    database: join(dir, 'brink.db'),
    log: () => {},
    ...(jobs ? { jobs: { url: jobs } } : {}),
  });
  if (jobs) assert.equal(server.services.jobs.stats().computedOn, 'queue');
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

after(async () => {
  if (process.env.E2E_DEBUG) console.log('after: closing browser');
  await browser?.close();
  if (process.env.E2E_DEBUG) console.log('after: closing server');
  await server?.close();
  if (process.env.E2E_DEBUG) console.log('after: closed');
  rmSync(dir, { recursive: true, force: true });
});

const waitDone = () =>
  page.waitForFunction(
    () => document.querySelector('[data-testid=run-status]')?.textContent === 'done',
    null,
    { timeout: 120_000 },
  );

/** Clicks a download link and returns the file's text. */
async function downloadText(link: string): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: link }).click(),
  ]);
  return readFileSync((await download.path())!, 'utf8');
}

/** A report that opens anywhere: no script, no stylesheet or image to fetch. */
function assertSelfContained(html: string): void {
  assert.ok(html.startsWith('<!doctype html>'), 'an HTML document');
  const fetches = /<script|<link|<img|<iframe|src=|url\(|href="(https?:)?\/\//i.exec(html);
  assert.equal(fetches, null, `the report fetches nothing (found ${fetches?.[0]})`);
}

const chartWithSvg = (id: string) =>
  new RegExp(`<figure class="chart" id="${id}">[\\s\\S]*?<svg[^>]*>[\\s\\S]*?</svg>`);

const shot = async (name: string) => {
  if (process.env.E2E_DEBUG) console.log(`step ${name}`);
  // No tooltip left open where the pointer happened to stop.
  await page.mouse.move(0, 0);
  return page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
};

test('workbench in Chromium: setup, edit with diagnostics, run, charts, sample run, compare, download', async () => {
  page.setDefaultTimeout(30_000);
  await page.goto(server.url);
  await page.getByRole('heading', { name: /create the first account/ }).waitFor();
  await shot('01-setup');
  await page.getByLabel('Your name').fill('Ana Analyst');
  await page.getByLabel('Email').fill('ana@example.org');
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: /Create account/ }).click();

  // The library: the three Korea scenarios, searchable.
  await page.getByRole('heading', { name: 'Scenarios' }).waitFor();
  const cards = page.getByRole('list', { name: 'Scenarios' }).getByRole('listitem');
  await page.waitForFunction(() => document.querySelectorAll('.cards .card').length === 3);
  assert.equal(await cards.count(), 3);
  await shot('02-library');
  await page.getByLabel('Search scenarios').fill('intercept');
  await page.waitForFunction(() => document.querySelectorAll('.cards .card').length === 1);
  await page.getByRole('link', { name: /intercepts a DPRK test missile/ }).click();

  // The editor: valid to start with.
  await page.getByRole('heading', { name: 'The US intercepts a DPRK test missile' }).waitFor();
  const status = page.getByTestId('validity');
  await page.waitForFunction(() =>
    document.querySelector('[data-testid=validity]')?.textContent?.startsWith('valid'),
  );
  await page.getByTestId('preview-table').waitFor();
  await shot('03-scenario');

  // Introduce an error: an unknown key at the end of the file is underlined where it was typed.
  const editor = page.getByRole('textbox', { name: /YAML of korea-intercept.yaml/ });
  await editor.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Home');
  await page.keyboard.type('hazzards: {}');
  await page.waitForFunction(() =>
    document.querySelector('[data-testid=validity]')?.textContent?.includes('error'),
  );
  const underline = page.locator('.cm-lintRange-error').first();
  await underline.waitFor();
  assert.equal(await underline.textContent(), 'hazzards:');
  assert.match(
    (await page.getByRole('list', { name: 'Problems' }).textContent()) ?? '',
    /E_SCHEMA_UNKNOWN_KEY.*unknown key `hazzards`.*did you mean `hazards`/,
  );
  await underline.hover();
  await shot('04-error-underlined');

  // Fix it: delete the line again.
  await editor.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Backspace');
  await page.waitForFunction(() =>
    document.querySelector('[data-testid=validity]')?.textContent?.startsWith('valid'),
  );
  assert.equal(await page.locator('.cm-lintRange-error').count(), 0);
  assert.match((await status.textContent()) ?? '', /^valid/);

  // The form writes into the YAML: switch the hotline on as an override of the library.
  await page.getByRole('tab', { name: 'Key parameters' }).click();
  const hotline = page.getByRole('switch', { name: /hotline \(does not exist today\) exists/ });
  assert.equal(await hotline.isChecked(), false);
  await hotline.check();
  await page.waitForFunction(() => document.querySelector('.param-form .override') !== null);
  await shot('05-form');
  await page.getByRole('tab', { name: 'YAML' }).click();
  if (process.env.E2E_DEBUG) console.log('yaml:', await editor.textContent());
  assert.match((await editor.textContent()) ?? '', /us-dprk-hotline:\s*exists: true/);
  // The file's own comments survive the form's edit.
  assert.match((await editor.textContent()) ?? '', /# Op-ed scenario 2/);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('button', { name: 'Saved', exact: true }).waitFor();

  // A bad number is caught at its field, in words, by the same schema as the API.
  const runsBox = page.getByRole('spinbutton', { name: 'Runs' });
  await runsBox.fill('0');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByText('Runs must be at least 1.').waitFor();
  assert.equal(await runsBox.getAttribute('aria-invalid'), 'true');
  assert.match((await runsBox.getAttribute('aria-describedby')) ?? '', /error/);

  // Run a baseline ensemble, watch it finish, read the charts.
  await runsBox.fill('10000');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await waitDone();
  await page.locator('#exceedance-title').waitFor();
  await page.locator('#paths-title').waitFor();
  await page.locator('figure.chart .plot svg').first().waitFor();
  await shot('06-results');
  assert.ok((await page.locator('svg.sankey path').count()) > 0, 'the Sankey has flows');
  assert.match((await page.locator('figure.chart').first().textContent()) ?? '', /P\(peak ≥ rung\)/);

  // A sample run: the first war as a timeline.
  await page.getByRole('button', { name: 'Show timeline' }).click();
  await page.locator('table.timeline').waitFor();
  assert.match(
    (await page.locator('table.timeline thead').textContent()) ?? '',
    /what DPRK saw, believed, chose/,
  );
  await page.locator('table.timeline').scrollIntoViewIfNeeded();
  await shot('07-timeline');

  // Download the report.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download CSV' }).click(),
  ]);
  const csv = readFileSync((await download.path())!, 'utf8');
  assert.match(csv, /^section,item,value,ci95_low,ci95_high\n/);
  assert.match(csv, /P\(peak >= rung\),war,/);

  // The run's HTML report: one self-contained file with its charts.
  const runHtml = await downloadText('Download report (HTML)');
  assertSelfContained(runHtml);
  for (const id of ['exceedance', 'outcomes', 'sankey'])
    assert.ok(chartWithSvg(id).test(runHtml), `${id} chart with its SVG`);

  // Overlay another run's exceedance curve.
  await page.getByRole('link', { name: 'korea-intercept.yaml' }).click();
  await page.getByRole('tab', { name: 'Ensemble' }).waitFor();
  await page.getByRole('checkbox', { name: /us-china-talks/ }).check();
  await page.getByRole('spinbutton', { name: 'Runs' }).fill('3000');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await waitDone();
  const overlay = page.getByLabel('Overlay another run');
  const option = await overlay.locator('option', { hasText: 'baseline' }).first().getAttribute('value');
  await overlay.selectOption(option!);
  await page.waitForFunction(() =>
    (document.querySelector('figure.chart .plot')?.textContent ?? '').includes('baseline'),
  );
  await page.locator('#exceedance-title').scrollIntoViewIfNeeded();
  await shot('08-overlay');

  // Compare two interventions and a combination with the baseline, paired on common random numbers.
  await page.getByRole('link', { name: 'korea-intercept.yaml' }).click();
  await page.getByRole('tab', { name: 'Compare' }).click();
  const arms = page.getByRole('group', { name: 'Compare with the baseline' });
  await arms.getByRole('checkbox', { name: /eu-hosted-talks/ }).check();
  await arms.getByRole('checkbox', { name: /us-china-talks/ }).check();
  await page.getByText('Add a combination (A + B)').click();
  await page.getByRole('button', { name: 'hotline', exact: true }).click();
  await page.getByRole('button', { name: 'launch-notification', exact: true }).click();
  await page.getByRole('button', { name: 'Add hotline + launch-notification' }).click();
  await page.getByRole('spinbutton', { name: 'Runs per arm' }).fill('4000');
  assert.match(
    (await page.getByTestId('compare-work').textContent()) ?? '',
    /3 arms against the baseline · 16,000 runs in all/,
  );
  await page.locator('.analyse').screenshot({ path: join(SHOTS, '09-compare-form.png') });
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await waitDone();
  await page.locator('#forest-title').waitFor();
  const forest = page.locator('figure.chart', { has: page.locator('#forest-title') });
  // The table comes with the report; the plot is drawn after it (PlotBox measures its width first).
  // Each arm has its own shape (a symbol channel: drawn as paths).
  await forest.locator('svg g[data-mark=dot] > *').first().waitFor();
  const forestText = (await forest.textContent()) ?? '';
  for (const arm of ['eu-hosted-talks', 'us-china-talks', 'hotline+launch-notification'])
    assert.ok(forestText.includes(arm), `the forest plot's legend names ${arm}`);
  assert.match(forestText, /percentage points/);
  assert.match(forestText, /P\(war or worse\)/);
  // One dot per arm and quantity, and a zero line.
  assert.equal(await forest.locator('svg g[data-mark=dot] > *').count(), 12);
  const shapes = await forest
    .locator('svg g[data-mark=dot] > path')
    .evaluateAll((ps) => ps.map((p) => p.getAttribute('d')));
  assert.equal(new Set(shapes).size, 3, 'three arms, three shapes');
  assert.ok((await forest.locator('svg g[data-mark=rule] line').count()) >= 13);
  const saved = Number(await page.getByTestId('saved').first().textContent());
  assert.ok(saved > 0, 'EU-hosted talks save runs');
  // Mechanisms name acts and channels, not only their ids.
  const mechanisms = (await page.locator('.mechanisms').first().textContent()) ?? '';
  // Channels by their ends (engine 2.1: Beijing's own acts may fill the first box, so look at them all).
  const allMechanisms = (await page.locator('.mechanisms').allTextContents()).join('\n');
  assert.match(allMechanisms, /[A-Z]+ → [A-Z]+/);
  assert.match(mechanisms, /“Beijing tells Pyongyang the act was not an attack” \(PRC\.relay-reassurance\)/);
  await shot('10-compare-results');

  // A saved run, replayed at baseline and with the talks: the same random world, two histories.
  await page.getByRole('button', { name: 'Replay both arms' }).click();
  await page.locator('table.timeline').waitFor();
  assert.match((await page.getByRole('tab', { name: /^baseline: war/ }).textContent()) ?? '', /war/);
  await page.getByRole('heading', { name: /same random world/ }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, '11-replay.png') });

  // The comparison's HTML report: self-contained, with the forest plot.
  const compareHtml = await downloadText('Download report (HTML)');
  assertSelfContained(compareHtml);
  assert.ok(chartWithSvg('forest').test(compareHtml), 'forest chart with its SVG');
  assert.ok((compareHtml.match(/<circle/g) ?? []).length >= 12, 'the forest plot has its dots');
  assert.ok(
    compareHtml.includes('brink compare korea-intercept.yaml --with us-china-talks --with eu-hosted-talks'),
    'the manifest gives the command',
  );
  writeFileSync(join(SHOTS, 'compare-report.html'), compareHtml);

  // Sensitivity, small: a tornado and Sobol bars.
  await page.getByRole('link', { name: 'korea-intercept.yaml' }).click();
  await page.getByRole('tab', { name: 'Sensitivity' }).click();
  await page.waitForFunction(() =>
    /\d+ of \d+ uncertain parameters/.test(document.querySelector('.params-list summary')?.textContent ?? ''),
  );
  await page.getByRole('spinbutton', { name: 'Tornado runs per end' }).fill('300');
  await page.getByRole('spinbutton', { name: 'Sobol base samples N' }).fill('4');
  await page.getByRole('spinbutton', { name: 'Runs per design point' }).fill('60');
  // Two stages: the Sobol design over the 5 parameters with the largest tornado swing.
  await page.getByRole('spinbutton', { name: 'Sobol parameters K' }).fill('5');
  assert.match(
    (await page.getByTestId('sensitivity-work').textContent()) ?? '',
    /60 × 28 Sobol design points over the 5 with the largest swing/,
  );
  await page.getByRole('button', { name: 'Run sensitivity' }).click();
  await waitDone();
  await page.locator('#tornado-title').waitFor();
  await page.locator('#sobol-title').waitFor();
  const tornado = page.locator('figure.chart', { has: page.locator('#tornado-title') });
  await tornado.locator('svg g[data-mark=bar] rect').first().waitFor();
  assert.match((await tornado.textContent()) ?? '', /actors\.DPRK\.perception/);
  assert.match((await tornado.textContent()) ?? '', /source: /);
  assert.ok((await tornado.locator('svg g[data-mark=bar] rect').count()) > 3);
  const sobol = page.locator('figure.chart', { has: page.locator('#sobol-title') });
  assert.match((await sobol.textContent()) ?? '', /first order/);
  assert.match(
    (await sobol.getByTestId('sobol-screening').textContent()) ?? '',
    /varies only the 5 of \d+ uncertain parameters with the largest tornado swing .* so these indices are conditional on them/,
  );
  await shot('12-sensitivity');
  const sensHtml = await downloadText('Download report (HTML)');
  assertSelfContained(sensHtml);
  assert.ok(chartWithSvg('tornado').test(sensHtml), 'tornado chart with its SVG');
  assert.ok(chartWithSvg('sobol').test(sensHtml), 'sobol chart with its SVG');

  // A backtest of the Korea actor library: the historical case that extends it, in sample (a rule of the
  // library was written with it), scored apart from the held-out cases.
  await page.goto(server.url);
  await page.getByRole('link', { name: 'lib/korea-actors.yaml' }).click();
  await page.getByRole('heading', { name: 'Backtest this library' }).waitFor();
  await page.getByRole('spinbutton', { name: 'Runs per case' }).fill('500');
  await page.getByRole('button', { name: 'Backtest', exact: true }).click();
  await waitDone();
  const inSample = page.getByTestId('in-sample-table');
  await inSample.waitFor();
  assert.match((await inSample.textContent()) ?? '', /yeonpyeong-2010-korea-lib\s*lethal-clash/);
  assert.match(
    (await page.getByTestId('in-sample-summary').textContent()) ?? '',
    /Mean log score -?\d+\.\d\d \(ICB trigger-type base rate -?\d+\.\d\d, uniform -2\.30/,
  );
  await page.getByRole('heading', { name: 'Held-out cases (0)' }).waitFor();
  await page.getByText('yeonpyeong-2010-korea-lib: marked inSample in cases/observed.json').waitFor();
  await shot('13-backtest');
  const backtest = JSON.parse(await downloadText('Download JSON')) as { report: { runs: number } };
  assert.equal(backtest.report.runs, 500);

  // The generic crisis library (added through the API, as a script would) backtested on ICB crises: the
  // held-out crises from 1985 on, scored against the baselines; the training crises apart, not scored.
  const me = (await (await page.request.get(`${server.url}/api/auth/me`)).json()) as {
    csrfToken: string;
    workspaces: { id: string }[];
  };
  for (const name of ['generic-fit.yaml', 'generic-actors.yaml']) {
    const r = await page.request.post(`${server.url}/api/workspaces/${me.workspaces[0]!.id}/scenarios`, {
      headers: { 'x-csrf-token': me.csrfToken },
      data: { path: `lib/${name}`, yaml: readFileSync(`scenarios/lib/${name}`, 'utf8') },
    });
    assert.equal(r.status(), 201, await r.text());
  }
  await page.goto(server.url);
  await page.getByRole('link', { name: 'lib/generic-actors.yaml' }).click();
  await page.getByRole('heading', { name: 'Backtest on ICB crises' }).waitFor();
  await page.getByRole('spinbutton', { name: 'Runs per crisis' }).fill('20');
  await page.getByRole('button', { name: 'Backtest on ICB crises', exact: true }).click();
  await waitDone();
  assert.match(
    (await page.getByTestId('icb-split').textContent()) ?? '',
    /Fit on the \d+ ICB crises triggered before 1985, scored on the \d+ from 1985 on; 20 runs per crisis/,
  );
  await page.getByRole('heading', { name: 'Training crises (in sample, not scored)' }).waitFor();
  assert.match((await page.getByTestId('icb-fits').textContent()) ?? '', /time split\s*\d+\s*saved/);
  assert.match(
    (await page.getByTestId('icb-summary').textContent()) ?? '',
    /mean log score -\d+\.\d\d \(ICB trigger-type base rate -\d+\.\d\d, multinomial logit -\d+\.\d\d, uniform -1\.39/,
  );
  const scale = (await page.getByTestId('scale-icb').textContent()) ?? '';
  for (const row of ['ICB trigger-type base rate', 'multinomial logit, same features', 'uniform'])
    assert.ok(scale.includes(row), `the ICB scale's table has ${row}`);
  await shot('14-backtest-icb');
  const icb = JSON.parse(await downloadText('Download JSON')) as { report: { runs: number; test: number } };
  assert.equal(icb.report.runs, 20);
  assert.ok(icb.report.test > 100, `${icb.report.test} held-out crises`);

  // Keyboard: the first Tab reaches the skip link.
  await page.goto(server.url);
  await page.getByRole('heading', { name: 'Scenarios' }).waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
});

/** Opens an invitation link in a new browser, creates the account and joins; returns its page. */
async function acceptInvitation(link: string, email: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const p = await context.newPage();
  await p.goto(link);
  const form = p.getByRole('form', { name: 'Accept the invitation' });
  await form.waitFor();
  assert.ok(!p.url().includes('#'), 'the token leaves the address bar');
  await form.getByLabel('Your name').fill(email.split('@')[0]!);
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill('another long password');
  await form.getByRole('button', { name: 'Join Default' }).click();
  await p.getByRole('heading', { name: 'Scenarios', level: 1 }).waitFor();
  return p;
}

async function signIn(email: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const p = await context.newPage();
  await p.goto(server.url);
  await p.getByLabel('Email').fill(email);
  await p.getByLabel('Password').fill('another long password');
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { name: 'Scenarios' }).waitFor();
  return p;
}

async function openScenario(p: Page, title: RegExp): Promise<void> {
  await p.getByRole('link', { name: title }).click();
  await p.waitForFunction(() =>
    document.querySelector('[data-testid=validity]')?.textContent?.startsWith('valid'),
  );
}

async function appendLine(p: Page, path: string, line: string): Promise<void> {
  await p.getByRole('textbox', { name: `YAML of ${path}` }).click();
  await p.keyboard.press('Control+End');
  await p.keyboard.press('Enter');
  await p.keyboard.press('Home');
  await p.keyboard.type(line);
}

test('workbench in Chromium: members, a stale save gets a conflict (nothing overwritten), a viewer reads only', async () => {
  // The owner invites an analyst and two viewers from the Members page; each accepts the link in a
  // browser of their own, creating an account (nobody becomes a member without accepting).
  await page.goto(server.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
  await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
  const add = page.getByRole('form', { name: 'Invite a member' });
  const links: Record<string, string> = {};
  for (const [email, role] of [
    ['bo@example.org', 'analyst'],
    ['vi@example.org', 'viewer'],
    ['cy@example.org', 'viewer'],
  ] as const) {
    await add.getByLabel('Email (optional: only that account may accept)').fill(email);
    await add.getByLabel('Role').selectOption(role);
    await add.getByRole('button', { name: 'Create invitation link' }).click();
    const field = page.getByLabel(`Invitation link for ${email} (${role})`);
    await field.waitFor();
    links[email] = await field.inputValue();
  }
  assert.equal(await page.getByRole('table', { name: 'Pending invitations' }).getByRole('row').count(), 4);
  const bo = await acceptInvitation(links['bo@example.org']!, 'bo@example.org');
  await acceptInvitation(links['cy@example.org']!, 'cy@example.org');

  // Change a role, remove a member; the last owner can be neither demoted nor removed.
  await page.reload();
  await page.getByLabel('Role of cy').selectOption('analyst');
  await page.getByText('cy is now an analyst.').waitFor();
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Remove cy' }).click();
  await page.getByText('cy was removed from the workspace.').waitFor();
  // The message shows when the removal succeeded; the table reloads just after it.
  await page.getByRole('cell', { name: 'cy@example.org' }).waitFor({ state: 'detached' });
  assert.equal(await page.getByRole('cell', { name: 'cy@example.org' }).count(), 0);
  assert.ok(await page.getByRole('button', { name: 'Remove Ana Analyst' }).isDisabled());
  await page.getByLabel('Role of Ana Analyst').selectOption('viewer');
  await page.getByTestId('members-status').getByText('a workspace keeps at least one owner').waitFor();
  assert.equal(await page.getByLabel('Role of Ana Analyst').inputValue(), 'owner');
  await page.screenshot({ path: join(SHOTS, '13-members.png'), fullPage: true });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Scenarios' }).click();
  await page.getByRole('heading', { name: 'Scenarios', level: 1 }).waitFor();

  // Owner and analyst open the same scenario; the owner saves first.
  await openScenario(page, /DPRK test failure kills Japanese/);
  await openScenario(bo, /DPRK test failure kills Japanese/);
  await appendLine(page, 'korea-test-failure.yaml', '# owner: checked the fishing-boat figures');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.getByRole('button', { name: 'Saved', exact: true }).waitFor();
  await appendLine(bo, 'korea-test-failure.yaml', '# analyst: a competing edit');
  await bo.getByRole('button', { name: 'Save', exact: true }).click();
  const banner = bo.getByRole('alert').filter({ hasText: 'Not saved: conflict' });
  await banner.waitFor();
  assert.match((await banner.textContent()) ?? '', /you edited version 1, it is now version 2/);
  await bo.screenshot({ path: join(SHOTS, '13-conflict.png') });
  await bo.getByRole('button', { name: 'Discard mine, load theirs' }).click();
  await bo.waitForFunction(
    () => document.querySelector('.cm-content')?.textContent?.includes('owner: checked') ?? false,
  );
  const text =
    (await bo.getByRole('textbox', { name: 'YAML of korea-test-failure.yaml' }).textContent()) ?? '';
  assert.doesNotMatch(text, /competing edit/);

  // A viewer can read and preview but not edit or run.
  // The viewer accepts, then signs in from another browser.
  await acceptInvitation(links['vi@example.org']!, 'vi@example.org');
  const vi = await signIn('vi@example.org');
  assert.equal(await vi.getByRole('button', { name: 'New scenario' }).count(), 0);
  await openScenario(vi, /DPRK test failure kills Japanese/);
  const editor = vi.getByRole('textbox', { name: 'YAML of korea-test-failure.yaml' });
  assert.equal(await editor.getAttribute('aria-readonly'), 'true');
  const before = await editor.textContent();
  await appendLine(vi, 'korea-test-failure.yaml', 'hazards: {}');
  assert.equal(await editor.textContent(), before, 'typing changes nothing');
  assert.ok(await vi.getByText('read-only (viewer)').isVisible());
  assert.ok(await vi.getByRole('button', { name: 'Run', exact: true }).isDisabled());
  await vi.getByTestId('preview-table').waitFor();
  await vi.getByRole('tab', { name: 'Compare' }).click();
  assert.ok(await vi.getByRole('button', { name: 'Compare', exact: true }).isDisabled());
  assert.ok(await vi.getByText('Viewers can read comparisons but not start them.').isVisible());
  await vi.getByRole('tab', { name: 'Ensemble' }).click();
  await vi.screenshot({ path: join(SHOTS, '14-viewer.png'), fullPage: true });
});
