// Helpers for browser (end-to-end) tests. Uses the system Chromium; never downloads a browser.
import { existsSync } from 'node:fs';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

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

/** Where failing browser tests leave a screenshot. */
export const ARTIFACT_DIR = join(process.cwd(), '.tmp', 'e2e');

/** Runs `fn` in a fresh browser context; saves a screenshot on failure and fails on uncaught page errors. */
export async function withPage(
  browser: Browser,
  name: string,
  options: { locale: string; viewport?: { width: number; height: number } },
  fn: (page: Page) => Promise<void>,
): Promise<void> {
  const context = await browser.newContext({ locale: options.locale, viewport: options.viewport ?? { width: 1280, height: 800 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  try {
    await fn(page);
    assert.deepEqual(pageErrors, [], 'uncaught errors in the page');
  } catch (error) {
    mkdirSync(ARTIFACT_DIR, { recursive: true });
    const file = join(ARTIFACT_DIR, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    if (error instanceof Error) error.message += `\n  at URL ${page.url()} (screenshot: ${file})`;
    throw error;
  } finally {
    await context.close();
  }
}
