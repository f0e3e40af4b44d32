import { EventEmitter } from 'node:events';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { CasClient } from '../../src/client/cas-client.js';
import type { AppServerConnection } from '../../src/client/connection.js';
import { waitForTurns } from '../../src/client/turn-waiter.js';
import type { ClientResult } from '../../src/protocol/client-methods.js';
import type { Notification } from '../../src/protocol/messages.js';
import type { NotificationParams, TypedNotification } from '../../src/protocol/notifications.js';
import { ThreadItemSchema, type ThreadItem, type ThreadItemOf } from '../../src/protocol/thread-items.js';

/** Just the events and state the client, hub and turn waiter use. */
function fakeConnection() {
  const emitter = Object.assign(new EventEmitter(), { isOpen: true });
  return { emitter, connection: emitter as unknown as AppServerConnection };
}

const agentMessage = { type: 'agentMessage', id: 'i1', text: 'hello', phase: null, memoryCitation: null };
const itemCompleted = (item: unknown): Notification => ({ method: 'item/completed', params: { item, threadId: 't', turnId: 'u', completedAtMs: 1 } });

describe('thread items', () => {
  it('parses the known kinds, keeping fields cas does not name', () => {
    expect(ThreadItemSchema.parse(agentMessage)).toEqual(agentMessage);
    const command = { type: 'commandExecution', id: 'c', command: 'ls', cwd: '/', status: 'someNewStatus', commandActions: [], exitCode: 0, source: 'agent' };
    expect(ThreadItemSchema.parse(command)).toEqual(command);
  });

  it('keeps an item of a kind newer than cas, whole', () => {
    const future = { type: 'hologram', id: 'h', frames: [1, 2] };
    expect(ThreadItemSchema.parse(future)).toEqual(future);
  });

  it('refuses an item of a known kind without a field its kind promises, rather than passing it as unknown', () => {
    expect(ThreadItemSchema.safeParse({ type: 'agentMessage', id: 'x' }).success).toBe(false);
    expect(ThreadItemSchema.safeParse({ type: 'commandExecution', id: 'x', command: 'ls' }).success).toBe(false);
  });

  it('narrows by type', () => {
    expectTypeOf<ThreadItemOf<'agentMessage'>['text']>().toEqualTypeOf<string>();
    expectTypeOf<ThreadItemOf<'commandExecution'>['exitCode']>().toEqualTypeOf<number | null | undefined>();
    const text = (item: ThreadItem) => (item.type === 'agentMessage' ? item.text : undefined);
    expectTypeOf(text).returns.toEqualTypeOf<string | undefined>();
    expect(text(ThreadItemSchema.parse(agentMessage))).toBe('hello');
  });
});

describe('typed notifications and requests', () => {
  it('types params by method; an unknown method keeps unknown params', () => {
    expectTypeOf<NotificationParams<'item/completed'>['item']>().toEqualTypeOf<ThreadItem>();
    expectTypeOf<NotificationParams<'item/agentMessage/delta'>['delta']>().toEqualTypeOf<string>();
    expectTypeOf<NotificationParams<'some/newMethod'>>().toBeUnknown();
    expectTypeOf<TypedNotification<string>>().toEqualTypeOf<Notification>();
    expectTypeOf<ClientResult<'thread/list'>['data'][number]['id']>().toEqualTypeOf<string>();
    expectTypeOf<ClientResult<'config/read'>>().toBeUnknown();
  });

  it('on(method) delivers parsed params; a malformed one goes to onMalformedNotification once, and raw subscribers still see it', () => {
    const { emitter, connection } = fakeConnection();
    const client = CasClient.fromConnection(connection);
    const typed: string[] = [];
    const raw: string[] = [];
    const malformed: string[] = [];
    client.on('item/completed', (n) => typed.push(n.params.item.type));
    client.on('item/completed', (n) => typed.push(n.params.threadId));
    client.onThread('t', (n) => raw.push(n.method));
    client.onMalformedNotification((n, error) => malformed.push(`${n.method}: ${error.code}: ${error.message}`));
    emitter.emit('notification', itemCompleted(agentMessage));
    emitter.emit('notification', itemCompleted({ type: 'agentMessage', id: 'x' }));
    expect(typed).toEqual(['agentMessage', 't']);
    expect(raw).toEqual(['item/completed', 'item/completed']);
    expect(malformed).toEqual(['item/completed: unexpected-reply: item/completed notification with unexpected params: params.item.text: Invalid input: expected string, received undefined']);
  });

  it('notifications({method}) streams typed params and skips malformed ones', async () => {
    const { emitter, connection } = fakeConnection();
    const client = CasClient.fromConnection(connection);
    const stream = client.notifications({ method: 'item/completed' });
    emitter.emit('notification', itemCompleted({ type: 'agentMessage', id: 'x' }));
    emitter.emit('notification', itemCompleted(agentMessage));
    const first = await stream.next();
    await stream.return();
    expect(first.done).toBe(false);
    const item = first.value?.params.item;
    expect(item?.type === 'agentMessage' ? item.text : undefined).toBe('hello');
  });
});

describe('waiting for a turn', () => {
  it('a turn/completed that lacks what the protocol promises fails the wait at once, not at its timeout', async () => {
    const { emitter, connection } = fakeConnection();
    const waiter = waitForTurns(connection, 't');
    const completion = waiter.completion('u', 3_600_000);
    emitter.emit('notification', { method: 'turn/completed', params: { threadId: 't', turn: { id: 'u', status: 'completed', items: [{ type: 'agentMessage', id: 'x' }] } } });
    await expect(completion).rejects.toMatchObject({ kind: 'protocol', code: 'unexpected-reply', message: expect.stringMatching(/^turn u completed, but turn\/completed has unexpected params: params\.turn\.items\.0/) });
    waiter.dispose();
  });
});
