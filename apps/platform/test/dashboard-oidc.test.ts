import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import type { Role } from '@cabc/auth';
import { generateSigningKey } from '@cabc/crypto';
import { startDashboard, type RunningDashboard } from '@cabc/dashboard';
import { accuracyRequirement, certifyToe, freePort, type CertifiedToe } from '../src/index.ts';
import { startTestPlatform } from './platform-fixture.ts';
import { ORG_CLAIM, ROLES_CLAIM, startOidcProvider } from './oidc-provider-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
const artifacts = path.resolve(import.meta.dirname, '../../../test-artifacts/dashboard');
// A resource indicator is an absolute URI (RFC 8707): the services' AUTH_AUDIENCE is set to it.
const AUDIENCE = 'urn:cabc:services';
const CLIENT_ID = 'cabc-dashboard';

/**
 * Sign-in through a real OpenID Connect provider (oidc-provider, started here) in a real browser: authorization code
 * with PKCE, the provider's RS256 access token accepted by the services (the provider is their trusted issuer; they
 * read organization and role from its own claim names, the trusted issuer's `claims` in AUTH_ISSUERS), the
 * ToEs of the user's organization shown, sign-out ending the provider's session; a user of another organization sees
 * none of them.
 */
describe.skipIf(missing)('dashboard sign-in through an OpenID Connect provider', { timeout: 90_000 }, () => {
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let provider: Awaited<ReturnType<typeof startOidcProvider>>;
  let dashboard: RunningDashboard;
  let browser: Browser;
  let acme: CertifiedToe;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    const providerPort = await freePort();
    const issuer = `http://127.0.0.1:${providerPort}`;
    // The test's own setup tokens (ToEs, scopes, approvals) are signed for the same issuer with a key the services
    // also trust: the services accept one issuer, the provider's.
    const setupKey = await generateSigningKey();
    const dashboardPort = await freePort();
    provider = await startOidcProvider({
      port: providerPort,
      audience: AUDIENCE,
      clientId: CLIENT_ID,
      dashboardUrl: `http://127.0.0.1:${dashboardPort}`,
      users: { alice: { org: 'acme', role: 'auditor' }, bob: { org: 'globex', role: 'auditor' } },
    });
    const trust = {
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_ISSUERS: JSON.stringify([
        {
          issuer,
          party: 'test identity provider',
          jwks: { keys: [...provider.publicJwks.keys, setupKey.publicJwk] },
          orgs: ['*'],
          roles: ['auditee', 'pipeline', 'auditor', 'certification_body', 'admin'],
          claims: { org: ORG_CLAIM, role: ROLES_CLAIM },
        },
      ]),
    };
    platform = await startTestPlatform({ env: { collector: trust, assessment: trust, certificationBody: trust } });
    const token = (role: Role, org: string, options: { subject?: string | undefined } = {}) =>
      new SignJWT({ [ORG_CLAIM]: org, realm_access: { roles: [role] } })
        .setProtectedHeader({ alg: 'EdDSA', kid: setupKey.kid, typ: 'at+jwt' })
        .setIssuer(issuer)
        .setAudience(AUDIENCE)
        .setSubject(options.subject ?? `${role}@${org}`)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(setupKey.privateKey);
    acme = await certifyToe({ urls: platform.urls, token }, { org: 'acme', name: 'credit-scoring-oidc' });
    dashboard = await startDashboard({
      port: dashboardPort,
      host: '127.0.0.1',
      assessmentUrl: platform.urls.assessment,
      certificationBodyUrl: platform.urls.certificationBody,
      collectorUrl: platform.urls.collector,
      audiences: { assessment: AUDIENCE, certification: AUDIENCE, collector: AUDIENCE },
      oidc: { issuer, clientId: CLIENT_ID, scopes: ['openid', 'profile', 'api'], resource: AUDIENCE },
    });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await platform?.dispose();
    await provider?.close();
  });

  /** From the dashboard's sign-in page through the provider's login and consent, back signed in. */
  async function signInAs(page: Page, login: string) {
    await page.goto(dashboard.url);
    await page.getByRole('button', { name: 'Sign in with your identity provider' }).click();
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.origin === new URL(dashboard.url).origin && url.pathname === '/');
    await page.locator('[data-testid=who]').getByText(login).waitFor();
  }

  it('signs in with code + PKCE, shows the ToEs of the organization, and signs out at the provider too', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    const tokenRequests: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().startsWith(provider.issuer))
        tokenRequests.push(request.postData() ?? '');
    });
    await signInAs(page, 'alice');
    await page.locator(`tr[data-toe="${acme.toeId}"]`).waitFor();
    expect(await page.locator('[data-testid=who]').textContent()).toContain('acme');
    const redemption = tokenRequests.find((body) => body.includes('grant_type=authorization_code'));
    expect(redemption).toContain('code_verifier=');
    await page.screenshot({ path: path.join(artifacts, 'oidc-01-signed-in.png'), fullPage: true });

    await page.getByRole('button', { name: 'Sign out' }).click();
    // RP-initiated logout: the provider asks to confirm, then sends the browser back to the sign-in page.
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.getByRole('button', { name: /yes/i }).click();
    await page.getByRole('button', { name: 'Sign in with your identity provider' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('cabc.dashboard.token'))).toBeNull();
    // The provider's session is gone: signing in again asks for the login.
    await page.getByRole('button', { name: 'Sign in with your identity provider' }).click();
    await page.locator('input[name=login]').waitFor();
    await page.close();
  });

  it('a user of another organization signs in and sees none of its ToEs', async () => {
    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(20_000);
    await signInAs(page, 'bob');
    expect(await page.locator('[data-testid=who]').textContent()).toContain('globex');
    await page.getByText('No targets of evaluation yet').waitFor();
    expect(await page.locator(`tr[data-toe="${acme.toeId}"]`).count()).toBe(0);
    const answer = await page.evaluate(async (toe) => {
      const token = sessionStorage.getItem('cabc.dashboard.token');
      const response = await fetch(`/api/assessment/v1/toes/${toe}`, { headers: { authorization: `Bearer ${token}` } });
      return response.status;
    }, acme.toeId);
    expect(answer).toBe(404);
    await page.screenshot({ path: path.join(artifacts, 'oidc-02-other-org.png'), fullPage: true });
  });
});
