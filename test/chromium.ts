// Debian's chromium (apt-get install chromium; .ci/run does) driven by playwright-core, for every
// browser test: the report charts, the engine's Web Worker and the end-to-end workbench and talks.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

// Flags for Debian's chromium in a container (stack-notes section 9).
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless Debian chromium; fails with the command to install it when it is missing. */
export function launchChromium(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), 'Debian chromium is missing: apt-get install -y chromium (.ci/run does)');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}
