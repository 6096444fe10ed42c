// A tabletop exercise end to end in Debian's Chromium, with four browser contexts: the facilitator sets
// up an exercise of korea-intercept (seed 5) with three teams (Washington: US, Pyongyang: DPRK, Beijing: PRC),
// imports an MSEL from CSV and invites the teams; each team joins by its single-use link; they play by
// scripted moves while the facilitator advances the clock, fires an inject and asks the coach. Every
// team's screen must list exactly its actor's perception as the engine gives it (the log replayed here,
// independently of the server); the review names the decision with the largest counterfactual effect
// with its interval; the AAR/IP export opens. Screenshots: test-output/screenshots/exercise-*.png (the
// ones docs/exercises.md shows).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { fold, LogEntry, type LoggedEntry, perceptionOf, replay } from '../../src/exercise/index.ts';
import { multiUser } from './multi-user.ts';

// `npm run screenshots -- exercises` sets EXERCISE_SHOTS=docs/img for the guide (docs/exercises.md).
const SHOTS = process.env.EXERCISE_SHOTS
  ? fileURLToPath(new URL(`../../${process.env.EXERCISE_SHOTS}/`, import.meta.url))
  : fileURLToPath(new URL('../../test-output/screenshots', import.meta.url));
const session = multiUser('brink-exercise-e2e-', SHOTS);
const { open } = session;

const shot = async (page: Page, name: string) => {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: join(SHOTS, `exercise-${name}.png`), fullPage: true });
};

const MSEL_CSV = [
  'MSEL #,Designated Scenario Time,Trigger,Delay (h),Event Synopsis,From,Intended Player,Engine Action,Expected Player Action,Objective / Core Capability,Responsible Controller,Notes',
  '1,H+2,time,,Kyodo reports debris sighted off Hokkaido,Press,US; PRC,,Ask Tokyo and Beijing what they saw,Crisis communication,Controller 1,',
  '2,,after US.intercept,2,KCNA: the interception is an act of war,KCNA,DPRK,,Decide whether to answer in kind,Escalation control,Controller 2,',
  '3,,manual,,Seoul asks Washington for urgent consultations,ROK embassy,US,,Consult the ally before acting,Alliance management,Controller 1,',
].join('\r\n');

// Scripted moves: each team takes its first option that shows force (intercept, alert, deployment,
// strike), else its last option.
const FORCE = /strike|artillery|naval|intercept|alert|border/;
const SCRIPT = (_stimulus: string, options: string[]) =>
  options.find((x) => FORCE.test(x)) ?? options.at(-1)!;

async function joinWith(page: Page, link: string, name: string, email: string, team: string) {
  await page.goto(link);
  await page.getByRole('heading', { name: 'Intercept tabletop' }).waitFor();
  assert.ok(!page.url().includes('#'), 'the invitation token stays in the address bar');
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: `Join ${team}` }).click();
  await page.getByRole('heading', { name: new RegExp(`^${team} \\(`), level: 1 }).waitFor();
}

/** The reports a team's screen lists, in order. */
async function screenReports(page: Page, team: string) {
  const items = page.getByRole('list', { name: `Reports of ${team}` }).getByRole('listitem');
  const out: { at: number; perceived: string }[] = [];
  for (let k = 0; k < (await items.count()); k++) {
    const li = items.nth(k);
    out.push({
      at: Number(await li.getAttribute('data-at')),
      perceived: (await li.getAttribute('data-perceived')) ?? '',
    });
  }
  return out;
}

