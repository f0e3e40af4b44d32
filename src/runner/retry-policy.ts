import { AppServerError } from '../client/app-server-error.js';
import { LocalErrorCode, RpcErrorCode } from '../protocol/error-codes.js';
import { isReadOnlyMethod } from '../protocol/read-methods.js';
import type { BackoffOptions } from './backoff.js';

/** When and how a failed attempt is sent again. */
export interface RetryPolicy {
  /** Retries after the first attempt, at most. */
  retries: number;
  /** Delay bounds between attempts. */
  backoff: BackoffOptions;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 6, backoff: { baseMs: 50, maxMs: 2000 } };

/** What a failed attempt was. */
export type FailureKind = 'overloaded' | 'timedOut' | 'exited' | 'final';

/** Sorts a failed attempt: a -32001, a missing reply, an app-server that died under it, or anything else. */
export function classifyFailure(error: unknown): FailureKind {
  if (!(error instanceof AppServerError)) return 'final';
  if (error.code === RpcErrorCode.overloaded) return 'overloaded';
  if (error.code === LocalErrorCode.timeout) return 'timedOut';
  if (error.code === LocalErrorCode.exited) return 'exited';
  return 'final';
}

/**
 * -32001 is always safe to retry (the server refused the request unprocessed); a timeout, or an
 * app-server that died with the request pending, only for methods that merely read, because the
 * request may have run. Everything else is final.
 */
export function isRetryable(kind: FailureKind, method: string): boolean {
  if (kind === 'overloaded') return true;
  if (kind === 'timedOut' || kind === 'exited') return isReadOnlyMethod(method);
  return false;
}
