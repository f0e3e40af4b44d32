/** The ids an orchestrator routes events by. */
export interface RoutingKeys {
  threadId?: string;
  turnId?: string;
  itemId?: string;
}

/** Routing keys as events carry them: always present, null when the message names none (as the original cas sends them). */
export interface EventRoutingKeys {
  threadId: string | null;
  turnId: string | null;
  itemId: string | null;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function idOf(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? str((value as { id?: unknown }).id) : undefined;
}

/** Keys found in a params or result object: `threadId` or `thread.id`, and so on (`expectedTurnId` for a steer). */
function keysIn(value: unknown): RoutingKeys {
  if (typeof value !== 'object' || value === null) return {};
  const record = value as Record<string, unknown>;
  const keys: RoutingKeys = {};
  const threadId = str(record.threadId) ?? idOf(record.thread);
  const turnId = str(record.turnId) ?? idOf(record.turn) ?? str(record.expectedTurnId);
  const itemId = str(record.itemId) ?? idOf(record.item);
  if (threadId !== undefined) keys.threadId = threadId;
  if (turnId !== undefined) keys.turnId = turnId;
  if (itemId !== undefined) keys.itemId = itemId;
  return keys;
}

/**
 * The routing keys of a message: from its params or result, and for a reply also from the
 * request it answers (a `turn/interrupt` reply names no thread, its request did).
 */
export function routingKeys(message: unknown, request?: RoutingKeys): RoutingKeys {
  if (typeof message !== 'object' || message === null) return { ...request };
  const record = message as { params?: unknown; result?: unknown };
  return { ...request, ...keysIn(record.params), ...keysIn(record.result) };
}

/** The keys with every absent one as null. */
export function eventKeys(keys: RoutingKeys): EventRoutingKeys {
  return { threadId: keys.threadId ?? null, turnId: keys.turnId ?? null, itemId: keys.itemId ?? null };
}
