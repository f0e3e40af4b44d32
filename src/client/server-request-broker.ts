import { RpcErrorCode } from '../protocol/error-codes.js';
import type { RequestId, RpcErrorObject, ServerRequest } from '../protocol/messages.js';
import type { ServerRequestHandler, ServerRequestReply } from './connection.js';
import { DEFAULT_POLICY } from '../policy/choices.js';
import { policyHandler } from '../policy/policy-handler.js';
import type { Unsubscribe } from './notification-hub.js';

/** Answers a server request with a reply, or returns undefined to answer later with `respond`/`respondError`. */
export type ClientServerRequestHandler = (
  request: ServerRequest,
) => ServerRequestReply | undefined | Promise<ServerRequestReply | undefined>;

/** Told of every server request as it arrives (before it is answered). */
export type ServerRequestListener = (request: ServerRequest) => void;

/** Options of {@link ServerRequestBroker}. */
export interface ServerRequestBrokerOptions {
  /** Answers requests first; when it returns undefined the request waits for `respond`. */
  handler?: ClientServerRequestHandler;
  /** How long a request waits for `respond` before it gets the fallback reply, in ms (default 30000). */
  timeoutMs?: number;
  /** The reply when nobody answers (default: cas's fail-closed policy, which declines approvals). */
  fallback?: ServerRequestHandler;
}

/** Default {@link ServerRequestBrokerOptions.timeoutMs}. */
export const DEFAULT_SERVER_REQUEST_TIMEOUT_MS = 30_000;

interface Waiting {
  request: ServerRequest;
  settle(reply: ServerRequestReply): void;
}

/**
 * Holds server requests open until someone answers them. The answer is the first of: the
 * handler's reply; `respond`/`respondError` with the request's id; the fallback reply once
 * `timeoutMs` has passed. A request that arrives with neither a handler nor a listener gets the
 * fallback at once, since nobody could answer it. So no request is ever left waiting.
 * Pass {@link ServerRequestBroker.answer} to `connect({ onServerRequest })`.
 */
export class ServerRequestBroker {
  readonly #handler: ClientServerRequestHandler | undefined;
  readonly #timeoutMs: number;
  readonly #fallback: ServerRequestHandler;
  readonly #waiting = new Map<RequestId, Waiting>();
  readonly #listeners = new Set<ServerRequestListener>();
  #closed = false;

  constructor(options: ServerRequestBrokerOptions = {}) {
    this.#handler = options.handler;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_SERVER_REQUEST_TIMEOUT_MS;
    this.#fallback = options.fallback ?? policyHandler(DEFAULT_POLICY);
  }

  /** The connection's `onServerRequest`: resolves with the request's answer. */
  readonly answer: ServerRequestHandler = (request) => this.#answer(request);

  /** Server requests waiting for an answer now. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /** Calls `listener` with every server request; answer it with {@link respond} or {@link respondError}. */
  onRequest(listener: ServerRequestListener): Unsubscribe {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Answers the waiting request `id` with `result`; false when it is not waiting (answered, timed out, unknown). */
  respond(id: RequestId, result: unknown): boolean {
    return this.#settle(id, { result });
  }

  /** Answers the waiting request `id` with a JSON-RPC error; false when it is not waiting. */
  respondError(id: RequestId, error: RpcErrorObject): boolean {
    return this.#settle(id, { error });
  }

  /** Answers every waiting request with the fallback and answers new ones with it at once. */
  close(): void {
    this.#closed = true;
    for (const waiting of [...this.#waiting.values()]) void this.#fallbackFor(waiting.request).then((reply) => this.#settle(waiting.request.id, reply));
    this.#listeners.clear();
  }

  async #answer(request: ServerRequest): Promise<ServerRequestReply> {
    if (this.#closed || (this.#handler === undefined && this.#listeners.size === 0)) return this.#fallback(request);
    const previous = this.#waiting.get(request.id);
    // The server reused an id that is still waiting: the old one can no longer be answered apart.
    if (previous !== undefined) this.#settle(request.id, await this.#fallbackFor(previous.request));
    const reply = new Promise<ServerRequestReply>((resolve) => {
      const timer = setTimeout(() => void this.#fallbackFor(request).then((fallback) => this.#settle(request.id, fallback)), this.#timeoutMs);
      this.#waiting.set(request.id, {
        request,
        settle: (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
      });
    });
    for (const listener of [...this.#listeners]) {
      try {
        listener(request);
      } catch (error) {
        // Rethrown outside the stdout reader, like a notification handler's error.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    if (this.#handler !== undefined) void this.#runHandler(request);
    return reply;
  }

  async #runHandler(request: ServerRequest): Promise<void> {
    try {
      const reply = await this.#handler!(request);
      if (reply !== undefined) this.#settle(request.id, reply);
    } catch (error) {
      this.#settle(request.id, { error: { code: RpcErrorCode.internalError, message: `cas failed to answer ${request.method}: ${String(error)}` } });
    }
  }

  async #fallbackFor(request: ServerRequest): Promise<ServerRequestReply> {
    try {
      return await this.#fallback(request);
    } catch (error) {
      return { error: { code: RpcErrorCode.internalError, message: `cas failed to answer ${request.method}: ${String(error)}` } };
    }
  }

  #settle(id: RequestId, reply: ServerRequestReply): boolean {
    const waiting = this.#waiting.get(id);
    if (waiting === undefined) return false;
    this.#waiting.delete(id);
    waiting.settle(reply);
    return true;
  }
}
