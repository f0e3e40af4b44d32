import { describe, expect, it } from 'vitest';
import type { Instance } from '../../src/instance/instance.js';
import { homeRequester } from '../../src/mine/home-requester.js';
import { LocalErrorCode } from '../../src/protocol/error-codes.js';
import type { RequestOutcome } from '../../src/runner/execute-request.js';
import type { JobExecutor } from '../../src/runner/run-workers.js';

/** An instance still starting until `up()`: the one fault this needs, a start slower than the interrupt. */
function startingInstance(index: number) {
  let up!: () => void;
  const ready = new Promise<void>((resolve) => (up = resolve));
  const instance = {
    index,
    serving: true,
    connection: undefined as unknown,
    whenReady: async () => {
      await ready;
      instance.connection = {};
      return instance.connection;
    },
  };
  return { instance: instance as unknown as Instance, up };
}

function recordingExecutor(sent: string[]): JobExecutor {
  return {
    run: async (instance, _slot, job) => {
      sent.push(`${job.method}@${instance.index}`);
      return { ok: true, result: { data: [] }, attempts: 1, overloaded: 0, timedOut: 0, latencyMs: 1, startedAt: 0 };
    },
  };
}

describe('homeRequester (the listing and the check of a mined home)', () => {
  it('sends in turn over the live instances and counts each request', async () => {
    const sent: string[] = [];
    const counted: RequestOutcome[] = [];
    const a = startingInstance(0);
    const b = startingInstance(1);
    a.up();
    b.up();
    const request = homeRequester({ instances: [a.instance, b.instance], executor: recordingExecutor(sent), onRequest: (_i, outcome) => counted.push(outcome), signal: new AbortController().signal });
    for (let i = 0; i < 3; i++) expect((await request('thread/list', {})).ok).toBe(true);
    expect(sent).toEqual(['thread/list@0', 'thread/list@1', 'thread/list@0']);
    expect(counted).toHaveLength(3);
  });

  it('stops waiting for a starting instance at the interrupt, and sends nothing after it', async () => {
    const sent: string[] = [];
    const counted: RequestOutcome[] = [];
    const abort = new AbortController();
    const slow = startingInstance(0);
    const request = homeRequester({ instances: [slow.instance], executor: recordingExecutor(sent), onRequest: (_i, outcome) => counted.push(outcome), signal: abort.signal });
    const waiting = request('thread/list', { limit: 5 });
    abort.abort();
    const outcome = await waiting;
    expect(outcome).toMatchObject({ ok: false, attempts: 0, error: { code: LocalErrorCode.interrupted } });
    // The instance comes up after the interrupt (as a slow start does): still nothing is sent.
    slow.up();
    await slow.instance.whenReady();
    expect((await request('thread/list', {})).error?.code).toBe(LocalErrorCode.interrupted);
    expect(sent).toEqual([]);
    expect(counted).toEqual([]);
  });

  it('with no live instance, answers unavailable and counts it', async () => {
    const counted: RequestOutcome[] = [];
    const gone = { index: 0, serving: false, connection: undefined, whenReady: () => Promise.reject(new Error('gone')) } as unknown as Instance;
    const request = homeRequester({ instances: [gone], executor: recordingExecutor([]), onRequest: (_i, outcome) => counted.push(outcome), signal: new AbortController().signal });
    expect((await request('thread/list', {})).error?.code).toBe(LocalErrorCode.unavailable);
    expect(counted).toHaveLength(1);
  });
});
