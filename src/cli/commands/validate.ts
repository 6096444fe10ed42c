import { dirname, relative, resolve } from 'node:path';
import { type Diagnostic, formatDiagnostic, hasErrors } from '../../scenario/diagnostics.ts';
import { fixedJudgedDiagnostics } from '../../scenario/judged.ts';
import { type LoadIo, loadDocument, validateFile } from '../../scenario/load.ts';
import { absolute, type Io } from '../io.ts';
import type { Registrar } from '../main.ts';

/** The loader's view of the file system, with `extends` resolved relative to the extending file. */
export function loadIo(io: Io): LoadIo {
  return { readFile: (p) => io.readFile(p), resolve: (from, rel) => resolve(dirname(from), rel) };
}

/** Shows absolute paths in diagnostics relative to the working directory (the entry file as typed). */
export function displayPaths(io: Io, ds: Diagnostic[], abs: string, shown: string): Diagnostic[] {
  return ds.map((d) => {
    if (!d.file) return { ...d, file: shown };
    if (d.file === abs) return { ...d, file: shown };
    const rel = relative(io.cwd, d.file);
    return { ...d, file: rel || d.file };
  });
}

// A generated file can hold thousands of the same mistake; the first ones say what is wrong.
const MAX_SHOWN = 200;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export const registerValidate: Registrar = (program, io, setExit) => {
  program
    .command('validate')
    .description('check scenario files: syntax, structure, references, and each intervention applied alone')
    .argument('<files...>', 'scenario files (YAML or JSON)')
    .option('--json', 'print {files: [{file, valid, diagnostics}]} on stdout')
    .option(
      '--strict',
      'also list the judged numbers given without a distribution (W_FIXED_JUDGED: parameter draws hold them fixed)',
    )
    .action((files: string[], o: { json?: boolean; strict?: boolean }) => {
      const results = files.map((file) => {
        const abs = absolute(io, file);
        const r = validateFile(abs, loadIo(io));
        if (o.strict && !hasErrors(r.diagnostics)) {
          const loaded = loadDocument(abs, loadIo(io));
          r.diagnostics.push(...fixedJudgedDiagnostics(loaded.doc ?? loaded.value, loaded.locations));
        }
        const diagnostics = displayPaths(io, r.diagnostics, abs, file);
        return { file, valid: !hasErrors(diagnostics), diagnostics };
      });
      if (results.some((r) => !r.valid)) setExit(1);
      if (o.json) {
        io.out(`${JSON.stringify({ files: results }, null, 2)}\n`);
        return;
      }
      let errors = 0;
      let warnings = 0;
      for (const r of results) {
        r.diagnostics.forEach((d, i) => {
          if (d.severity === 'error') errors++;
          else warnings++;
          if (i < MAX_SHOWN) io.out(`${formatDiagnostic(d)}\n`);
        });
        if (r.diagnostics.length > MAX_SHOWN)
          io.out(
            `${r.file}: ${r.diagnostics.length - MAX_SHOWN} more diagnostics not shown (--json lists all)\n`,
          );
        if (r.valid) io.out(`${r.file}: ok\n`);
      }
      io.out(
        `${plural(results.length, 'file')}, ${plural(errors, 'error')}, ${plural(warnings, 'warning')}\n`,
      );
    });
};
