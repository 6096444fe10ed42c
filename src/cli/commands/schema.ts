import type { Registrar } from '../main.ts';

// Placeholder registration; the full command lands with the scenario pipeline.
export const registerSchema: Registrar = (program) => {
  program.command('schema').description('(not yet implemented)');
};
