// Field-level validation with the API's own zod schemas: a form checks its body with the schema the
// route validates it with, and each problem is shown under its field in the user's words (the field's
// label, not the body's key), tied to the input with aria-invalid and aria-describedby. A 400 from the
// server (issues with paths) lands on the same fields.
import { useId, useState } from 'react';
import type { z } from 'zod';
import { ApiError, del, errText } from '../api.ts';

type Issue = z.core.$ZodIssue;

const num = (x: unknown) =>
  typeof x === 'bigint' || typeof x === 'number' ? Number(x).toLocaleString() : String(x);

/** A zod issue as a sentence about the field (without its label). */
export function issueWords(i: Issue): string {
  const raw = i.message;
  // A schema that gave its own message already speaks to people (e.g. "a password needs at least 10 characters").
  if (!/^(Too small|Too big|Invalid|Expected|Required)/i.test(raw)) return raw;
  switch (i.code) {
    case 'too_small': {
      const m = i as Issue & { origin: string; minimum: number | bigint; inclusive?: boolean };
      if (m.origin === 'string')
        return Number(m.minimum) <= 1 ? 'is required' : `needs at least ${num(m.minimum)} characters`;
      if (m.origin === 'array' || m.origin === 'set') return `needs at least ${num(m.minimum)}`;
      return m.inclusive === false
        ? `must be more than ${num(m.minimum)}`
        : `must be at least ${num(m.minimum)}`;
    }
    case 'too_big': {
      const m = i as Issue & { origin: string; maximum: number | bigint; inclusive?: boolean };
      if (m.origin === 'string') return `can have at most ${num(m.maximum)} characters`;
      if (m.origin === 'array' || m.origin === 'set') return `can have at most ${num(m.maximum)}`;
      return m.inclusive === false
        ? `must be less than ${num(m.maximum)}`
        : `must be at most ${num(m.maximum)}`;
    }
    case 'invalid_type': {
      const m = i as Issue & { expected: string };
      if (m.expected === 'int') return 'must be a whole number';
      if (m.expected === 'number') return 'must be a number';
      return 'is required';
    }
    case 'invalid_format':
      return 'is not in the expected form';
    case 'invalid_value':
      return 'is not one of the choices';
    default:
      return raw;
  }
}

/** The same, for a message as the server wrote it ("Too small: expected number to be >=1"). */
export function messageWords(message: string): string {
  let m = /^Too small: expected number to be >=?(-?[\d.e+]+)/.exec(message);
  if (m) return `must be at least ${num(Number(m[1]))}`;
  m = /^Too small: expected number to be >(-?[\d.e+]+)/.exec(message);
  if (m) return `must be more than ${num(Number(m[1]))}`;
  m = /^Too big: expected number to be <=?(-?[\d.e+]+)/.exec(message);
  if (m) return `must be at most ${num(Number(m[1]))}`;
  m = /^Too small: expected string to have >=(\d+) characters/.exec(message);
  if (m) return Number(m[1]) <= 1 ? 'is required' : `needs at least ${m[1]} characters`;
  m = /^Too big: expected string to have <=(\d+) characters/.exec(message);
  if (m) return `can have at most ${m[1]} characters`;
  if (/^Invalid input: expected int/.test(message)) return 'must be a whole number';
  if (/^Invalid input: expected number/.test(message)) return 'must be a number';
  return message;
}

export interface FieldErrors {
  /** Problem per field name (the schema's key). */
  errors: Record<string, string>;
  /** A problem of the form as a whole (the server's, or a rule across fields without a field). */
  formError: string;
  /** Checks a body with the schema; shows each problem under its field; true when valid. */
  check(body: unknown): boolean;
  /** Puts a failed call's message on its fields (400 with issues) or on the form. */
  fromServer(e: unknown): void;
  clear(): void;
  /** The ids that tie an input to its hint and its error. */
  ids(name: string): { input: string; hint: string; error: string };
}

