// The talks room and the exercises under load (docs/decisions/0018-server-load.md, session 6): their
// scenario work (convening's agendas, a delegation's form, drafts' interventions, AAR downloads) runs on
// the request pool, and their background analyses (gap ranking, protocols, look-ahead, review) on a
// thread of their own, with the numbers the same work gives on this thread. Behaviour only: the event
// loop's delay under these loads is measured by `npm run bench:server -- --only rooms`.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fold, type Game, LogEntry, replay, teamView } from '../../src/exercise/index.ts';
import { BackgroundError, backgroundStats, runInBackground } from '../../src/server/background-thread.ts';
import { computeExerciseJob, type ExerciseJobInput } from '../../src/server/exercises/compute.ts';
import { ExerciseRoom } from '../../src/server/exercises/room.ts';
import { computeTalksAnalysis, type TalksAnalysisInput } from '../../src/server/talks/compute.ts';
import { KeyError, type Keyring } from '../../src/server/talks/crypto.ts';
import { type ConveneResult, doWork } from '../../src/server/work-tasks.ts';
import { exampleFiles } from '../../src/server/workspace.ts';
import { deriveAgenda, loadBase, prefillPositions, selectTriggers } from '../../src/talks/index.ts';
import { type Drill, jobDone, settle, setupDrill, TEAMS } from './exercises-helpers.ts';
import { EXAMPLES } from './helpers.ts';
import { ok, type Room, setupRoom, submitForm, waitAnalysis } from './talks-helpers.ts';

const KOREA = 'korea-intercept.yaml';
const noControl = { cancelled: () => false, pause: async () => {}, progress: () => {} };

/** A gap-ranking input on korea-intercept: the prefilled positions, with one US response changed. */
function talksInput(kind: 'gaps' | 'protocols'): TalksAnalysisInput {
  const files = exampleFiles(EXAMPLES);
  const base = loadBase(files, KOREA);
  const convened = doWork({ op: 'convene', files, paths: [KOREA], actors: ['US', 'PRC'] }) as ConveneResult;
  assert.ok(convened.ok);
  const s = convened.scenarios[0]!;
  assert.deepEqual(s.agenda, deriveAgenda(base, ['US', 'PRC'], { pilotRuns: 300, seed: 1 }));
  const agenda = selectTriggers(s.agenda, s.selected);
  const us = prefillPositions(base, agenda, 'US', ['US', 'PRC']).positions;
  us.responses['DPRK.artillery-fire'] = {
    protest: 0.2,
    'show-of-force': 0.3,
    alert: 0.2,
    'limited-strike': 0.3,
  };
  const prc = prefillPositions(base, agenda, 'PRC', ['US', 'PRC']).positions;
  return {
    kind,
    settings: { runs: 200, maxRuns: 400, seed: 5, threshold: 0.02 },
    scenarios: [
      {
        files: s.files,
        path: KOREA,
        agenda,
        declared: [
          { actor: 'US', positions: us },
          { actor: 'PRC', positions: prc },
        ],
        drafts:
          kind === 'protocols'
            ? [{ id: 'd1', title: 'Notice', mapping: { interventions: ['interception-notice'], set: {} } }]
            : [],
      },
    ],
    agreed: kind === 'protocols' ? ['d1'] : [],
  };
}

describe('background threads', () => {
  test('runInBackground gives the talks analyses this thread gives, byte for byte, with progress in order', async () => {
    for (const kind of ['gaps', 'protocols'] as const) {
      const input = talksInput(kind);
      const here = await computeTalksAnalysis(input, noControl);
      const seen: [number, number][] = [];
      const there = await runInBackground(
        { kind: 'talks', input },
        { cancelled: () => false, progress: (d, t) => void seen.push([d, t]) },
      );
      assert.equal(JSON.stringify(there), JSON.stringify(here), kind);
      assert.ok(seen.length > 0);
      for (let k = 1; k < seen.length; k++) assert.ok(seen[k]![0] >= seen[k - 1]![0], 'done never goes back');
      assert.equal(seen.at(-1)![0], seen.at(-1)![1], 'the last progress is the whole');
    }
  });

  test('runInBackground stops a task asked to cancel (kind cancelled) and says what failed without quoting it', async () => {
    // Asked from the start: the thread sees it between two slices (5,000 runs an arm: many slices).
    const long = talksInput('gaps');
    long.settings = { ...long.settings, runs: 5000, maxRuns: 5000 };
    const cancelled = runInBackground({ kind: 'talks', input: long }, { cancelled: () => true });
    await assert.rejects(cancelled, (e: unknown) => e instanceof BackgroundError && e.kind === 'cancelled');
    const broken = talksInput('gaps');
    broken.scenarios[0]!.files = { ...broken.scenarios[0]!.files, [KOREA]: 'version: 1\nid: [' };
    await assert.rejects(
      runInBackground({ kind: 'talks', input: broken }, { cancelled: () => false }),
      (e: unknown) =>
        e instanceof BackgroundError &&
        e.kind === 'domain' &&
        /^scenario korea-intercept\.yaml does not load/.test(e.message),
    );
    // A bug's message stays on its thread: only its name comes back.
    const bug = { ...talksInput('gaps'), scenarios: [null] } as unknown as TalksAnalysisInput;
    await assert.rejects(
      runInBackground({ kind: 'talks', input: bug }, { cancelled: () => false }),
      (e: unknown) =>
        e instanceof BackgroundError && e.kind === 'internal' && e.name === 'TypeError' && e.message === '',
    );
    assert.equal(backgroundStats().running, 0);
  });
});

