import type { AppServerConnection } from '../client/connection.js';
import type { BudgetPacer, Release } from '../budget/budget-pacer.js';
import type { RequestId } from '../protocol/messages.js';
import type { RequestEnvelopeSchema } from './envelopes.js';
import type { EventStream } from './event-stream.js';
import { idKey, type MessageTaps } from './message-taps.js';
import { routingKeys } from './routing-keys.js';
import type * as z from 'zod';

type RequestEnvelope = z.infer<typeof RequestEnvelopeSchema>;

/**
 * Sends the orchestrator's `cas/request`s. Each gets exactly one outcome: its reply (as
 * `cas/fromServer`), or a `cas/error` naming its id and clientRequestId. With budget pacing,
 * requests wait in order for room under the tier (none go out while it is critical).
 */
export class RequestDispatch {
  readonly #connection: AppServerConnection;
  readonly #taps: MessageTaps;
  readonly #events: EventStream;
  readonly #pacer: BudgetPacer | undefined;
  /** Requests waiting for the budget. */
  #queued = 0;

  constructor(connection: AppServerConnection, taps: MessageTaps, events: EventStream, pacer: BudgetPacer | undefined) {
    this.#connection = connection;
    this.#taps = taps;
    this.#events = events;
    this.#pacer = pacer;
  }

  /** Requests waiting for room under the budget. */
  get queued(): number {
    return this.#queued;
  }

  submit(envelope: RequestEnvelope): void {
    if (this.#pacer === undefined) {
      this.#send(envelope, undefined);
      return;
    }
    this.#queued++;
    void this.#pacer.acquire().then((release) => {
      this.#queued--;
      if (release === undefined) this.#fail(envelope, envelope.id ?? null, 'not sent: the proxy stopped while the request waited for the rate-limit budget');
      else this.#send(envelope, release);
    });
  }

  #send(envelope: RequestEnvelope, release: Release | undefined): void {
    const id = envelope.id ?? this.#connection.allocateId();
    if (this.#taps.sent.has(idKey(id))) {
      release?.();
      this.#fail(envelope, id, `request id ${JSON.stringify(id)} is already in flight: choose another, or leave it out and cas picks one`);
      return;
    }
    const clientRequestId = envelope.clientRequestId ?? null;
    this.#taps.expect(id, { method: envelope.method, keys: routingKeys({ params: envelope.params }), clientRequestId, internal: false, reason: 'clientRequest' });
    this.#connection
      .request(envelope.method, envelope.params, { id })
      .catch((error: { kind?: string; message?: string }) => {
        // A server's error reply arrives as cas/fromServer; only what the server never said is reported here.
        if (error.kind === 'rpc') return;
        this.#taps.sent.delete(idKey(id));
        this.#fail(envelope, id, error.message ?? String(error));
      })
      .finally(() => release?.());
  }

  #fail(envelope: RequestEnvelope, id: RequestId | null, message: string): void {
    this.#events.emit({ type: 'cas/error', message, id, clientRequestId: envelope.clientRequestId ?? null, method: envelope.method });
  }
}
