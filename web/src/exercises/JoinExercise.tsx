// Accepting a team invitation: the token after `#` (never sent in a request line or a Referer), the
// exercise's title and the team, then joining with the signed-in account, an existing one or a new one.
import type { Me } from '../api.ts';
import { InvitationCard, useInvitation } from '../components/InvitationForm.tsx';
import { navigate } from '../router.tsx';
import { ErrorLine } from '../talks/ui.tsx';

export function JoinExercise({ me, onJoined }: { me: Me | null; onJoined: () => void }) {
  const { preview, error, busy, join } = useInvitation<
    { title: string; team: string; actor: string },
    { id: string }
  >({
    page: 'exercise',
    title: 'Exercise invitation · Brink',
    previewUrl: '/api/exercises/invitation',
    joinUrl: '/api/exercises/join',
    joined: (r) => {
      onJoined();
      navigate(`/exercises/${r.id}`);
    },
  });
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
      join={join}
    />
  );
}
