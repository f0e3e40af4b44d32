/**
 * Checks of the replies a mine reads in bulk, without copies: a zod parse copies every object
 * of a page, and a mine reads pages of thousands of threads and items. The zod schemas beside
 * them (list-params.ts, thread-reader.ts) say the same and are checked against the server's.
 */

/** A listed or read thread: an object with a string id; every other field passes through. */
export type ThreadShape = Record<string, unknown> & { id: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isThread(value: unknown): value is ThreadShape {
  return isRecord(value) && typeof value.id === 'string';
}

/** A `thread/items/list` entry: the item and the turn it belongs to. */
export function isItemEntry(value: unknown): value is { turnId: string; item: Record<string, unknown> } {
  return isRecord(value) && typeof value.turnId === 'string' && isRecord(value.item);
}

/** A page (`{data, nextCursor}`) whose entries all pass `entry`, or undefined. */
export function pageOf<T>(value: unknown, entry: (item: unknown) => item is T): { data: T[]; nextCursor: string | null } | undefined {
  if (!isRecord(value) || !Array.isArray(value.data)) return undefined;
  const { data, nextCursor } = value;
  if (nextCursor !== undefined && nextCursor !== null && typeof nextCursor !== 'string') return undefined;
  for (const item of data) if (!entry(item)) return undefined;
  return { data: data as T[], nextCursor: nextCursor ?? null };
}

/** The thread of a `thread/read` reply, or undefined. */
export function threadOf(value: unknown): ThreadShape | undefined {
  return isRecord(value) && isThread(value.thread) ? value.thread : undefined;
}
