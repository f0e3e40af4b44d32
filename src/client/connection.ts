import { EventEmitter } from 'node:events';
import { jsonDepth, MAX_PARAMS_DEPTH } from '../json/depth.js';
import { LocalErrorCode, RpcErrorCode } from '../protocol/error-codes.js';
import { classifyMessage } from '../protocol/classify-message.js';
import type { InitializeParams, InitializeResult, Notification, RequestId, RpcErrorObject, ServerRequest } from '../protocol/messages.js';
import type { SpawnProcess } from '../process/child-process.js';
import type { CloseOptions } from '../process/terminate-process.js';
import type { SkipReason } from '../transport/line-decoder.js';
import { StdioTransport } from '../transport/stdio-transport.js';
import { TransportOpenError, type Transport, type TransportEnd } from '../transport/transport.js';
import { AppServerError } from './app-server-error.js';

/** How we introduce ourselves in `initialize`. */
export interface ClientInfo {
  name: string;
  title?: string | null;
  version: string;
}

/** The answer to a server request: a result or a JSON-RPC error. */
export type ServerRequestReply = { result: unknown } | { error: RpcErrorObject };

/** Decides the answer to a request the server sent us (approvals, tool calls, ...). */
export type ServerRequestHandler = (request: ServerRequest) => ServerRequestReply | Promise<ServerRequestReply>;

/** Answers every server request at once with -32601, so the server never waits on us. */
export const rejectServerRequests: ServerRequestHandler = (request) => ({
  error: { code: RpcErrorCode.methodNotFound, message: `cas does not handle server request ${request.method}` },
});

/** How a connection talks to its server and introduces itself, whatever the transport. */
export interface SessionOptions {
  /** Sent as `initialize.clientInfo`. */
  clientInfo?: ClientInfo;
  /** Sent as `capabilities.experimentalApi` (default true). */
  experimentalApi?: boolean;
  /** Sent as `capabilities.optOutNotificationMethods`. */
  optOutNotificationMethods?: readonly string[];
  /** Default timeout of every request in ms; 0 means none (default 30000). */
  requestTimeoutMs?: number;
  /** Timeout of the `initialize` handshake, apart: a start under load can be slow (default 60000). */
  handshakeTimeoutMs?: number;
  /** Answers server requests (default {@link rejectServerRequests}). */
  onServerRequest?: ServerRequestHandler;
  /** Called with the connection before the handshake, e.g. to watch every message from the first. */
  onConnection?(connection: AppServerConnection): void;
  /** Aborting gives up the start at once: the server is closed, the promise rejects. */
  signal?: AbortSignal;
}

/** Options of {@link connect}: spawn an app-server and talk to it over its stdio. */
export interface ConnectOptions extends SessionOptions {
  /** Executable to run, e.g. a codex binary. */
  command: string;
  /** Its arguments; `['app-server', ...extra]` for codex. */
  args: readonly string[];
  /** Variables added to the inherited environment (CODEX_HOME goes here). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Working directory of the child. */
  cwd?: string;
  /** Starts the child (default: detached, in a process group of its own). */
  spawn?: SpawnProcess;
  /** Longest stdout line accepted, in characters; longer ones are skipped. */
  maxLineLength?: number;
}

/** Per-call options of {@link AppServerConnection.request}. */
export interface RequestOptions {
  /** Overrides the connection's request timeout; 0 means none. */
  timeoutMs?: number;
  /** A request id of the caller's choosing (default: the next number); must not be pending. */
  id?: RequestId;
}

/** Events a connection emits. */
export interface ConnectionEvents {
  /** A server notification, as sent. */
  notification: [Notification];
  /** A server request, emitted before it is answered by `onServerRequest`. */
  serverRequest: [ServerRequest];
  /** A line (or frame) from the server that was not a message and was dropped. */
  skippedLine: [SkipReason, string];
  /** Every JSON message read from the server, with its text exactly as received, before it is handled. */
  incoming: [text: string, message: unknown];
  /** Every message written to the server (requests, notifications, answers), with its text. */
  outgoing: [text: string, message: unknown];
  /** The transport has ended (the child exited, the socket closed); every pending request has been rejected. */
  exit: [TransportEnd];
}

/** Counters of one connection. */
export interface ConnectionStats {
  /** Lines (or frames) dropped because they were not JSON messages. */
  skippedLines: number;
  /** Replies whose request had already timed out. */
  lateReplies: number;
  /** Replies to ids cas never sent (or long forgotten): a confused or hostile server. */
  unknownReplies: number;
  /** Requests waiting for a reply now. */
  pending: number;
}

type ConnectionState = 'open' | 'closing' | 'exited';

