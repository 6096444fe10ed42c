// Scenario files for the talks tests: the small two-party fixture and the Korea interception scenario.
import { readFileSync } from 'node:fs';
import type { Files } from '../../src/talks/scenario.ts';

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');

export function twoPartyFiles(): Files {
  return { 'two-party.yaml': read('test/talks/fixtures/two-party.yaml') };
}

export function koreaFiles(): Files {
  return {
    'korea-intercept.yaml': read('scenarios/korea-intercept.yaml'),
    'lib/korea-actors.yaml': read('scenarios/lib/korea-actors.yaml'),
  };
}
