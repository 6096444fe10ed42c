import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { NUCLEAR_STATES, GREAT_POWERS } from './src/calibration/icb-crises.ts';
const c1 = parse(readFileSync('data/icb-v15/icb1-crises.csv','utf8'), { columns: true }) as any[];
const c2 = parse(readFileSync('data/icb-v15/icb2-actors.csv','utf8'), { columns: true }) as any[];
const mem = (l: any[], code: number, y: number) => l.some(x => x.code === code && y >= x.from && (x.to === undefined || y <= x.to));
const cases: [string, number, number, number][] = [['pueblo-1968',224,731,2],['poplar-tree-1976',274,731,2],['submarine-1996',420,731,732],['cheonan-2010',461,731,732],['yeonpyeong-2010',462,732,731],['land-mine-2015',475,731,732],['nuclear-vii-2017',487,731,2],['able-archer-1983',344,2,365],['taiwan-strait-ii-1958',166,710,713],['ussuri-1969',231,710,365],['kargil-1999',431,770,750]];
for (const [id, crisno, a, b] of cases) {
  const cr = c1.find(x => +x.crisno === crisno); const y = +cr.yrtrig;
  const rows = c2.filter(x => +x.crisno === crisno);
  const ra = rows.find(x => +x.cracid === a), rb = rows.find(x => +x.cracid === b);
  const pd = rb && rb.powdis !== '' ? +rb.powdis : ra && ra.powdis !== '' ? -ra.powdis : NaN;
  const f: any = {};
  const nuc = [['A',a],['B',b]].filter(([, c]) => mem(NUCLEAR_STATES, c as number, y)).map(x => x[0]);
  const gp = [['A',a],['B',b]].filter(([, c]) => mem(GREAT_POWERS, c as number, y)).map(x => x[0]);
  const al = [['A',ra],['B',rb]].filter(([, r]) => r && +r.allycap >= 3).map(x => x[0]);
  if (nuc.length) f.nuclear = nuc; if (gp.length) f.greatPowers = gp; if (al.length) f.alliedToGreatPower = al;
  if (pd > 5) f.stronger = 'B'; else if (pd < -5) f.stronger = 'A';
  f.protracted = +cr.protrac >= 2;
  const g = +cr.gravcr; f.threat = g === 5 || g === 6 ? 'grave' : g === 3 ? 'territorial' : 'other';
  console.log(id, y, !!ra, !!rb, pd, JSON.stringify(f));
}
