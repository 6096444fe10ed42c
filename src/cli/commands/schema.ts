import { writeFileSync } from 'node:fs';
import { scenarioJsonSchema } from '../../scenario/schema.ts';
import { absolute, UserError } from '../io.ts';
import type { Registrar } from '../main.ts';

/** The JSON Schema of the scenario format as committed in scenario.schema.json. */
export function schemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}

export const registerSchema: Registrar = (program, io) => {
  program
    .command('schema')
    .description('print the JSON Schema of the scenario format (for editor completion)')
    .option('-o, --out <file>', 'write it to a file instead')
    .action((o: { out?: string }) => {
      if (o.out) {
        try {
          writeFileSync(absolute(io, o.out), schemaText());
        } catch (e) {
          throw new UserError(`cannot write ${o.out}: ${e instanceof Error ? e.message : String(e)}`);
        }
        io.err(`wrote ${o.out}\n`);
      } else io.out(schemaText());
    });
};
