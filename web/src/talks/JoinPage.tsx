// Accepting an invitation: the link carries its token after `#` (a fragment never reaches the server's
// logs or a Referer); the page shows the codename and the delegation, then joins with the signed-in
// account, an existing account, or a new one. The token leaves the address bar at once.
import { useEffect, useState } from 'react';
import { errText, type Me, post } from '../api.ts';
import { InvitationCard, useInvitationToken } from '../components/InvitationForm.tsx';
import { navigate } from '../router.tsx';
import { ErrorLine } from './ui.tsx';

export function JoinPage({ me, onJoined }: { me: Me | null; onJoined: (dialogue: string) => void }) {
  const [token, forget] = useInvitationToken('talks');
  const [preview, setPreview] = useState<{ codename: string; delegation: string; kind: string } | null>(null);
  const [error, setError] = useState('');
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
      forget();
      onJoined(r.id);
      navigate(`/talks/${r.id}`);
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <InvitationCard
      eyebrow="Invitation"
      title={preview ? <h1 className="codename">{preview.codename}</h1> : null}
      intro={
        preview ? (
          <>
            You are invited to join as <strong>{preview.delegation}</strong>
            {preview.kind === 'observer' ? ' (observer)' : ''}. What your delegation declares stays private to
            it and the host unless you release it. The link works once.
          </>
        ) : null
      }
      error={<ErrorLine error={error} />}
      me={me}
      busy={busy}
      formLabel="Join the dialogue"
      submit={`Join ${preview?.codename ?? ''}`}
      join={(b) => void join(b)}
    />
  );
}
