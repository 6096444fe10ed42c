// Scenario files for the talks tests: the small two-party fixture and the Korea interception scenario.
import { readdirSync, readFileSync } from 'node:fs';
import { deriveAgenda } from '../../src/talks/agenda.ts';
import { prefillPositions, selectTriggers } from '../../src/talks/positions.ts';
import type { Base, Files } from '../../src/talks/scenario.ts';
import type { Declared } from '../../src/talks/types.ts';

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

/**
 * The example dialogue BLUE HERON on korea-intercept.yaml (docs/talks.md, test/e2e/talks.test.ts): the
 * agenda the host keeps, and the prefilled positions with the US declaring that after DPRK shelling it
 * would strike a launch site three times in ten.
 */
export function blueHeron(base: Base, pilotRuns: number) {
  const agenda = selectTriggers(deriveAgenda(base, ['US', 'PRC'], { pilotRuns, seed: 1 }), {
    US: ['DPRK.artillery-fire', 'DPRK.alert', 'PRC.military-support'],
    PRC: ['US.intercept', 'US.limited-strike'],
  });
  const declared = (): Declared[] => {
    const out = ['US', 'PRC'].map((actor) => ({
      actor,
      positions: prefillPositions(base, agenda, actor, ['US', 'PRC']).positions,
    }));
    out[0]!.positions.responses['DPRK.artillery-fire'] = {
      protest: 0.2,
      'show-of-force': 0.3,
      alert: 0.2,
      'limited-strike': 0.3,
    };
    return out;
  };
  return { agenda, declared };
}
