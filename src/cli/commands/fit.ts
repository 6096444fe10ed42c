// `brink fit`: fits the generic crisis model (scenarios/lib/generic-actors.yaml) to the ICB crises
// triggered before a cut-off year and writes the coefficients to scenarios/lib/generic-fit.yaml;
// `--check` compares the inputs hash recorded there with the current inputs (cheap, for CI).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CUTOFF, FIT_FILE } from '../../calibration/case-backtest.ts';
import { DEFAULT_FIT, fitGeneric } from '../../calibration/generic-fit.ts';
import { readFitMeta, readFolds, renderFolds, renderGenericFit } from '../../calibration/generic-library.ts';
import { fitFolds } from '../../calibration/icb-backtest.ts';
import {
  type FitCliOptions,
  FOLDS_FILE,
  fitOptionsOf,
  foldsHash,
  type IcbInputs,
  icbRecords,
  inputsHash,
  LIBRARY_FILE,
} from '../../calibration/icb-inputs.ts';
import { ENGINE_VERSION } from '../../engine/model.ts';
import { formatText } from '../../scenario/format.ts';
import { userErrors } from '../analysis.ts';
import { absolute, type Io, UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import { nonNegativeInt, positiveInt } from '../options.ts';

export { DEFAULT_CUTOFF, FIT_FILE } from '../../calibration/case-backtest.ts';
export { FOLDS_FILE, LIBRARY_FILE } from '../../calibration/icb-inputs.ts';

const CALIBRATED_FILE = 'scenarios/lib/calibrated.yaml';
const ICB_FILES = { crises: 'icb-v15/icb1-crises.csv', actors: 'icb-v15/icb2-actors.csv' };

function need(io: Io, path: string, shown: string, what: string): string {
  const t = io.readFile(path);
  if (t === undefined) throw new UserError(`cannot read ${shown}: ${what}`);
  return t;
}

/** Reads the ICB files (from `data`) and the generic library (from `lib`); bad data are user errors naming the file. */
export function readIcbInputs(io: Io, data: string, lib = LIBRARY_FILE): IcbInputs {
  const dir = absolute(io, data);
  const crises = need(
    io,
    join(dir, ICB_FILES.crises),
    join(data, ICB_FILES.crises),
    'ICB v15 crisis data (--data)',
  );
  const actors = need(
    io,
    join(dir, ICB_FILES.actors),
    join(data, ICB_FILES.actors),
    'ICB v15 actor data (--data)',
  );
  const libPath = absolute(io, lib);
  const library = need(io, libPath, lib, 'the generic crisis library');
  const calibratedPath = join(libPath, '..', 'calibrated.yaml');
  const calibrated = need(
    io,
    calibratedPath,
    CALIBRATED_FILE,
    'the calibrated library the generic library extends',
  );
  const texts = { crises, actors, library, calibrated };
  const records = userErrors(() =>
    icbRecords(texts, { crises: join(data, ICB_FILES.crises), actors: join(data, ICB_FILES.actors) }),
  );
  return { env: { libPath, readFile: io.readFile }, crises: records, texts };
}

export function yearOption(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1919 || n > 2019)
    throw new UserError(`expected a year from 1919 to 2019 (ICB v15 covers 1918-2019), got '${v}'`);
  return n;
}

export const registerFit: Registrar = (program, io, setExit) => {
  program
    .command('fit')
    .description(
      'fit the generic crisis model (scenarios/lib/generic-actors.yaml) to ICB crises triggered before a cut-off year, with the engine in the loop, and write scenarios/lib/generic-fit.yaml',
    )
    .option('--data <dir>', 'data directory', 'data')
    .option('-o, --out <file>', 'fit to write', FIT_FILE)
    .option('--lib <file>', 'the generic library', LIBRARY_FILE)
    .option(
      '--cutoff <year>',
      'training crises: those triggered before this year',
      yearOption,
      DEFAULT_CUTOFF,
    )
    .option('-s, --seed <seed>', 'seed', nonNegativeInt, DEFAULT_FIT.seed)
    .option('-n, --runs <n>', 'runs per dyad and round', positiveInt, DEFAULT_FIT.runs)
    .option('--rounds <n>', 'rounds of simulation and refit', positiveInt, DEFAULT_FIT.rounds)
    .option(
      '--folds <k>',
      `fit each fold of \`brink backtest --icb --folds K\` instead (all crises, or those before --until) and write ${FOLDS_FILE}`,
      positiveInt,
    )
    .option('--until <year>', '--folds: use only crises triggered before this year', yearOption)
    .option('--check', 'write nothing; exit 1 when the fit was not made from the current inputs')
    .action(
      (
        o: FitCliOptions & {
          data: string;
          out: string;
          lib: string;
          check?: boolean;
          folds?: number;
          until?: number;
        },
      ) => {
        const inp = readIcbInputs(io, o.data, o.lib);
        if (o.folds !== undefined) {
          if (o.folds < 2) throw new UserError('--folds: expected 2 or more folds');
          const file = o.out === FIT_FILE ? FOLDS_FILE : o.out;
          const hash = foldsHash(inp, o, o.folds, o.until);
          const out = absolute(io, file);
          if (o.check) {
            if (readFolds(io.readFile(out), hash))
              io.out(`${file}: up to date (inputs ${hash.slice(0, 12)})\n`);
            else {
              io.err(`${file}: stale or missing: run \`brink fit --folds ${o.folds}\` to refit the folds\n`);
              setExit(1);
            }
            return;
          }
          const fits = fitFolds(inp.env, inp.crises, o.folds, {
            seed: o.seed,
            fit: fitOptionsOf(o),
            log: (m) => io.err(`${m}\n`),
            until: o.until,
          });
          const meta = { inputs: hash, engine: ENGINE_VERSION, folds: o.folds, seed: o.seed };
          const text = renderFolds(fits, o.until === undefined ? meta : { ...meta, until: o.until });
          writeFileSync(out, formatText(text, file).text ?? text);
          io.out(`wrote ${file}: ${o.folds} fits\n`);
          return;
        }
        const hash = inputsHash(inp, o);
        const out = absolute(io, o.out);
        if (o.check) {
          const meta = readFitMeta(io.readFile(out));
          if (meta.inputs === hash) io.out(`${o.out}: up to date (inputs ${hash.slice(0, 12)})\n`);
          else {
            io.err(
              `${o.out}: ${meta.inputs ? 'stale' : 'missing or not a fit'}: it was not made from the current data, library and options; run \`brink fit\` to refit (a few minutes)\n`,
            );
            setExit(1);
          }
          return;
        }
        const train = inp.crises.filter((c) => c.year < o.cutoff);
        const opts = fitOptionsOf(o);
        io.err(`fitting on ${train.length} ICB crises triggered before ${o.cutoff}\n`);
        const fit = fitGeneric(inp.env, train, opts, (m) => io.err(`${m}\n`));
        const text = renderGenericFit(fit, {
          cutoff: o.cutoff,
          seed: o.seed,
          runs: o.runs,
          rounds: o.rounds,
          step: opts.step,
          prior: opts.prior,
          inputs: hash,
          engine: ENGINE_VERSION,
        });
        writeFileSync(out, formatText(text, o.out).text ?? text);
        io.out(`wrote ${o.out}: ${train.length} training crises, log likelihood ${fit.logLik.toFixed(2)}\n`);
      },
    );
};
