import { useState } from 'react';
import { z } from 'zod';
import { Email, SetupBody } from '../../../src/server/schemas.ts';
import { type Me, post } from '../api.ts';
import {
  CheckedForm,
  type CheckedFormProps,
  type FieldErrors,
  FormError,
  TextField,
  useFieldErrors,
} from '../components/forms.tsx';
import { Logo } from '../components/Logo.tsx';

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
          <Logo size={40} inverted />
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

type State<T> = [T, (v: T) => void];

/** The email and password fields (`current`: signing in; else a new password). */
function Credentials({
  form,
  email,
  password,
  current,
}: {
  form: FieldErrors;
  email: State<string>;
  password: State<string>;
  current: boolean;
}) {
  const autoComplete = current ? 'current-password' : 'new-password';
  const pw = { name: 'password', label: 'Password', type: 'password', state: password, autoComplete };
  const fields = [
    { name: 'email', label: 'Email', type: 'email', state: email, autoComplete: 'username' },
    current ? pw : { ...pw, hint: 'At least 10 characters.' },
  ];
  return (
    <>
      {fields.map(({ state, ...f }) => (
        <Field key={f.name} form={form} {...f} value={state[0]} onChange={state[1]} />
      ))}
    </>
  );
}

/** A form that checks its body against the schema, sends it, and shows the server's errors by field. */
function AuthForm<B>({
  submit,
  busyLabel,
  children,
  ...checked
}: Omit<CheckedFormProps<B>, 'children'> & { submit: string; busyLabel: string; children: React.ReactNode }) {
  return (
    <CheckedForm {...checked}>
      {(busy) => (
        <>
          {children}
          <FormError form={checked.form} />
          <button type="submit" className="primary wide" disabled={busy}>
            {busy ? busyLabel : submit}
          </button>
        </>
      )}
    </CheckedForm>
  );
}

export function Login({ onDone }: { onDone: (me: Me) => void }) {
  const email = useState('');
  const password = useState('');
  const form = useFieldErrors(LoginBody, { email: 'Email', password: 'Password' });
  return (
    <Frame
      title="Sign in"
      intro="Use your account. New here? Open the invitation link an owner of a workspace gave you."
    >
      <AuthForm
        form={form}
        body={() => ({ email: email[0], password: password[0] })}
        send={async (b) => onDone(await post<Me>('/api/auth/login', b))}
        submit="Sign in"
        busyLabel="Signing in…"
      >
        <Credentials form={form} email={email} password={password} current />
      </AuthForm>
    </Frame>
  );
}

export function Setup({ tokenRequired, onDone }: { tokenRequired: boolean; onDone: (me: Me) => void }) {
  const email = useState('');
  const [name, setName] = useState('');
  const password = useState('');
  const [token, setToken] = useState(new URLSearchParams(location.search).get('token') ?? '');
  const form = useFieldErrors(SetupBody, {
    name: 'Your name',
    email: 'Email',
    password: 'Password',
    token: 'Setup token',
  });
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
      <AuthForm
        form={form}
        body={() => ({ email: email[0], name, password: password[0], ...(tokenRequired ? { token } : {}) })}
        send={async (b) => onDone(await post<Me>('/api/setup', b))}
        submit="Create account and open the workbench"
        busyLabel="Creating…"
      >
        <Field
          form={form}
          label="Your name"
          name="name"
          value={name}
          onChange={setName}
          autoComplete="name"
        />
        <Credentials form={form} email={email} password={password} current={false} />
        {tokenRequired ? (
          <Field
            form={form}
            label="Setup token (printed by the server)"
            name="token"
            value={token}
            onChange={setToken}
          />
        ) : null}
      </AuthForm>
    </Frame>
  );
}
