// npm run screenshots -- exercises: the tabletop exercise's end-to-end test (test/e2e/exercises.test.ts)
// with its screenshots written to docs/img/exercise-*.png for docs/exercises.md.
// npm run screenshots: every main page of the workbench and the talks room at 1280 and 390 px, from a
// real Chromium session on a fresh server (the same pages and content as test/e2e/a11y.test.ts), into
// docs/img/workbench-<page>-<width>.png for docs/workbench.md. Needs `npm run build` first; with
// pngquant installed (apt-get install pngquant) the files are quantised to keep the repository small.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../src/server/index.ts';
import { launchChromium } from '../test/chromium.ts';
import { mainPages, seed } from '../test/e2e/fixture.ts';

const OUT = fileURLToPath(new URL('../docs/img', import.meta.url));
if (process.argv.includes('exercises')) {
  execFileSync(process.execPath, ['--import', 'tsx', '--test', 'test/e2e/exercises.test.ts'], {
    stdio: 'inherit',
    env: { ...process.env, EXERCISE_SHOTS: 'docs/img' },
  });
  for (const f of readdirSync(OUT).filter((x) => x.startsWith('exercise-') && x.endsWith('.png')))
    if (!quantiseFile(join(OUT, f))) break;
  process.exit(0);
}

/** Quantises a PNG in place with pngquant; false when pngquant is not installed. */
function quantiseFile(file: string): boolean {
  try {
    execFileSync('pngquant', ['--force', '--skip-if-larger', '--quality=60-85', '--output', file, file]);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
  }
  return true;
}
const dir = mkdtempSync(join(tmpdir(), 'brink-shots-'));
mkdirSync(OUT, { recursive: true });
const server = await startServer({
  port: 0,
  host: '127.0.0.1',
  database: join(dir, 'brink.db'),
  log: () => {},
});
const browser = await launchChromium();
let quantise = true;
try {
  const s = await seed(browser, server.url);
  const page = await s.context.newPage();
  page.setDefaultTimeout(60_000);
  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    await page.setViewportSize({ width, height });
    for (const m of mainPages(s)) {
      await page.goto(`${server.url}${m.path}`);
      await m.ready(page);
      await page.mouse.move(0, 0);
      await page.waitForTimeout(300);
      const shots = [join(OUT, `workbench-${m.name}-${width}.png`)];
      await page.screenshot({ path: shots[0]! });
      // The results pages: their first chart too, as it is drawn at that width.
      if (['run', 'comparison', 'sensitivity'].includes(m.name)) {
        shots.push(join(OUT, `workbench-${m.name}-chart-${width}.png`));
        await page.locator('figure.chart').first().screenshot({ path: shots[1]! });
      }
      for (const file of shots) {
        if (quantise) quantise = quantiseFile(file);
        console.log(`${file}: ${Math.round(statSync(file).size / 1024)} KiB`);
      }
    }
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
