import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, setApiAudiences, setApiToken } from './api.ts';
import { oidcConfig } from './dashboard-config.ts';
import { CALLBACK_PATH, completeOidcSignIn, endOidcSession } from './oidc.ts';

export interface Session {
  subject: string;
  org: string;
  role: 'auditee' | 'pipeline' | 'auditor' | 'certification_body' | 'admin';
}

interface AuthState {
  /** checking: a stored token is being verified (nothing is shown meanwhile); signed-out: the sign-in page. */
  status: 'checking' | 'signed-in' | 'signed-out';
  session: Session | null;
  token: string | null;
  message: string | null;
  signIn: (token: string) => Promise<void>;
  signOut: (message?: string) => void;
  /** Signs out here and, after an OIDC sign-in, at the identity provider too. */
  signOutEverywhere: () => void;
}

const STORAGE_KEY = 'cabc.dashboard.token';
const AuthContext = createContext<AuthState | null>(null);

/**
 * Sign-in with bearer tokens, one per service (kept in sessionStorage: gone when the tab closes); each service is sent
 * only the token of its audience. The assessment's token is checked (GET /v1/session) before anything else is asked;
 * a 401 from the assessment service signs out. With an OIDC provider configured the token comes from it instead
 * (lib/oidc.ts): the rest is the same (docs/dashboard.md).
 */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(STORAGE_KEY));
  const [session, setSession] = useState<Session | null>(null);
  const [status, setStatus] = useState<AuthState['status']>(() =>
    sessionStorage.getItem(STORAGE_KEY) || window.location.pathname === CALLBACK_PATH ? 'checking' : 'signed-out',
  );
  const [message, setMessage] = useState<string | null>(null);

  const signOut = useCallback((why?: string) => {
    sessionStorage.removeItem(STORAGE_KEY);
    setApiToken(null, () => undefined);
    setToken(null);
    setSession(null);
    setStatus('signed-out');
    setMessage(why ?? null);
  }, []);

  const verify = useCallback(
    async (candidate: string) => {
      setApiToken(candidate, () => signOut('Your session ended: the token was refused. Sign in again.'));
      try {
        const config = (await (await fetch('/api/config')).json()) as { audiences?: Record<string, string> };
        if (config.audiences) setApiAudiences(config.audiences);
        const who = await api<Session>('/v1/session');
        sessionStorage.setItem(STORAGE_KEY, candidate);
        setToken(candidate);
        setSession(who);
        setStatus('signed-in');
        setMessage(null);
      } catch (error) {
        signOut(
          error instanceof ApiError && error.status === 401
            ? 'That token was not accepted (expired, or not issued for this platform).'
            : `Could not check the token: ${String(error instanceof Error ? error.message : error)}`,
        );
        throw error;
      }
    },
    [signOut],
  );

  useEffect(() => {
    if (window.location.pathname === CALLBACK_PATH) {
      const query = new URLSearchParams(window.location.search);
      void (async () => {
        const config = await oidcConfig();
        if (!config) throw new Error('this dashboard has no identity provider configured');
        await verify(await completeOidcSignIn(config, query));
      })()
        .catch((error: unknown) => {
          if (!(error instanceof ApiError)) signOut(error instanceof Error ? error.message : String(error));
        })
        .finally(() => {
          // Off the callback address (the code is spent); the router, mounted by now, follows.
          window.history.replaceState(null, '', '/');
          window.dispatchEvent(new PopStateEvent('popstate'));
        });
      return;
    }
    if (token && status === 'checking') void verify(token).catch(() => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const signOutEverywhere = useCallback(() => {
    signOut();
    void oidcConfig()
      .then((config) => (config ? endOidcSession(config) : false))
      .catch(() => false);
  }, [signOut]);

  const value = useMemo<AuthState>(
    () => ({
      status,
      session,
      token,
      message,
      signIn: (candidate: string) => verify(candidate.trim().replace(/(^|\s)Bearer\s+/gi, '$1')),
      signOut,
      signOutEverywhere,
    }),
    [status, session, token, message, verify, signOut, signOutEverywhere],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}

export const canReview = (session: Session | null) => session?.role === 'auditor';
export const canReadEvidence = (session: Session | null) =>
  ['auditee', 'auditor', 'admin'].includes(session?.role ?? '');
export const canReadAudit = (session: Session | null) => ['auditor', 'admin'].includes(session?.role ?? '');
export const canComment = (session: Session | null) => ['auditor', 'auditee'].includes(session?.role ?? '');
