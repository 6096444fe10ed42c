import { readFileSync } from 'node:fs';
import { prepare } from '../src/scenario/index.ts';
import { Simulator } from '../src/engine/run.ts';
import { Simulator as Old } from './engine_main/run.ts';
const io = { readFile: (p: string) => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } } };
for (const f of ['korea-intercept', 'korea-decapitation-misread', 'korea-test-failure']) {
  for (const iv of [[], ['eu-hosted-talks'], ['hotline', 'launch-notification'], ['us-china-talks']]) {
    const { model } = prepare(`/work/wt-analysis/scenarios/${f}.yaml`, { ...io, interventions: iv });
    const a = new Simulator(model!); const b = new Old(model! as never);
    let diff = 0;
    for (let r = 0; r < 5000; r++) {
      const x = a.run(7, r); const y = b.run(7, r);
      if (x.outcome !== y.outcome || x.peak !== y.peak || x.endTick !== y.endTick || x.events !== y.events || x.mpCount !== y.mpCount || x.decisions !== y.decisions) diff++;
    }
    console.log(f, iv.join('+'), 'diff', diff);
  }
}
