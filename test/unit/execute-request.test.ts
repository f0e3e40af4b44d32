import { describe, expect, it } from 'vitest';
import { AppServerError } from '../../src/client/app-server-error.js';
import { executeRequest } from '../../src/runner/execute-request.js';
import type { FailureKind } from '../../src/runner/retry-policy.js';

const overloaded = () => new AppServerError('Server overloaded; retry later.', { kind: 'rpc', code: -32001 });
const timedOut = () => new AppServerError('no reply', { kind: 'timeout', code: 'timeout' });
const policy = { retries: 3, backoff: { baseMs: 1, maxMs: 2 } };

/** A send that fails with the given errors in turn, then succeeds. */
function failing(...errors: Error[]) {
  let calls = 0;
  const send = async () => {
    const error = errors[calls++];
    if (error !== undefined) throw error;
    return { ok: calls };
  };
  return { send, calls: () => calls };
}

describe('executeRequest', () => {
  it('retries -32001 until it succeeds and counts the attempts', async () => {
    const { send, calls } = failing(overloaded(), overloaded());
    const retries: FailureKind[] = [];
    const outcome = await executeRequest(send, 'thread/start', {}, policy, { onRetry: (kind) => retries.push(kind) });
    expect(outcome).toMatchObject({ ok: true, result: { ok: 3 }, attempts: 3, overloaded: 2, timedOut: 0 });
    expect(calls()).toBe(3);
    expect(retries).toEqual(['overloaded', 'overloaded']);
  });

  it('gives up after the configured retries with the last error', async () => {
    const { send, calls } = failing(overloaded(), overloaded(), overloaded(), overloaded(), overloaded());
    const outcome = await executeRequest(send, 'thread/list', {}, policy);
    expect(outcome).toMatchObject({ ok: false, attempts: 4, overloaded: 4, error: { code: -32001 } });
    expect(calls()).toBe(4);
  });

  it('retries a timeout only for read-only methods', async () => {
    const read = failing(timedOut());
    expect(await executeRequest(read.send, 'thread/list', {}, policy)).toMatchObject({ ok: true, attempts: 2, timedOut: 1 });
    const write = failing(timedOut());
    expect(await executeRequest(write.send, 'thread/start', {}, policy)).toMatchObject({
      ok: false,
      attempts: 1,
      timedOut: 1,
      error: { code: 'timeout' },
    });
    expect(write.calls()).toBe(1);
  });

  it('treats every other error as final, keeping code, message and data', async () => {
    const error = new AppServerError('Invalid request: missing field `params`', { kind: 'rpc', code: -32600, data: { field: 'params' } });
    const { send, calls } = failing(error);
    const outcome = await executeRequest(send, 'thread/list', {}, policy);
    expect(outcome.error).toEqual({ code: -32600, message: 'Invalid request: missing field `params`', data: { field: 'params' } });
    expect(calls()).toBe(1);
  });

  it('measures latency from the first send to the final reply, backoff included', async () => {
    const fixed = failing(overloaded());
    const slow = await executeRequest(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        return fixed.send();
      },
      'thread/list',
      {},
      policy,
    );
    expect(slow.attempts).toBe(2);
    expect(slow.latencyMs).toBeGreaterThanOrEqual(55);
  });

  it('stops retrying once aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { send, calls } = failing(overloaded(), overloaded());
    const outcome = await executeRequest(send, 'thread/list', {}, policy, {}, controller.signal);
    expect(outcome).toMatchObject({ ok: false, attempts: 1 });
    expect(calls()).toBe(1);
  });
});
