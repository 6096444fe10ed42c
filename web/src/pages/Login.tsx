import { useState } from 'react';
import { errText, type Me, post } from '../api.ts';

function Frame({
  title,
  intro,
  children,
}: {
  title: string;
  intro: React.ReactNode;
  children: React.ReactNode;
}) {
  return (
    <div className="auth-page">
      <div className="auth-card">
        <div className="auth-brand">
          <svg viewBox="0 0 32 32" width="40" height="40" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="#1d3557" />
            <path
              d="M6 24 L13 15 L18 19 L26 8"
              stroke="#f1a208"
              strokeWidth="3.5"
              fill="none"
              strokeLinecap="round"
              strokeLinejoin="round"
            />
          </svg>
          <div>
            <div className="auth-name">Brink</div>
            <div className="muted">Crisis-escalation analysis workbench</div>
          </div>
        </div>
        <h1>{title}</h1>
        <div className="muted intro">{intro}</div>
        {children}
      </div>
    </div>
  );
}

function Field(props: {
  label: string;
  name: string;
  type?: string;
  value: string;
  onChange: (v: string) => void;
  autoComplete?: string;
  hint?: string;
}) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        required
        autoComplete={props.autoComplete}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.hint ? <small className="muted">{props.hint}</small> : null}
    </label>
  );
}

export function Login({ onDone }: { onDone: (me: Me) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <Frame
      title="Sign in"
      intro="Use your account. New here? Open the invitation link an owner of a workspace gave you."
    >
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError('');
          try {
            onDone(await post<Me>('/api/auth/login', { email, password }));
          } catch (err) {
            setError(errText(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field
          label="Email"
          name="email"
          type="email"
          value={email}
          onChange={setEmail}
          autoComplete="username"
        />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
        />
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary wide" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </Frame>
  );
}

export function Setup({ tokenRequired, onDone }: { tokenRequired: boolean; onDone: (me: Me) => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState(new URLSearchParams(location.search).get('token') ?? '');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <Frame
      title="Welcome: create the first account"
      intro={
        <>
          This account becomes the <strong>owner</strong> of the workspace “Default”, which holds the three
          Korea example scenarios. You can add colleagues as analysts or viewers afterwards.
        </>
      }
    >
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError('');
          try {
            onDone(
              await post<Me>('/api/setup', { email, name, password, ...(tokenRequired ? { token } : {}) }),
            );
          } catch (err) {
            setError(errText(err));
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field label="Your name" name="name" value={name} onChange={setName} autoComplete="name" />
        <Field
          label="Email"
          name="email"
          type="email"
          value={email}
          onChange={setEmail}
          autoComplete="username"
        />
        <Field
          label="Password"
          name="password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          hint="At least 10 characters."
        />
        {tokenRequired ? (
          <Field label="Setup token (printed by the server)" name="token" value={token} onChange={setToken} />
        ) : null}
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary wide" disabled={busy}>
          {busy ? 'Creating…' : 'Create account and open the workbench'}
        </button>
      </form>
    </Frame>
  );
}
