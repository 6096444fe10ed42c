// What an exercise still costs the server's thread (docs/decisions/0018-server-load.md, session 7):
// each piece of work the event loop does for a move, a job's hand-over or a live update, timed on its
// own (median and max of REPS calls) on an exercise of korea-intercept (the drill of
// test/server/exercises-helpers.ts) played TURNS turns, a team's message sent, with a look-ahead and a
// review done. Also a talks delegation's positions sealed and opened. In-process, SQLite in memory.
//   node --import tsx bench/exercise-costs.ts [--turns 6] [--reps 30]

import {
  exerciseDoc,
  fold,
  type Game,
  overridable,
  replay,
  teamView,
  trueView,
} from '../src/exercise/index.ts';
import { exerciseScope } from '../src/server/talks/crypto.ts';
import { exampleFiles } from '../src/server/workspace.ts';
import { deriveAgenda, loadBase, prefillPositions } from '../src/talks/index.ts';
import { type Drill, jobDone, settle, setupDrill, TEAMS } from '../test/server/exercises-helpers.ts';
import { EXAMPLES } from '../test/server/helpers.ts';

const args = process.argv.slice(2);
const opt = (n: string, d: number) => (args.includes(n) ? Number(args[args.indexOf(n) + 1]) : d);
const TURNS = opt('--turns', 6);
const REPS = opt('--reps', 30);

function time(fn: () => unknown): { medianMs: number; maxMs: number } {
  fn();
  const xs: number[] = [];
  for (let k = 0; k < REPS; k++) {
    const t0 = performance.now();
    fn();
    xs.push(performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  return { medianMs: r(xs[Math.floor(xs.length / 2)]!), maxMs: r(xs.at(-1)!) };
}
async function timeAsync(fn: () => Promise<unknown>) {
  await fn();
  const xs: number[] = [];
  for (let k = 0; k < REPS; k++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  return { medianMs: r(xs[Math.floor(xs.length / 2)]!), maxMs: r(xs.at(-1)!) };
}
const kb = (v: unknown) => Math.round(Buffer.byteLength(JSON.stringify(v)) / 102.4) / 10;

const d: Drill = await setupDrill({ runs: 300 });
const api = (p = '') => `/api/exercises/${d.ex}${p}`;
for (let k = 0; k < TURNS; k++) {
  await settle(d);
  if (k === 1) {
    // A team's own message: a new document, compiled on the pool.
    const msgs = (await d.blue.get(api('/view'))).body.messages as { act: string }[];
    const sent = await d.blue.post(api('/messages'), { action: msgs[0]!.act, text: 'bench' });
    if (sent.status !== 200) throw new Error(`message: ${sent.status} ${sent.text}`);
  }
  await d.facilitator.post(api('/clock'), {});
}
await settle(d);
const look = await jobDone(d, (await d.facilitator.post(api('/lookahead'), {})).body);
const review = await jobDone(d, (await d.facilitator.post(api('/review'), {})).body);
const room = d.srv.services.exercises;
const game: Game = await room.game(d.ex);
const log = await room.log(d.ex);
const row = (await room.store.exercises.exercise(d.ex))!;
const wrapped = row.wrappedKey!;
const seal = (kind: string, v: unknown) => room.keys.seal(exerciseScope(d.ex), wrapped, kind, '1', v);
const open = (kind: string, s: string) => room.keys.open(exerciseScope(d.ex), wrapped, kind, '1', s);
const st = fold(log);
const doc = exerciseDoc(st).doc;
const choose = [...log].reverse().find((e) => e.entry.kind === 'choose')!.entry;
const setup = log[0]!.entry;
const jobInput = { kind: 'lookahead', log, options: look.options };
const team = TEAMS[0]!;

// A delegation's positions (the talks room seals and opens them at each save and read).
const files = exampleFiles(EXAMPLES);
const base = loadBase(files, 'korea-intercept.yaml');
const agenda = deriveAgenda(base, ['US', 'PRC'], { pilotRuns: 300, seed: 1 });
const positions = prefillPositions(base, agenda, 'US', ['US', 'PRC']).positions;
const dialogue = 'bench-dialogue';
const dkey = room.keys.newDataKey(dialogue);

const sealedLook = seal('job', look.result);
const sealedAar = seal('job', review.result);
const sealedSetup = seal('log', setup);
const sealedPositions = room.keys.seal(dialogue, dkey, 'positions', 'x', positions);
const out = {
  game: {
    turns: TURNS,
    tick: game.t,
    logEntries: log.length,
    setupKB: kb(setup),
    lookaheadKB: kb(look.result),
    aarKB: kb(review.result),
    docKB: kb(doc),
    teamViewKB: kb(teamView(game, team)),
    trueViewKB: kb(trueView(game, overridable(game))),
    positionsKB: kb(positions),
  },
  move: {
    'open the log (store read, decrypt, parse every entry)': await timeAsync(() => room.log(d.ex)),
    fold: time(() => fold(log)),
    'replay (documents compiled, cached)': time(() => replay(st)),
    'JSON.stringify(document) (the cache key before session 7, twice a replay)': time(() =>
      JSON.stringify(doc),
    ),
    'JSON.stringify(setup.scenario) (the base key: each replay before, once a set-up now)': time(() =>
      JSON.stringify(st.setup.scenario),
    ),
    exerciseDoc: time(() => exerciseDoc(st)),
    'seal a log entry (a decision)': time(() => seal('log', choose)),
  },
  sealing: {
    'seal the set-up entry': time(() => seal('log', setup)),
    'open the set-up entry': time(() => open('log', sealedSetup)),
    'seal a look-ahead result': time(() => seal('job', look.result)),
    'open a look-ahead result': time(() => open('job', sealedLook)),
    'seal a review (AAR)': time(() => seal('job', review.result)),
    'open a review (AAR)': time(() => open('job', sealedAar)),
    "seal a delegation's positions": time(() => room.keys.seal(dialogue, dkey, 'positions', 'x', positions)),
    "open a delegation's positions": time(() =>
      room.keys.open(dialogue, dkey, 'positions', 'x', sealedPositions),
    ),
  },
  // structuredClone serializes and deserializes: an upper bound of either side's share of a postMessage.
  copies: {
    'job input (the log)': time(() => structuredClone(jobInput)),
    'look-ahead result': time(() => structuredClone(look.result)),
    'review result': time(() => structuredClone(review.result)),
    'compiled model (from the pool)': time(() => structuredClone(game.model)),
  },
  liveUpdate: {
    "a team's view + JSON (per team stream, per change)": time(() => JSON.stringify(teamView(game, team))),
    "the facilitator's view + JSON (per facilitator stream, per change)": time(() =>
      JSON.stringify(trueView(game, overridable(game))),
    ),
  },
};
console.log(JSON.stringify(out, null, 1));
await d.srv.close();
