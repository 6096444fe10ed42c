import { readFileSync } from 'node:fs';
import { fitGeneric, forecastDyad, peak5Of, GenericModels } from './src/calibration/generic-fit.ts';
import { readCrisisRecords, TRIGGER_ACTS } from './src/calibration/icb-crises.ts';
const recs = readCrisisRecords(readFileSync('data/icb-v15/icb1-crises.csv','utf8'), readFileSync('data/icb-v15/icb2-actors.csv','utf8'));
const train = recs.filter(r => r.year < 1985);
const test = recs.filter(r => r.year >= 1985);
const env = { libPath: process.cwd() + '/scenarios/lib/generic-actors.yaml', readFile: (p: string) => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } } };
let t = Date.now(); const models = new GenericModels(env);
const runs = Number(process.argv[2] ?? 5000);
const fit = fitGeneric(env, train, { seed: 1, runs, rounds: Number(process.argv[3] ?? 2), prior: { alphaSd: 1.5, betaSd: 1 }, step: Number(process.argv[4] ?? 0.5) }, console.log);
console.log('fit s', (Date.now() - t) / 1000, fit.logLik);
console.log(JSON.stringify(fit.coefficients.beta.map(r => r.map(x => +x.toFixed(2)))));
console.log(JSON.stringify(fit.coefficients.alpha.map(r => r.map(x => +x.toFixed(2)))));
// direct check of in-sample likelihood on a few crises & held-out quick score
t = Date.now();
let ll = 0, llb = 0;
const base: Record<number, number[]> = {};
for (const c of train) { (base[c.trigger] ??= [0,0,0,0,0])[peak5Of(c)]++; }
for (const c of test) {
  const f = forecastDyad(env, fit.coefficients, fit.nuclearUse, c.features, TRIGGER_ACTS[c.trigger-1], 1000, 7, models);
  const icb = [f.p5[0]+f.p5[1], f.p5[2], f.p5[3], f.p5[4]];
  ll += Math.log((icb[c.icb] + 0.5) / (1000 + 2));
  const b = base[c.trigger] ?? [0,0,0,0,0]; const bi = [b[0]+b[1], b[2], b[3], b[4]]; const n = bi.reduce((a,b)=>a+b,0);
  llb += Math.log((bi[c.icb] + 0.5) / (n + 2));
}
console.log('held-out icb mean log score brink', ll / test.length, 'base', llb / test.length, 'n', test.length, (Date.now()-t)/1000);
