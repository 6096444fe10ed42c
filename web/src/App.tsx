// The shell: first-start setup, sign-in, then the workspace pages.
import { lazy, Suspense, useCallback, useEffect, useId, useState } from 'react';
import { ApiError, get, type Me, post, setCsrf } from './api.ts';
import { InvitePage, MyInvitations } from './members/Invitations.tsx';
import { GlossaryPage } from './pages/Glossary.tsx';
import { FirstRunGuide } from './pages/Guide.tsx';
import { Library, MembersPage } from './pages/Library.tsx';
import { Login, Setup } from './pages/Login.tsx';

// The editor (CodeMirror, the scenario pipeline) and the charts (Plot, d3) load when first needed.
const ScenarioPage = lazy(() =>
  import('./pages/ScenarioPage.tsx').then((m) => ({ default: m.ScenarioPage })),
);
const RunPage = lazy(() => import('./pages/RunPage.tsx').then((m) => ({ default: m.RunPage })));

import { Logo } from './components/Logo.tsx';
import { ExercisePage } from './exercises/ExercisePage.tsx';
import { ExercisesHome } from './exercises/ExercisesHome.tsx';
import { JoinExercise } from './exercises/JoinExercise.tsx';
import { Link, match, navigate, usePath, useRouteFocus } from './router.tsx';
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
  const [menuOpen, setMenuOpen] = useState(false);
  const [fresh, setFresh] = useState(false);
  const path = usePath();
  const announced = useRouteFocus(path);
  const navId = useId();
  // The menu of a narrow screen closes when the page changes.
  // biome-ignore lint/correctness/useExhaustiveDependencies: closes on every change of path
  useEffect(() => setMenuOpen(false), [path]);
  // Escape closes the open menu and gives focus back to its button.
  useEffect(() => {
    if (!menuOpen) return;
    const on = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setMenuOpen(false);
      document.querySelector<HTMLButtonElement>('.menu-button')?.focus();
    };
    addEventListener('keydown', on);
    return () => removeEventListener('keydown', on);
  }, [menuOpen]);

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
      <main className="center muted" aria-live="polite">
        Loading…
      </main>
    );
  if (state.kind === 'error')
    return (
      <main className="center error" role="alert">
        Cannot reach the server: {state.message}
      </main>
    );
  // An invitation opens before sign-in: it can create the account (talks room, web/src/talks/).
  if (path === '/talks/join' && (state.kind === 'in' || state.kind === 'login'))
    return <JoinPage me={state.kind === 'in' ? state.me : null} onJoined={() => void load()} />;
  // A team's invitation to an exercise, likewise (web/src/exercises/).
  if (path === '/exercises/join' && (state.kind === 'in' || state.kind === 'login'))
    return <JoinExercise me={state.kind === 'in' ? state.me : null} onJoined={() => void load()} />;
  // A workspace invitation link, likewise (web/src/members/).
  if (path === '/invite' && (state.kind === 'in' || state.kind === 'login'))
    return <InvitePage me={state.kind === 'in' ? state.me : null} onJoined={() => void load()} />;
  if (state.kind === 'setup')
    return (
      <Setup
        tokenRequired={state.tokenRequired}
        onDone={(me) => {
          setFresh(true);
          setState({ kind: 'in', me });
        }}
      />
    );
  if (state.kind === 'login') return <Login onDone={(me) => setState({ kind: 'in', me })} />;

  const me = state.me;
  const first = me.workspaces[0];
  const wsParam =
    match('/w/:ws', path) ??
    match('/w/:ws/s/:id', path) ??
    match('/w/:ws/r/:run', path) ??
    match('/w/:ws/members', path);
  const ws = me.workspaces.find((w) => w.id === wsParam?.ws) ?? first;
  const talks = path === '/talks' || path.startsWith('/talks/');
  const exercises = path === '/exercises' || path.startsWith('/exercises/');
  if (!ws && !talks && !exercises && path !== '/glossary')
    return (
      <main className="center">
        <h1 className="sr-only">No workspace</h1>
        <MyInvitations onAccepted={(w) => location.assign(`/w/${w.id}`)} />
        <p>
          You are not a member of any workspace yet. Ask an owner for an invitation, or open the{' '}
          <Link to="/talks">talks</Link> or <Link to="/exercises">exercises</Link> you were invited to.
        </p>
      </main>
    );

  let page: React.ReactNode;
  const s = match('/w/:ws/s/:id', path);
  const r = match('/w/:ws/r/:run', path);
  const dlg = match('/talks/:dlg', path) ?? match('/talks/:dlg/:tab', path);
  const ex = match('/exercises/:ex', path);
  if (path === '/talks') page = <TalksHome workspaces={me.workspaces} />;
  else if (path === '/exercises') page = <ExercisesHome workspaces={me.workspaces} />;
  else if (ex) page = <ExercisePage key={ex.ex} id={ex.ex!} />;
  else if (path === '/glossary') page = <GlossaryPage />;
  else if (dlg) page = <DialoguePage key={dlg.dlg} id={dlg.dlg!} tab={dlg.tab} />;
  else if (!ws) page = null;
  else if (s) page = <ScenarioPage key={s.id} ws={ws} id={s.id!} />;
  else if (r) page = <RunPage key={r.run} ws={ws} runId={r.run!} />;
  else if (match('/w/:ws/members', path)) page = <MembersPage ws={ws} me={me} />;
  else
    page = (
      <>
        {fresh ? <FirstRunGuide ws={ws} onClose={() => setFresh(false)} /> : null}
        <Library ws={ws} />
      </>
    );

  return (
    <div className="app">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to={ws ? `/w/${ws.id}` : '/talks'} className="brand">
          <Logo size={26} />
          <span>Brink</span>
          <span className="brand-sub">workbench</span>
        </Link>
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls={navId}
          onClick={() => setMenuOpen(!menuOpen)}
        >
          <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true">
            <path d="M3 5h14M3 10h14M3 15h14" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
          </svg>
          Menu
        </button>
        <div id={navId} className={menuOpen ? 'topbar-menu open' : 'topbar-menu'}>
          <nav aria-label="Main">
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
                <Link to={`/w/${ws.id}`} current={path === `/w/${ws.id}`}>
                  Scenarios
                </Link>
                <Link to={`/w/${ws.id}/members`} current={path === `/w/${ws.id}/members`}>
                  Members
                </Link>
              </>
            ) : null}
            <Link to="/talks" current={talks}>
              Talks
            </Link>
            <Link to="/exercises" current={exercises}>
              Exercises
            </Link>
            <Link to="/glossary" current={path === '/glossary'}>
              Glossary
            </Link>
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
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<div className="page muted">Loading…</div>}>{page}</Suspense>
      </main>
      <div
        className="sr-only"
        role="status"
        aria-live="polite"
        aria-atomic="true"
        data-testid="route-announcer"
      >
        {announced}
      </div>
    </div>
  );
}
