import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { AppServerConnection } from '../../src/client/connection.js';
import { NotificationHub } from '../../src/client/notification-hub.js';
import type { Notification } from '../../src/protocol/messages.js';

/** Just the events the hub listens to. */
function fakeConnection() {
  const emitter = new EventEmitter();
  return { emitter, connection: emitter as unknown as AppServerConnection };
}

const n = (method: string, threadId?: string): Notification => ({ method, params: threadId === undefined ? {} : { threadId } });

describe('NotificationHub', () => {
  it('delivers to matching subscribers until they unsubscribe', () => {
    const { emitter, connection } = fakeConnection();
    const hub = new NotificationHub(connection);
    const byMethod: string[] = [];
    const byThread: string[] = [];
    const off = hub.subscribe({ method: 'turn/completed' }, (x) => byMethod.push(x.method));
    hub.subscribe({ threadId: 't1' }, (x) => byThread.push(x.method));
    emitter.emit('notification', n('turn/started', 't1'));
    emitter.emit('notification', n('turn/completed', 't2'));
    off();
    emitter.emit('notification', n('turn/completed', 't1'));
    expect(byMethod).toEqual(['turn/completed']);
    expect(byThread).toEqual(['turn/started', 'turn/completed']);
  });

  it('a subscriber may unsubscribe another while a notification is delivered', () => {
    const { emitter, connection } = fakeConnection();
    const hub = new NotificationHub(connection);
    const seen: string[] = [];
    let offSecond = () => {};
    hub.subscribe({}, () => {
      seen.push('first');
      offSecond();
    });
    offSecond = hub.subscribe({}, () => seen.push('second'));
    emitter.emit('notification', n('a'));
    emitter.emit('notification', n('b'));
    expect(seen).toEqual(['first', 'second', 'first']);
  });

  it('streams filtered notifications in order; abort ends the stream and unsubscribes it', async () => {
    const { emitter, connection } = fakeConnection();
    const hub = new NotificationHub(connection);
    const controller = new AbortController();
    const stream = hub.stream({ threadId: 't1', signal: controller.signal });
    emitter.emit('notification', n('one', 't1'));
    emitter.emit('notification', n('other', 't2'));
    emitter.emit('notification', n('two', 't1'));
    expect((await stream.next()).value?.method).toBe('one');
    expect((await stream.next()).value?.method).toBe('two');
    const waiting = stream.next();
    controller.abort();
    expect(await waiting).toEqual({ value: undefined, done: true });
    emitter.emit('notification', n('three', 't1'));
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('a stream with an aborted signal is over from the start', async () => {
    const { emitter, connection } = fakeConnection();
    const hub = new NotificationHub(connection);
    const stream = hub.stream({ signal: AbortSignal.abort() });
    emitter.emit('notification', n('one'));
    expect(await stream.next()).toEqual({ value: undefined, done: true });
  });

  it('drops the oldest beyond maxBuffered and counts them', async () => {
    const { emitter, connection } = fakeConnection();
    const hub = new NotificationHub(connection);
    const stream = hub.stream({ maxBuffered: 2 });
    for (const method of ['a', 'b', 'c', 'd']) emitter.emit('notification', n(method));
    expect(stream.stats).toEqual({ buffered: 2, dropped: 2 });
    expect((await stream.next()).value?.method).toBe('c');
  });

  it('on the connection exit, streams end after their buffered notifications', async () => {
    const { emitter, connection } = fakeConnection();
    const hub = new NotificationHub(connection);
    const stream = hub.stream();
    emitter.emit('notification', n('last'));
    emitter.emit('exit', { code: 0, signal: null });
    expect((await stream.next()).value?.method).toBe('last');
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    expect(emitter.listenerCount('notification')).toBe(0);
  });
});
