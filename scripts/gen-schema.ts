// Writes scenario.schema.json (the JSON Schema of the scenario format, for editor completion) from the
// zod schema. Run: npx tsx scripts/gen-schema.ts   (test/scenario/schema.test.ts fails when it is stale)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { schemaText } from '../src/cli/commands/schema.ts';

const FILE = fileURLToPath(new URL('../scenario.schema.json', import.meta.url));
let current = '';
try {
  current = readFileSync(FILE, 'utf8');
} catch {
  // first generation
}
const next = schemaText();
if (next !== current) writeFileSync(FILE, next);
process.stdout.write(
  next === current ? 'scenario.schema.json is up to date\n' : 'wrote scenario.schema.json\n',
);
