import type * as z from 'zod';
import { CLIENT_METHODS, isClientMethod, type ClientMethod, type ClientResult } from '../protocol/client-methods.js';
import type { ExperimentalFeatureListParams, ExperimentalFeatureListResponse } from '../protocol/experimental-features.js';
import type { InitializeResult, Notification, RequestId, RpcErrorObject } from '../protocol/messages.js';
import type { NotificationMethod, TypedNotification } from '../protocol/notifications.js';
import type { Thread, ThreadResumeParams, ThreadResumeResponse, ThreadStartParams, ThreadStartResponse } from '../protocol/threads.js';
import type {
  TurnInterruptParams,
  TurnInterruptResponse,
  TurnStartParams,
  TurnStartResponse,
  TurnSteerParams,
  TurnSteerResponse,
} from '../protocol/turn-requests.js';
import type { TurnCompletedParams } from '../protocol/turns.js';
import type { AppServerError } from './app-server-error.js';
import {
  DEFAULT_TURN_TIMEOUT_MS,
  type CasClientOptions,
  type ClientRequestOptions,
  type FromConnectionOptions,
  type RequestArgs,
  type ThreadsParams,
  type TurnStartOptions,
} from './cas-client-options.js';
import type { ClientHome } from './client-home.js';
import type { AppServerConnection } from './connection.js';
import { openClientSession } from './open-client-session.js';
import { NotificationHub, type NotificationHandler, type NotificationStream, type NotificationStreamOptions, type Unsubscribe } from './notification-hub.js';
import { parseResult } from './parse-result.js';
import type { ServerRequestBroker, ServerRequestListener } from './server-request-broker.js';
import { followThreadPages } from './thread-pages.js';
import { startTrackedTurn, type TrackedTurn } from './tracked-turn.js';
import { notificationParser, type MalformedNotificationListener } from './typed-notifications.js';

// The client's options are part of its API.
export * from './cas-client-options.js';

/** A method name: one cas types, or any other string. */
type MethodName<Known extends string> = Known | (string & {});

const DEFAULT_PAGE_SIZE = 25;

/**
 * A typed client of one `codex app-server`: requests with zod-validated results, notifications by
 * method, by thread or as an async iterator, server requests answered by handler or `respond`,
 * and helpers for threads and turns. Every failure is an {@link AppServerError}.
 */
export class CasClient {
  readonly #connection: AppServerConnection;
  readonly #hub: NotificationHub;
  readonly #broker: ServerRequestBroker | undefined;
  readonly #home: ClientHome | undefined;
  readonly #turnTimeoutMs: number;
  readonly #malformedListeners = new Set<MalformedNotificationListener>();
  readonly #typed = notificationParser((notification, error) => {
    for (const listener of [...this.#malformedListeners]) listener(notification, error);
  });
  #closed: Promise<void> | undefined;

  private constructor(connection: AppServerConnection, broker: ServerRequestBroker | undefined, home: ClientHome | undefined, turnTimeoutMs: number) {
    this.#connection = connection;
    this.#hub = new NotificationHub(connection);
    this.#broker = broker;
    this.#home = home;
    this.#turnTimeoutMs = turnTimeoutMs;
    // Every tracked turn listens on the connection for a while: many at once is normal, not a leak.
    connection.setMaxListeners(0);
    connection.once('exit', () => broker?.close());
  }

  /** Resolves codex, makes sure the home exists, spawns the app-server and completes the handshake (or, with `endpoint`, connects to a running one). */
  static async start(options: CasClientOptions = {}): Promise<CasClient> {
    const { connection, broker, home } = await openClientSession(options);
    return new CasClient(connection, broker, home, options.turnTimeoutMs ?? DEFAULT_TURN_TIMEOUT_MS);
  }

  /**
   * Wraps a connection made with {@link connect}; `close()` closes it. Its server requests are
   * answered by its own `onServerRequest`, so `respond` works only with `options.serverRequests`.
   */
  static fromConnection(connection: AppServerConnection, options: FromConnectionOptions = {}): CasClient {
    return new CasClient(connection, options.serverRequests, undefined, options.turnTimeoutMs ?? DEFAULT_TURN_TIMEOUT_MS);
  }

