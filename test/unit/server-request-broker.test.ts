import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServerRequestBroker } from '../../src/client/server-request-broker.js';
import type { ServerRequest } from '../../src/protocol/messages.js';

const approval = (id: number): ServerRequest => ({ id, method: 'item/commandExecution/requestApproval', params: { threadId: 't' } });
// The fail-closed default policy declines an approval that does not say what it offers.
const fallback = { result: { decision: 'decline' } };

afterEach(() => {
  vi.useRealTimers();
});

describe('ServerRequestBroker', () => {
  it('answers at once with the fallback when there is neither a handler nor a listener', async () => {
    const broker = new ServerRequestBroker();
    expect(await broker.answer(approval(1))).toEqual(fallback);
    expect(broker.waiting).toBe(0);
  });

  it('uses the handler reply when it gives one', async () => {
    const broker = new ServerRequestBroker({ handler: () => ({ result: { decision: 'accept' } }) });
    expect(await broker.answer(approval(1))).toEqual({ result: { decision: 'accept' } });
    expect(broker.respond(1, {})).toBe(false);
  });

  it('a handler that returns undefined leaves the request to respond()', async () => {
    const broker = new ServerRequestBroker({ handler: async () => undefined });
    const reply = broker.answer(approval(7));
    await Promise.resolve();
    expect(broker.waiting).toBe(1);
    expect(broker.respond(7, { decision: 'decline' })).toBe(true);
    expect(await reply).toEqual({ result: { decision: 'decline' } });
    expect(broker.respond(7, { decision: 'accept' })).toBe(false);
  });

  it('a listener sees the request and may answer it with respondError, even synchronously', async () => {
    const broker = new ServerRequestBroker();
    const seen: ServerRequest[] = [];
    broker.onRequest((request) => {
      seen.push(request);
      broker.respondError(request.id, { code: -32000, message: 'no thanks' });
    });
    expect(await broker.answer(approval(2))).toEqual({ error: { code: -32000, message: 'no thanks' } });
    expect(seen).toEqual([approval(2)]);
  });

  it('a request nobody answers gets the fallback after timeoutMs', async () => {
    vi.useFakeTimers();
    const broker = new ServerRequestBroker({ timeoutMs: 500 });
    const off = broker.onRequest(() => undefined);
    const reply = broker.answer(approval(3));
    await vi.advanceTimersByTimeAsync(499);
    expect(broker.waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await reply).toEqual(fallback);
    expect(broker.respond(3, {})).toBe(false);
    off();
    // No listener any more: the next one is answered at once.
    expect(await broker.answer(approval(4))).toEqual(fallback);
  });

  it('a handler that throws answers with an internal error', async () => {
    const broker = new ServerRequestBroker({
      handler: () => {
        throw new Error('boom');
      },
    });
    expect(await broker.answer(approval(5))).toEqual({ error: { code: -32603, message: expect.stringMatching(/boom/) } });
  });

  it('close() answers what is waiting with the fallback, and later requests at once', async () => {
    const broker = new ServerRequestBroker({ handler: () => undefined, fallback: () => ({ result: { decision: 'cancel' } }) });
    const reply = broker.answer(approval(6));
    await Promise.resolve();
    broker.close();
    expect(await reply).toEqual({ result: { decision: 'cancel' } });
    expect(await broker.answer(approval(8))).toEqual({ result: { decision: 'cancel' } });
    expect(broker.waiting).toBe(0);
  });
});
