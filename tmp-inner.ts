import { readFileSync } from 'node:fs';
import { backtestTimeSplit, backtestFolds } from './src/calibration/icb-backtest.ts';
import { readCrisisRecords } from './src/calibration/icb-crises.ts';
const recs = readCrisisRecords(readFileSync('data/icb-v15/icb1-crises.csv','utf8'), readFileSync('data/icb-v15/icb2-actors.csv','utf8'));
const dev = recs.filter(r => r.year < 1985); // training crises only: the held-out set is never used here
const env = { libPath: process.cwd() + '/scenarios/lib/generic-actors.yaml', readFile: (p: string) => { try { return readFileSync(p, 'utf8'); } catch { return undefined; } } };
const [runs, rounds, step, mode] = [Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[4]), process.argv[5] ?? 'time'];
const t = Date.now();
const opts = { runs: 2000, seed: 1, fit: { seed: 1, runs, rounds, step, prior: { alphaSd: 1.5, betaSd: 1 } }, log: (m: string) => console.log(m) };
const r = mode === 'time' ? backtestTimeSplit(env, dev, 1970, opts) : backtestFolds(env, dev, 4, opts);
for (const s of ['icb', 'ladder', 'duration'] as const) {
  const x = r.scales[s];
  console.log(s, 'n', x.n, 'brink', x.brink.logScore.toFixed(3), 'base', x.baseRate.logScore.toFixed(3), 'logit', x.logit.logScore.toFixed(3), 'uni', x.uniform.logScore.toFixed(3), 'vsBase', JSON.stringify(x.vsBaseRate.logScore), 'floor', x.floor.count, 'pit', x.pitHistogram.join(' '));
}
console.log('s', (Date.now() - t) / 1000);
