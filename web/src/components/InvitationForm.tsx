// What an invitation link's page shares, in the talks room (web/src/talks/JoinPage.tsx), the exercises
// (web/src/exercises/JoinExercise.tsx) and workspaces (web/src/members/Invitations.tsx): the token read
// from after `#` and taken out of the address bar at once (a fragment never reaches a server log or a
// Referer), the preview and join requests, and the form that accepts it with a new account or an
// existing one.
import { useEffect, useState } from 'react';
import { errText, post } from '../api.ts';
import { LabeledInput } from './forms.tsx';

const remembered: Record<string, string> = {};

/** The invitation token of this page (kept across re-renders once it left the address bar). */
export function useInvitationToken(page: string): [string, () => void] {
  const [token] = useState(() => {
    const t = location.hash.slice(1) || remembered[page] || '';
    remembered[page] = t;
    if (location.hash) history.replaceState(null, '', location.pathname);
    return t;
  });
  return [token, () => delete remembered[page]];
}

/** Creates an invitation by posting `body` to `api`; its single-use link to `page` (the token after `#`). */
export async function invitationLink(api: string, body: object, page: string): Promise<string> {
  const r = await post<{ token: string }>(api, body);
  return `${location.origin}${page}#${r.token}`;
}

/**
 * An invitation page's state: the token (`page` as in useInvitationToken), the preview `previewUrl`
 * answers for it, and `join`, which posts the token with the account's credentials (or none when
 * signed in) to `joinUrl` and hands the answer to `joined`. `title` is the page's title meanwhile.
 */
export function useInvitation<P, R>(opts: {
  page: string;
  title: string;
  previewUrl: string;
  joinUrl: string;
  joined: (r: R) => void;
}): { preview: P | null; error: string; busy: boolean; join: (body: Record<string, unknown>) => void } {
  const [token, forget] = useInvitationToken(opts.page);
  const [preview, setPreview] = useState<P | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const { title, previewUrl } = opts;

  useEffect(() => {
    document.title = title;
    if (!token) {
      setError('This page needs the invitation link you were given (it ends with # and a code).');
      return;
    }
    void post<P>(previewUrl, { token }).then(setPreview, (e: Error) => setError(e.message));
  }, [token, title, previewUrl]);

  const join = async (body: Record<string, unknown>) => {
    setBusy(true);
    setError('');
    try {
      const r = await post<R>(opts.joinUrl, { token, ...body });
      forget();
      opts.joined(r);
    } catch (e) {
      setError(errText(e));
    } finally {
      setBusy(false);
    }
  };
  return { preview, error, busy, join: (body) => void join(body) };
}

/** Joining with a new account or with the one the user has. */
const ACCOUNT_TABS = [
  ['create', 'Create an account'],
  ['signin', 'I have an account'],
] as const;

/** Creates an account or signs in with one, then calls `join` with the credentials. */
export function InvitationAccountForm(props: {
  label: string;
  submit: string;
  busy: boolean;
  join: (body: Record<string, unknown>) => void;
}) {
  const [mode, setMode] = useState<'create' | 'signin'>('create');
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  return (
    <form
      aria-label={props.label}
      onSubmit={(e) => {
        e.preventDefault();
        props.join(mode === 'create' ? { name, email, password, create: true } : { email, password });
      }}
    >
      <div className="tabs" role="tablist">
        {ACCOUNT_TABS.map(([id, label]) => (
          <button
            key={id}
            type="button"
            role="tab"
            aria-selected={mode === id}
            className={mode === id ? 'tab on' : 'tab'}
            onClick={() => setMode(id)}
          >
            {label}
          </button>
        ))}
      </div>
      {mode === 'create' ? (
        <LabeledInput label="Your name" value={name} onValue={setName} required autoComplete="name" />
      ) : null}
      <LabeledInput
        label="Email"
        type="email"
        value={email}
        onValue={setEmail}
        required
        autoComplete="username"
      />
      <LabeledInput
        label="Password"
        type="password"
        value={password}
        onValue={setPassword}
        required
        minLength={mode === 'create' ? 10 : 1}
        autoComplete={mode === 'create' ? 'new-password' : 'current-password'}
      />
      <button type="submit" className="primary wide" disabled={props.busy}>
        {props.busy ? 'Joining…' : props.submit}
      </button>
    </form>
  );
}

/**
 * The page of an invitation link: what it is for (`title` and `intro` once the preview arrived), then
 * joining as the signed-in user, or with an account made or signed in here.
 */
export function InvitationCard(props: {
  eyebrow: string;
  /** null while the invitation is being checked. */
  title: React.ReactNode | null;
  intro: React.ReactNode;
  error: React.ReactNode;
  me: { user: { name: string } } | null;
  busy: boolean;
  formLabel: string;
  submit: string;
  join: (body: Record<string, unknown>) => void;
}) {
  const ready = props.title !== null;
  return (
    <div className="auth-page">
      <div className="auth-card">
        <p className="eyebrow">{props.eyebrow}</p>
        {ready ? (
          <>
            {props.title}
            <p className="muted intro">{props.intro}</p>
          </>
        ) : (
          <h1>Checking the invitation…</h1>
        )}
        {props.error}
        {ready && props.me ? (
          <button type="button" className="primary wide" disabled={props.busy} onClick={() => props.join({})}>
            Join as {props.me.user.name}
          </button>
        ) : null}
        {ready && !props.me ? (
          <InvitationAccountForm
            label={props.formLabel}
            submit={props.submit}
            busy={props.busy}
            join={props.join}
          />
        ) : null}
      </div>
    </div>
  );
}
