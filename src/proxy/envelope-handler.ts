import type { AppServerConnection } from '../client/connection.js';
import type { Envelope } from './envelopes.js';
import type { EventStream } from './event-stream.js';
import type { ForwardedRequests } from './forwarded-requests.js';
import type { MessageTaps } from './message-taps.js';
import type { ProxyStateFile } from './proxy-state.js';
import type { RequestDispatch } from './request-dispatch.js';

/** What envelopes act on. */
export interface EnvelopeContext {
  connection: AppServerConnection;
  events: EventStream;
  taps: MessageTaps;
  forwarded: ForwardedRequests;
  state: ProxyStateFile;
  requests: RequestDispatch;
  /** The `snapshot` of a `cas/stats` event now. */
  stats(): Record<string, unknown>;
}

/** The `cas/state` event's fields: the original's `stateFile` and `state`, and the current thread at the top. */
export function stateEvent(kind: string, state: ProxyStateFile, pending: ReadonlyArray<string | number>) {
  state.state.pendingServerRequests = [...pending];
  return { type: 'cas/state', kind, stateFile: state.file ?? null, currentThreadId: state.state.currentThreadId, state: state.state };
}

/** Handles one envelope from the orchestrator; true when it asks the proxy to exit. */
export function handleEnvelope(envelope: Envelope, context: EnvelopeContext): boolean {
  const { events, forwarded, taps } = context;
  switch (envelope.type) {
    case 'cas/request':
      context.requests.submit(envelope);
      return false;
    case 'cas/respond': {
      const outcome = forwarded.respond(envelope.id, envelope.error !== undefined ? { error: envelope.error } : { result: envelope.result });
      // The answer is written a tick later: its event's reason is noted first.
      if (outcome.kind !== 'unknown') taps.noteAnswer(envelope.id, outcome.kind === 'answered' ? 'clientResponse' : 'clientResponseValidationError');
      if (outcome.kind === 'unknown') events.emit({ type: 'cas/error', message: 'cas/respond id does not match a pending server request', id: envelope.id });
      if (outcome.kind === 'malformed') {
        // The answer went upstream as an error instead; the event says so, in the original's words.
        events.emit({ type: 'cas/error', message: 'Invalid cas/respond payload for server request', id: envelope.id, method: outcome.method, validationError: outcome.reason });
      }
      return false;
    }
    case 'cas/send':
      taps.sendRaw(context.connection, envelope.msg);
      return false;
    case 'cas/state/get':
      events.emit(stateEvent('get', context.state, forwarded.pending));
      return false;
    case 'cas/stats/get':
      events.emit({ type: 'cas/stats', kind: 'get', snapshot: context.stats() });
      return false;
    case 'cas/exit':
      return true;
  }
}
