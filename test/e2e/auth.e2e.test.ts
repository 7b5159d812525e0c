// Browser test for the auth flow of the web UI (renderer/dist served by the appliance).
// Requires a prior `vite build renderer`. Skips (or fails with REQUIRE_BROWSER=1) when Chromium is missing.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startServer, type TestServer } from '../support/server.js';
import { browserSkipReason, launchBrowser, withPage as withBrowserPage } from '../support/browser.js';

type Lang = 'en' | 'id';

// Expected UI copy, spelled out here so a catalogue mix-up is caught too.
const COPY: Record<
  Lang,
  {
    passwordLabel: string;
    signIn: string;
    registerLink: string;
    orgLabel: string;
    logout: string;
    invalidCredentials: string;
    emailTaken: string;
    ownerRole: string;
  }
> = {
  en: {
    passwordLabel: 'Password',
    signIn: 'Sign in',
    registerLink: 'Create an organization',
    orgLabel: 'Organization name',
    logout: 'Log out',
    invalidCredentials: 'Invalid email or password.',
    emailTaken: 'This email is already registered.',
    ownerRole: 'Owner',
  },
  id: {
    passwordLabel: 'Kata sandi',
    signIn: 'Masuk',
    registerLink: 'Daftarkan organisasi Anda',
    orgLabel: 'Nama organisasi',
    logout: 'Keluar',
    invalidCredentials: 'Email atau kata sandi salah.',
    emailTaken: 'Email ini sudah terdaftar.',
    ownerRole: 'Pemilik',
  },
};

const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const uniqueEmail = (label: string) => `e2e-${label}-${runId}@example.test`;

const skip = browserSkipReason();

describe('web UI: authentication', { skip }, () => {
  let server: TestServer;
  let browser: Browser;

  before(async () => {
    assert.ok(
      existsSync(join(process.cwd(), 'renderer', 'dist', 'index.html')),
      'renderer/dist/index.html is missing; run `npx vite build renderer` first',
    );
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const withPage = (name: string, locale: string, fn: (page: Page) => Promise<void>) => withBrowserPage(browser, name, { locale }, fn);

  const htmlLangIs = (page: Page, lang: Lang) => page.waitForFunction(`document.documentElement.lang === ${JSON.stringify(lang)}`);

  async function expectText(page: Page, testId: string, expected: string) {
    const locator = page.getByTestId(testId);
    await locator.waitFor();
    assert.equal((await locator.textContent())?.trim(), expected, `text of [data-testid=${testId}]`);
  }

  /** Signed in: the shell opens on the inbox; the profile is one click away in the navigation. */
  async function expectProfile(page: Page, user: { name: string; email: string; org: string }) {
    await page.getByTestId('app-shell').waitFor();
    if (new URL(page.url()).pathname !== '/profile') {
      await page.waitForURL(`${server.url}/inbox`);
      await page.getByTestId('nav-profile').click();
      await page.waitForURL(`${server.url}/profile`);
    }
    await expectText(page, 'profile-name', user.name);
    await expectText(page, 'profile-email', user.email);
    await expectText(page, 'profile-org', user.org);
  }

  async function login(page: Page, email: string, password: string) {
    await page.getByTestId('login-email').fill(email);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
  }

  for (const lang of ['en', 'id'] as const) {
    const other: Lang = lang === 'en' ? 'id' : 'en';
    const copy = COPY[lang];

    test(`register, log out and log in again (${lang})`, { timeout: 60_000 }, async () => {
      const user = {
        name: lang === 'en' ? 'Alice Walker' : 'Siti Rahayu',
        org: lang === 'en' ? `Acme Support ${runId}` : `Toko Maju Jaya ${runId}`,
        email: uniqueEmail(lang),
        password: 'correct-horse-battery',
      };

      // Start with the browser in the *other* language so the switch really has to change something.
      await withPage(`auth-${lang}`, other === 'id' ? 'id-ID' : 'en-US', async (page) => {
        await page.goto(`${server.url}/`);
        await page.waitForURL(`${server.url}/login`); // anonymous visitors are sent to the login page
        await htmlLangIs(page, other); // default comes from navigator.language

        const languageSwitch = page.getByTestId('language-switch');
        await languageSwitch.selectOption(lang);
        await htmlLangIs(page, lang);
        assert.equal(await languageSwitch.inputValue(), lang);

        // A translated label is shown in the chosen language and labels the right input.
        const passwordInput = page.getByLabel(copy.passwordLabel, { exact: true });
        assert.equal(await passwordInput.getAttribute('data-testid'), 'login-password');
        assert.equal((await page.getByTestId('login-submit').textContent())?.trim(), copy.signIn);

        // Register a new organization.
        await page.getByRole('link', { name: copy.registerLink }).click();
        await page.waitForURL(`${server.url}/register`);
        assert.equal(await page.getByLabel(copy.orgLabel, { exact: true }).getAttribute('data-testid'), 'register-org');
        await page.getByTestId('register-org').fill(user.org);
        await page.getByTestId('register-name').fill(user.name);
        await page.getByTestId('register-email').fill(user.email);
        await page.getByTestId('register-password').fill(user.password);
        await page.getByTestId('register-submit').click();
        await expectProfile(page, user);
        await expectText(page, 'profile-role', copy.ownerRole); // whoever registers owns the organization
        assert.equal((await page.getByTestId('logout').textContent())?.trim(), copy.logout);

        // The language choice survives a reload (localStorage), and the session too (cookie).
        await page.reload();
        await expectProfile(page, user);
        await htmlLangIs(page, lang);
        assert.equal(await page.getByTestId('language-switch').inputValue(), lang);

        // Log out.
        await page.getByTestId('logout').click();
        await page.waitForURL(`${server.url}/login`);

        // A wrong password shows the translated form error and stays on the login page.
        await login(page, user.email, 'definitely-wrong-password');
        await expectText(page, 'form-error', copy.invalidCredentials);
        assert.equal(page.url(), `${server.url}/login`);

        // The session really is gone: the protected page sends us back to login.
        await page.goto(`${server.url}/`);
        await page.waitForURL(`${server.url}/login`);

        // Log in again with the same credentials.
        await login(page, user.email, user.password);
        await expectProfile(page, user);
      });
    });
  }

  test('registering an already-used email shows the error on the email field', { timeout: 60_000 }, async () => {
    const email = uniqueEmail('dup');
    const res = await fetch(`${server.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ organizationName: `Dup Org ${runId}`, name: 'First User', email, password: 'first-password-123' }),
    });
    assert.equal(res.status, 201, `API register should succeed: ${await res.text()}`);

    await withPage('auth-duplicate-email', 'en-US', async (page) => {
      await page.goto(`${server.url}/register`);
      await page.getByTestId('register-org').fill(`Another Org ${runId}`);
      await page.getByTestId('register-name').fill('Second User');
      await page.getByTestId('register-email').fill(email);
      await page.getByTestId('register-password').fill('second-password-123');
      await page.getByTestId('register-submit').click();
      await expectText(page, 'register-email-error', COPY.en.emailTaken);
      assert.equal(await page.getByTestId('register-email').getAttribute('aria-invalid'), 'true');
      assert.equal(page.url(), `${server.url}/register`);
    });
  });
});
