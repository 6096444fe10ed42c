import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Table from 'cli-table3';
import {
  type Calibration,
  calibrate,
  calibratedLibrary,
  DATA_FILES,
  DataError,
} from '../../calibration/index.ts';
import { absolute, type Io, UserError } from '../io.ts';
import type { Registrar } from '../main.ts';

/** Reads the data files of a calibration from `dir`; a missing file is a user error naming it. */
export function readDataDir(io: Io, dir: string): Record<keyof typeof DATA_FILES, string> {
  const out: Partial<Record<keyof typeof DATA_FILES, string>> = {};
  for (const [key, file] of Object.entries(DATA_FILES) as [keyof typeof DATA_FILES, string][]) {
    const text = io.readFile(join(dir, file));
    if (text === undefined) {
      throw new UserError(
        `cannot read ${relative(io.cwd, join(dir, file)) || join(dir, file)}: the data directory (--data) must hold ${Object.values(DATA_FILES).join(', ')}`,
      );
    }
    out[key] = text;
  }
  return out as Record<keyof typeof DATA_FILES, string>;
}

/** Runs the calibration; data errors become user errors. */
export function calibrateDir(io: Io, dir: string, lastYear: number): Calibration {
  const texts = readDataDir(io, dir);
  try {
    return calibrate(texts, { lastYear, retestWindowDays: 30 });
  } catch (e) {
    if (e instanceof DataError || e instanceof RangeError) throw new UserError(`${e.message}`);
    throw e;
  }
}

const f3 = (x: number) => x.toFixed(3);

function summary(c: Calibration): string {
  const t = new Table({
    head: ['parameter', 'mean', '95% interval', 'distribution'],
    style: { head: [], border: [] },
  });
  const shown = c.params.filter(
    (p) =>
      p.name.startsWith('dprk-srbm') ||
      p.name.startsWith('dprk-irbm') ||
      [
        'dprk-launch-days-per-day',
        'dprk-long-range-retest-per-day',
        'dprk-japan-overflight-per-long-range-test',
        'dprk-overflight-retest-per-day',
        'icb-non-violent-military-violence',
        'icb-non-violent-military-serious',
        'icb-non-violent-military-war',
        'icb-violent-serious',
        'icb-violent-war',
        'icb-response-non-violent-military-violent',
        'mid-display-opening-force',
        'mid-display-opening-war',
      ].includes(p.name),
  );
  for (const p of shown) {
    const d = p.dist;
    const dist =
      'beta' in d
        ? `beta(${d.beta.join(', ')})`
        : 'lognormal' in d
          ? `lognormal(${d.lognormal.join(', ')})`
          : '';
    t.push([p.name, f3(p.mean), `${f3(p.lo)}-${f3(p.hi)}`, dist]);
  }
  return `${t.toString()}\n`;
}

export const registerCalibrate: Registrar = (program, io, setExit) => {
  program
    .command('calibrate')
    .description(
      'fit parameters to the data in data/ (CNS missile tests, ICB, MID) and write them as a library of named distributions',
    )
    .option('--data <dir>', 'data directory', 'data')
    .option('-o, --out <file>', 'library to write', 'scenarios/lib/calibrated.yaml')
    .option(
      '--last-year <year>',
      'last year of missile tests used for failure rates',
      (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 2020 || n > 2100)
          throw new UserError(`--last-year: expected a year from 2020, got '${v}'`);
        return n;
      },
      2024,
    )
    .option('--check', 'write nothing; exit 1 when the library differs from what the data give')
    .option('--json', 'print every parameter and table as JSON')
    .action((o: { data: string; out: string; lastYear: number; check?: boolean; json?: boolean }) => {
      const c = calibrateDir(io, absolute(io, o.data), o.lastYear);
      const text = calibratedLibrary(c);
      const out = absolute(io, o.out);
      if (o.json) {
        io.out(`${JSON.stringify({ params: c.params, dprk: c.dprk, icb: c.icb, mid: c.mid }, null, 2)}\n`);
      }
      if (o.check) {
        const current = io.readFile(out);
        if (current === text) {
          if (!o.json) io.out(`${o.out}: up to date (${c.params.length} parameters)\n`);
        } else {
          io.err(
            `${o.out}: ${current === undefined ? 'missing' : 'stale'}: it does not match what ${o.data}/ gives; run \`brink calibrate\` to rewrite it\n`,
          );
          setExit(1);
        }
        return;
      }
      writeFileSync(out, text);
      if (!o.json) {
        io.out(summary(c));
        io.out(`wrote ${o.out}: ${c.params.length} parameters from ${o.data}/\n`);
      }
    });
};
