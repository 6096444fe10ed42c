import type { Registrar } from '../main.ts';

// Placeholder registration; the full command lands with the scenario pipeline.
export const registerFmt: Registrar = (program) => {
  program.command('fmt').description('(not yet implemented)');
};
