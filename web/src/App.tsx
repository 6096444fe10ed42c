// The shell: first-start setup, sign-in, then the workspace pages.
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { ApiError, get, type Me, post, setCsrf } from './api.ts';
import { InvitePage, MyInvitations } from './members/Invitations.tsx';
import { Library } from './pages/Library.tsx';
import { Login, Setup } from './pages/Login.tsx';

// The editor (CodeMirror, the scenario pipeline) and the charts (Plot, d3) load when first needed.
const ScenarioPage = lazy(() =>
  import('./pages/ScenarioPage.tsx').then((m) => ({ default: m.ScenarioPage })),
);
const RunPage = lazy(() => import('./pages/RunPage.tsx').then((m) => ({ default: m.RunPage })));

import { Link, match, navigate, usePath } from './router.tsx';
import { DialoguePage } from './talks/Dialogue.tsx';
import { JoinPage } from './talks/JoinPage.tsx';
import { TalksHome } from './talks/TalksHome.tsx';

type State =
  | { kind: 'loading' }
  | { kind: 'setup'; tokenRequired: boolean }
  | { kind: 'login' }
  | { kind: 'in'; me: Me }
  | { kind: 'error'; message: string };

export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const path = usePath();

  const load = useCallback(async () => {
    try {
      const setup = await get<{ needed: boolean; tokenRequired: boolean }>('/api/setup');
      if (setup.needed) return setState({ kind: 'setup', tokenRequired: setup.tokenRequired });
      const me = await get<Me>('/api/auth/me');
      setCsrf(me.csrfToken);
      setState({ kind: 'in', me });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) setState({ kind: 'login' });
      else setState({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  if (state.kind === 'loading')
    return (
      <div className="center muted" aria-live="polite">
        Loading…
      </div>
    );
  if (state.kind === 'error')
    return (
      <div className="center error" role="alert">
        Cannot reach the server: {state.message}
      </div>
    );
  // An invitation opens before sign-in: it can create the account (talks room, web/src/talks/).
  if (path === '/talks/join' && (state.kind === 'in' || state.kind === 'login'))
    return <JoinPage me={state.kind === 'in' ? state.me : null} onJoined={() => void load()} />;
  // A workspace invitation link, likewise (web/src/members/).
  if (path === '/invite' && (state.kind === 'in' || state.kind === 'login'))
    return <InvitePage me={state.kind === 'in' ? state.me : null} onJoined={() => void load()} />;
  if (state.kind === 'setup')
    return <Setup tokenRequired={state.tokenRequired} onDone={(me) => setState({ kind: 'in', me })} />;
  if (state.kind === 'login') return <Login onDone={(me) => setState({ kind: 'in', me })} />;

  const me = state.me;
  const first = me.workspaces[0];
  const wsParam = match('/w/:ws', path) ?? match('/w/:ws/s/:id', path) ?? match('/w/:ws/r/:run', path);
  const ws = me.workspaces.find((w) => w.id === wsParam?.ws) ?? first;
  const talks = path === '/talks' || path.startsWith('/talks/');
  if (!ws && !talks)
    return (
      <div className="center">
        <MyInvitations onAccepted={(w) => location.assign(`/w/${w.id}`)} />
        <p>
          You are not a member of any workspace yet. Ask an owner for an invitation, or open the{' '}
          <Link to="/talks">talks</Link> you were invited to.
        </p>
      </div>
    );

  let page: React.ReactNode;
  const s = match('/w/:ws/s/:id', path);
  const r = match('/w/:ws/r/:run', path);
  const dlg = match('/talks/:dlg', path) ?? match('/talks/:dlg/:tab', path);
  if (path === '/talks') page = <TalksHome workspaces={me.workspaces} />;
  else if (dlg) page = <DialoguePage key={dlg.dlg} id={dlg.dlg!} tab={dlg.tab} />;
  else if (!ws) page = null;
  else if (s) page = <ScenarioPage key={s.id} ws={ws} id={s.id!} />;
  else if (r) page = <RunPage key={r.run} ws={ws} runId={r.run!} />;
  else page = <Library ws={ws} />;

  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to={ws ? `/w/${ws.id}` : '/talks'} className="brand">
          <svg viewBox="0 0 32 32" width="26" height="26" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="#f1a208" />
            <path
              d="M6 24 L13 15 L18 19 L26 8"
              stroke="#1d3557"
              strokeWidth="3.5"
              fill="none"
              strokeLinecap="round"
              strokeLinejoin="round"
            />
          </svg>
          <span>Brink</span>
          <span className="brand-sub">workbench</span>
        </Link>
        <nav aria-label="Workspace">
          {ws ? (
            <>
              <label className="ws-select">
                <span className="sr-only">Workspace</span>
                <select value={ws.id} onChange={(e) => navigate(`/w/${e.target.value}`)}>
                  {me.workspaces.map((w) => (
                    <option key={w.id} value={w.id}>
                      {w.name} ({w.role})
                    </option>
                  ))}
                </select>
              </label>
              <Link to={`/w/${ws.id}`}>Scenarios</Link>
            </>
          ) : null}
          <Link to="/talks">Talks</Link>
          <a href="/api/openapi.json" target="_blank" rel="noreferrer">
            API
          </a>
        </nav>
        <div className="user">
          <span title={me.user.email}>{me.user.name}</span>
          <button
            type="button"
            className="ghost"
            onClick={async () => {
              await post('/api/auth/logout');
              navigate('/');
              setState({ kind: 'login' });
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<div className="page muted">Loading…</div>}>{page}</Suspense>
      </main>
    </div>
  );
}
