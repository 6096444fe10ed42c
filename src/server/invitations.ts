// Workspace invitations: an owner invites (with a role, to an email or to whoever holds the link); the
// invitee accepts. Like the talks room's invitations: a random 256-bit token shown once and kept only as
// a hash, single use, seven days, revocable. Creating one never looks the email up, so the answer (and
// its timing) is the same whether or not an account exists.
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Role, Store, User, WorkspaceInvitation } from '../store/index.ts';
import { HttpError } from './http.ts';
import { Role as RoleSchema } from './schemas.ts';

export const WORKSPACE_INVITATION_DAYS = 7;

/** An invitation token as stored: its SHA-256 (the token itself is shown once and never kept). */
export const hashToken = (t: string) => createHash('sha256').update(t).digest('hex');

/** A fresh invitation token: 256 random bits, URL-safe. */
export const newToken = () => randomBytes(32).toString('base64url');

export const InvitationView = z.object({
  id: z.string(),
  role: RoleSchema,
  email: z.string().nullable(),
  status: z.enum(['pending', 'used', 'revoked', 'expired']),
  createdAt: z.string(),
  expiresAt: z.string(),
  usedBy: z.string().nullable(),
});

export function invitationStatus(i: WorkspaceInvitation, at = new Date().toISOString()) {
  if (i.usedAt) return 'used' as const;
  if (i.revokedAt) return 'revoked' as const;
  if (i.expiresAt <= at) return 'expired' as const;
  return 'pending' as const;
}

/** An invitation as its workspace's owners see it (who used it, by name when still a member). */
export function invitationView(i: WorkspaceInvitation, members: readonly (User & { role: Role })[]) {
  const by = i.usedBy ? (members.find((m) => m.id === i.usedBy)?.name ?? 'former member') : null;
  return {
    id: i.id,
    role: i.role,
    email: i.email,
    status: invitationStatus(i),
    createdAt: i.createdAt,
    expiresAt: i.expiresAt,
    usedBy: by,
  };
}

export async function inviteToWorkspace(
  store: Store,
  i: { workspaceId: string; role: Role; email: string | null; by: string },
): Promise<{ invitation: WorkspaceInvitation; token: string }> {
  const token = newToken();
  const invitation = await store.security.createWorkspaceInvitation({
    workspaceId: i.workspaceId,
    role: i.role,
    email: i.email,
    tokenHash: hashToken(token),
    createdBy: i.by,
    expiresAt: new Date(Date.now() + WORKSPACE_INVITATION_DAYS * 86_400_000).toISOString(),
  });
  return { invitation, token };
}

const invalid = () =>
  new HttpError(
    404,
    'invalid_invitation',
    'this invitation is not valid: it was used, revoked, or has expired',
  );

/** A pending invitation by its token, or 404. */
export async function pendingByToken(store: Store, token: string): Promise<WorkspaceInvitation> {
  const inv = await store.security.workspaceInvitationByHash(hashToken(token));
  if (!inv || invitationStatus(inv) !== 'pending') throw invalid();
  return inv;
}

/** What an invitation is for, shown before accepting: the workspace's name and the role. */
export async function previewInvitation(store: Store, inv: WorkspaceInvitation) {
  const ws = (await store.listWorkspaces()).find((w) => w.id === inv.workspaceId);
  if (!ws) throw invalid();
  return { workspace: ws.name, role: inv.role, addressed: inv.email !== null };
}

/** Accepts an invitation for a user: 404 when no longer valid, 403 for another account, 409 if already in. */
export async function acceptInvitation(store: Store, inv: WorkspaceInvitation, user: User) {
  const r = await store.security.acceptWorkspaceInvitation(inv.id, user, new Date().toISOString());
  if (!r.ok) {
    if (r.reason === 'already_member')
      throw new HttpError(409, 'already_member', 'you are already a member of this workspace');
    if (r.reason === 'wrong_account')
      throw new HttpError(
        403,
        'wrong_account',
        'this invitation is addressed to another email: sign in with the account it names',
      );
    throw invalid();
  }
  const ws = (await store.workspacesOf(user.id)).find((w) => w.id === r.workspaceId)!;
  return { id: ws.id, name: ws.name, role: ws.role };
}
