import type { AppServerConnection, ServerRequestHandler } from '../client/connection.js';
import type { RequestId, ServerRequest } from '../protocol/messages.js';
import type { ServerRequestPolicy } from '../policy/choices.js';
import { decideServerRequest, type PolicyOutcome } from '../policy/decide.js';
import { ServerRequestMethod as M, SKILL_APPROVAL_METHOD } from '../protocol/server-requests.js';
import { RATE_LIMITS_READ } from '../budget/rate-limits.js';
import type { EventStream } from './event-stream.js';
import type { ForwardedRequests } from './forwarded-requests.js';
import type { ProxyCounters } from './proxy-counters.js';
import type { ProxyStateFile } from './proxy-state.js';
import { eventKeys, routingKeys, type RoutingKeys } from './routing-keys.js';
import { wireKind } from './wire-kind.js';

/** What the proxy remembers of a request it sent, to label the reply. */
export interface SentRequest {
  method: string;
  keys: RoutingKeys;
  clientRequestId: string | number | null;
  /** Sent by cas itself (the handshake, budget reads), not for the orchestrator. */
  internal: boolean;
  /** Why it was sent, as `cas/toServer` says: `clientRequest`, `clientRaw`, `handshake`, ... */
  reason: string;
}

/** How a server request got its answer, for the `cas/toServer` event that carries it. */
interface Answering {
  method: string;
  keys: RoutingKeys;
  reason: string;
  policy?: { decision: string; fellBackFrom?: string; skill?: true };
}

/** A map key that keeps 1 and "1" apart. */
export function idKey(id: RequestId): string {
  return `${typeof id}:${id}`;
}

/** Why cas sends a message of its own: the handshake, a budget read, ... */
function internalReason(method: string | null): string {
  if (method === 'initialize' || method === 'initialized') return 'handshake';
  if (method === RATE_LIMITS_READ) return 'budgetPacing';
  return 'internal';
}

/** How an answer by policy is named: approvals as the original cas named them, the rest apart. */
function policyReason(method: string): string {
  if (method === M.legacyExecApproval || method === M.legacyPatchApproval) return 'legacyUnsupported';
  const approvals: string[] = [M.commandApproval, M.fileChangeApproval, M.permissionsApproval, SKILL_APPROVAL_METHOD];
  return approvals.includes(method) ? 'autoApproval' : 'autoResponse';
}

/** The proxy's view of traffic: every message in and out becomes an event, and server requests are answered. */
export class MessageTaps {
  /** Requests sent to the app-server (by the orchestrator or cas), by id, until their reply. */
  readonly sent = new Map<string, SentRequest>();
  /** Server requests, by id, until answered: how the answer came about. */
  readonly #answering = new Map<string, Answering>();
  /** Server requests as received, until handled: forwarded ones go to the orchestrator byte for byte. */
  readonly #rawServerRequests = new Map<string, string>();
  readonly #events: EventStream;
  readonly #counters: ProxyCounters;
  readonly #state: ProxyStateFile;
  readonly #forwarded: ForwardedRequests;
  readonly #policy: ServerRequestPolicy;
  /** True while a `cas/send` message is being written. */
  #sendingRaw = false;

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
    connection.on('skippedLine', (reason, sample) => this.#notJson(reason, sample));
  }

  /** Registers a request the orchestrator is about to send, so its events carry its labels. */
  expect(id: RequestId, request: SentRequest): void {
    this.sent.set(idKey(id), request);
  }

  /** Writes an orchestrator's raw message (`cas/send`) as is; its event says `clientRaw`, and a reply to it is labelled. */
  sendRaw(connection: AppServerConnection, message: Record<string, unknown>): void {
    const { kind, method, id } = wireKind(message);
    if (kind === 'request') this.expect(id!, { method: method!, keys: routingKeys(message), clientRequestId: null, internal: false, reason: 'clientRaw' });
    this.#sendingRaw = true;
    try {
      connection.sendRaw(message);
    } finally {
      this.#sendingRaw = false;
    }
  }

