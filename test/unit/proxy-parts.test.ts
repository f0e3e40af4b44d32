import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { parseEnvelope } from '../../src/proxy/envelopes.js';
import { EventStream } from '../../src/proxy/event-stream.js';
import { ForwardedRequests } from '../../src/proxy/forwarded-requests.js';
import { eventKeys, routingKeys } from '../../src/proxy/routing-keys.js';
import { wireKind } from '../../src/proxy/wire-kind.js';

describe('parseEnvelope', () => {
  it('reads each envelope type, and names what is wrong with a bad one', () => {
    expect(parseEnvelope('{"type":"cas/request","method":"thread/list","params":{},"clientRequestId":"c"}')).toEqual({
      envelope: { type: 'cas/request', method: 'thread/list', params: {}, clientRequestId: 'c' },
    });
    expect(parseEnvelope('{"type":"cas/respond","id":3,"error":{"code":-1,"message":"no"}}')).toMatchObject({ envelope: { id: 3, error: { code: -1 } } });
    expect(parseEnvelope('{"type":"cas/exit"}')).toEqual({ envelope: { type: 'cas/exit' } });
    expect(parseEnvelope('nope')).toEqual({ error: 'not valid JSON' });
    expect(parseEnvelope('{"type":"cas/dance"}')).toEqual({ error: 'not a known envelope (type "cas/dance")' });
    expect(parseEnvelope('{"type":"cas/respond","id":3}')).toEqual({ error: expect.stringMatching(/needs exactly one of "result" and "error"/) });
    expect(parseEnvelope('{"type":"cas/send","msg":[1]}')).toEqual({ error: expect.stringMatching(/^bad cas\/send: msg/) });
  });
});

describe('routingKeys', () => {
  it('finds thread, turn and item ids in params or result, and inherits the request\'s', () => {
    expect(routingKeys({ method: 'turn/started', params: { threadId: 't1', turn: { id: 'u1' } } })).toEqual({ threadId: 't1', turnId: 'u1' });
    expect(routingKeys({ id: 1, result: { thread: { id: 't2' } } })).toEqual({ threadId: 't2' });
    expect(routingKeys({ id: 2, result: {} }, { threadId: 't3', turnId: 'u3' })).toEqual({ threadId: 't3', turnId: 'u3' });
    expect(routingKeys({ method: 'item/completed', params: { threadId: 't', item: { id: 'i' } } })).toEqual({ threadId: 't', itemId: 'i' });
    expect(routingKeys({ id: 3, method: 'turn/steer', params: { threadId: 't', expectedTurnId: 'u' } })).toEqual({ threadId: 't', turnId: 'u' });
  });

  it('are present as null on events when a message names none', () => {
    expect(eventKeys({ threadId: 't' })).toEqual({ threadId: 't', turnId: null, itemId: null });
  });
});

describe('wireKind', () => {
  it('sorts messages as the events name them: a reply is a response, result or error', () => {
    expect(wireKind({ id: 1, method: 'item/tool/call', params: {} })).toEqual({ kind: 'request', method: 'item/tool/call', id: 1 });
    expect(wireKind({ method: 'turn/started', params: {} })).toEqual({ kind: 'notification', method: 'turn/started', id: null });
    expect(wireKind({ id: 'a', result: {} })).toEqual({ kind: 'response', method: null, id: 'a' });
    expect(wireKind({ id: 2, error: { code: -1, message: 'x' } })).toEqual({ kind: 'response', method: null, id: 2 });
    expect(wireKind({ id: 2 })).toEqual({ kind: 'unknown', method: null, id: 2 });
    expect(wireKind([1])).toEqual({ kind: 'unknown', method: null, id: null });
  });
});

describe('EventStream', () => {
  it('numbers events and splices the raw message in untouched', () => {
    const out = new PassThrough();
    const events = new EventStream(out, 'session-1', 100, { onPause: () => undefined, onResume: () => undefined });
    const raw = '{"id":1,  "result":{"b":1,"a":2.50}}';
    events.emit({ type: 'cas/fromServer', threadId: 't' }, raw);
    events.emit({ type: 'cas/ready' });
    const lines = String(out.read()).trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'cas/fromServer', v: 1, seq: 1, sessionId: 'session-1', pid: process.pid, threadId: 't' });
    expect(lines[0]!.endsWith(`,"msg":${raw}}`)).toBe(true);
    expect(JSON.parse(lines[1]!)).toMatchObject({ type: 'cas/ready', seq: 2 });
  });

  it('pauses when the reader leaves too much unread, and resumes when it drains', async () => {
    const stuck: Array<() => void> = [];
    const slow = new Writable({ highWaterMark: 64, write: (_chunk, _encoding, done) => stuck.push(done) });
    const onPause = vi.fn();
    const onResume = vi.fn();
    const events = new EventStream(slow, 's', 3, { onPause, onResume });
    for (let i = 0; i < 5; i++) events.emit({ type: 'cas/stats', padding: 'x'.repeat(40) });
    expect(onPause).toHaveBeenCalledTimes(1);
    expect(events.paused).toBe(true);
    while (stuck.length > 0) stuck.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    while (stuck.length > 0) stuck.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(onResume).toHaveBeenCalledTimes(1);
    expect(events.paused).toBe(false);
  });
});

describe('ForwardedRequests', () => {
  const request = { id: 'srv-1', method: 'item/tool/call', params: {} };

  it('passes a well-formed answer on, once', async () => {
    const forwarded = new ForwardedRequests(0, () => undefined);
    const reply = forwarded.forward(request);
    expect(forwarded.pending).toEqual(['srv-1']);
    expect(forwarded.respond('srv-1', { result: { contentItems: [], success: true } })).toEqual({ kind: 'answered', method: 'item/tool/call' });
    expect(await reply).toEqual({ result: { contentItems: [], success: true } });
    expect(forwarded.respond('srv-1', { result: {} })).toEqual({ kind: 'unknown' });
  });

  it('turns a malformed answer into an error upstream', async () => {
    const forwarded = new ForwardedRequests(0, () => undefined);
    const reply = forwarded.forward(request);
    expect(forwarded.respond('srv-1', { result: { success: 'yes' } })).toMatchObject({ kind: 'malformed' });
    expect(await reply).toMatchObject({ error: { code: -32602 } });
  });

  it('answers with an error when the orchestrator is silent, and keeps 1 and "1" apart', async () => {
    vi.useFakeTimers();
    try {
      const timedOut: unknown[] = [];
      const forwarded = new ForwardedRequests(1000, (req) => timedOut.push(req.id));
      const numeric = forwarded.forward({ id: 1, method: 'item/tool/call', params: {} });
      const text = forwarded.forward({ id: '1', method: 'item/tool/call', params: {} });
      forwarded.respond('1', { result: { contentItems: [], success: true } });
      vi.advanceTimersByTime(1000);
      // The original cas's code and words, which orchestrators may match on.
      expect(await numeric).toEqual({ error: { code: -32000, message: 'Timed out waiting for orchestrator response to item/tool/call' } });
      expect(await text).toMatchObject({ result: { success: true } });
      expect(timedOut).toEqual([1]);
    } finally {
      vi.useRealTimers();
    }
  });
});
