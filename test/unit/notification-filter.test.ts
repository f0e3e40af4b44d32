import { describe, expect, it } from 'vitest';
import { matchesNotification } from '../../src/client/notification-filter.js';

const turnCompleted = { method: 'turn/completed', params: { threadId: 't1', turn: { id: 'u1' } } };
const threadStarted = { method: 'thread/started', params: { thread: { id: 't2' } } };
const global = { method: 'account/rateLimits/updated', params: { rateLimits: {} } };
const bare = { method: 'remoteControl/status/changed' };

describe('matchesNotification', () => {
  it('an empty filter matches everything', () => {
    for (const n of [turnCompleted, threadStarted, global, bare]) expect(matchesNotification(n, {})).toBe(true);
  });

  it('matches by method', () => {
    expect(matchesNotification(turnCompleted, { method: 'turn/completed' })).toBe(true);
    expect(matchesNotification(threadStarted, { method: 'turn/completed' })).toBe(false);
  });

  it('matches by thread: params.threadId or params.thread.id', () => {
    expect(matchesNotification(turnCompleted, { threadId: 't1' })).toBe(true);
    expect(matchesNotification(turnCompleted, { threadId: 't2' })).toBe(false);
    expect(matchesNotification(threadStarted, { threadId: 't2' })).toBe(true);
    expect(matchesNotification(global, { threadId: 't1' })).toBe(false);
    expect(matchesNotification(bare, { threadId: 't1' })).toBe(false);
  });

  it('needs both when both are given', () => {
    expect(matchesNotification(turnCompleted, { method: 'turn/completed', threadId: 't1' })).toBe(true);
    expect(matchesNotification(turnCompleted, { method: 'turn/started', threadId: 't1' })).toBe(false);
  });
});