/** Field errors of a form validated with `schema`; `labels` names each field as the form shows it. */
export function useFieldErrors(schema: z.ZodType, labels: Record<string, string>): FieldErrors {
  const base = useId();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState('');
  const place = (list: { path: string; words: string }[]) => {
    const next: Record<string, string> = {};
    const rest: string[] = [];
    for (const x of list) {
      const key = x.path.split('.')[0] ?? '';
      if (key in labels) next[key] ??= `${labels[key]} ${x.words}.`;
      else rest.push(x.words);
    }
    setErrors(next);
    setFormError(rest.join(' '));
    // Focus the first field in error, so that keyboard and screen-reader users land on it.
    const first = Object.keys(labels).find((k) => next[k]);
    if (first) requestAnimationFrame(() => document.getElementById(`${base}-${first}`)?.focus());
  };
  return {
    errors,
    formError,
    check(body) {
      const r = schema.safeParse(body);
      if (r.success) {
        setErrors({});
        setFormError('');
        return true;
      }
      place(r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), words: issueWords(i) })));
      return false;
    },
    fromServer(e) {
      const issues =
        e instanceof ApiError
          ? (e.body?.error as { issues?: { path: string; message: string }[] })?.issues
          : undefined;
      if (issues?.length && issues.some((i) => i.path.split('.')[0]! in labels))
        place(issues.map((i) => ({ path: i.path, words: messageWords(i.message) })));
      else {
        setErrors({});
        setFormError(errText(e));
      }
    },
    clear() {
      setErrors({});
      setFormError('');
    },
    ids: (name) => ({
      input: `${base}-${name}`,
      hint: `${base}-${name}-hint`,
      error: `${base}-${name}-error`,
    }),
  };
}

/** The aria attributes of an input: invalid when its field has an error, described by its hint and error. */
export function fieldAria(form: FieldErrors, name: string, hint?: string) {
  const ids = form.ids(name);
  const describedBy = [hint ? ids.hint : '', form.errors[name] ? ids.error : ''].filter(Boolean).join(' ');
  return {
    id: ids.input,
    'aria-invalid': form.errors[name] ? (true as const) : undefined,
    'aria-describedby': describedBy || undefined,
  };
}

/** A field's visible hint and its error, below the input. */
export function FieldNotes({
  form,
  name,
  hint,
}: {
  form: FieldErrors;
  name: string;
  hint?: string | undefined;
}) {
  const ids = form.ids(name);
  return (
    <>
      {hint ? (
        <small id={ids.hint} className="field-hint muted">
          {hint}
        </small>
      ) : null}
      {form.errors[name] ? (
        <small id={ids.error} className="field-error">
          {form.errors[name]}
        </small>
      ) : null}
    </>
  );
}

/** A field: its label, its input (the child), its hint and its error. */
function FieldShell(props: {
  form: FieldErrors;
  name: string;
  label: string;
  hint?: string | undefined;
  small?: boolean;
  children: React.ReactNode;
}) {
  return (
    <div className={props.small ? 'field small-field' : 'field'}>
      <label htmlFor={props.form.ids(props.name).input}>{props.label}</label>
      {props.children}
      <FieldNotes form={props.form} name={props.name} hint={props.hint} />
    </div>
  );
}

export function TextField(props: {
  form: FieldErrors;
  name: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  type?: string;
  hint?: string;
  autoComplete?: string;
  required?: boolean;
  placeholder?: string;
}) {
  const { form, name } = props;
  return (
    <FieldShell form={form} name={name} label={props.label} hint={props.hint}>
      <input
        {...fieldAria(form, name, props.hint)}
        name={name}
        type={props.type ?? 'text'}
        value={props.value}
        autoComplete={props.autoComplete}
        required={props.required}
        placeholder={props.placeholder}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </FieldShell>
  );
}

export function NumberField(props: {
  form: FieldErrors;
  name: string;
  label: string;
  value: number;
  onChange: (n: number) => void;
  min?: number | undefined;
  max?: number | undefined;
  step?: number;
  hint?: string;
}) {
  const { form, name } = props;
  return (
    <FieldShell form={form} name={name} label={props.label} hint={props.hint} small>
      <input
        {...fieldAria(form, name, props.hint)}
        type="number"
        min={props.min}
        max={props.max}
        step={props.step ?? 1}
        value={Number.isFinite(props.value) ? props.value : ''}
        onChange={(e) => props.onChange(e.target.value === '' ? Number.NaN : Number(e.target.value))}
      />
    </FieldShell>
  );
}

/** A form's numeric options in one state (from the schema's defaults, or `initial`), with its errors. */
export interface Options {
  form: FieldErrors;
  schema: z.ZodObject;
  labels: Record<string, string>;
  values: Record<string, number>;
  set: (name: string, value: number) => void;
}

/** The labels of the options every analysis has (a form names only its own). */
const COMMON_LABELS: Record<string, string> = { seed: 'Seed', epistemic: 'Parameter draws' };

export function useOptions(
  schema: z.ZodObject,
  labels: Record<string, string>,
  initial: Record<string, number> = {},
): Options {
  const common = Object.entries(COMMON_LABELS).filter(([k]) => k in schema.shape);
  const all = { ...labels, ...Object.fromEntries(common.filter(([k]) => !(k in labels))) };
  const form = useFieldErrors(schema, all);
  const [values, setValues] = useState<Record<string, number>>(() => {
    const out: Record<string, number> = {};
    for (const [k, t] of Object.entries(schema.shape)) {
      const d = (t as z.ZodType).safeParse(undefined);
      if (d.success && typeof d.data === 'number') out[k] = d.data;
    }
    return { ...out, ...initial };
  });
  return {
    form,
    schema,
    labels: all,
    values,
    set: (name, v) => setValues((prev) => ({ ...prev, [name]: v })),
  };
}

