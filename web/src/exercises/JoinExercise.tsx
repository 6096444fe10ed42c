// Accepting a team invitation: the token after `#` (never sent in a request line or a Referer), the
// exercise's title and the team, then joining with the signed-in account, an existing one or a new one.
import { useEffect, useState } from 'react';
import { errText, type Me, post } from '../api.ts';
import { InvitationCard, useInvitationToken } from '../components/InvitationForm.tsx';
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
    <InvitationCard
      eyebrow="Exercise invitation"
      title={preview ? <h1>{preview.title}</h1> : null}
      intro={
        preview ? (
          <>
            You are invited to play <strong>{preview.team}</strong> ({preview.actor}). Your team sees only
            what its actor perceives. The link works once.
          </>
        ) : null
      }
      error={<ErrorLine error={error} />}
      me={me}
      busy={busy}
      formLabel="Join the exercise"
      submit={`Join ${preview?.team ?? ''}`}
      join={(b) => void join(b)}
    />
  );
}
