import { AuthProvider, useAuth } from './lib/auth.tsx';
import { LiveProvider, useLive } from './lib/live.tsx';
import { Link, match, Router, useRouter } from './lib/router.tsx';
import { NotFoundPanel } from './components/ui.tsx';
import { Overview } from './pages/Overview.tsx';
import { ScopeReview } from './pages/ScopeReview.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { ToePage } from './pages/Toe.tsx';

function LiveIndicator() {
  const { state } = useLive();
  const text = state === 'live' ? 'live' : state === 'connecting' ? 'connecting…' : 'offline — retrying';
  return (
    <span
      className={`live live-${state}`}
      data-testid="live-indicator"
      title="posture and certificate changes arrive as they happen"
    >
      <span className="live-dot" /> {text}
    </span>
  );
}

function Shell() {
  const { session, signOutEverywhere, token } = useAuth();
  const { location } = useRouter();
  const path = location.path;
  let page;
  let params: Record<string, string> | undefined;
  if (path === '/' || path === '/toes') page = <Overview />;
  else if ((params = match('/toes/:toeId/scopes/:version', path)))
    page = <ScopeReview key={path} toeId={params.toeId!} version={params.version!} />;
  else if ((params = match('/toes/:toeId', path))) page = <ToePage key={params.toeId} toeId={params.toeId!} />;
  else page = <NotFoundPanel />;
  return (
    <LiveProvider token={token!}>
      <header className="topbar">
        <Link to="/" className="brand">
          <span className="brand-mark">✓</span> CABC
        </Link>
        <span className="muted topbar-sub">continuous certification dashboard</span>
        <span className="spacer" />
        <LiveIndicator />
        <span className="who" data-testid="who">
          {session?.subject} <span className="chip static">{session?.role}</span>{' '}
          <span className="muted">{session?.org}</span>
        </span>
        <button className="button-quiet" onClick={() => signOutEverywhere()}>
          Sign out
        </button>
      </header>
      <main className="content">{page}</main>
    </LiveProvider>
  );
}

function Gate() {
  const { status } = useAuth();
  // Without a verified token nothing but the sign-in page renders: no request for data is made.
  if (status === 'checking') return <div className="loading muted">Checking your session…</div>;
  if (status === 'signed-out') return <SignIn />;
  return <Shell />;
}

export function App() {
  return (
    <Router>
      <AuthProvider>
        <Gate />
      </AuthProvider>
    </Router>
  );
}
