import type { ResolvedCodex } from '../codex/resolve-codex.js';
import type { ClientMethod, ClientParams } from '../protocol/client-methods.js';
import type { ThreadListFilters } from '../protocol/threads.js';
import type { TokenSource } from '../transport/bearer-token.js';
import type { Endpoint } from '../transport/endpoint.js';
import type { ClientInfo } from './connection.js';
import type { ClientServerRequestHandler, ServerRequestBroker } from './server-request-broker.js';

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

/**
 * The arguments after the method of {@link CasClient.request}: a known method's params are
 * typed (required when it has required fields); any other method takes anything.
 */
export type RequestArgs<M extends string> = M extends ClientMethod
  ? {} extends ClientParams<M>
    ? [params?: ClientParams<M>, options?: ClientRequestOptions]
    : [params: ClientParams<M>, options?: ClientRequestOptions]
  : [params?: unknown, options?: ClientRequestOptions];
