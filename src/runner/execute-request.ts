import { AppServerError } from '../client/app-server-error.js';
import type { ErrorCode } from '../protocol/error-codes.js';
import { backoffDelayMs, sleep } from './backoff.js';
import { classifyFailure, isRetryable, type FailureKind, type RetryPolicy } from './retry-policy.js';

/** A final error, as reported. */
export interface OutcomeError {
  code: ErrorCode;
  message: string;
  data?: unknown;
}

/** How one logical request ended, after all its attempts. */
export interface RequestOutcome {
  ok: boolean;
  /** The server's result, when ok. */
  result?: unknown;
  /** The final error, when not ok. */
  error?: OutcomeError;
  /** Attempts sent (1 + retries). */
  attempts: number;
  /** Attempts refused with -32001. */
  overloaded: number;
  /** Attempts that got no reply in time. */
  timedOut: number;
  /** First send to final reply, backoff included, in ms. */
  latencyMs: number;
  /** When the first attempt was sent (performance.now()). */
  startedAt: number;
}

/** Observers of the attempts of one request. */
export interface AttemptHooks {
  /** Before every attempt is sent. */
  onSend?(): void;
  /** After a failed attempt that will be retried. */
  onRetry?(kind: FailureKind): void;
  /** After every attempt: its error, or undefined when it got a result. */
  onAttemptEnd?(error: unknown): void;
}

/** Sends one request. */
export type SendRequest = (method: string, params: unknown) => Promise<unknown>;

function toOutcomeError(error: unknown): OutcomeError {
  if (error instanceof AppServerError) {
    return error.data === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, data: error.data };
  }
  return { code: 'exited', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Runs one request to its final answer: retries -32001 (and timeouts of read-only methods) with
 * full-jitter backoff, up to `policy.retries` times. Latency counts from `startedAt` (default
 * now; under a fixed rate, when the request was due). Never throws.
 */
export async function executeRequest(
  send: SendRequest,
  method: string,
  params: unknown,
  policy: RetryPolicy,
  hooks: AttemptHooks = {},
  signal?: AbortSignal,
  startedAt: number = performance.now(),
): Promise<RequestOutcome> {
  let overloaded = 0;
  let timedOut = 0;
  for (let attempt = 0; ; attempt++) {
    hooks.onSend?.();
    try {
      const result = await send(method, params);
      hooks.onAttemptEnd?.(undefined);
      return { ok: true, result, attempts: attempt + 1, overloaded, timedOut, latencyMs: performance.now() - startedAt, startedAt };
    } catch (error) {
      hooks.onAttemptEnd?.(error);
      const kind = classifyFailure(error);
      if (kind === 'overloaded') overloaded++;
      if (kind === 'timedOut') timedOut++;
      const retry = attempt < policy.retries && isRetryable(kind, method) && !signal?.aborted;
      if (!retry) {
        return { ok: false, error: toOutcomeError(error), attempts: attempt + 1, overloaded, timedOut, latencyMs: performance.now() - startedAt, startedAt };
      }
      hooks.onRetry?.(kind);
      await sleep(backoffDelayMs(attempt, policy.backoff), signal);
    }
  }
}
