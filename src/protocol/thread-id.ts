function idOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.threadId === 'string') return record.threadId;
  const thread = record.thread;
  if (typeof thread === 'object' && thread !== null && typeof (thread as Record<string, unknown>).id === 'string') {
    return (thread as Record<string, string>).id;
  }
  return undefined;
}

/**
 * The thread a result or notification params are about: `threadId`, `thread.id`, or for a
 * `thread/list` page the last thread listed. Undefined when there is none.
 */
export function threadIdOf(method: string, value: unknown): string | undefined {
  const direct = idOf(value);
  if (direct !== undefined || method !== 'thread/list') return direct;
  const data = (value as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length === 0) return undefined;
  const last: unknown = data[data.length - 1];
  const id = (last as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : undefined;
}
