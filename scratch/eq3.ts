import { readFileSync } from 'node:fs';
import { prepare } from '../src/scenario/index.ts';
import { Simulator } from '../src/engine/run.ts';
import { Simulator as Old } from './engine_main/run.ts';
const io = { readFile: (p: string) => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } } };
const { model } = prepare(`/work/wt-analysis/scenarios/korea-intercept.yaml`, { ...io });
const ta: any[] = [], tb: any[] = [];
new Simulator(model!).run(7, 1, { trace: ta }); new Old(model! as never).run(7, 1, { trace: tb });
for (let i = 0; i < Math.max(ta.length, tb.length); i++) { const x = JSON.stringify(ta[i]), y = JSON.stringify(tb[i]); if (x !== y) { console.log(i, '\nNEW', x, '\nOLD', y); break; } }
