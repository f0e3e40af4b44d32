import type * as z from 'zod';
import { resolveCodex, type ResolvedCodex } from '../codex/resolve-codex.js';
import { LocalErrorCode } from '../protocol/error-codes.js';
import {
  ExperimentalFeatureListResponseSchema,
  type ExperimentalFeatureListParams,
  type ExperimentalFeatureListResponse,
} from '../protocol/experimental-features.js';
import type { InitializeResult, RequestId, RpcErrorObject } from '../protocol/messages.js';
import {
  ThreadListResponseSchema,
  ThreadResumeResponseSchema,
  ThreadStartResponseSchema,
  type Thread,
  type ThreadListFilters,
  type ThreadResumeParams,
  type ThreadResumeResponse,
  type ThreadStartParams,
  type ThreadStartResponse,
} from '../protocol/threads.js';
import {
  TurnInterruptResponseSchema,
  TurnStartResponseSchema,
  TurnSteerResponseSchema,
  type TurnInterruptParams,
  type TurnInterruptResponse,
  type TurnStartParams,
  type TurnStartResponse,
  type TurnSteerParams,
  type TurnSteerResponse,
} from '../protocol/turn-requests.js';
import type { TurnCompletedParams } from '../protocol/turns.js';
import { AppServerError } from './app-server-error.js';
import { openClientHome, type ClientHome } from './client-home.js';
import type { TokenSource } from '../transport/bearer-token.js';
import type { Endpoint } from '../transport/endpoint.js';
import { connect, type AppServerConnection, type ClientInfo } from './connection.js';
import { NotificationHub, type NotificationHandler, type NotificationStream, type NotificationStreamOptions, type Unsubscribe } from './notification-hub.js';
import { parseResult } from './parse-result.js';
import { ServerRequestBroker, type ClientServerRequestHandler, type ServerRequestListener } from './server-request-broker.js';
import { followThreadPages } from './thread-pages.js';
import { startTrackedTurn, type TrackedTurn } from './tracked-turn.js';

/** Options of {@link CasClient.start}. */
export interface CasClientOptions {
  /**
   * A server that is already running (`parseEndpoint('ws://127.0.0.1:4500')`, a Unix socket, the
   * daemon): connect to it instead of spawning one. The codex, home and env options do not apply.
   */
  endpoint?: Endpoint;
  /** The file holding the token such a server wants (sent as `Authorization: Bearer`). */
  token?: TokenSource;
  /** The codex binary (default: {@link resolveCodex}'s choice). */
  codexBin?: string;
  /** An already resolved codex; wins over `codexBin`. */
  codex?: ResolvedCodex;
  /** Extra arguments after `app-server`, e.g. `-c` overrides. */
  codexArgs?: readonly string[];
  /** The CODEX_HOME, created if missing and kept (default: a fresh temp dir, removed on close). */
  codexHome?: string;
  /** config.toml written into the home when it is fresh (missing or empty). */
  configToml?: string;
  /** Variables added to the inherited environment (CODEX_HOME is set from `codexHome`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Working directory of the app-server. */
  cwd?: string;
  /** Sent as `initialize.clientInfo`. */
  clientInfo?: ClientInfo;
  /** Default timeout of every request in ms; 0 means none (default 30000). */
  requestTimeoutMs?: number;
  /** Timeout of the handshake in ms (default 60000). */
  handshakeTimeoutMs?: number;
  /**
   * Answers server requests (approvals, ...): a reply, or undefined to answer later with
   * `respond`. Default: none, so a request is answered by `respond` when an `onRequest` listener
   * is registered, else at once by cas's fail-closed default policy (approvals declined).
   */
  onServerRequest?: ClientServerRequestHandler;
  /** How long a server request waits for `respond` before the default reply, in ms (default 30000). */
  serverRequestTimeoutMs?: number;
  /** Sent as `capabilities.experimentalApi` (default true). */
  experimentalApi?: boolean;
  /** Sent as `capabilities.optOutNotificationMethods`. */
  optOutNotificationMethods?: readonly string[];
  /** How long `turnStart(..., { wait: true })` waits for `turn/completed` by default, in ms (default 300000). */
  turnTimeoutMs?: number;
}

/** Options of {@link CasClient.fromConnection}. */
export interface FromConnectionOptions {
  /** The broker the connection was created with (`onServerRequest: broker.answer`), for `respond`. */
  serverRequests?: ServerRequestBroker;
  /** Default wait for `turn/completed`, in ms (default 300000). */
  turnTimeoutMs?: number;
}

