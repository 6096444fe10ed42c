import { writeFileSync } from 'node:fs';
import { formatDiagnostic, hasErrors } from '../../scenario/diagnostics.ts';
import { formatText } from '../../scenario/format.ts';
import { loadDocument } from '../../scenario/load.ts';
import { upgradeText } from '../../scenario/migrate.ts';
import { FORMAT_VERSION } from '../../scenario/schema.ts';
import { absolute, UserError } from '../io.ts';
import type { Registrar } from '../main.ts';
import { displayPaths, loadIo } from './validate.ts';

export const registerFmt: Registrar = (program, io, setExit) => {
  program
    .command('fmt')
    .description('print scenario files in canonical form (comments kept); --check or --write')
    .argument('<files...>', 'scenario files (YAML or JSON)')
    .option('--check', 'list files that are not formatted; exit 1 if any')
    .option('--write', 'rewrite files in place')
    .option('--upgrade', `also upgrade older format versions to the current one (runs stay the same)`)
    .action((files: string[], o: { check?: boolean; write?: boolean; upgrade?: boolean }) => {
      if (o.check && o.write) throw new UserError('use --check or --write, not both', 2);
      let unformatted = 0;
      for (const file of files) {
        const abs = absolute(io, file);
        const text = io.readFile(abs);
        // Only a valid file is formatted: field order comes from the schema, and a broken file is
        // better shown with its diagnostics than rewritten.
        const loaded = loadDocument(abs, loadIo(io));
        if (text === undefined || hasErrors(loaded.diagnostics)) {
          for (const d of displayPaths(io, loaded.diagnostics, abs, file)) io.err(`${formatDiagnostic(d)}\n`);
          io.err(`${file}: not formatted: fix the errors first\n`);
          setExit(1);
          continue;
        }
        const r: { text?: string; diagnostics: typeof loaded.diagnostics; from?: number } = o.upgrade
          ? upgradeText(text, abs)
          : formatText(text, abs);
        if (r.text === undefined) {
          for (const d of displayPaths(io, r.diagnostics, abs, file)) io.err(`${formatDiagnostic(d)}\n`);
          setExit(1);
          continue;
        }
        if (o.check) {
          if (r.text !== text) {
            unformatted++;
            io.out(`${file}: not formatted\n`);
            setExit(1);
          }
        } else if (o.write) {
          if (r.text !== text) {
            try {
              writeFileSync(abs, r.text);
            } catch (e) {
              throw new UserError(`cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`);
            }
            io.out(
              `${file}: ${r.from !== undefined && r.from < FORMAT_VERSION ? `upgraded from v${r.from}` : 'formatted'}\n`,
            );
          }
        } else {
          if (files.length > 1) io.out(`# ==> ${file} <==\n`);
          io.out(r.text);
        }
      }
      if (o.check && unformatted > 0)
        io.err(`${unformatted} of ${files.length} files not formatted (run brink fmt --write)\n`);
    });
};
