// Domain errors: what a use case says went wrong, in the domain's words, for whichever edge called it
// to present. A use case throws one of these, never an HTTP error: the server maps each kind to a
// status in one place (src/server/http.ts `httpErrorOf`), a CLI or a test reads `kind`, `code` and
// `path`. The message is written for the person who made the request: it says what is valid.

/** What kind of refusal: each edge presents a kind its own way (the server: one HTTP status each). */
export type ErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unprocessable'
  | 'unavailable';

export interface ErrorOptions {
  /** A stable code more specific than the kind (e.g. `already_member`); the kind's own code otherwise. */
  code?: string;
  /** For `invalid`: the path of the field at fault in the request (e.g. `scenarios.a.yaml.responses`). */
  path?: string;
}

const DEFAULT_CODE: Record<ErrorKind, string> = {
  invalid: 'invalid_request',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  not_found: 'not_found',
  conflict: 'conflict',
  unprocessable: 'unprocessable',
  unavailable: 'unavailable',
};

/** A refusal a use case explains to its caller (as opposed to a bug, which is any other error). */
export class DomainError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly path: string | undefined;
  constructor(kind: ErrorKind, message: string, opts: ErrorOptions = {}) {
    super(message);
    this.name = 'DomainError';
    this.kind = kind;
    this.code = opts.code ?? DEFAULT_CODE[kind];
    this.path = opts.path;
  }
}

/** The request is malformed or names something that is not allowed here. */
export const invalid = (message: string, opts?: ErrorOptions) => new DomainError('invalid', message, opts);
/** The caller must sign in (again). */
export const unauthenticated = (message: string, opts?: ErrorOptions) =>
  new DomainError('unauthenticated', message, opts);
/** The caller is known but may not do this. */
export const forbidden = (message: string, opts?: ErrorOptions) =>
  new DomainError('forbidden', message, opts);
/** No such thing (or none the caller may know of). */
export const notFound = (message: string, opts?: ErrorOptions) => new DomainError('not_found', message, opts);
/** The thing changed meanwhile, or is not in a state that allows this. */
export const conflict = (message: string, opts?: ErrorOptions) => new DomainError('conflict', message, opts);
/** The request is well formed but its content cannot be used (e.g. a scenario that does not compile). */
export const unprocessable = (message: string, opts?: ErrorOptions) =>
  new DomainError('unprocessable', message, opts);
/** A capability this installation does not have right now (not enabled, no key). */
export const unavailable = (message: string, opts?: ErrorOptions) =>
  new DomainError('unavailable', message, opts);
