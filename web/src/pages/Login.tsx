import { useState } from 'react';
import { z } from 'zod';
import { Email, SetupBody } from '../../../src/server/schemas.ts';
import { type Me, post } from '../api.ts';
import { type FieldErrors, FormError, TextField, useFieldErrors } from '../components/forms.tsx';

const LoginBody = z.object({ email: Email, password: z.string().min(1).max(200) });

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
    <main className="auth-page">
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
    </main>
  );
}

function Field(props: {
  form: FieldErrors;
  label: string;
  name: string;
  type?: string;
  value: string;
  onChange: (v: string) => void;
  autoComplete?: string;
  hint?: string;
}) {
  return (
    <TextField
      form={props.form}
      name={props.name}
      label={props.label}
      type={props.type ?? 'text'}
      value={props.value}
      onChange={props.onChange}
      required
      {...(props.autoComplete ? { autoComplete: props.autoComplete } : {})}
      {...(props.hint ? { hint: props.hint } : {})}
    />
  );
}

export function Login({ onDone }: { onDone: (me: Me) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const form = useFieldErrors(LoginBody, { email: 'Email', password: 'Password' });
  const [busy, setBusy] = useState(false);
  return (
    <Frame
      title="Sign in"
      intro="Use your account. New here? Open the invitation link an owner of a workspace gave you."
    >
      <form
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          if (!form.check({ email, password })) return;
          setBusy(true);
          try {
            onDone(await post<Me>('/api/auth/login', { email, password }));
          } catch (err) {
            form.fromServer(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field
          form={form}
          label="Email"
          name="email"
          type="email"
          value={email}
          onChange={setEmail}
          autoComplete="username"
        />
        <Field
          form={form}
          label="Password"
          name="password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
        />
        <FormError form={form} />
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
  const form = useFieldErrors(SetupBody, {
    name: 'Your name',
    email: 'Email',
    password: 'Password',
    token: 'Setup token',
  });
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
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          const body = { email, name, password, ...(tokenRequired ? { token } : {}) };
          if (!form.check(body)) return;
          setBusy(true);
          try {
            onDone(await post<Me>('/api/setup', body));
          } catch (err) {
            form.fromServer(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field
          form={form}
          label="Your name"
          name="name"
          value={name}
          onChange={setName}
          autoComplete="name"
        />
        <Field
          form={form}
          label="Email"
          name="email"
          type="email"
          value={email}
          onChange={setEmail}
          autoComplete="username"
        />
        <Field
          form={form}
          label="Password"
          name="password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="new-password"
          hint="At least 10 characters."
        />
        {tokenRequired ? (
          <Field
            form={form}
            label="Setup token (printed by the server)"
            name="token"
            value={token}
            onChange={setToken}
          />
        ) : null}
        <FormError form={form} />
        <button type="submit" className="primary wide" disabled={busy}>
          {busy ? 'Creating…' : 'Create account and open the workbench'}
        </button>
      </form>
    </Frame>
  );
}
