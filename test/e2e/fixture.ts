// A workbench with something on every main page, made through the API (quick): the owner account, a
// second member, a finished run, comparison and sensitivity analysis of korea-intercept, and a talks
// dialogue. The accessibility suite (a11y.test.ts) and `npm run screenshots` visit the same pages.
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const OWNER = { email: 'ana@example.org', name: 'Ana Analyst', password: 'a long enough password' };

export interface Seeded {
  context: BrowserContext;
  ws: string;
  scenario: string;
  run: string;
  comparison: string;
  sensitivity: string;
  dialogue: string;
}

/** A main page: where it is and what shows it is ready. */
export interface MainPage {
  name: string;
  path: string;
  ready: (p: Page) => Promise<unknown>;
}

async function json<T>(r: {
  ok(): boolean;
  status(): number;
  json(): Promise<unknown>;
  text(): Promise<string>;
}) {
  if (!r.ok()) throw new Error(`${r.status()}: ${await r.text()}`);
  return (await r.json()) as T;
}

/** Sets up a fresh server's first account and its content; the context is signed in as the owner. */
export async function seed(
  browser: Browser,
  url: string,
  viewport = { width: 1280, height: 900 },
): Promise<Seeded> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const rq = context.request;
  const me = await json<{ csrfToken: string; workspaces: { id: string }[] }>(
    await rq.post(`${url}/api/setup`, { data: OWNER }),
  );
  const headers = { 'x-csrf-token': me.csrfToken };
  const ws = me.workspaces[0]!.id;
  const api = `${url}/api/workspaces/${ws}`;
  const list = await json<{ id: string; path: string }[]>(await rq.get(`${api}/scenarios`));
  const scenario = list.find((s) => s.path === 'korea-intercept.yaml')!.id;
  const start = async (path: string, data: object) =>
    (
      await json<{ id: string }>(
        await rq.post(`${api}/${path}`, { headers, data: { scenarioId: scenario, ...data } }),
      )
    ).id;
  const run = await start('runs', { runs: 3000, seed: 1 });
  const comparison = await start('comparisons', {
    arms: ['eu-hosted-talks', 'us-china-talks'],
    runs: 3000,
    traceRuns: 40,
  });
  const sensitivity = await start('sensitivity', { tornadoRuns: 200, samples: 4, runsPerPoint: 40 });
  // A second member: invited by the owner, accepting the link from a browser of her own.
  const invitation = await json<{ token: string }>(
    await rq.post(`${api}/invitations`, { headers, data: { email: 'bo@example.org', role: 'analyst' } }),
  );
  const invitee = await browser.newContext();
  await json(
    await invitee.request.post(`${url}/api/invitations/join`, {
      data: {
        token: invitation.token,
        email: 'bo@example.org',
        name: 'Bo Analyst',
        password: 'another long password',
        create: true,
      },
    }),
  );
  await invitee.close();
  const dialogue = (
    await json<{ id: string }>(
      await rq.post(`${api}/talks`, {
        headers,
        data: {
          codename: 'BLUE HERON',
          hostLabel: 'EU facilitator',
          scenarios: ['korea-intercept.yaml'],
          delegations: [
            { label: 'US delegation', actor: 'US' },
            { label: 'PRC delegation', actor: 'PRC' },
          ],
        },
      }),
    )
  ).id;
  for (const id of [run, comparison, sensitivity]) {
    for (let i = 0; ; i++) {
      const r = await json<{ status: string }>(await rq.get(`${api}/runs/${id}`));
      if (r.status === 'done') break;
      if (r.status !== 'queued' && r.status !== 'running') throw new Error(`job ${id}: ${r.status}`);
      if (i > 600) throw new Error(`job ${id} still ${r.status} after 5 minutes`);
      await new Promise((res) => setTimeout(res, 500));
    }
  }
  return { context, ws, scenario, run, comparison, sensitivity, dialogue };
}

const svgDrawn = (p: Page) => p.locator('figure.chart .plot svg').first().waitFor();

/** Every main page of the workbench and the talks room, with what shows it is drawn. */
export function mainPages(s: Seeded): MainPage[] {
  return [
    {
      name: 'list',
      path: `/w/${s.ws}`,
      ready: (p) => p.locator('.cards .card').first().waitFor(),
    },
    {
      name: 'editor',
      path: `/w/${s.ws}/s/${s.scenario}`,
      ready: async (p) => {
        await p.getByTestId('preview-table').waitFor();
        await p.locator('.cm-content').waitFor();
      },
    },
    { name: 'run', path: `/w/${s.ws}/r/${s.run}`, ready: svgDrawn },
    { name: 'comparison', path: `/w/${s.ws}/r/${s.comparison}`, ready: svgDrawn },
    { name: 'sensitivity', path: `/w/${s.ws}/r/${s.sensitivity}`, ready: svgDrawn },
    {
      name: 'members',
      path: `/w/${s.ws}/members`,
      ready: (p) => p.getByRole('cell', { name: 'bo@example.org' }).waitFor(),
    },
    {
      name: 'glossary',
      path: '/glossary',
      ready: (p) => p.getByRole('heading', { name: 'Glossary', level: 1 }).waitFor(),
    },
    {
      name: 'talks-home',
      path: '/talks',
      ready: (p) => p.getByRole('link', { name: 'BLUE HERON' }).waitFor(),
    },
    {
      name: 'talks-room',
      path: `/talks/${s.dialogue}`,
      ready: (p) => p.getByRole('heading', { name: 'Parties' }).waitFor(),
    },
  ];
}