  /** The underlying connection (raw events, stats, stderr tail). */
  get connection(): AppServerConnection {
    return this.#connection;
  }

  /** The server's `initialize` answer. */
  get initializeResult(): InitializeResult | undefined {
    return this.#connection.initializeResult;
  }

  /** The server's user agent, e.g. `cas/0.169.0 (...)`. */
  get userAgent(): string | undefined {
    return this.#connection.initializeResult?.userAgent;
  }

  /** Process id of the app-server. */
  get pid(): number | undefined {
    return this.#connection.pid;
  }

  /** The CODEX_HOME the client started the server in (undefined for `fromConnection`). */
  get codexHome(): string | undefined {
    return this.#home?.path;
  }

  /** Sends a request and parses its result with `schema` (an unexpected one throws code `unexpected-reply`). */
  request<S extends z.ZodType>(method: string, params: unknown, options: ClientRequestOptions & { schema: S }): Promise<z.output<S>>;
  /**
   * Sends a request. For a method cas knows (`thread/list`, `thread/read`, `turn/start`,
   * `model/list`, ...: see `CLIENT_METHODS`) the params are typed and the result is checked and
   * typed (an unexpected one throws code `unexpected-reply`); any other method takes and returns
   * `unknown`. Params left out are sent as `{}`.
   */
  request<M extends MethodName<ClientMethod>>(method: M, ...args: RequestArgs<M>): Promise<ClientResult<M>>;
  async request(method: string, params: unknown = {}, options: ClientRequestOptions & { schema?: z.ZodType } = {}): Promise<unknown> {
    // Every v2 method wants a params object, `{}` when there is nothing to say.
    const result = await this.#connection.request(method, params, { timeoutMs: options.timeoutMs });
    const schema = options.schema ?? (isClientMethod(method) ? CLIENT_METHODS[method].result : undefined);
    return schema === undefined ? result : parseResult(method, schema, result);
  }

