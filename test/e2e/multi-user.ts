// What the multi-user end-to-end tests share (the talks room, the tabletop exercise): a fresh server on a
// temporary SQLite file, one Chromium, and a browser context per person (`open`), all closed after the
// file's tests. Call it at the top level of a test file: it registers the file's before and after hooks.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEFAULT_WEB, type Running, startServer } from '../../src/server/index.ts';
import { launchChromium } from '../chromium.ts';

export interface MultiUser {
  /** The server (set once the before hook ran). */
  readonly server: Running;
  /** The temporary folder of the server's database, for files the test writes. */
  readonly dir: string;
  /** A new browser context (one person) and its page; page errors are logged with `name`. */
  open(name: string): Promise<Page>;
}

export function multiUser(tmpPrefix: string, shots: string): MultiUser {
  const dir = mkdtempSync(join(tmpdir(), tmpPrefix));
  let server: Running | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];

  before(async () => {
    assert.ok(existsSync(join(DEFAULT_WEB, 'index.html')), 'dist/web is missing: run `npm run build` first');
    mkdirSync(shots, { recursive: true });
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      database: join(dir, 'brink.db'),
      log: () => {},
    });
    browser = await launchChromium();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  return {
    get server() {
      assert.ok(server, 'the server starts in the before hook');
      return server;
    },
    dir,
    async open(name: string): Promise<Page> {
      assert.ok(browser, 'Chromium starts in the before hook');
      const context = await browser.newContext({
        viewport: { width: 1440, height: 900 },
        acceptDownloads: true,
      });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      page.on('pageerror', (e) => console.error(`${name} page error:`, e.message));
      return page;
    },
  };
}