test('a tabletop exercise in Chromium: a facilitator and three teams play korea-intercept to the review', async () => {
  const fac = await open('facilitator');
  await fac.goto(session.server.url);
  await fac.getByRole('heading', { name: /create the first account/ }).waitFor();
  await fac.getByLabel('Your name').fill('Fran Facilitator');
  await fac.getByLabel('Email').fill('fac@example.org');
  await fac.getByLabel('Password').fill('a long enough password');
  await fac.getByRole('button', { name: /Create account/ }).click();
  await fac.getByRole('heading', { name: 'Scenarios' }).waitFor();
  await fac.getByRole('link', { name: 'Exercises', exact: true }).click();
  await fac.getByRole('heading', { name: 'Tabletop exercises' }).waitFor();

  // Set-up: the scenario, three teams, a 6-hour turn, seed 7, the MSEL from CSV.
  await fac.getByLabel('Title').fill('Intercept tabletop');
  await fac.getByLabel('Scenario to play').selectOption({ label: 'The US intercepts a DPRK test missile' });
  await fac.getByLabel('Seed').fill('5');
  await fac.getByRole('button', { name: 'Add a team' }).click();
  const teams = [
    ['Washington', 'US'],
    ['Pyongyang', 'DPRK'],
    ['Beijing', 'PRC'],
  ] as const;
  for (const [k, [label, actor]] of teams.entries()) {
    await fac.getByLabel(`Name of team ${k + 1}`, { exact: true }).fill(label);
    await fac.getByLabel(`Plays (actor) of team ${k + 1}`).selectOption(actor);
  }
  await fac.getByLabel("MSEL (CSV in HSEEP's columns, optional)").fill(MSEL_CSV);
  await shot(fac, '01-setup');
  await fac.getByRole('button', { name: 'Create the exercise' }).click();
  await fac.getByRole('heading', { name: 'Intercept tabletop', level: 1 }).waitFor();
  const ex = new URL(fac.url()).pathname.split('/')[2]!;
  await fac.getByRole('tab', { name: 'MSEL' }).click();
  await fac
    .getByRole('table', { name: 'MSEL' })
    .getByText('KCNA: the interception is an act of war')
    .waitFor();
  await shot(fac, '02-msel');

  // Invitations: one single-use link per team.
  await fac.getByRole('tab', { name: 'Invitations' }).click();
  const links: Record<string, string> = {};
  for (const [label, actor] of teams) {
    await fac
      .getByRole('row', { name: `${label} (${actor})` })
      .getByRole('button', { name: 'Create invitation link' })
      .click();
    links[label] = await fac.getByLabel(`Single-use link for ${label}`).inputValue();
    assert.match(links[label]!, /\/exercises\/join#[A-Za-z0-9_-]{40,}$/);
  }
  await shot(fac, '03-invitations');
  const pages: Record<string, Page> = {};
  for (const [label] of teams) {
    pages[label] = await open(label);
    await joinWith(
      pages[label]!,
      links[label]!,
      `${label} lead`,
      `${label.toLowerCase()}@example.org`,
      label,
    );
  }
  // A used link does not work twice.
  const again = await open('again');
  await again.goto(links.Washington!);
  await again.getByText(/not valid: it was used/).waitFor();

  // Play: the facilitator advances the clock; whoever has a decision takes its scripted choice; at the
  // third turn the facilitator fires the manual inject; the teams see every change without reloading.
  await fac.getByRole('tab', { name: 'Console' }).click();
  let decisions = 0;
  let fired = false;
  for (let turn = 0; turn < 8; turn++) {
    await fac.getByRole('button', { name: /^Advance one turn/ }).click();
    for (let guard = 0; guard < 20; guard++) {
      const pending = (await fac.getByTestId('pending').textContent()) ?? '';
      const m = /^Waiting for (\w+): (\S+) on (\S+)$/.exec(pending);
      if (!m) break;
      const [, team, key, stimulus] = m;
      const page = pages[team!]!;
      const options = page.getByRole('list', { name: 'Options' }).getByRole('button');
      await options.first().waitFor();
      const acts = (await options.allTextContents()).map((t) => t.replace(/^Choose /, ''));
      const choice = SCRIPT(stimulus!, acts);
      if (decisions === 0) await shot(page, '05-team-decision');
      await page.getByRole('button', { name: `Choose ${choice}`, exact: true }).click();
      decisions++;
      await fac.getByTestId('pending').filter({ hasNotText: key! }).waitFor();
    }
    if (turn === 2 && !fired) {
      await fac.getByRole('tab', { name: 'MSEL' }).click();
      await fac.getByRole('button', { name: 'Fire inject 3 now' }).click();
      await fac
        .getByText(/fired at H\+/)
        .first()
        .waitFor();
      await fac.getByRole('tab', { name: 'Console' }).click();
      fired = true;
    }
    if (turn === 1) {
      // Washington writes to Pyongyang; the words travel with the message.
      const w = pages.Washington!;
      await w.getByLabel('Message to send').selectOption({ index: 0 });
      await w.getByLabel('Words for the receiver').fill('The interception was not aimed at you.');
      await w.getByRole('button', { name: 'Send' }).click();
      await w.getByLabel('Words for the receiver').filter({ hasText: '' }).waitFor();
    }
  }
  assert.ok(decisions >= 3, `the teams took ${decisions} decisions`);
  await pages
    .Washington!.getByText(/message to DPRK via/)
    .first()
    .waitFor();

  // The coach: P(war) from here, with an interval.
  await fac.getByLabel('Days ahead').fill('14');
  await fac.getByRole('button', { name: 'Ask the coach' }).click();
  const coach = (await fac.getByTestId('coach').textContent()) ?? '';
  assert.match(coach, /P\(war within 14 days\) = [\d.]+% \(95% CI [\d.]+% to [\d.]+%\), 2000 runs/);
  await shot(fac, '04-console');

  // Each team's screen shows exactly its actor's perception, as the engine gives it from the log.
  const log = (await fac.evaluate(
    async (id) => (await fetch(`/api/exercises/${id}/log`)).json(),
    ex,
  )) as LoggedEntry[];
  const game = replay(fold(log.map((e) => ({ ...e, entry: LogEntry.parse(e.entry) }))));
  for (const [label, actor] of teams) {
    const page = pages[label]!;
    const want = perceptionOf(game.run.trace, actor, game.t);
    await page
      .getByTestId('clock')
      .filter({ hasText: `H+${game.t * game.model.tickHours}` })
      .waitFor();
    assert.deepEqual(await screenReports(page, label), want, `${label}'s screen`);
    assert.ok(want.length > 0, `${label} perceived something`);
  }
  await pages.Pyongyang!.getByText('KCNA: the interception is an act of war').first().waitFor();
  await shot(pages.Beijing!, '06-team-picture');
  // A team asking for another team's view or the truth from its browser is refused.
  const peek = await pages.Beijing!.evaluate(
    async (id) => [
      (await fetch(`/api/exercises/${id}/teams/washington/view`)).status,
      (await fetch(`/api/exercises/${id}/truth`)).status,
      (await fetch(`/api/exercises/${id}/aar.html`)).status,
    ],
    ex,
  );
  assert.deepEqual(peek, [403, 403, 403]);

  await fac.getByRole('tab', { name: 'Team views' }).click();
  await fac.getByRole('heading', { name: 'Pyongyang (DPRK) sees' }).waitFor();
  await shot(fac, '07-team-views');

  // The review: the decision with the largest counterfactual effect, with its interval.
  await fac.getByRole('tab', { name: 'Console' }).click();
  await fac.getByRole('button', { name: 'End the exercise' }).click();
  await fac.getByTestId('clock').filter({ hasText: 'ended' }).waitFor();
  await fac.getByRole('tab', { name: 'Review' }).click();
  await fac.getByRole('button', { name: 'Build the review' }).click();
  const largest = (await fac.getByTestId('largest').textContent({ timeout: 120_000 })) ?? '';
  const effects = fac.getByRole('table', { name: 'Decision effects' }).getByRole('row');
  const sizes: number[] = [];
  for (let k = 1; k < (await effects.count()); k++) {
    const cell = (await effects.nth(k).getByRole('cell').nth(4).textContent()) ?? '';
    sizes.push(Math.abs(Number(/^([+-]?[\d.]+) points/.exec(cell)![1])));
  }
  assert.ok(sizes.length >= 3);
  assert.equal(sizes[0], Math.max(...sizes));
  assert.ok(sizes[0]! > 0, 'a team decision moved the risk');
  const first = (await effects.nth(1).getByRole('cell').nth(0).textContent()) ?? '';
  const firstTeam = (await effects.nth(1).getByRole('cell').nth(1).textContent()) ?? '';
  assert.match(
    largest,
    /^Largest counterfactual effect: \w+ \(\w+\) chose \S+ at H\+\d+ where the doctrine chose \S+: [+-][\d.]+ points \(95% CI -?[\d.]+ to -?[\d.]+\)\.$/,
  );
  assert.ok(largest.includes(`effect: ${firstTeam} (`), `${largest} / ${first}`);
  await shot(fac, '08-review');

  // The AAR/IP export downloads and opens, in HSEEP's structure.
  const [download] = await Promise.all([
    fac.waitForEvent('download'),
    fac.getByRole('link', { name: 'Download the AAR/IP (HTML)' }).click(),
  ]);
  const file = join(session.dir, 'aar.html');
  await download.saveAs(file);
  const doc = await open('aar');
  await doc.goto(pathToFileURL(file).href);
  await doc
    .getByRole('heading', { name: /After-Action Report \/ Improvement Plan: Intercept tabletop/ })
    .waitFor();
  await doc.getByRole('heading', { name: '4. Improvement plan' }).waitFor();
  assert.ok(readFileSync(file, 'utf8').includes('Largest counterfactual effect'));
  await shot(doc, '09-aar');
});
