// Helpers for browser (end-to-end) tests. Uses the system Chromium; never downloads a browser.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Why browser tests cannot run here, or undefined when they can.
 * With REQUIRE_BROWSER=1 a missing browser is an error instead of a skip, so CI cannot pass silently.
 */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  if (process.env.REQUIRE_BROWSER === '1') {
    throw new Error(
      `REQUIRE_BROWSER=1 but Chromium is missing at ${CHROMIUM_PATH}; browser tests are required. ` +
        'Install it with `sudo apt-get install chromium`.',
    );
  }
  return `Chromium not found at ${CHROMIUM_PATH}; install it with \`sudo apt-get install chromium\` to run browser tests`;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
}
