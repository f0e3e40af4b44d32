import { describe, expect, it } from 'vitest';
import { AppServerError } from '../../src/client/app-server-error.js';
import { parseResult } from '../../src/client/parse-result.js';
import { ThreadStartResponseSchema } from '../../src/protocol/threads.js';
import { notRun, runCheck } from '../../src/smoke/check-runner.js';
import { formatSmokeLines } from '../../src/smoke/smoke-result.js';
import { isSteerPreconditionRejection } from '../../src/smoke/steer-rejection.js';

const rpc = (code: number, message: string) => new AppServerError(message, { kind: 'rpc', code });

describe('isSteerPreconditionRejection', () => {
  it('accepts the server refusals of a failed precondition', () => {
    expect(isSteerPreconditionRejection(rpc(-32600, 'no active turn to steer'))).toBe(true);
    expect(isSteerPreconditionRejection(rpc(-32600, 'expected active turn id `x` but found `y`'))).toBe(true);
  });

  it('rejects every other failure', () => {
    expect(isSteerPreconditionRejection(rpc(-32600, 'Invalid request: missing field `expectedTurnId`'))).toBe(false);
    expect(isSteerPreconditionRejection(rpc(-32601, 'no active turn to steer'))).toBe(false);
    expect(isSteerPreconditionRejection(new AppServerError('turn/steer got no reply within 10 ms', { kind: 'timeout', code: 'timeout' }))).toBe(false);
    expect(isSteerPreconditionRejection(new Error('no active turn to steer'))).toBe(false);
  });
});

describe('smoke checks', () => {
  it('runCheck times a body and turns a throw into a failed check with a one-line detail', async () => {
    expect(await runCheck('a', async () => ({ ok: true, detail: 'fine' }))).toMatchObject({ name: 'a', ok: true, detail: 'fine', ms: expect.any(Number) });
    const failed = await runCheck('b', async () => {
      throw new Error('first line\nsecond line');
    });
    expect(failed).toMatchObject({ name: 'b', ok: false, detail: 'first line' });
  });

  it('formats one line per check', () => {
    const text = formatSmokeLines({
      ok: false,
      codex: null,
      checks: [
        { name: 'handshake', ok: true, detail: 'cas/0.169.0', ms: 12.4 },
        notRun('thread/start', 'the app-server did not start'),
      ],
    });
    expect(text).toBe('ok   handshake     cas/0.169.0 (12 ms)\nFAIL thread/start  not run: the app-server did not start (0 ms)\n');
  });
});

describe('parseResult', () => {
  it('returns the parsed result, extra fields kept', () => {
    const thread = { id: 't', preview: '', createdAt: 1, updatedAt: 1, cwd: '/w', modelProvider: 'mock', status: { type: 'idle' }, turns: [], ephemeral: false };
    expect(parseResult('thread/start', ThreadStartResponseSchema, { thread, model: 'm' })).toEqual({ thread, model: 'm' });
  });

  it('throws AppServerError unexpected-reply naming the field, with the raw result as data', () => {
    const error = (() => {
      try {
        parseResult('thread/start', ThreadStartResponseSchema, { thread: {} });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AppServerError);
    expect(error).toMatchObject({ code: 'unexpected-reply', data: { thread: {} }, message: expect.stringMatching(/^thread\/start returned an unexpected result: result\.thread\.id: /) });
  });
});
