import { useEffect, useState, type FormEvent } from 'react';
import { useAuth } from '../lib/auth.tsx';

interface DashboardConfig {
  auth: { mode: 'bearer' } | { mode: 'oidc'; issuer: string; clientId: string };
}

/** The only page shown without a verified token. */
export function SignIn() {
  const { signIn, message } = useAuth();
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [config, setConfig] = useState<DashboardConfig>();
  useEffect(() => {
    void fetch('/api/config')
      .then((response) => response.json())
      .then(setConfig, () => undefined);
  }, []);
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
          <p className="muted">
            Single sign-on with {config.auth.issuer} is configured; until it is enabled here, paste a bearer token.
          </p>
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
