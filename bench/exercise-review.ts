// The exercise review as a background job, timed: an exercise of korea-intercept (the drill of
// test/server/exercises-helpers.ts, 2,000 runs per decision) played 6 turns and ended; then the time
// POST /review takes to answer, the job's time to done, and the latency of a team's GET /view asked every
// 20 ms while the job runs. Run: node --import tsx bench/exercise-review.ts
import { type Drill, settle, setupDrill } from '../test/server/exercises-helpers.ts';

const d: Drill = await setupDrill({ runs: 2000 });
const api = (p = '') => `/api/exercises/${d.ex}${p}`;
for (let k = 0; k < 6; k++) {
  await settle(d);
  await d.facilitator.post(api('/clock'), {});
}
await settle(d);
await d.facilitator.post(api('/end'), {});
const t0 = performance.now();
const asked = await d.facilitator.post(api('/review'), {});
const postMs = performance.now() - t0;
const views: number[] = [];
let running = true;
const done = d.srv.services.exerciseJobs.idle().then(() => {
  running = false;
});
while (running) {
  const a = performance.now();
  await d.blue.get(api('/view'));
  views.push(performance.now() - a);
  await new Promise((r) => setTimeout(r, 20));
}
await done;
const jobMs = performance.now() - t0;
const job = (await d.facilitator.get(api(`/jobs/${asked.body.id}`))).body;
console.log(
  JSON.stringify({
    status: asked.status,
    postMs: Math.round(postMs),
    jobMs: Math.round(jobMs),
    decisions: job.result.effects.length,
    runs: job.total,
    views: views.length,
    maxViewMs: Math.round(Math.max(...views)),
  }),
);
await d.srv.close();
