import { LocalErrorCode } from '../protocol/error-codes.js';
import { ErrorNotificationParamsSchema, modelUnreachable } from '../protocol/turn-errors.js';
import { TurnCompletedIdsSchema, TurnCompletedParamsSchema, type TurnCompletedParams } from '../protocol/turns.js';
import { AppServerError } from './app-server-error.js';
import type { AppServerConnection } from './connection.js';
import { describeIssue } from './parse-result.js';

/** Waits for the `turn/completed` of turns on one thread. */
export interface TurnWaiter {
  /** Resolves with the completion of `turnId` (also if it arrived before this call). */
  completion(turnId: string, timeoutMs: number): Promise<TurnCompletedParams>;
  /** Stops listening. */
  dispose(): void;
}

/** Says a turn cannot reach the model: with the hint to give the user. */
function unreachableError(turnId: string, detail: string): AppServerError {
  return new AppServerError(
    `turn ${turnId}: the model cannot be reached (${detail}); the server keeps retrying. Offline, run turns against the loopback model (--mock-model); else point the home's config.toml at a provider this machine can reach`,
    { kind: 'rpc', code: LocalErrorCode.modelUnreachable },
  );
}

/** The turn ended, but its `turn/completed` lacks what the protocol promises (its items, ...). */
function malformedCompletion(turnId: string, issue: string, params: unknown): AppServerError {
  return new AppServerError(`turn ${turnId} completed, but turn/completed has unexpected params: ${issue}`, {
    kind: 'protocol',
    code: LocalErrorCode.unexpectedReply,
    data: params,
  });
}

/**
 * Starts listening for `turn/completed` on `threadId` before the turn is started, so a turn
 * that ends before its `turn/start` reply is read is not missed. A turn whose server says it
 * cannot reach the model fails at once rather than at its timeout, and one whose completion is
 * malformed fails at once too.
 */
export function waitForTurns(connection: AppServerConnection, threadId: string): TurnWaiter {
  const done = new Map<string, TurnCompletedParams>();
  const unreachable = new Map<string, string>();
  const malformed = new Map<string, AppServerError>();
  const waiting = new Map<string, { resolve(params: TurnCompletedParams): void; reject(error: AppServerError): void }>();
  const onNotification = (notification: { method: string; params?: unknown }) => {
    if (notification.method === 'error') {
      const parsed = ErrorNotificationParamsSchema.safeParse(notification.params);
      const detail = parsed.success && parsed.data.threadId === threadId ? modelUnreachable(parsed.data) : undefined;
      if (detail === undefined) return;
      const turnId = parsed.data!.turnId;
      const waiter = waiting.get(turnId);
      if (waiter === undefined) unreachable.set(turnId, detail);
      else waiter.reject(unreachableError(turnId, detail));
      return;
    }
    if (notification.method !== 'turn/completed') return;
    // Which turn ended is read apart, so a completion we cannot type still ends the wait.
    const ids = TurnCompletedIdsSchema.safeParse(notification.params);
    if (!ids.success || ids.data.threadId !== threadId) return;
    const turnId = ids.data.turn.id;
    const waiter = waiting.get(turnId);
    const parsed = TurnCompletedParamsSchema.safeParse(notification.params);
    if (!parsed.success) {
      const error = malformedCompletion(turnId, describeIssue('params', parsed.error), notification.params);
      if (waiter === undefined) malformed.set(turnId, error);
      else waiter.reject(error);
      return;
    }
    if (waiter === undefined) done.set(turnId, parsed.data);
    else waiter.resolve(parsed.data);
  };
  connection.on('notification', onNotification);
  return {
    completion(turnId, timeoutMs) {
      const already = done.get(turnId);
      if (already !== undefined) return Promise.resolve(already);
      const cannot = unreachable.get(turnId);
      if (cannot !== undefined) return Promise.reject(unreachableError(turnId, cannot));
      const broken = malformed.get(turnId);
      if (broken !== undefined) return Promise.reject(broken);
      if (!connection.isOpen) {
        return Promise.reject(new AppServerError(`the app-server is gone; turn ${turnId} cannot complete`, { kind: 'exited', code: LocalErrorCode.exited }));
      }
      return new Promise<TurnCompletedParams>((resolve, reject) => {
        const finish = () => {
          waiting.delete(turnId);
          clearTimeout(timer);
          connection.off('exit', onExit);
        };
        const onExit = () => {
          finish();
          reject(new AppServerError(`the app-server exited before turn ${turnId} completed`, { kind: 'exited', code: LocalErrorCode.exited }));
        };
        const timer = setTimeout(() => {
          finish();
          reject(new AppServerError(`turn ${turnId} did not complete within ${timeoutMs} ms`, { kind: 'timeout', code: LocalErrorCode.timeout }));
        }, timeoutMs);
        waiting.set(turnId, {
          resolve(params) {
            finish();
            resolve(params);
          },
          reject(error) {
            finish();
            reject(error);
          },
        });
        connection.once('exit', onExit);
      });
    },
    dispose() {
      connection.off('notification', onNotification);
    },
  };
}
