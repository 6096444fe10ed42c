// `brink calibrate` as a use case: data files in, calibrated parameters (and the library text) out.
import { formatText } from '../scenario/format.ts';
import {
  calibrateDprk,
  DEFAULT_DPRK_OPTIONS,
  type DprkCalibration,
  type DprkOptions,
  readTests,
} from './dprk.ts';
import { calibrateIcb, type IcbCalibration, readCrises, readCrisisActors } from './icb.ts';
import { renderLibrary } from './library.ts';
import { calibrateMid, type MidCalibration, readDisputes, readIncidents } from './mid.ts';
import { buildParams, type CalibratedParam } from './parameters.ts';

export { DataError } from './csv.ts';

/** The data files `brink calibrate` reads, relative to the data directory. */
export const DATA_FILES = {
  tests: 'cns-nk-missile-tests/tests.csv',
  crises: 'icb-v15/icb1-crises.csv',
  actors: 'icb-v15/icb2-actors.csv',
  disputes: 'cow-mid-5.0/mida-disputes.csv',
  incidents: 'cow-mid-5.0/midi-incidents.csv',
} as const;

export type DataTexts = Record<keyof typeof DATA_FILES, string>;

export interface Calibration {
  dprk: DprkCalibration;
  icb: IcbCalibration;
  mid: MidCalibration;
  params: CalibratedParam[];
}

/** Calibrates every parameter from the texts of the data files. Pure. */
export function calibrate(texts: DataTexts, dprkOptions: DprkOptions = DEFAULT_DPRK_OPTIONS): Calibration {
  const dprk = calibrateDprk(readTests(texts.tests, DATA_FILES.tests), dprkOptions);
  const icb = calibrateIcb(
    readCrises(texts.crises, DATA_FILES.crises),
    readCrisisActors(texts.actors, DATA_FILES.actors),
  );
  const mid = calibrateMid(
    readDisputes(texts.disputes, DATA_FILES.disputes),
    readIncidents(texts.incidents, DATA_FILES.incidents),
  );
  return { dprk, icb, mid, params: buildParams(dprk, icb, mid) };
}

/** The text of scenarios/lib/calibrated.yaml for a calibration, in `brink fmt`'s canonical form. */
export function calibratedLibrary(c: Calibration): string {
  const text = renderLibrary(c);
  return formatText(text, 'calibrated.yaml').text ?? text;
}

export type { CalibratedParam } from './parameters.ts';
