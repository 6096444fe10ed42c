// Accepting an invitation: the link carries its token after `#` (a fragment never reaches the server's
// logs or a Referer); the page shows the codename and the delegation, then joins with the signed-in
// account, an existing account, or a new one. The token leaves the address bar at once.
import { useEffect } from 'react';
import type { Me } from '../api.ts';
import { InvitationCard, useInvitation } from '../components/InvitationForm.tsx';
import { navigate } from '../router.tsx';
import { ErrorLine } from './ui.tsx';

export function JoinPage({ me, onJoined }: { me: Me | null; onJoined: (dialogue: string) => void }) {
  const { preview, error, busy, join } = useInvitation<
    { codename: string; delegation: string; kind: string },
    { id: string }
  >({
    page: 'talks',
    title: 'Invitation · Brink',
    previewUrl: '/api/talks/invitation',
    joinUrl: '/api/talks/join',
    joined: (r) => {
      onJoined(r.id);
      navigate(`/talks/${r.id}`);
    },
  });
  const codename = preview?.codename;
  useEffect(() => {
    if (codename) document.title = `${codename} · invitation`;
  }, [codename]);

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
      join={join}
    />
  );
}
