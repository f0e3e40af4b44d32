import type { Notification } from '../protocol/messages.js';
import { BoundedQueue, type BoundedQueueStats } from './bounded-queue.js';
import type { AppServerConnection } from './connection.js';
import { matchesNotification, type NotificationFilter } from './notification-filter.js';

/** Stops a subscription; calling it again does nothing. */
export type Unsubscribe = () => void;

/** Receives one notification (typed by method when subscribed by method through the client). */
export type NotificationHandler<N = Notification> = (notification: N) => void;

/** Options of {@link NotificationHub.stream}. */
export interface NotificationStreamOptions extends NotificationFilter {
  /** Ends the stream at once (buffered notifications are discarded). */
  signal?: AbortSignal;
  /** Unread notifications kept, at most; beyond that the oldest are dropped (default 1000). */
  maxBuffered?: number;
}

/** Notifications as an async iterator; see {@link BoundedQueue} for what a slow reader loses. */
export interface NotificationStream<N = Notification> extends AsyncIterableIterator<N> {
  /** Buffered and dropped counts. */
  readonly stats: BoundedQueueStats;
  /** Ends the stream at once. */
  return(): Promise<IteratorResult<N, undefined>>;
}

/** Default {@link NotificationStreamOptions.maxBuffered}. */
export const DEFAULT_MAX_BUFFERED = 1000;

interface Subscriber {
  filter: NotificationFilter;
  handler: NotificationHandler;
}

/**
 * Fans one connection's notifications out to filtered subscribers and streams, from a single
 * connection listener. Handlers run synchronously, in subscription order.
 */
export class NotificationHub {
  readonly #connection: AppServerConnection;
  readonly #subscribers = new Set<Subscriber>();
  readonly #streams = new Set<BoundedQueue<unknown>>();
  readonly #onNotification = (notification: Notification) => this.#dispatch(notification);
  readonly #onExit = () => this.close();

  constructor(connection: AppServerConnection) {
    this.#connection = connection;
    connection.on('notification', this.#onNotification);
    connection.once('exit', this.#onExit);
  }

  /** Calls `handler` with every notification that passes `filter`. */
  subscribe(filter: NotificationFilter, handler: NotificationHandler): Unsubscribe {
    const subscriber: Subscriber = { filter, handler };
    this.#subscribers.add(subscriber);
    return () => {
      this.#subscribers.delete(subscriber);
    };
  }

  /**
   * An async iterator of the notifications that pass the filter, from now on, each as `map`
   * makes it (undefined: skipped). It ends on abort, on `return()`/`break`, and (after the
   * buffered ones are read) when the hub closes.
   */
  stream(options?: NotificationStreamOptions): NotificationStream;
  stream<N>(options: NotificationStreamOptions, map: (notification: Notification) => N | undefined): NotificationStream<N>;
  stream(options: NotificationStreamOptions = {}, map: (notification: Notification) => unknown = (notification) => notification): NotificationStream<unknown> {
    const { signal, maxBuffered = DEFAULT_MAX_BUFFERED, ...filter } = options;
    const onAbort = () => void queue.return();
    const queue: BoundedQueue<unknown> = new BoundedQueue<unknown>(maxBuffered, () => {
      unsubscribe();
      this.#streams.delete(queue);
      signal?.removeEventListener('abort', onAbort);
    });
    const unsubscribe = this.subscribe(filter, (notification) => {
      const value = map(notification);
      if (value !== undefined) queue.push(value);
    });
    this.#streams.add(queue);
    if (signal?.aborted) void queue.return();
    else signal?.addEventListener('abort', onAbort, { once: true });
    return queue;
  }

  /** Stops listening to the connection; streams end once their buffered notifications are read. */
  close(): void {
    this.#connection.off('notification', this.#onNotification);
    this.#connection.off('exit', this.#onExit);
    for (const queue of [...this.#streams]) queue.end();
    this.#subscribers.clear();
  }

  #dispatch(notification: Notification): void {
    // A snapshot: a handler may unsubscribe (itself or others) while we iterate.
    for (const subscriber of [...this.#subscribers]) {
      if (!matchesNotification(notification, subscriber.filter)) continue;
      try {
        subscriber.handler(notification);
      } catch (error) {
        // Rethrown outside the stdout reader, so one bad handler cannot cut a chunk of messages short.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}
