// Scenario files for the talks tests: the small two-party fixture and the Korea interception scenario.
import { readdirSync, readFileSync } from 'node:fs';
import type { Files } from '../../src/talks/scenario.ts';

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');

export function twoPartyFiles(): Files {
  return { 'two-party.yaml': read('test/talks/fixtures/two-party.yaml') };
}

/** Every file under scenarios/ (the Korea scenarios extend lib/korea-actors.yaml, which extends lib/calibrated.yaml). */
export function koreaFiles(): Files {
  const out: Files = {};
  const root = new URL('../../scenarios/', import.meta.url);
  const walk = (dir: URL, prefix: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`);
      else if (e.name.endsWith('.yaml'))
        out[`${prefix}${e.name}`] = readFileSync(new URL(e.name, dir), 'utf8');
    }
  };
  walk(root, '');
  return out;
}