  /**
   * Calls `handler` with every notification of `method`. For a method cas knows (`item/completed`,
   * `turn/completed`, `item/agentMessage/delta`, ...: see `NOTIFICATION_PARAMS`) `params` is
   * checked and typed; one that lacks what the protocol promises goes to
   * {@link onMalformedNotification} instead. Any other method arrives as sent.
   */
  on<M extends MethodName<NotificationMethod>>(method: M, handler: NotificationHandler<TypedNotification<M>>): Unsubscribe {
    return this.#hub.subscribe({ method }, (notification) => {
      const typed = this.#typed(notification);
      if (typed !== undefined) handler(typed as TypedNotification<M>);
    });
  }

  /** Calls `listener` with every notification a typed subscriber could not get: its params lack what the protocol promises. */
  onMalformedNotification(listener: MalformedNotificationListener): Unsubscribe {
    this.#malformedListeners.add(listener);
    return () => {
      this.#malformedListeners.delete(listener);
    };
  }

  /** Calls `handler` with every notification about `threadId` (`params.threadId` or `params.thread.id`). */
  onThread(threadId: string, handler: NotificationHandler): Unsubscribe {
    return this.#hub.subscribe({ threadId }, handler);
  }

  /**
   * Notifications from now on as an async iterator, filtered by `method` and/or `threadId`; with
   * a `method` cas knows they are typed as with {@link on}. It buffers at most `maxBuffered`
   * (default 1000) unread ones and drops the oldest beyond that (counted in `stats.dropped`): no
   * backpressure on the server. It ends at once on `signal` or `break`, and after the buffered
   * ones when the client closes or the server exits.
   */
  notifications<M extends MethodName<NotificationMethod> = string>(
    options: NotificationStreamOptions & { method?: M } = {},
  ): NotificationStream<TypedNotification<M>> {
    if (options.method === undefined) return this.#hub.stream(options) as NotificationStream<TypedNotification<M>>;
    return this.#hub.stream(options, (notification: Notification) => this.#typed(notification) as TypedNotification<M> | undefined);
  }

  /** Calls `listener` with every server request; answer it with {@link respond} or {@link respondError}. */
  onRequest(listener: ServerRequestListener): Unsubscribe {
    if (this.#broker !== undefined) return this.#broker.onRequest(listener);
    this.#connection.on('serverRequest', listener);
    return () => {
      this.#connection.off('serverRequest', listener);
    };
  }

  /** Answers a waiting server request with `result`; false when it is not waiting (answered or timed out). */
  respond(id: RequestId, result: unknown): boolean {
    return this.#broker?.respond(id, result) ?? false;
  }

  /** Answers a waiting server request with a JSON-RPC error; false when it is not waiting. */
  respondError(id: RequestId, error: RpcErrorObject): boolean {
    return this.#broker?.respondError(id, error) ?? false;
  }

  /** `thread/start`: a new thread (persisted only with its first turn). */
  threadStart(params: ThreadStartParams = {}, options: ClientRequestOptions = {}): Promise<ThreadStartResponse> {
    return this.request('thread/start', params, options);
  }

  /** `turn/start` and wait for the turn: resolves with its `turn/completed` params, whatever the status. */
  turnStart(params: TurnStartParams, options: TurnStartOptions & { wait: true }): Promise<TurnCompletedParams>;
  /** `turn/start`: resolves with the reply (the turn, `inProgress`). */
  turnStart(params: TurnStartParams, options?: TurnStartOptions & { wait?: false }): Promise<TurnStartResponse>;
  /** `turn/start`, waiting for the turn when `options.wait` is true. */
  turnStart(params: TurnStartParams, options: TurnStartOptions): Promise<TurnStartResponse | TurnCompletedParams>;
  async turnStart(params: TurnStartParams, options: TurnStartOptions = {}): Promise<TurnStartResponse | TurnCompletedParams> {
    if (options.wait !== true) return this.request('turn/start', params);
    const tracked = await this.startTurn(params, { timeoutMs: options.timeoutMs });
    return tracked.completed;
  }

  /**
   * `turn/start` with promises for the turn's `turn/started` and `turn/completed` (listeners are
   * registered before the request is sent). Await `started` before steering or interrupting.
   */
  startTurn(params: TurnStartParams, options: { timeoutMs?: number } = {}): Promise<TrackedTurn> {
    return startTrackedTurn(this.#connection, this.#hub, params.threadId, options.timeoutMs ?? this.#turnTimeoutMs, () =>
      this.request('turn/start', params),
    );
  }

  /** `thread/resume`; on codex 0.169.0 the thread must have had a turn ("no rollout found" otherwise). */
  resumeThread(params: ThreadResumeParams, options: ClientRequestOptions = {}): Promise<ThreadResumeResponse> {
    return this.request('thread/resume', params, options);
  }

  /** `turn/steer`: more input for the running turn `expectedTurnId`; resolves with the id of the turn that took it. */
  steerTurn(params: TurnSteerParams, options: ClientRequestOptions = {}): Promise<TurnSteerResponse> {
    return this.request('turn/steer', params, options);
  }

  /** `turn/interrupt`: the turn then completes with status `interrupted`. */
  interruptTurn(params: TurnInterruptParams, options: ClientRequestOptions = {}): Promise<TurnInterruptResponse> {
    return this.request('turn/interrupt', params, options);
  }

  /** `experimentalFeature/list`: one page of feature flags. */
  listExperimentalFeatures(params: ExperimentalFeatureListParams = {}, options: ClientRequestOptions = {}): Promise<ExperimentalFeatureListResponse> {
    return this.request('experimentalFeature/list', params, options);
  }

  /**
   * Every thread, page by page (`thread/list`, following `nextCursor`); filters pass through.
   * Threads made while iterating may or may not be listed, depending on the sort.
   */
  threads(params: ThreadsParams = {}): AsyncGenerator<Thread, void, undefined> {
    const { pageSize = DEFAULT_PAGE_SIZE, cursor = null, ...filters } = params;
    return followThreadPages(
      (at) => this.request('thread/list', { ...filters, limit: pageSize, ...(at === null ? {} : { cursor: at }) }),
      cursor,
    );
  }

  /**
   * Ends the session: waiting server requests get the default reply, streams end, the server
   * is closed (stdin EOF, then SIGTERM, then SIGKILL) and an owned temp home is removed.
   */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#broker?.close();
      this.#hub.close();
      await this.#connection.close();
      await this.#home?.dispose();
    })();
    return this.#closed;
  }
}
