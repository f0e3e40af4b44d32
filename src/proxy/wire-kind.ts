import type { RequestId } from '../protocol/messages.js';

/** What a JSON-RPC message is, as the proxy's events say (`kind`, `method`, `id`). */
export interface WireKind {
  kind: 'request' | 'notification' | 'response' | 'unknown';
  method: string | null;
  id: RequestId | null;
}

/** Sorts a message by shape: a reply is a `response` whether it carries a result or an error. */
export function wireKind(message: unknown): WireKind {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return { kind: 'unknown', method: null, id: null };
  const record = message as { method?: unknown; id?: unknown };
  const method = typeof record.method === 'string' ? record.method : null;
  const id = typeof record.id === 'string' || typeof record.id === 'number' ? record.id : null;
  if (method !== null) return { kind: id === null ? 'notification' : 'request', method, id };
  if (id !== null && ('result' in record || 'error' in record)) return { kind: 'response', method: null, id };
  return { kind: 'unknown', method, id };
}