  /** Notes why a forwarded request is being answered (`clientResponse`, `serverRequestTimeout`, ...), before the answer goes out. */
  noteAnswer(id: RequestId, reason: string): void {
    const answering = this.#answering.get(idKey(id));
    if (answering !== undefined) answering.reason = reason;
  }

  /** Answers a server request by policy, or hands it to the orchestrator and waits. */
  readonly answer: ServerRequestHandler = (request: ServerRequest) => {
    const key = idKey(request.id);
    const keys = routingKeys(request);
    const outcome = decideServerRequest(request, this.#policy);
    const raw = this.#rawServerRequests.get(key) ?? JSON.stringify(request);
    this.#rawServerRequests.delete(key);
    if (outcome.kind === 'answer') {
      this.#counters.autoApprovals++;
      this.#answering.set(key, { method: request.method, keys, reason: policyReason(request.method), policy: policyNote(outcome) });
      return outcome.reply;
    }
    this.#counters.forwardedServerRequests++;
    this.#answering.set(key, { method: request.method, keys, reason: 'clientResponse' });
    this.#events.emit(
      { type: 'cas/serverRequest', method: request.method, id: request.id, timeoutMs: this.#forwarded.timeoutMs, ...eventKeys(keys) },
      raw,
    );
    return this.#forwarded.forward(request);
  };

  #fromServer(text: string, message: unknown): void {
    this.#counters.fromServerMessages++;
    const { kind, method, id } = wireKind(message);
    if (kind === 'request') this.#rawServerRequests.set(idKey(id!), text);
    const sent = kind === 'response' ? this.sent.get(idKey(id!)) : undefined;
    if (sent !== undefined) this.sent.delete(idKey(id!));
    const keys = routingKeys(message, sent?.keys);
    this.#state.observe(keys);
    this.#events.emit(
      {
        type: 'cas/fromServer',
        kind,
        method,
        id,
        requestMethod: sent?.method ?? null,
        clientRequestId: sent?.clientRequestId ?? null,
        internal: sent?.internal ?? false,
        ...eventKeys(keys),
      },
      text,
    );
  }

  #toServer(text: string, message: unknown): void {
    this.#counters.toServerMessages++;
    const { kind, method, id } = wireKind(message);
    let fields: Record<string, unknown>;
    if (kind === 'response') {
      // An answer to a server request: labelled with that request's method, keys and how it was decided.
      const answering = this.#answering.get(idKey(id!));
      this.#answering.delete(idKey(id!));
      fields = {
        kind,
        method: answering?.method ?? null,
        id,
        reason: this.#sendingRaw ? 'clientRaw' : (answering?.reason ?? 'clientRaw'),
        ...eventKeys(answering?.keys ?? {}),
        ...(answering?.policy === undefined ? {} : { policy: answering.policy }),
      };
    } else {
      let sent = id === null ? undefined : this.sent.get(idKey(id));
      if (sent === undefined && kind === 'request' && !this.#sendingRaw) {
        // A request the orchestrator did not send: cas's own (the handshake, a budget read).
        sent = { method: method!, keys: {}, clientRequestId: `cas/${method}`, internal: true, reason: internalReason(method) };
        this.sent.set(idKey(id!), sent);
      }
      const reason = this.#sendingRaw ? 'clientRaw' : (sent?.reason ?? internalReason(method));
      fields = { kind, method, id, reason, clientRequestId: sent?.clientRequestId ?? null, ...eventKeys(routingKeys(message, sent?.keys)) };
    }
    this.#events.emit({ type: 'cas/toServer', ...fields }, text);
  }

  #notJson(reason: string, sample: string): void {
    this.#counters.serverParseErrors++;
    this.#events.emit({ type: 'cas/fromServer', kind: 'nonJson', method: null, id: null, ...eventKeys({}), reason, line: sample });
  }
}

function policyNote(outcome: Extract<PolicyOutcome, { kind: 'answer' }>): Answering['policy'] {
  return {
    decision: outcome.decision,
    ...(outcome.fellBackFrom === undefined ? {} : { fellBackFrom: outcome.fellBackFrom }),
    ...(outcome.skill ? { skill: true as const } : {}),
  };
}
