// Workspace membership by invitation: an owner invites (a single-use link, addressed to an email or to
// whoever holds it) and sees the invitations; the invitee accepts or declines the invitations addressed
// to them, or opens the link (/invite#TOKEN), which can also create their account.
import { useEffect, useState } from 'react';
import { errText, get, type Me, post, type Role, type WorkspaceRef } from '../api.ts';
import { DataTable } from '../components/DataTable.tsx';
import { DeleteButton } from '../components/forms.tsx';
import { InvitationAccountForm, invitationLink, useInvitation } from '../components/InvitationForm.tsx';
import { navigate } from '../router.tsx';
import { CopyField, ErrorLine } from '../talks/ui.tsx';

interface Invitation {
  id: string;
  role: Role;
  email: string | null;
  status: 'pending' | 'used' | 'revoked' | 'expired';
  createdAt: string;
  expiresAt: string;
  usedBy: string | null;
}

const day = (iso: string) => new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });

/** The owner's form and list: invite with a role, copy the link, revoke what is pending. */
export function InviteMembers({ ws, onChange }: { ws: WorkspaceRef; onChange: () => void }) {
  const [list, setList] = useState<Invitation[]>([]);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('analyst');
  const [link, setLink] = useState<{ label: string; url: string } | null>(null);
  const [error, setError] = useState('');
  const reload = () => void get<Invitation[]>(`/api/workspaces/${ws.id}/invitations`).then(setList);
  useEffect(reload, [ws.id]);
  return (
    <>
      <form
        className="row wrap add-member"
        aria-label="Invite a member"
        onSubmit={async (e) => {
          e.preventDefault();
          setError('');
          try {
            const url = await invitationLink(
              `/api/workspaces/${ws.id}/invitations`,
              { role, ...(email ? { email } : {}) },
              '/invite',
            );
            setLink({ label: `Invitation link for ${email || 'whoever holds it'} (${role})`, url });
            setEmail('');
            reload();
            onChange();
          } catch (err) {
            setError(errText(err));
          }
        }}
      >
        <label className="field">
          <span>Email (optional: only that account may accept)</span>
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label className="field">
          <span>Role</span>
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            <option value="viewer">viewer (reads)</option>
            <option value="analyst">analyst (edits, runs)</option>
            <option value="owner">owner (manages members)</option>
          </select>
        </label>
        <button type="submit" className="secondary">
          Create invitation link
        </button>
      </form>
      <ErrorLine error={error} />
      {link ? (
        <div role="status">
          <CopyField label={link.label} value={link.url} />
          <p className="muted small">
            The link works once, for seven days. Hand it over by a channel you trust; the invitee becomes a
            member only when they accept it.
          </p>
        </div>
      ) : null}
      {list.some((i) => i.status === 'pending') ? (
        <DataTable
          className="grid"
          label="Pending invitations"
          head={['invited', 'role', 'expires', '']}
          rows={list.filter((i) => i.status === 'pending')}
          rowKey={(i) => i.id}
          cells={(i) => [
            i.email ?? 'whoever holds the link',
            i.role,
            day(i.expiresAt),
            <DeleteButton key="r" url={`/api/workspaces/${ws.id}/invitations/${i.id}`} then={reload}>
              Revoke
            </DeleteButton>,
          ]}
        />
      ) : null}
    </>
  );
}

interface Pending {
  id: string;
  workspace: string;
  role: Role;
  expiresAt: string;
}

/** Invitations addressed to the signed-in account: accept or decline. */
export function MyInvitations({ onAccepted }: { onAccepted: (ws: WorkspaceRef) => void }) {
  const [list, setList] = useState<Pending[]>([]);
  const [error, setError] = useState('');
  const reload = () => void get<Pending[]>('/api/invitations').then(setList, () => setList([]));
  useEffect(reload, []);
  if (!list.length) return null;
  return (
    <section className="members" aria-labelledby="my-inv-h">
      <h2 id="my-inv-h">Invitations for you</h2>
      <ul className="plain">
        {list.map((i) => (
          <li key={i.id} className="row wrap">
            <span>
              <strong>{i.workspace}</strong> as {i.role}{' '}
              <span className="muted">(until {day(i.expiresAt)})</span>
            </span>
            <button
              type="button"
              className="secondary small"
              onClick={async () => {
                try {
                  onAccepted(await post<WorkspaceRef>(`/api/invitations/${i.id}/accept`));
                } catch (err) {
                  setError(errText(err));
                }
                reload();
              }}
            >
              Accept
            </button>
            <button
              type="button"
              className="ghost small"
              onClick={async () => {
                await post(`/api/invitations/${i.id}/decline`);
                reload();
              }}
            >
              Decline
            </button>
          </li>
        ))}
      </ul>
      <ErrorLine error={error} />
    </section>
  );
}

/** /invite#TOKEN: what the link is for, then join signed in, with an existing account, or a new one. */
export function InvitePage({ me, onJoined }: { me: Me | null; onJoined: (ws: string) => void }) {
  const { preview, error, busy, join } = useInvitation<
    { workspace: string; role: Role; addressed: boolean },
    { workspace: WorkspaceRef }
  >({
    page: 'workspace',
    title: 'Invitation · Brink',
    previewUrl: '/api/invitations/preview',
    joinUrl: '/api/invitations/join',
    joined: (r) => {
      onJoined(r.workspace.id);
      navigate(`/w/${r.workspace.id}`);
    },
  });

  return (
    <div className="auth-page">
      <div className="auth-card">
        <p className="eyebrow">Invitation</p>
        {preview ? (
          <>
            <h1>{preview.workspace}</h1>
            <p className="muted intro">
              You are invited to join this workspace as <strong>{preview.role}</strong>
              {preview.addressed ? ', with the account of the email it was sent to' : ''}. The link works
              once.
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
            label="Accept the invitation"
            submit={`Join ${preview.workspace}`}
            busy={busy}
            join={join}
          />
        ) : null}
      </div>
    </div>
  );
}
