/**
 * OpenID Connect sign-in for the dashboard: authorization code flow with PKCE (S256) as a public client, in the
 * browser (the dashboard's server holds no secret and no session). The access token goes to the services like a
 * pasted one; the ID token is kept only to end the provider's session at sign-out. See docs/dashboard.md.
 */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  scopes: string[];
  /** RFC 8707 resource indicator: the audience the services accept (AUTH_AUDIENCE); sent when configured. */
  resource?: string | undefined;
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  end_session_endpoint?: string;
}

const PENDING_KEY = 'cabc.dashboard.oidc.pending';
const ID_TOKEN_KEY = 'cabc.dashboard.oidc.id_token';
export const CALLBACK_PATH = '/oidc/callback';

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
const randomText = () => base64url(crypto.getRandomValues(new Uint8Array(32)));
const redirectUri = () => `${window.location.origin}${CALLBACK_PATH}`;

async function discover(issuer: string): Promise<Discovery> {
  const response = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`the identity provider answered ${response.status} to its discovery document`);
  const discovery = (await response.json()) as Discovery;
  // A discovery document naming another issuer is not this provider's (OpenID Connect Discovery §4.3).
  if (discovery.issuer.replace(/\/+$/, '') !== issuer.replace(/\/+$/, ''))
    throw new Error(`the discovery document names issuer ${discovery.issuer}, not ${issuer}`);
  return discovery;
}

/** Sends the browser to the provider's sign-in page; it comes back to /oidc/callback with a code. */
export async function startOidcSignIn(config: OidcConfig): Promise<void> {
  const discovery = await discover(config.issuer);
  const verifier = randomText();
  const state = randomText();
  const nonce = randomText();
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
  );
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, nonce }));
  const url = new URL(discovery.authorization_endpoint);
  const parameters: Record<string, string> = {
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: config.scopes.join(' '),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(config.resource ? { resource: config.resource } : {}),
  };
  for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
  window.location.assign(url.toString());
}

/** On /oidc/callback: checks the state, redeems the code with the PKCE verifier, answers the access token. */
export async function completeOidcSignIn(config: OidcConfig, query: URLSearchParams): Promise<string> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null') as {
    verifier: string;
    state: string;
  } | null;
  sessionStorage.removeItem(PENDING_KEY);
  const error = query.get('error');
  if (error) throw new Error(`the identity provider refused the sign-in: ${query.get('error_description') ?? error}`);
  if (!pending || query.get('state') !== pending.state)
    throw new Error('this sign-in answer was not asked for by this tab (state mismatch): sign in again');
  const code = query.get('code');
  if (!code) throw new Error('the identity provider sent no authorization code');
  const discovery = await discover(config.issuer);
  const body = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri(),
    client_id: config.clientId,
    code_verifier: pending.verifier,
    ...(config.resource ? { resource: config.resource } : {}),
  });
  const response = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body,
  });
  const answer = (await response.json().catch(() => ({}))) as {
    access_token?: string;
    id_token?: string;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !answer.access_token)
    throw new Error(
      `the identity provider did not issue a token: ${answer.error_description ?? answer.error ?? response.status}`,
    );
  if (answer.id_token) sessionStorage.setItem(ID_TOKEN_KEY, answer.id_token);
  return answer.access_token;
}

/**
 * After the dashboard dropped its token: ends the provider's session too (RP-initiated logout), so that the next
 * sign-in asks again; it comes back to the sign-in page. Without an ID token (pasted-token sign-in) nothing to do.
 */
export async function endOidcSession(config: OidcConfig): Promise<boolean> {
  const idToken = sessionStorage.getItem(ID_TOKEN_KEY);
  sessionStorage.removeItem(ID_TOKEN_KEY);
  if (!idToken) return false;
  const discovery = await discover(config.issuer).catch(() => undefined);
  if (!discovery?.end_session_endpoint) return false;
  const url = new URL(discovery.end_session_endpoint);
  url.searchParams.set('id_token_hint', idToken);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('post_logout_redirect_uri', `${window.location.origin}/`);
  window.location.assign(url.toString());
  return true;
}