interface PendingRequest {
  method: string;
  resolve(result: unknown): void;
  reject(error: AppServerError): void;
  timer: NodeJS.Timeout | undefined;
}

export const DEFAULT_CLIENT_INFO: ClientInfo = { name: 'cas', title: 'cas (App-Server Control)', version: '0.1.0' };
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 60_000;
/** Timed-out request ids remembered for telling late replies apart; a reply later than this many timeouts counts as unknown. */
const MAX_REMEMBERED_TIMEOUTS = 10_000;

/**
 * The JSON-RPC session with one app-server, over any {@link Transport}: request correlation,
 * timeouts, notifications and answers to server requests. Create it with {@link connect} (a
 * child over stdio) or {@link openConnection} (any transport), which also complete the
 * `initialize` -> `initialized` handshake.
 */
export class AppServerConnection extends EventEmitter<ConnectionEvents> {
  readonly #transport: Transport;
  readonly #pending = new Map<RequestId, PendingRequest>();
  readonly #requestTimeoutMs: number;
  readonly #onServerRequest: ServerRequestHandler;
  readonly #exited: Promise<TransportEnd>;
  #state: ConnectionState = 'open';
  #nextId = 1;
  #skippedLines = 0;
  #lateReplies = 0;
  #unknownReplies = 0;
  /** Ids of requests that timed out, to tell a late reply from one to an id never sent (bounded: oldest forgotten). */
  readonly #timedOut = new Set<RequestId>();
  #exit: TransportEnd | undefined;
  #initializeResult: InitializeResult | undefined;
  /** When the server last wrote a message (performance.now()). */
  #lastMessageAt = 0;

