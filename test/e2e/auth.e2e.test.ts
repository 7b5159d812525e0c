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
    ownerRole: 'Owner',
  },
  id: {
    passwordLabel: 'Kata sandi',
    signIn: 'Masuk',
    registerLink: 'Daftarkan organisasi Anda',
    orgLabel: 'Nama organisasi',
    logout: 'Keluar',
    invalidCredentials: 'Email atau kata sandi salah.',
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

  // The CSP forbids eval (a string waitForFunction): wait on the attribute with a locator.
  const htmlLangIs = (page: Page, lang: Lang) => page.locator(`html[lang="${lang}"]`).waitFor({ state: 'attached' });

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

  test('an email with accounts in two organizations: sign-in asks which one, only after the password matched', {
    timeout: 60_000,
  }, async () => {
    // Emails are unique per organization (issue 12): registering an address used elsewhere succeeds.
    const email = uniqueEmail('twice');
    const register = (org: string) =>
      fetch(`${server.url}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ organizationName: org, name: 'Dewi', email, password: 'shared-password-123' }),
      });
    for (const org of [`Satu ${runId}`, `Dua ${runId}`]) assert.equal((await register(org)).status, 201);

    await withPage('auth-two-organizations', 'en-US', async (page) => {
      await page.goto(`${server.url}/login`);
      await login(page, email, 'not-the-password');
      await expectText(page, 'form-error', COPY.en.invalidCredentials);
      assert.equal(await page.getByTestId('login-organization').count(), 0, 'a wrong password shows no organization');
      await login(page, email, 'shared-password-123');
      const choice = page.getByTestId('login-organization');
      await choice.waitFor();
      await choice.selectOption({ label: `Dua ${runId}` });
      await page.getByTestId('login-submit').click();
      await expectProfile(page, { name: 'Dewi', email, org: `Dua ${runId}` });
    });
  });

  test('a one-time password link opens a page where the person chooses the password, then signs in with it', {
    timeout: 60_000,
  }, async () => {
    const post = async (path: string, body: unknown, token?: string) => {
      const res = await fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json().catch(() => ({}))) as any };
    };
    const owner = await post('/api/v1/auth/register', {
      organizationName: `Reset Org ${runId}`,
      name: 'Owner',
      email: uniqueEmail('reset-owner'),
      password: 'owner-password-123',
    });
    const roles = (await (
      await fetch(`${server.url}/api/v1/roles`, { headers: { authorization: `Bearer ${owner.body.token}` } })
    ).json()) as any;
    const agentEmail = uniqueEmail('reset-agent');
    const created = await post(
      '/api/v1/agents',
      { name: 'Rina', email: agentEmail, roleId: roles.data.find((r: any) => r.name === 'agent').id },
      owner.body.token,
    );
    assert.equal(created.status, 201);
    const link = created.body.passwordLink.url as string;
    assert.ok(link.startsWith(`${server.url}/reset-password#token=`), link);

    await withPage('auth-password-link', 'id-ID', async (page) => {
      await page.goto(link);
      await page.getByTestId('reset-password').fill('my-own-password-1');
      await page.getByTestId('reset-confirm').fill('my-own-password-1');
      await page.getByTestId('reset-submit').click();
      await page.getByTestId('reset-done').waitFor({ state: 'attached' });
      // Used once: opening it again says so.
      await page.goto(link);
      await page.reload();
      await page.getByTestId('reset-invalid').waitFor({ state: 'attached' });
      await page.goto(`${server.url}/login`);
      await login(page, agentEmail, 'my-own-password-1');
      await expectProfile(page, { name: 'Rina', email: agentEmail, org: `Reset Org ${runId}` });
    });
  });
});
