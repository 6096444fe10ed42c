import { readFileSync } from 'node:fs';
import { prepare } from '../src/scenario/index.ts';
import { Simulator } from '../src/engine/run.ts';
import { Simulator as Old } from './engine_main/run.ts';
const io = { readFile: (p: string) => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } } };
const { model } = prepare(`/work/wt-analysis/scenarios/korea-intercept.yaml`, { ...io });
const a = new Simulator(model!); const b = new Old(model! as never);
for (let r = 0; r < 3; r++) {
  const x = { ...a.run(7, r) }; const y = { ...b.run(7, r) };
  for (const k of Object.keys(y)) if (typeof (y as any)[k] === 'number' && (x as any)[k] !== (y as any)[k]) console.log(r, k, (x as any)[k], (y as any)[k]);
}
