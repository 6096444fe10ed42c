// Terminal colours for the CLI's human reports. On when stdout is a terminal, off when piped, in tests
// and wherever NO_COLOR is set; FORCE_COLOR turns them on. (picocolors' own default also colours any
// output when the variable CI is set, which made reports differ between a laptop and CI.)
import { createColors } from 'picocolors';

/** The palette in use; `main` sets it from the Io before a command runs. */
export let pc = createColors(false);

export function setColor(on: boolean): void {
  pc = createColors(on);
}

/** The default for a process: NO_COLOR wins, then FORCE_COLOR, then whether stdout is a terminal. */
export function colorByDefault(
  env: NodeJS.ProcessEnv = process.env,
  isTty = Boolean(process.stdout.isTTY),
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return isTty && env.TERM !== 'dumb';
}