/** A bound the input can show (zod's whole numbers without one have the safe-integer range). */
const shown = (n: number | null | undefined) =>
  n !== null && n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined;

/** The number field of an option: its label, limits and value from the form's schema and state. */
export function OptionField(props: {
  o: Options;
  name: string;
  label?: string;
  step?: number;
  hint?: string;
}) {
  const { o, name } = props;
  let t = o.schema.shape[name] as z.ZodType;
  while ('unwrap' in t && typeof t.unwrap === 'function') t = t.unwrap() as z.ZodType;
  const n = t as z.ZodNumber;
  return (
    <NumberField
      form={o.form}
      name={name}
      label={props.label ?? o.labels[name] ?? name}
      value={o.values[name] ?? Number.NaN}
      onChange={(v) => o.set(name, v)}
      min={shown(n.minValue)}
      max={shown(n.maxValue)}
      {...(props.step ? { step: props.step } : {})}
      {...(props.hint ? { hint: props.hint } : {})}
    />
  );
}

/** Parameter draws (`epistemic`): 0 for none, else a parameter-uncertainty band beside every interval. */
export function DrawsField({ o }: { o: Options }) {
  return (
    <NumberField
      form={o.form}
      name="epistemic"
      label="Parameter draws"
      value={o.values.epistemic ?? 0}
      onChange={(v) => o.set('epistemic', v)}
      min={0}
      max={5000}
      step={10}
      hint="0: none. Else 2 to 5,000 draws of the uncertain parameters, each with the runs above: a parameter-uncertainty band beside every Monte Carlo interval (costs draws × runs)."
    />
  );
}

export function FormError({ form }: { form: FieldErrors }) {
  return form.formError ? (
    <p className="error" role="alert">
      {form.formError}
    </p>
  ) : null;
}

/** A labelled choice among options, each `[value, label]`. */
export function SelectField<T extends string>({
  label,
  value,
  onChange,
  options,
}: {
  label: string;
  value: T;
  onChange: (v: T) => void;
  options: readonly (readonly [T, string])[];
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value as T)}>
        {options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A small button that deletes (or revokes) what `url` names, then reloads the list it is in. */
export function DeleteButton({
  url,
  then,
  children,
}: {
  url: string;
  then: () => unknown;
  children: React.ReactNode;
}) {
  return (
    <SmallButton
      onClick={async () => {
        await del(url);
        await then();
      }}
    >
      {children}
    </SmallButton>
  );
}

/** A small, quiet button (remove a row, add one, revoke). */
export function SmallButton({ onClick, children }: { onClick: () => unknown; children: React.ReactNode }) {
  return (
    <button type="button" className="ghost small" onClick={() => void onClick()}>
      {children}
    </button>
  );
}

/** A labelled input without schema errors (the value in, each edit out as text). */
export function LabeledInput({
  label,
  onValue,
  ...input
}: { label: string; onValue: (v: string) => void } & React.InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label className="field">
      <span>{label}</span>
      <input {...input} onChange={(e) => onValue(e.target.value)} />
    </label>
  );
}

/** One request at a time from a screen: whether one is under way, its error, and how to start one. */
export function useAction(): [boolean, string, (fn: () => Promise<unknown>) => Promise<void>] {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState('');
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setErr('');
    try {
      await fn();
    } catch (e) {
      setErr(errText(e));
    } finally {
      setBusy(false);
    }
  };
  return [busy, err, run];
}

/**
 * A form that checks its body with the schema of `form` before sending it, and shows the server's
 * errors by field; `children` may take whether it is sending.
 */
export interface CheckedFormProps<B> {
  form: FieldErrors;
  body: () => B;
  send: (body: B) => Promise<unknown>;
  className?: string;
  /** The form's accessible name. */
  label?: string;
  children: React.ReactNode | ((busy: boolean) => React.ReactNode);
}

export function CheckedForm<B>({ form, body, send, className, label, children }: CheckedFormProps<B>) {
  const [busy, setBusy] = useState(false);
  return (
    <form
      className={className}
      aria-label={label}
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        const b = body();
        if (!form.check(b)) return;
        setBusy(true);
        try {
          await send(b);
        } catch (err) {
          form.fromServer(err);
        } finally {
          setBusy(false);
        }
      }}
    >
      {typeof children === 'function' ? children(busy) : children}
    </form>
  );
}
