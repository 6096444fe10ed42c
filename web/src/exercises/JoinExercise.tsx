// Accepting a team invitation: the token after `#` (never sent in a request line or a Referer), the
// exercise's title and the team, then joining with the signed-in account, an existing one or a new one.
import { useEffect, useState } from 'react';
import { errText, type Me, post } from '../api.ts';
import { InvitationAccountForm, useInvitationToken } from '../components/InvitationForm.tsx';
import { navigate } from '../router.tsx';
import { ErrorLine } from '../talks/ui.tsx';

export function JoinExercise({ me, onJoined }: { me: Me | null; onJoined: () => void }) {
  const [token, forget] = useInvitationToken('exercise');
  const [preview, setPreview] = useState<{ title: string; team: string; actor: string } | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    document.title = 'Exercise invitation · Brink';
    if (!token) {
      setError('This page needs the invitation link you were given (it ends with # and a code).');
      return;
    }
    void post<{ title: string; team: string; actor: string }>('/api/exercises/invitation', { token }).then(
      setPreview,
      (e: Error) => setError(e.message),
    );
  }, [token]);
  const join = async (body: Record<string, unknown>) => {
    setBusy(true);
    setError('');
    try {
      const r = await post<{ id: string }>('/api/exercises/join', { token, ...body });
      forget();
      onJoined();
      navigate(`/exercises/${r.id}`);
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="auth-page">
      <div className="auth-card">
        <p className="eyebrow">Exercise invitation</p>
        {preview ? (
          <>
            <h1>{preview.title}</h1>
            <p className="muted intro">
              You are invited to play <strong>{preview.team}</strong> ({preview.actor}). Your team sees only
              what its actor perceives. The link works once.
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
          <InvitationAccountForm
            label="Join the exercise"
            submit={`Join ${preview.team}`}
            busy={busy}
            join={(b) => void join(b)}
          />
        ) : null}
      </div>
    </div>
  );
}
