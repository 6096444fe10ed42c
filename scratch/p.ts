import { readFileSync } from 'node:fs';
import { loadDocument } from '../src/scenario/index.ts';
import { compile } from '../src/scenario/compile.ts';
const io = { readFile: (p: string) => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } } };
const loaded = loadDocument('/work/wt-analysis/scenarios/korea-intercept.yaml', io);
for (let i = 0; i < 300; i++) compile(loaded.doc!);
