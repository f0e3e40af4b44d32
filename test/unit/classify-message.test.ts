import { describe, expect, it } from 'vitest';
import { classifyMessage } from '../../src/protocol/messages.js';

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
});