  constructor(transport: Transport, options: Pick<SessionOptions, 'requestTimeoutMs' | 'onServerRequest'>) {
    super();
    this.#transport = transport;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#onServerRequest = options.onServerRequest ?? rejectServerRequests;
    this.#exited = transport.ended.then((exit) => {
      this.#onExit(exit);
      return exit;
    });
  }

  /** Starts delivering the transport's messages here; rejects when the transport cannot be opened. */
  start(): Promise<void> {
    return this.#transport.start({ onMessage: (value, text) => this.#receive(value, text), onSkip: (reason, sample) => this.#skip(reason, sample) });
  }

  /** The transport underneath: its kind and endpoint go into reports. */
  get transport(): Transport {
    return this.#transport;
  }

  /** Process id of the app-server. */
  get pid(): number | undefined {
    return this.#transport.pid;
  }

  /** The server's `initialize` answer (userAgent, codexHome, ...), once the handshake is done. */
  get initializeResult(): InitializeResult | undefined {
    return this.#initializeResult;
  }

  /** False once the connection is closing or the child has exited. */
  get isOpen(): boolean {
    return this.#state === 'open';
  }

  /** How the transport ended, once it has. */
  get exitInfo(): TransportEnd | undefined {
    return this.#exit;
  }

  get stats(): ConnectionStats {
    return { skippedLines: this.#skippedLines, lateReplies: this.#lateReplies, unknownReplies: this.#unknownReplies, pending: this.#pending.size };
  }

  /** The last lines a spawned server wrote to stderr, for diagnostics; none over a socket. */
  stderrTail(maxLines = 10): string[] {
    return this.#transport.diagnostics(maxLines);
  }

  /** Sends a request and resolves with its `result`; rejects with an {@link AppServerError}. */
  request(method: string, params?: unknown, options: RequestOptions = {}): Promise<unknown> {
    if (this.#state !== 'open') {
      return Promise.reject(
        new AppServerError(`cannot send ${method}: the app-server connection is ${this.#state}`, {
          kind: 'exited',
          code: LocalErrorCode.exited,
        }),
      );
    }
    if (params !== undefined && jsonDepth(params, MAX_PARAMS_DEPTH) > MAX_PARAMS_DEPTH) {
      // The server would drop it unread and never answer: refuse it here, at once.
      return Promise.reject(
        new AppServerError(`${method}: params nest deeper than ${MAX_PARAMS_DEPTH} levels; the app-server would drop the request unread`, {
          kind: 'invalid',
          code: LocalErrorCode.badInput,
        }),
      );
    }
    const id = options.id ?? this.allocateId();
    if (this.#pending.has(id)) {
      return Promise.reject(new AppServerError(`request id ${JSON.stringify(id)} is already pending`, { kind: 'rpc', code: RpcErrorCode.invalidRequest }));
    }
    const timeoutMs = options.timeoutMs ?? this.#requestTimeoutMs;
    return new Promise<unknown>((resolve, reject) => {
      const pending: PendingRequest = { method, resolve, reject, timer: undefined };
      if (timeoutMs > 0) {
        const sentAt = performance.now();
        pending.timer = setTimeout(() => {
          // Silent: the server said nothing at all since this was sent (hung), rather than answering others (overloaded).
          const silent = this.#lastMessageAt < sentAt;
          this.#rememberTimedOut(id);
          this.#settle(id)?.reject(
            new AppServerError(`${method} got no reply within ${timeoutMs} ms`, { kind: 'timeout', code: LocalErrorCode.timeout, data: { silent } }),
          );
        }, timeoutMs);
      }
      this.#pending.set(id, pending);
      this.#write(params === undefined ? { id, method } : { id, method, params });
    });
  }

  /**
   * The next numeric request id, skipping any a caller chose that is still pending: an id taken
   * here never collides with one in flight. For callers that must know the id before sending.
   */
  allocateId(): number {
    while (this.#pending.has(this.#nextId)) this.#nextId++;
    return this.#nextId++;
  }

  /** Runs the handshake: `initialize`, checks the answer, then the `initialized` notification. */
  async initialize(params: InitializeParams, options: RequestOptions = {}): Promise<InitializeResult> {
    // The schemas load while the server starts, not before it is spawned.
    const [{ InitializeResultSchema }, result] = await Promise.all([import('../protocol/messages.js'), this.request('initialize', params, options)]);
    // Parsed once per connection: zod's eval-compiled fast path would cost more to build than it saves.
    const parsed = InitializeResultSchema.safeParse(result, { jitless: true });
    if (!parsed.success) throw new Error(`unexpected initialize result: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    this.#initializeResult = parsed.data;
    this.notify('initialized');
    return parsed.data;
  }

  /** Sends a notification (no reply expected). */
  notify(method: string, params?: unknown): void {
    if (this.#state === 'exited') return;
    this.#write(params === undefined ? { method } : { method, params });
  }

  /** Writes any message as is (an escape hatch): a reply to it, if any, arrives only as an `incoming` event. */
  sendRaw(message: unknown): void {
    if (this.#state === 'exited') return;
    this.#write(message);
  }

  /** Rejects every pending request at once (e.g. the run is out of time), with `code` and `message`. */
  abandonPending(code: LocalErrorCode, message: string): void {
    for (const id of [...this.#pending.keys()]) {
      const pending = this.#settle(id)!;
      pending.reject(new AppServerError(`${pending.method}: ${message}`, { kind: 'exited', code }));
    }
  }

  /** Stops reading from the server (backpressure): it blocks once its buffers are full. */
  pauseReading(): void {
    this.#transport.pauseReading();
  }

  /** Reads from the server again. */
  resumeReading(): void {
    this.#transport.resumeReading();
  }

  /**
   * Ends the session: a spawned server gets stdin EOF, then SIGTERM, then SIGKILL; a socket is
   * closed. Resolves once the transport has ended.
   */
  async close(options: CloseOptions = {}): Promise<TransportEnd> {
    if (this.#state === 'open') this.#state = 'closing';
    if (this.#state !== 'exited') await this.#transport.close(options);
    return this.#exited;
  }

  #rememberTimedOut(id: RequestId): void {
    this.#timedOut.add(id);
    if (this.#timedOut.size > MAX_REMEMBERED_TIMEOUTS) this.#timedOut.delete(this.#timedOut.values().next().value!);
  }

  #write(message: unknown): void {
    const text = JSON.stringify(message);
    this.#transport.send(text);
    if (this.listenerCount('outgoing') > 0) this.emit('outgoing', text, message);
  }

  /** Removes a pending request and its timer: the single place a request is finished. */
  #settle(id: RequestId): PendingRequest | undefined {
    const pending = this.#pending.get(id);
    if (pending === undefined) return undefined;
    this.#pending.delete(id);
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    return pending;
  }

  #receive(value: unknown, text: string): void {
    this.#lastMessageAt = performance.now();
    if (this.listenerCount('incoming') > 0) this.emit('incoming', text, value);
    this.#dispatch(value, text);
  }

  #dispatch(value: unknown, text: string): void {
    const message = classifyMessage(value);
    switch (message.kind) {
      case 'result':
      case 'error': {
        const pending = this.#settle(message.id);
        if (pending === undefined) {
          if (this.#timedOut.delete(message.id)) this.#lateReplies++;
          else this.#unknownReplies++;
        } else if (message.kind === 'result') {
          pending.resolve(message.result);
        } else {
          const { code, message: text, data } = message.error;
          pending.reject(new AppServerError(text, { kind: 'rpc', code, data }));
        }
        return;
      }
      case 'notification':
        this.emit('notification', message.message);
        return;
      case 'request':
        this.emit('serverRequest', message.message);
        void this.#answer(message.message);
        return;
      case 'invalid':
        // The text as received: the value itself may nest too deeply to write out again.
        this.#skip('not-json', text.slice(0, 120));
    }
  }

  async #answer(request: ServerRequest): Promise<void> {
    let reply: ServerRequestReply;
    try {
      reply = await this.#onServerRequest(request);
    } catch (error) {
      reply = { error: { code: RpcErrorCode.internalError, message: `cas failed to answer ${request.method}: ${String(error)}` } };
    }
    if (this.#state === 'exited') return;
    this.#write({ id: request.id, ...reply });
  }

  #skip(reason: SkipReason, sample: string): void {
    this.#skippedLines++;
    this.emit('skippedLine', reason, sample);
  }

  #onExit(exit: TransportEnd): void {
    this.#state = 'exited';
    this.#exit = exit;
    const reason = describeExit(exit, this.#transport.diagnostics(3).join(' | '));
    for (const id of [...this.#pending.keys()]) {
      const pending = this.#settle(id)!;
      pending.reject(new AppServerError(`${pending.method} failed: ${reason}`, { kind: 'exited', code: LocalErrorCode.exited }));
    }
    this.emit('exit', exit);
  }
}

/** One line saying how a transport ended (a child's exit, a socket's close), with the tail of its stderr. */
export function describeExit(exit: TransportEnd, stderrSummary: string): string {
  const how =
    exit.spawnError !== undefined
      ? `could not start (${exit.spawnError})`
      : exit.reason !== undefined
        ? `connection closed: ${exit.reason}`
        : exit.signal !== null
          ? `app-server was killed by ${exit.signal}`
          : `app-server exited with code ${exit.code}`;
  return stderrSummary.length > 0 ? `${how}; stderr: ${stderrSummary}` : how;
}

/**
 * Spawns an app-server and completes the handshake over its stdio. Rejects with an
 * {@link AppServerError} of kind `startup`, naming the command and the tail of its stderr, when
 * it cannot.
 */
export function connect(options: ConnectOptions): Promise<AppServerConnection> {
  const transport = StdioTransport.spawn({ command: options.command, args: options.args, env: options.env, cwd: options.cwd }, options.spawn, {
    maxLineLength: options.maxLineLength,
  });
  return openConnection(transport, options);
}

/**
 * Opens a session over `transport` and completes the handshake. Rejects with an
 * {@link AppServerError} of kind `startup` naming the endpoint when it cannot; the transport is
 * closed then.
 */
export async function openConnection(transport: Transport, options: SessionOptions = {}): Promise<AppServerConnection> {
  const connection = new AppServerConnection(transport, options);
  options.onConnection?.(connection);
  const params: InitializeParams = {
    clientInfo: options.clientInfo ?? DEFAULT_CLIENT_INFO,
    capabilities: {
      experimentalApi: options.experimentalApi ?? true,
      ...(options.optOutNotificationMethods?.length ? { optOutNotificationMethods: [...options.optOutNotificationMethods] } : {}),
    },
  };
  const onAbort = () => void connection.close({ graceMs: 0, termMs: 500 });
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (options.signal?.aborted) throw new Error('start-up interrupted');
    await connection.start();
    await connection.initialize(params, { timeoutMs: options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS });
    // The interrupt closed it mid-handshake, though the server's reply still came: not a connection to use.
    if (!connection.isOpen) throw new Error(options.signal?.aborted ? 'start-up interrupted' : 'the connection closed during the handshake');
    return connection;
  } catch (error) {
    // An interrupted start is said as such, not as the exit the interrupt caused.
    if (options.signal?.aborted) error = new Error('start-up interrupted');
    await connection.close({ graceMs: 500, termMs: 1000 });
    const code =
      error instanceof TransportOpenError ? error.code : connection.exitInfo?.spawnError === undefined ? LocalErrorCode.exited : LocalErrorCode.spawnFailed;
    throw startupError(transport, code, error, connection.stderrTail(3).join(' | '));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** A one-line start-up failure that names the binary (or URL) and, when not already in it, its stderr tail. */
function startupError(transport: Transport, code: LocalErrorCode, error: unknown, stderr: string): AppServerError {
  const detail = error instanceof Error ? error.message : String(error);
  const message = stderr.length > 0 && !detail.includes(stderr) ? `${detail}; stderr: ${stderr}` : detail;
  // A server cas spawns failed to start; a running one could not be reached.
  const what = transport.command !== undefined ? `failed to start ${transport.command}` : `cannot connect to ${transport.endpoint}`;
  return new AppServerError(`${what}: ${message}`, { kind: 'startup', code, cause: error });
}
