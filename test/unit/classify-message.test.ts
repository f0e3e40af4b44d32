import { describe, expect, it } from 'vitest';
import { classifyMessage } from '../../src/protocol/classify-message.js';
import {
  ErrorResponseSchema,
  NotificationSchema,
  ResultResponseSchema,
  ServerRequestSchema,
} from '../../src/protocol/messages.js';

/** The kind the protocol's schemas give a value: what the hand-written guards must agree with. */
function kindBySchemas(value: unknown): string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'invalid';
  if ('method' in value) {
    if ('id' in value) return ServerRequestSchema.safeParse(value).success ? 'request' : 'invalid';
    return NotificationSchema.safeParse(value).success ? 'notification' : 'invalid';
  }
  if ('error' in value) return ErrorResponseSchema.safeParse(value).success ? 'error' : 'invalid';
  if (!('result' in value)) return 'invalid';
  return ResultResponseSchema.safeParse(value).success ? 'result' : 'invalid';
}

describe('classifyMessage', () => {
  it('tells results, errors, server requests and notifications apart', () => {
    expect(classifyMessage({ id: 1, result: { a: 1 } })).toEqual({ kind: 'result', id: 1, result: { a: 1 } });
    expect(classifyMessage({ id: 's', result: null })).toEqual({ kind: 'result', id: 's', result: null });
    expect(classifyMessage({ id: 2, error: { code: -32001, message: 'Server overloaded; retry later.' } })).toMatchObject({
      kind: 'error',
      id: 2,
      error: { code: -32001 },
    });
    expect(classifyMessage({ id: 3, method: 'item/tool/call', params: { x: 1 } })).toMatchObject({ kind: 'request', message: { id: 3, method: 'item/tool/call' } });
    expect(classifyMessage({ method: 'turn/completed', params: {}, emittedAtMs: 5 })).toEqual({
      kind: 'notification',
      message: { method: 'turn/completed', params: {}, emittedAtMs: 5 },
    });
  });

  it('keeps fields it does not know (lossless pass-through)', () => {
    const message = classifyMessage({ id: 1, error: { code: -32600, message: 'bad', data: { why: 1 }, extra: true } });
    expect(message).toEqual({ kind: 'error', id: 1, error: { code: -32600, message: 'bad', data: { why: 1 }, extra: true } });
  });

  it('rejects shapes that are not messages', () => {
    for (const value of [null, 3, 'x', [1], {}, { id: 1 }, { id: null, result: 1 }, { id: 1, error: { code: 'x' } }, { method: 5 }]) {
      expect(classifyMessage(value).kind).toBe('invalid');
    }
  });

  it('agrees with the protocol schemas on every shape, edge cases included', () => {
    const ids = [1, 0, -7, 's', '', 1.5, 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER, null, true, {}, []];
    const values: unknown[] = [null, 3, 'x', [1], {}, { id: 1 }, { method: 5 }, { method: 'm', params: 1 }, { method: 'm', id: 1, params: [] }];
    for (const id of ids) {
      values.push({ id, result: 1 }, { id, result: null }, { id, method: 'x' }, { id, error: { code: -1, message: 'm' } });
      values.push({ id: 1, error: { code: id, message: 'm' } }, { id: 1, error: { code: 1, message: id } }, { id: 1, error: id });
    }
    values.push({ id: 1, error: { code: 1, message: 'm' }, result: 2 }, { id: 1, method: 'x', result: 2 }, { method: 'x', error: 1 });
    for (const value of values) expect([value, classifyMessage(value).kind]).toEqual([value, kindBySchemas(value)]);
  });
});
