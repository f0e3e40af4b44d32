import { AppServerError } from '../client/app-server-error.js';
import { RpcErrorCode } from '../protocol/error-codes.js';

/** The -32600 messages of a steer whose precondition failed (codex 0.169.0). */
const PRECONDITION = /no active turn to steer|expected active turn id/i;

/**
 * True when the server refused a `turn/steer` because its precondition failed (no active turn,
 * or `expectedTurnId` is not the active turn): the method was reached and answered.
 */
export function isSteerPreconditionRejection(error: unknown): error is AppServerError {
  return error instanceof AppServerError && error.kind === 'rpc' && error.code === RpcErrorCode.invalidRequest && PRECONDITION.test(error.message);
}