/** Per-call options of {@link CasClient.request}. */
export interface ClientRequestOptions {
  /** Overrides the request timeout; 0 means none. */
  timeoutMs?: number;
}

/** Per-call options of {@link CasClient.turnStart}. */
export interface TurnStartOptions {
  /** Resolve with the `turn/completed` params instead of the `turn/start` reply. */
  wait?: boolean;
  /** How long to wait for `turn/completed`, in ms. */
  timeoutMs?: number;
}

/** Params of {@link CasClient.threads}: `thread/list` filters, a page size and a first cursor. */
export type ThreadsParams = ThreadListFilters & {
  /** Threads per `thread/list` page (default 25, the server's maximum is 100). */
  pageSize?: number;
  /** Start after this cursor instead of at the beginning. */
  cursor?: string | null;
};

/** Default {@link CasClientOptions.turnTimeoutMs}. */
export const DEFAULT_TURN_TIMEOUT_MS = 300_000;
const DEFAULT_PAGE_SIZE = 25;

/** Wraps a failure before the server runs (no codex, no home) as the one error type of the library. */
function startupFailure(what: string, error: unknown): AppServerError {
  const detail = error instanceof Error ? error.message : String(error);
  return new AppServerError(`${what}: ${detail}`, { kind: 'startup', code: LocalErrorCode.spawnFailed, cause: error });
}

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
    if (options.endpoint !== undefined) return CasClient.#connectTo(options.endpoint, options);
    let codex: ResolvedCodex;
    try {
      codex = options.codex ?? resolveCodex({ codexBin: options.codexBin });
    } catch (error) {
      throw startupFailure('no codex to run', error);
    }
    let home: ClientHome;
    try {
      home = await openClientHome(options.codexHome, options.configToml);
    } catch (error) {
      throw startupFailure(`cannot prepare CODEX_HOME ${options.codexHome ?? '(temp dir)'}`, error);
    }
    const broker = new ServerRequestBroker({ handler: options.onServerRequest, timeoutMs: options.serverRequestTimeoutMs });
    try {
      const connection = await connect({
        command: codex.command,
        args: [...codex.prefixArgs, 'app-server', ...(options.codexArgs ?? [])],
        env: { ...codex.env, ...options.env, CODEX_HOME: home.path },
        cwd: options.cwd,
        clientInfo: options.clientInfo,
        experimentalApi: options.experimentalApi ?? true,
        optOutNotificationMethods: options.optOutNotificationMethods,
        requestTimeoutMs: options.requestTimeoutMs,
        handshakeTimeoutMs: options.handshakeTimeoutMs,
        onServerRequest: broker.answer,
      });
      return new CasClient(connection, broker, home, options.turnTimeoutMs ?? DEFAULT_TURN_TIMEOUT_MS);
    } catch (error) {
      broker.close();
      await home.dispose();
      throw error;
    }
  }

  static async #connectTo(endpoint: Endpoint, options: CasClientOptions): Promise<CasClient> {
    const broker = new ServerRequestBroker({ handler: options.onServerRequest, timeoutMs: options.serverRequestTimeoutMs });
    try {
      // Loaded only to reach a running server (ws, http, tls, ...): a spawned one needs none of it.
      const { connectToEndpoint } = await import('./connect-endpoint.js');
      const connection = await connectToEndpoint(endpoint, options.token, {
        clientInfo: options.clientInfo,
        experimentalApi: options.experimentalApi ?? true,
        optOutNotificationMethods: options.optOutNotificationMethods,
        requestTimeoutMs: options.requestTimeoutMs,
        handshakeTimeoutMs: options.handshakeTimeoutMs,
        onServerRequest: broker.answer,
      });
      return new CasClient(connection, broker, undefined, options.turnTimeoutMs ?? DEFAULT_TURN_TIMEOUT_MS);
    } catch (error) {
      broker.close();
      throw error;
    }
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

  /** Sends a request; with `schema`, the result is parsed (an unexpected one throws code `unexpected-reply`). */
  request<S extends z.ZodType>(method: string, params: unknown, options: ClientRequestOptions & { schema: S }): Promise<z.output<S>>;
  /** Sends a request; the result is returned as `T`, unchecked. */
  request<T = unknown>(method: string, params?: unknown, options?: ClientRequestOptions): Promise<T>;
  async request(method: string, params?: unknown, options: ClientRequestOptions & { schema?: z.ZodType } = {}): Promise<unknown> {
    const result = await this.#connection.request(method, params, { timeoutMs: options.timeoutMs });
    return options.schema === undefined ? result : parseResult(method, options.schema, result);
  }

  /** Calls `handler` with every notification of `method`. */
  on(method: string, handler: NotificationHandler): Unsubscribe {
    return this.#hub.subscribe({ method }, handler);
  }

  /** Calls `handler` with every notification about `threadId` (`params.threadId` or `params.thread.id`). */
  onThread(threadId: string, handler: NotificationHandler): Unsubscribe {
    return this.#hub.subscribe({ threadId }, handler);
  }

  /**
   * Notifications from now on as an async iterator, filtered by `method` and/or `threadId`. It
   * buffers at most `maxBuffered` (default 1000) unread ones and drops the oldest beyond that
   * (counted in `stats.dropped`): no backpressure on the server. It ends at once on `signal` or
   * `break`, and after the buffered ones when the client closes or the server exits.
   */
  notifications(options: NotificationStreamOptions = {}): NotificationStream {
    return this.#hub.stream(options);
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
    return this.request('thread/start', params, { ...options, schema: ThreadStartResponseSchema });
  }

  /** `turn/start` and wait for the turn: resolves with its `turn/completed` params, whatever the status. */
  turnStart(params: TurnStartParams, options: TurnStartOptions & { wait: true }): Promise<TurnCompletedParams>;
  /** `turn/start`: resolves with the reply (the turn, `inProgress`). */
  turnStart(params: TurnStartParams, options?: TurnStartOptions & { wait?: false }): Promise<TurnStartResponse>;
  /** `turn/start`, waiting for the turn when `options.wait` is true. */
  turnStart(params: TurnStartParams, options: TurnStartOptions): Promise<TurnStartResponse | TurnCompletedParams>;
  async turnStart(params: TurnStartParams, options: TurnStartOptions = {}): Promise<TurnStartResponse | TurnCompletedParams> {
    if (options.wait !== true) return this.request('turn/start', params, { schema: TurnStartResponseSchema });
    const tracked = await this.startTurn(params, { timeoutMs: options.timeoutMs });
    return tracked.completed;
  }

  /**
   * `turn/start` with promises for the turn's `turn/started` and `turn/completed` (listeners are
   * registered before the request is sent). Await `started` before steering or interrupting.
   */
  startTurn(params: TurnStartParams, options: { timeoutMs?: number } = {}): Promise<TrackedTurn> {
    return startTrackedTurn(this.#connection, this.#hub, params.threadId, options.timeoutMs ?? this.#turnTimeoutMs, () =>
      this.request('turn/start', params, { schema: TurnStartResponseSchema }),
    );
  }

  /** `thread/resume`; on codex 0.169.0 the thread must have had a turn ("no rollout found" otherwise). */
  resumeThread(params: ThreadResumeParams, options: ClientRequestOptions = {}): Promise<ThreadResumeResponse> {
    return this.request('thread/resume', params, { ...options, schema: ThreadResumeResponseSchema });
  }

  /** `turn/steer`: more input for the running turn `expectedTurnId`; resolves with the id of the turn that took it. */
  steerTurn(params: TurnSteerParams, options: ClientRequestOptions = {}): Promise<TurnSteerResponse> {
    return this.request('turn/steer', params, { ...options, schema: TurnSteerResponseSchema });
  }

  /** `turn/interrupt`: the turn then completes with status `interrupted`. */
  interruptTurn(params: TurnInterruptParams, options: ClientRequestOptions = {}): Promise<TurnInterruptResponse> {
    return this.request('turn/interrupt', params, { ...options, schema: TurnInterruptResponseSchema });
  }

  /** `experimentalFeature/list`: one page of feature flags. */
  listExperimentalFeatures(params: ExperimentalFeatureListParams = {}, options: ClientRequestOptions = {}): Promise<ExperimentalFeatureListResponse> {
    return this.request('experimentalFeature/list', params, { ...options, schema: ExperimentalFeatureListResponseSchema });
  }

  /**
   * Every thread, page by page (`thread/list`, following `nextCursor`); filters pass through.
   * Threads made while iterating may or may not be listed, depending on the sort.
   */
  threads(params: ThreadsParams = {}): AsyncGenerator<Thread, void, undefined> {
    const { pageSize = DEFAULT_PAGE_SIZE, cursor = null, ...filters } = params;
    return followThreadPages(
      (at) => this.request('thread/list', { ...filters, limit: pageSize, ...(at === null ? {} : { cursor: at }) }, { schema: ThreadListResponseSchema }),
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
