import type { IncomingMessage, Notification, RequestId, RpcErrorObject, ServerRequest } from './messages.js';

/** What `RequestIdSchema` accepts, checked by hand: classifying runs on every message. */
function isRequestId(value: unknown): value is RequestId {
  return typeof value === 'string' || Number.isSafeInteger(value);
}

/** What `RpcErrorObjectSchema` accepts. */
function isRpcErrorObject(value: unknown): value is RpcErrorObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const error = value as Record<string, unknown>;
  return Number.isSafeInteger(error.code) && typeof error.message === 'string';
}

/**
 * Sorts a parsed JSON value into response, server request or notification; anything else is
 * `invalid`. Plain guards rather than the schemas above in messages.ts (which they match, as a test checks):
 * this runs on every message, and a schema's first parse compiles code cas would pay at start-up.
 */
export function classifyMessage(value: unknown): IncomingMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'invalid', value };
  const message = value as Record<string, unknown>;
  if ('method' in message) {
    if (typeof message.method !== 'string') return { kind: 'invalid', value };
    if ('id' in message) return isRequestId(message.id) ? { kind: 'request', message: message as ServerRequest } : { kind: 'invalid', value };
    return { kind: 'notification', message: message as Notification };
  }
  if (!isRequestId(message.id)) return { kind: 'invalid', value };
  if ('error' in message) return isRpcErrorObject(message.error) ? { kind: 'error', id: message.id, error: message.error } : { kind: 'invalid', value };
  if (!('result' in message)) return { kind: 'invalid', value };
  return { kind: 'result', id: message.id, result: message.result };
}
