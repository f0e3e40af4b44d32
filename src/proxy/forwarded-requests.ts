import type { ServerRequestReply } from '../client/connection.js';
import { RpcErrorCode } from '../protocol/error-codes.js';
import type { RequestId, RpcErrorObject, ServerRequest } from '../protocol/messages.js';
import { TYPED_RESPONSES } from '../protocol/server-requests.js';

/** How an orchestrator's `cas/respond` was taken. */
export type RespondOutcome =
  | { kind: 'answered'; method: string }
  /** Not the shape the server expects: an error went upstream instead. */
  | { kind: 'malformed'; method: string; reason: string }
  /** No forwarded request is waiting under that id. */
  | { kind: 'unknown' };

/** The code of the error a forwarded request gets when the orchestrator does not answer in time. */
export const FORWARD_TIMEOUT_CODE = -32000;

interface Waiting {
  request: ServerRequest;
  resolve(reply: ServerRequestReply): void;
  timer: NodeJS.Timeout | undefined;
}

/** A map key that keeps 1 and "1" apart, as JSON-RPC does. */
function keyOf(id: RequestId): string {
  return `${typeof id}:${id}`;
}

/**
 * Server requests handed to the orchestrator. Each is answered exactly once: by `cas/respond`,
 * or, if none comes within the timeout, by an error, so the server never waits forever.
 */
export class ForwardedRequests {
  readonly #waiting = new Map<string, Waiting>();
  readonly #timeoutMs: number;
  readonly #onTimeout: (request: ServerRequest, error: RpcErrorObject) => void;

  /** @param timeoutMs how long the orchestrator has (0: forever) */
  constructor(timeoutMs: number, onTimeout: (request: ServerRequest, error: RpcErrorObject) => void) {
    this.#timeoutMs = timeoutMs;
    this.#onTimeout = onTimeout;
  }

  /** How long the orchestrator has (0: forever). */
  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** Ids waiting for the orchestrator. */
  get pending(): RequestId[] {
    return [...this.#waiting.values()].map((waiting) => waiting.request.id);
  }

  /** Waits for the orchestrator's answer to `request` (or the timeout's error). */
  forward(request: ServerRequest): Promise<ServerRequestReply> {
    return new Promise((resolve) => {
      const waiting: Waiting = { request, resolve, timer: undefined };
      if (this.#timeoutMs > 0) {
        waiting.timer = setTimeout(() => {
          // The original cas's code and words, which orchestrators may match on.
          const error = { code: FORWARD_TIMEOUT_CODE, message: `Timed out waiting for orchestrator response to ${request.method}` };
          this.#settle(request.id, { error });
          this.#onTimeout(request, error);
        }, this.#timeoutMs);
      }
      this.#waiting.set(keyOf(request.id), waiting);
    });
  }

  /** Takes the orchestrator's answer; a result that does not fit a typed request becomes an error upstream. */
  respond(id: RequestId, answer: ServerRequestReply): RespondOutcome {
    const waiting = this.#waiting.get(keyOf(id));
    if (waiting === undefined) return { kind: 'unknown' };
    const { method } = waiting.request;
    const schema = TYPED_RESPONSES[method];
    if ('result' in answer && schema !== undefined) {
      const checked = schema.safeParse(answer.result);
      if (!checked.success) {
        const issue = checked.error.issues[0];
        const reason = `${issue?.path.join('.') || 'result'}: ${issue?.message ?? 'invalid'}`;
        this.#settle(id, { error: { code: RpcErrorCode.invalidParams, message: `the orchestrator's answer to ${method} is malformed (${reason})` } });
        return { kind: 'malformed', method, reason };
      }
    }
    this.#settle(id, answer);
    return { kind: 'answered', method };
  }

  /** Answers everything still waiting with an error (the proxy is stopping). */
  cancelAll(message: string): void {
    for (const waiting of [...this.#waiting.values()]) this.#settle(waiting.request.id, { error: { code: RpcErrorCode.internalError, message } });
  }

  #settle(id: RequestId, reply: ServerRequestReply): void {
    const key = keyOf(id);
    const waiting = this.#waiting.get(key);
    if (waiting === undefined) return;
    this.#waiting.delete(key);
    if (waiting.timer !== undefined) clearTimeout(waiting.timer);
    waiting.resolve(reply);
  }
}
