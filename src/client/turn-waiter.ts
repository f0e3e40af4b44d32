import { LocalErrorCode } from '../protocol/error-codes.js';
import { TurnCompletedParamsSchema, type TurnCompletedParams } from '../protocol/turns.js';
import { AppServerError } from './app-server-error.js';
import type { AppServerConnection } from './connection.js';

/** Waits for the `turn/completed` of turns on one thread. */
export interface TurnWaiter {
  /** Resolves with the completion of `turnId` (also if it arrived before this call). */
  completion(turnId: string, timeoutMs: number): Promise<TurnCompletedParams>;
  /** Stops listening. */
  dispose(): void;
}

/**
 * Starts listening for `turn/completed` on `threadId` before the turn is started, so a turn
 * that ends before its `turn/start` reply is read is not missed.
 */
export function waitForTurns(connection: AppServerConnection, threadId: string): TurnWaiter {
  const done = new Map<string, TurnCompletedParams>();
  const waiting = new Map<string, (params: TurnCompletedParams) => void>();
  const onNotification = (notification: { method: string; params?: unknown }) => {
    if (notification.method !== 'turn/completed') return;
    const parsed = TurnCompletedParamsSchema.safeParse(notification.params);
    if (!parsed.success || parsed.data.threadId !== threadId) return;
    const resolve = waiting.get(parsed.data.turn.id);
    if (resolve === undefined) done.set(parsed.data.turn.id, parsed.data);
    else resolve(parsed.data);
  };
  connection.on('notification', onNotification);
  return {
    completion(turnId, timeoutMs) {
      const already = done.get(turnId);
      if (already !== undefined) return Promise.resolve(already);
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
        waiting.set(turnId, (params) => {
          finish();
          resolve(params);
        });
        connection.once('exit', onExit);
      });
    },
    dispose() {
      connection.off('notification', onNotification);
    },
  };
}
