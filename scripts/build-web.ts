// Bundles the engine's Web Worker (src/browser/engine-worker.ts: engine + scenario pipeline + ensemble
// analysis) for browsers: `npm run build:web` writes dist/web/engine-worker.js. Building for the
// browser platform fails on any node:* import, which keeps the pipeline browser-clean.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));

/** Writes the worker bundle to `outfile`; returns its size in bytes. */
export async function buildEngineWorker(outfile = `${root}dist/web/engine-worker.js`): Promise<number> {
  const r = await build({
    entryPoints: [`${root}src/browser/engine-worker.ts`],
    outfile,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.values(r.metafile.outputs).reduce((s, o) => (o.entryPoint ? s + o.bytes : s), 0);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bytes = await buildEngineWorker();
  process.stdout.write(`dist/web/engine-worker.js: ${(bytes / 1024).toFixed(0)} KiB\n`);
}
