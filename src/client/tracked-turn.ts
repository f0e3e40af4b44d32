import { TurnStartedParamsSchema, type TurnStartResponse } from '../protocol/turn-requests.js';
import type { Turn, TurnCompletedParams } from '../protocol/turns.js';
import type { AppServerConnection } from './connection.js';
import type { NotificationHub } from './notification-hub.js';
import { waitForTurns } from './turn-waiter.js';

/** A turn that was started, with promises for its `turn/started` and its `turn/completed`. */
export interface TrackedTurn {
  /** The thread it runs on. */
  threadId: string;
  /** The turn as `turn/start` answered it (status `inProgress`). */
  turn: Turn;
  /**
   * Resolves once the server reports `turn/started` (or the turn completed without it). Steer
   * and interrupt only from then: before it the server answers "no active turn".
   */
  started: Promise<void>;
  /** Resolves with the `turn/completed` params, whatever the status; rejects on timeout or exit. */
  completed: Promise<TurnCompletedParams>;
}

/**
 * Sends `turn/start` through `send` with listeners registered before it, so a turn that starts
 * or ends before its reply is read is not missed. The listeners go once the turn completes (or
 * the wait for it fails after `timeoutMs`).
 */
export async function startTrackedTurn(
  connection: AppServerConnection,
  hub: NotificationHub,
  threadId: string,
  timeoutMs: number,
  send: () => Promise<TurnStartResponse>,
): Promise<TrackedTurn> {
  const waiter = waitForTurns(connection, threadId);
  const startedIds = new Set<string>();
  const onStart = new Map<string, () => void>();
  const unsubscribe = hub.subscribe({ method: 'turn/started', threadId }, (notification) => {
    const parsed = TurnStartedParamsSchema.safeParse(notification.params);
    if (!parsed.success) return;
    startedIds.add(parsed.data.turn.id);
    onStart.get(parsed.data.turn.id)?.();
  });
  const dispose = () => {
    waiter.dispose();
    unsubscribe();
  };
  let response: TurnStartResponse;
  try {
    response = await send();
  } catch (error) {
    dispose();
    throw error;
  }
  const turnId = response.turn.id;
  const completed = waiter.completion(turnId, timeoutMs).finally(dispose);
  const started = startedIds.has(turnId)
    ? Promise.resolve()
    : Promise.race([new Promise<void>((resolve) => onStart.set(turnId, resolve)), completed.then(() => undefined)]);
  // Handled here so a caller that awaits only one of them never sees an unhandled rejection.
  completed.catch(() => undefined);
  started.catch(() => undefined);
  return { threadId, turn: response.turn, started, completed };
}
