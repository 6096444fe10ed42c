import type { Registrar } from '../main.ts';

export const registerRun: Registrar = (program) => {
  program.command('run').description('(not yet implemented)');
};