describe('talks room under load', () => {
  let room: Room;
  before(async () => {
    room = await setupRoom();
  });
  after(async () => {
    await room.srv.close();
  });

  test('convening, the form, drafts and the interventions compile on the request pool; analyses on a thread of their own', async () => {
    const { host, us, prc, dlg, ws, ids } = room;
    const pool = room.srv.services.pool;
    const ops = () => pool.stats().byOp;
    const before = ops();
    // Two dialogues were convened by setupRoom.
    assert.equal(before.convene, 2);
    const conv = await host.post(`/api/workspaces/${ws}/talks`, {
      codename: 'WHITE IBIS',
      scenarios: [KOREA],
      delegations: [
        { label: 'A', actor: 'US' },
        { label: 'B', actor: 'PRC' },
      ],
    });
    await ok(conv, 201);
    // The same errors, in the same order, as on the server's thread.
    const missing = await host.post(`/api/workspaces/${ws}/talks`, {
      codename: 'XX',
      scenarios: [KOREA, 'nope.yaml'],
      delegations: [
        { label: 'A', actor: 'US' },
        { label: 'B', actor: 'PRC' },
      ],
    });
    assert.deepEqual(
      [missing.status, missing.body.error.message],
      [404, 'no scenario nope.yaml in the workspace'],
    );
    const noActor = await host.post(`/api/workspaces/${ws}/talks`, {
      codename: 'XX',
      scenarios: [KOREA],
      delegations: [
        { label: 'A', actor: 'US' },
        { label: 'B', actor: 'ZZ' },
      ],
    });
    assert.deepEqual(
      [noActor.status, noActor.body.error.message],
      [400, `scenario ${KOREA} has no actor ZZ`],
    );
    assert.equal((ops().convene ?? 0) - (before.convene ?? 0), 3);

    await submitForm(us, dlg, (s) => {
      s[KOREA].responses['DPRK.artillery-fire'] = {
        protest: 0.2,
        'show-of-force': 0.3,
        alert: 0.2,
        'limited-strike': 0.3,
      };
    });
    await submitForm(prc, dlg);
    assert.equal((ops().prefill ?? 0) - (before.prefill ?? 0), 2);

    const ivs = await us.get(`/api/talks/${dlg}/interventions`);
    await ok(ivs);
    assert.ok(ivs.body[0].interventions.some((i: { id: string }) => i.id === 'interception-notice'));
    const draft = await host.post(`/api/talks/${dlg}/drafts`, {
      title: 'Notice',
      text: '',
      parties: [ids.us, ids.prc],
      mapping: { [KOREA]: { interventions: ['interception-notice'], set: {} } },
    });
    await ok(draft, 201);
    const bad = await host.post(`/api/talks/${dlg}/drafts`, {
      title: 'Bad',
      text: '',
      parties: [ids.us, ids.prc],
      mapping: { [KOREA]: { interventions: ['no-such'], set: {} } },
    });
    assert.equal(bad.status, 400);
    assert.match(
      bad.body.error.message,
      /^korea-intercept\.yaml has no intervention no-such \(it has: .*interception-notice/,
    );
    assert.equal((ops().talksInterventions ?? 0) - (before.talksInterventions ?? 0), 3);

    const started = backgroundStats().started.talks;
    const start = await host.post(`/api/talks/${dlg}/analyses`, { kind: 'gaps' });
    await ok(start, 202);
    const gaps = await waitAnalysis(room, start.body.id);
    assert.equal(gaps.status, 'done', JSON.stringify(gaps.result?.error));
    assert.ok(gaps.result.results[0].ranked.length >= 1);
    assert.equal(backgroundStats().started.talks - started, 1);
    const loopback = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
    const metrics = await room.srv.app.request('/metrics', {}, loopback);
    const text = await metrics.text();
    assert.match(text, /^brink_background_tasks_total\{kind="talks"\} [1-9]/m);
    assert.match(text, /^brink_pool_operations_total\{op="convene"\} [1-9]/m);
  });
});

describe('exercises under load', () => {
  let d: Drill;
  before(async () => {
    d = await setupDrill({ runs: 200 });
  });
  after(async () => {
    await d.srv.close();
  });

  test('an exercise compiles its scenario and its game document on the pool, not at each move', async () => {
    const ops = () => d.srv.services.pool.stats().byOp;
    // Created (its set-up's scenario) and read once (the game's document) by setupDrill.
    assert.equal(ops().exerciseBase, 1);
    assert.equal(ops().exerciseModel, 1);
    await ok(await d.facilitator.post(`/api/exercises/${d.ex}/clock`, {}));
    const taken = await settle(d);
    assert.ok(taken.length > 0);
    // Decisions do not change the document: nothing more to compile, here or on the pool.
    assert.equal(ops().exerciseModel, 1);
  });

  test('requests that find the same log head not replayed share one replay (the game one replay gives), and each gets its error', async () => {
    const services = d.srv.services;
    // A new exercise whose document (an MSEL inject acting at 3 h) no game of this process has compiled.
    const made = await d.facilitator.post(`/api/workspaces/${d.ws}/exercises`, {
      title: 'Burst drill',
      scenario: 'korea-intercept.yaml',
      seed: 12,
      teams: TEAMS,
      turnHours: 6,
      msel: [
        { id: 'B1', trigger: { atHours: 3 }, synopsis: 'A statement', to: ['US'], action: 'DPRK.statement' },
      ],
      coach: { runs: 200, windowDays: 14 },
    });
    await ok(made, 201);
    const ex = made.body.id as string;
    const compiles = () => services.pool.stats().byOp.exerciseModel ?? 0;
    const c0 = compiles();
    const games: Game[] = await Promise.all(Array.from({ length: 10 }, () => services.exercises.game(ex)));
    assert.equal(new Set(games).size, 1, 'one replay for the ten');
    assert.equal(compiles() - c0, 1, 'the document compiled once');
    const here = replay(fold(await services.exercises.log(ex)));
    for (const t of TEAMS)
      assert.equal(JSON.stringify(teamView(games[0]!, t)), JSON.stringify(teamView(here, t)), t.id);

    // A room of its own over the same store (no game replayed, as after a restart) whose keys refuse at
    // first: every request of the burst gets the error, and no failed replay is kept for later ones.
    let refuse = true;
    const keys = Object.create(services.exercises.keys) as Keyring;
    keys.open = <T>(...a: Parameters<Keyring['open']>): T => {
      if (refuse) throw new KeyError('this record does not decrypt');
      return services.exercises.keys.open<T>(...a);
    };
    const room = new ExerciseRoom(services.store, keys);
    const failed = await Promise.allSettled(Array.from({ length: 5 }, () => room.game(ex)));
    assert.deepEqual(
      failed.map((f) => f.status === 'rejected' && f.reason instanceof KeyError),
      [true, true, true, true, true],
    );
    refuse = false;
    const again = await Promise.all(Array.from({ length: 5 }, () => room.game(ex)));
    assert.equal(new Set(again).size, 1);
    assert.equal(JSON.stringify(teamView(again[0]!, TEAMS[0]!)), JSON.stringify(teamView(here, TEAMS[0]!)));
  });

  test('the look-ahead and the review compute on a thread of their own (the same numbers), the AAR renders on the pool', async () => {
    const api = (p: string) => `/api/exercises/${d.ex}${p}`;
    const started = backgroundStats().started.exercise;
    const look = await d.facilitator.post(api('/lookahead'), {});
    assert.equal(look.status, 202, look.text);
    const review = await d.facilitator.post(api('/review'), {});
    assert.equal(review.status, 202, review.text);
    const lookJob = await jobDone(d, look.body);
    const reviewJob = await jobDone(d, review.body);
    assert.equal(backgroundStats().started.exercise - started, 2);
    assert.equal(lookJob.status, 'done');
    assert.equal(reviewJob.status, 'done');
    // What the same job computes on this thread, from the log as it was at each job's entry.
    const log = (await d.facilitator.get(api('/log'))).body.map((e: { entry: unknown }) => ({
      ...e,
      entry: LogEntry.parse(e.entry),
    }));
    for (const job of [lookJob, reviewJob]) {
      const input: ExerciseJobInput = {
        kind: job.kind,
        log: log.filter((e: { seq: number }) => e.seq <= job.head),
        options: job.options,
      };
      const here = await computeExerciseJob(input, noControl);
      assert.equal(JSON.stringify(job.result), JSON.stringify(here), job.kind);
    }
    assert.ok(replay(fold(log)).state.head >= reviewJob.head);
    const a0 = d.srv.services.pool.stats().byOp.aar ?? 0;
    const md = await d.facilitator.get(api('/aar.md'));
    await ok(md);
    assert.match(md.text, /^# /m);
    const html = await d.facilitator.get(api('/aar.html'));
    await ok(html);
    assert.match(html.text, /<html/);
    assert.equal((d.srv.services.pool.stats().byOp.aar ?? 0) - a0, 2);
  });
});
