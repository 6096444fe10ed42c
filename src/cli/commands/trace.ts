import type { Registrar } from '../main.ts';

export const registerTrace: Registrar = (program) => {
  program.command('trace').description('(not yet implemented)');
};
