import type { Registrar } from '../main.ts';

// Placeholder registration; the full command lands with the scenario pipeline.
export const registerValidate: Registrar = (program) => {
  program.command('validate').description('(not yet implemented)');
};
