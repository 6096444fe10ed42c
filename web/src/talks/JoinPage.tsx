// Accepting an invitation: the link carries its token after `#` (a fragment never reaches the server's
// logs or a Referer); the page shows the codename and the delegation, then joins with the signed-in
// account, an existing account, or a new one. The token leaves the address bar at once.
import { useEffect, useState } from 'react';
import { errText, type Me, post } from '../api.ts';
import { navigate } from '../router.tsx';
import { ErrorLine } from './ui.tsx';

let remembered = '';

export function JoinPage({ me, onJoined }: { me: Me | null; onJoined: (dialogue: string) => void }) {
  const [token] = useState(() => {
    const t = location.hash.slice(1) || remembered;
    remembered = t;
    if (location.hash) history.replaceState(null, '', location.pathname);
    return t;
  });
  const [preview, setPreview] = useState<{ codename: string; delegation: string; kind: string } | null>(null);
  const [error, setError] = useState('');
  const [mode, setMode] = useState<'create' | 'signin'>('create');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = 'Invitation · Brink';
    if (!token) {
      setError('This page needs the invitation link you were given (it ends with # and a code).');
      return;
    }
    void post<{ codename: string; delegation: string; kind: string }>('/api/talks/invitation', {
      token,
    }).then(
      (p) => {
        setPreview(p);
        document.title = `${p.codename} · invitation`;
      },
      (e: Error) => setError(e.message),
    );
  }, [token]);

  const join = async (body: Record<string, unknown>) => {
    setBusy(true);
    setError('');
    try {
      const r = await post<{ id: string }>('/api/talks/join', { token, ...body });
      remembered = '';
      onJoined(r.id);
      navigate(`/talks/${r.id}`);
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="auth-page">
      <div className="auth-card">
        <p className="eyebrow">Invitation</p>
        {preview ? (
          <>
            <h1 className="codename">{preview.codename}</h1>
            <p className="muted intro">
              You are invited to join as <strong>{preview.delegation}</strong>
              {preview.kind === 'observer' ? ' (observer)' : ''}. What your delegation declares stays private
              to it and the host unless you release it. The link works once.
            </p>
          </>
        ) : (
          <h1>Checking the invitation…</h1>
        )}
        <ErrorLine error={error} />
        {preview && me ? (
          <button type="button" className="primary wide" disabled={busy} onClick={() => join({})}>
            Join as {me.user.name}
          </button>
        ) : null}
        {preview && !me ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void join(mode === 'create' ? { name, email, password, create: true } : { email, password });
            }}
          >
            <div className="tabs" role="tablist">
              <button
                type="button"
                role="tab"
                aria-selected={mode === 'create'}
                className={mode === 'create' ? 'tab on' : 'tab'}
                onClick={() => setMode('create')}
              >
                Create an account
              </button>
              <button
                type="button"
                role="tab"
                aria-selected={mode === 'signin'}
                className={mode === 'signin' ? 'tab on' : 'tab'}
                onClick={() => setMode('signin')}
              >
                I have an account
              </button>
            </div>
            {mode === 'create' ? (
              <label className="field">
                <span>Your name</span>
                <input value={name} onChange={(e) => setName(e.target.value)} required autoComplete="name" />
              </label>
            ) : null}
            <label className="field">
              <span>Email</span>
              <input
                type="email"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                required
                autoComplete="username"
              />
            </label>
            <label className="field">
              <span>Password</span>
              <input
                type="password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                required
                minLength={mode === 'create' ? 10 : 1}
                autoComplete={mode === 'create' ? 'new-password' : 'current-password'}
              />
            </label>
            <button type="submit" className="primary wide" disabled={busy}>
              {busy ? 'Joining…' : `Join ${preview.codename}`}
            </button>
          </form>
        ) : null}
      </div>
    </div>
  );
}
