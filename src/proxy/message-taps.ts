import type { AppServerConnection, ServerRequestHandler } from '../client/connection.js';
import type { RequestId, ServerRequest } from '../protocol/messages.js';
import type { ServerRequestPolicy } from '../policy/choices.js';
import { decideServerRequest } from '../policy/decide.js';
import type { EventStream } from './event-stream.js';
import type { ForwardedRequests } from './forwarded-requests.js';
import type { ProxyCounters } from './proxy-counters.js';
import type { ProxyStateFile } from './proxy-state.js';
import { routingKeys, type RoutingKeys } from './routing-keys.js';

/** What the proxy remembers of a request it sent, to label the reply. */
export interface SentRequest {
  keys: RoutingKeys;
  clientRequestId?: string | number;
}

/** A map key that keeps 1 and "1" apart. */
export function idKey(id: RequestId): string {
  return `${typeof id}:${id}`;
}

/** The proxy's view of traffic: every message in and out becomes an event, and server requests are answered. */
export class MessageTaps {
  /** Requests sent through the proxy, by id, until their reply. */
  readonly sent = new Map<string, SentRequest>();
  /** Routing keys and policy notes of server requests, by id, until answered. */
  readonly #serverRequests = new Map<string, { keys: RoutingKeys; policy?: { decision: string; fellBackFrom?: string } }>();
  /** Server requests as received, until handled: forwarded ones go to the orchestrator byte for byte. */
  readonly #rawServerRequests = new Map<string, string>();
  readonly #events: EventStream;
  readonly #counters: ProxyCounters;
  readonly #state: ProxyStateFile;
  readonly #forwarded: ForwardedRequests;
  readonly #policy: ServerRequestPolicy;

  constructor(events: EventStream, counters: ProxyCounters, state: ProxyStateFile, forwarded: ForwardedRequests, policy: ServerRequestPolicy) {
    this.#events = events;
    this.#counters = counters;
    this.#state = state;
    this.#forwarded = forwarded;
    this.#policy = policy;
  }

  /** Watches a connection from before its handshake. */
  attach(connection: AppServerConnection): void {
    connection.on('incoming', (text, message) => this.#fromServer(text, message));
    connection.on('outgoing', (text, message) => this.#toServer(text, message));
  }

  /** Answers a server request by policy, or hands it to the orchestrator and waits. */
  readonly answer: ServerRequestHandler = (request: ServerRequest) => {
    const keys = routingKeys(request);
    const outcome = decideServerRequest(request, this.#policy);
    if (outcome.kind === 'answer') {
      this.#counters.answeredByPolicy++;
      const policy = outcome.fellBackFrom === undefined ? { decision: outcome.decision } : { decision: outcome.decision, fellBackFrom: outcome.fellBackFrom };
      this.#serverRequests.set(idKey(request.id), { keys, policy });
      this.#rawServerRequests.delete(idKey(request.id));
      return outcome.reply;
    }
    this.#counters.forwarded++;
    this.#serverRequests.set(idKey(request.id), { keys });
    const raw = this.#rawServerRequests.get(idKey(request.id)) ?? JSON.stringify(request);
    this.#rawServerRequests.delete(idKey(request.id));
    this.#events.emit({ type: 'cas/serverRequest', ...keys, id: request.id, method: request.method }, raw);
    return this.#forwarded.forward(request);
  };

  #fromServer(text: string, message: unknown): void {
    this.#counters.fromServer++;
    const record = message as { id?: RequestId; method?: unknown };
    const isReply = record.id !== undefined && record.method === undefined;
    if (record.id !== undefined && typeof record.method === 'string') this.#rawServerRequests.set(idKey(record.id), text);
    const sent = isReply ? this.sent.get(idKey(record.id!)) : undefined;
    if (sent !== undefined) this.sent.delete(idKey(record.id!));
    const keys = routingKeys(message, sent?.keys);
    this.#state.observe(keys);
    const extra = sent?.clientRequestId === undefined ? {} : { clientRequestId: sent.clientRequestId };
    this.#events.emit({ type: 'cas/fromServer', ...keys, ...extra }, text);
  }

  #toServer(text: string, message: unknown): void {
    this.#counters.toServer++;
    const record = message as { id?: RequestId; method?: unknown };
    let keys: RoutingKeys;
    let extra: Record<string, unknown> = {};
    if (record.id !== undefined && record.method === undefined) {
      // An answer to a server request: labelled with that request's keys and how it was decided.
      const answered = this.#serverRequests.get(idKey(record.id));
      this.#serverRequests.delete(idKey(record.id));
      keys = routingKeys(undefined, answered?.keys);
      if (answered?.policy !== undefined) extra = { policy: answered.policy };
    } else {
      const sent = record.id === undefined ? undefined : this.sent.get(idKey(record.id));
      keys = routingKeys(message, sent?.keys);
      if (sent?.clientRequestId !== undefined) extra = { clientRequestId: sent.clientRequestId };
    }
    this.#events.emit({ type: 'cas/toServer', ...keys, ...extra }, text);
  }
}
