import { useEffect, useState, type FormEvent } from 'react';
import { useAuth } from '../lib/auth.tsx';
import { dashboardConfig, type DashboardConfig } from '../lib/dashboard-config.ts';
import { startOidcSignIn } from '../lib/oidc.ts';

/** The only page shown without a verified token. */
export function SignIn() {
  const { signIn, message } = useAuth();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [config, setConfig] = useState<DashboardConfig>();
  const [oidcError, setOidcError] = useState<string>();
  useEffect(() => {
    void dashboardConfig().then(setConfig, () => undefined);
  }, []);
  const signInWithProvider = async () => {
    if (config?.auth.mode !== 'oidc') return;
    setBusy(true);
    setOidcError(undefined);
    try {
      await startOidcSignIn(config.auth);
    } catch (error) {
      setOidcError(error instanceof Error ? error.message : String(error));
      setBusy(false);
    }
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await signIn(token);
    } catch {
      // the message comes from the auth state
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <form className="signin-card" onSubmit={(event) => void submit(event)}>
        <div className="brand brand-large">
          <span className="brand-mark">✓</span> CABC
        </div>
        <h1>Sign in</h1>
        <p className="muted">
          Continuous auditing based certification: posture, evidence and certificates of your organization’s ML systems.
        </p>
        {config?.auth.mode === 'oidc' ? (
          <>
            <button type="button" disabled={busy} onClick={() => void signInWithProvider()}>
              Sign in with your identity provider
            </button>
            <p className="hint muted">{config.auth.issuer} · or, for local use, paste a bearer token below.</p>
            {oidcError ? (
              <div className="panel panel-error" role="alert">
                {oidcError}
              </div>
            ) : null}
          </>
        ) : null}
        <label htmlFor="token">Bearer token</label>
        <textarea
          id="token"
          name="token"
          rows={5}
          placeholder="eyJhbGciOiJFZERTQSIs…"
          value={token}
          onChange={(event) => setToken(event.target.value)}
          spellCheck={false}
          autoComplete="off"
          required
        />
        <p className="hint muted">
          One token per service, separated by spaces; for local use:{' '}
          <code>./scripts/cabc token --role auditor --org acme --service all</code>. The tokens stay in this tab
          (sessionStorage) and are sent only to this dashboard’s server, which passes each service only its own.
        </p>
        {message ? (
          <div className="panel panel-error" role="alert">
            {message}
          </div>
        ) : null}
        <button type="submit" disabled={busy || token.trim() === ''}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
