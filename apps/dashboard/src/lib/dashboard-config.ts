import type { OidcConfig } from './oidc.ts';

/** What the dashboard's server says about itself (GET /api/config). */
export interface DashboardConfig {
  auth: { mode: 'bearer' } | ({ mode: 'oidc' } & OidcConfig);
  certificatePollMs: number;
  collector: boolean;
}

let loading: Promise<DashboardConfig> | undefined;

/** Read once per page load. */
export function dashboardConfig(): Promise<DashboardConfig> {
  loading ??= fetch('/api/config').then(async (response) => {
    if (!response.ok) throw new Error(`the dashboard server answered ${response.status} to /api/config`);
    return (await response.json()) as DashboardConfig;
  });
  return loading;
}

/** The OIDC settings when sign-in through an identity provider is configured. */
export async function oidcConfig(): Promise<OidcConfig | undefined> {
  const { auth } = await dashboardConfig();
  return auth.mode === 'oidc' ? auth : undefined;
}
