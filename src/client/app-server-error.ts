import type { ErrorCode } from '../protocol/error-codes.js';

/** What went wrong, from the caller's point of view. */
export type AppServerErrorKind =
  /** The server answered with a JSON-RPC error. */
  | 'rpc'
  /** No reply within the request timeout. */
  | 'timeout'
  /** The app-server exited, or was closed, with the request pending. */
  | 'exited'
  /** The app-server could not be started or did not complete the handshake. */
  | 'startup'
  /** The server answered, but not in the shape cas depends on. */
  | 'protocol'
  /** cas did not send it: the request itself cannot be read by the server (e.g. nested too deeply). */
  | 'invalid';

/** Fields of an {@link AppServerError}. */
export interface AppServerErrorInit {
  /** Category of the failure. */
  kind: AppServerErrorKind;
  /** The server's JSON-RPC code, or cas's own string code. */
  code: ErrorCode;
  /** The error's `data` member, when the server sent one. */
  data?: unknown;
  /** The underlying error, kept for debugging. */
  cause?: unknown;
}

/** The one error type the client library throws: a JSON-RPC error, a timeout, an exit or a failed start. */
export class AppServerError extends Error {
  readonly kind: AppServerErrorKind;
  readonly code: ErrorCode;
  readonly data: unknown;

  constructor(message: string, init: AppServerErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'AppServerError';
    this.kind = init.kind;
    this.code = init.code;
    this.data = init.data;
  }
}

/** True when `error` is an {@link AppServerError} with the given JSON-RPC or local code. */
export function hasErrorCode(error: unknown, code: ErrorCode): error is AppServerError {
  return error instanceof AppServerError && error.code === code;
}
