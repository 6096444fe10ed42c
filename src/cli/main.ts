// `brink`: argv in, exit code out. No domain logic here: commands call the use-case functions.
import { Command, CommanderError } from 'commander';
import { ENGINE_VERSION } from '../engine/model.ts';
import { RunawayError } from '../engine/run.ts';
import { setColor } from './color.ts';
import { registerAdmin } from './commands/admin.ts';
import { registerBacktest } from './commands/backtest.ts';
import { registerBaseRates } from './commands/base-rates.ts';
import { registerBreakeven } from './commands/breakeven.ts';
import { registerCalibrate } from './commands/calibrate.ts';
import { registerCompare } from './commands/compare.ts';
import { registerExercise } from './commands/exercise.ts';
import { registerFit } from './commands/fit.ts';
import { registerFmt } from './commands/fmt.ts';
import { registerRun } from './commands/run.ts';
import { registerSchema } from './commands/schema.ts';
import { registerSensitivity } from './commands/sensitivity.ts';
import { registerServe } from './commands/serve.ts';
import { registerSweep } from './commands/sweep.ts';
import { registerTrace } from './commands/trace.ts';
import { registerValidate } from './commands/validate.ts';
import { registerWorker } from './commands/worker.ts';
import { type Io, nodeIo, UserError } from './io.ts';

export type Registrar = (program: Command, io: Io, setExit: (code: number) => void) => void;

const REGISTRARS: Registrar[] = [
  registerValidate,
  registerFmt,
  registerSchema,
  registerRun,
  registerTrace,
  registerCalibrate,
  registerFit,
  registerBaseRates,
  registerBacktest,
  registerCompare,
  registerSweep,
  registerSensitivity,
  registerBreakeven,
  registerServe,
  registerExercise,
  registerWorker,
  registerAdmin,
];

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: string[], io: Io = nodeIo()): Promise<number> {
  let exitCode = 0;
  setColor(io.color === true);
  const program = new Command();
  program
    .name('brink')
    .description('Crisis-escalation analysis: scenarios, seeded Monte Carlo, interventions.')
    .version(`brink ${ENGINE_VERSION}`, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run brink --help for usage)');
  const setExit = (code: number) => {
    exitCode = Math.max(exitCode, code);
  };
  for (const r of REGISTRARS) r(program, io, setExit);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UserError) {
      io.err(`brink: ${e.message}\n`);
      return e.exitCode;
    }
    // A scenario whose doctrine loops is the user's to fix; it may arrive from a worker thread.
    // (A worker thread's error comes back as a plain Error whose stack still names it.)
    if (
      e instanceof RunawayError ||
      (e instanceof Error && (e.name === 'RunawayError' || /^RunawayError: /.test(e.stack ?? '')))
    ) {
      io.err(`brink: ${e.message.replace(/^RunawayError: /, '')}\n`);
      return 1;
    }
    io.err(`brink: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 70;
  }
  return exitCode;
}
