import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { LineReader } from '../batch/line-reader.js';
import type { AppServerConnection } from '../client/connection.js';
import { describeExit } from '../client/connection.js';
import type { ServerRequestPolicy } from '../policy/choices.js';
import { withSession, type SessionOptions } from '../runner/session.js';
import type { Redactor } from '../report/redactor.js';
import type { Envelope } from './envelopes.js';
import { parseEnvelope } from './envelopes.js';
import { EventStream } from './event-stream.js';
import { ForwardedRequests } from './forwarded-requests.js';
import { idKey, MessageTaps } from './message-taps.js';
import { newCounters } from './proxy-counters.js';
import { ProxyStateFile } from './proxy-state.js';
import { routingKeys } from './routing-keys.js';

/** Everything `cas proxy` does, as a library call. */
export interface RunProxyOptions extends Omit<SessionOptions, 'signal' | 'homes' | 'instances' | 'policy'> {
  /** JSONL envelopes from the orchestrator. */
  input: Readable;
  /** JSONL events to the orchestrator. */
  output: Writable;
  /** How server requests are answered, or forwarded. */
  policy: ServerRequestPolicy;
  /** How long the orchestrator has to answer a forwarded request (0: forever). */
  serverRequestTimeoutMs: number;
  /** Events the reader may leave unread before the proxy pauses its inputs. */
  maxOutQueue: number;
  /** Where to keep the proxy state (current thread, ...), for an orchestrator that restarts. */
  stateFile?: string;
  /** Stops the proxy as `cas/exit` would. */
  signal?: AbortSignal;
  /** Keeps secrets out of the events (default: secret-looking keys). */
  redactor?: Redactor;
}

/** Why the proxy stopped. */
export type ProxyEnd = 'exit-requested' | 'input-ended' | 'app-server-exited' | 'failed-to-start' | 'signal';

/**
 * One app-server behind a JSONL stream API: envelopes in (`cas/request`, `cas/respond`, ...),
 * events out (`cas/fromServer`, `cas/toServer`, `cas/serverRequest`, ...), each with `seq`,
 * `ts`, `sessionId`, routing keys and the raw message. Resolves with why it stopped.
 */
export async function runProxy(options: RunProxyOptions): Promise<ProxyEnd> {
  const sessionId = randomUUID();
  const started = Date.now();
  const counters = newCounters();
  const state = new ProxyStateFile(options.stateFile, sessionId);
  let connection: AppServerConnection | undefined;
  let wakeInput: (() => void) | undefined;
  const events: EventStream = new EventStream(options.output, sessionId, options.maxOutQueue, {
    onPause(queued) {
      connection?.pauseReading();
      events.emit({ type: 'cas/ioPaused', queued });
    },
    onResume(queued) {
      connection?.resumeReading();
      events.emit({ type: 'cas/ioResumed', queued });
      wakeInput?.();
    },
  }, options.redactor);
  const forwarded = new ForwardedRequests(options.serverRequestTimeoutMs, (request, error) => {
    counters.forwardTimeouts++;
    events.emit({ type: 'cas/serverRequestTimeout', ...routingKeys(request), id: request.id, method: request.method, error });
  });
  const taps = new MessageTaps(events, counters, state, forwarded, options.policy);
  let nextId = 0;

  const stats = () => ({
    uptimeMs: Date.now() - started,
    events: events.emitted,
    queued: events.queued,
    paused: events.paused,
    pendingRequests: connection?.stats.pending ?? 0,
    pendingServerRequests: forwarded.pending.length,
    skippedLines: connection?.stats.skippedLines ?? 0,
    lateReplies: connection?.stats.lateReplies ?? 0,
    unknownReplies: connection?.stats.unknownReplies ?? 0,
    ...counters,
  });

  /** Handles one envelope; true when the orchestrator asked to exit. */
  function handle(envelope: Envelope, conn: AppServerConnection): boolean {
    switch (envelope.type) {
      case 'cas/request': {
        const id = envelope.id ?? `cas-${++nextId}`;
        if (taps.sent.has(idKey(id))) {
          events.emit({ type: 'cas/error', id, error: `request id ${JSON.stringify(id)} is already pending` });
          return false;
        }
        const clientRequestId = envelope.clientRequestId;
        taps.sent.set(idKey(id), { keys: routingKeys({ params: envelope.params }), ...(clientRequestId === undefined ? {} : { clientRequestId }) });
        conn.request(envelope.method, envelope.params, { id }).catch((error: { kind?: string; message?: string }) => {
          // Server errors arrive as cas/fromServer; what the server never said is reported here.
          if (error.kind === 'rpc') return;
          taps.sent.delete(idKey(id));
          events.emit({ type: 'cas/error', id, ...(clientRequestId === undefined ? {} : { clientRequestId }), error: error.message ?? String(error) });
        });
        return false;
      }
      case 'cas/respond': {
        const outcome = forwarded.respond(envelope.id, envelope.error !== undefined ? { error: envelope.error } : { result: envelope.result });
        if (outcome.kind === 'unknown') events.emit({ type: 'cas/error', id: envelope.id, error: `no forwarded server request is waiting with id ${JSON.stringify(envelope.id)}` });
        if (outcome.kind === 'malformed') events.emit({ type: 'cas/error', id: envelope.id, error: `answer to ${outcome.method} refused: ${outcome.reason}; an error was sent to the server instead` });
        return false;
      }
      case 'cas/send':
        conn.sendRaw(envelope.msg);
        return false;
      case 'cas/state/get':
        state.state.pendingServerRequests = forwarded.pending;
        events.emit({ type: 'cas/state', state: state.state });
        return false;
      case 'cas/stats/get':
        events.emit({ type: 'cas/stats', stats: stats() });
        return false;
      case 'cas/exit':
        return true;
    }
  }

  /** Reads envelopes until exit, end of input, or the app-server's exit. */
  async function serve(conn: AppServerConnection, exited: Promise<unknown>): Promise<ProxyEnd> {
    const reader = new LineReader(options.input);
    const stopped = options.signal === undefined ? new Promise<never>(() => {}) : once(options.signal, 'abort').then(() => 'signal' as const);
    const died = exited.then(() => 'app-server-exited' as const);
    for (;;) {
      while (events.paused) await new Promise<void>((resolve) => (wakeInput = resolve));
      const next = await Promise.race([reader.next(), died, stopped]);
      if (next === 'app-server-exited' || next === 'signal') return next;
      if (next === undefined) return 'input-ended';
      if (next.text.trim() === '') continue;
      const parsed = parseEnvelope(next.text);
      if ('error' in parsed) {
        counters.badInput++;
        events.emit({ type: 'cas/error', line: next.number, error: `line ${next.number}: ${parsed.error}` });
        continue;
      }
      if (handle(parsed.envelope, conn)) return 'exit-requested';
    }
  }

  const end = await withSession(
    {
      ...options,
      instances: 1,
      // The orchestrator owns the session: an app-server that dies ends the proxy, it is not replaced behind its back.
      maxRestarts: 0,
      maxConsecutiveTimeouts: 0,
      connect: { ...options.connect, onConnection: (conn) => taps.attach(conn), onServerRequest: taps.answer },
    },
    async (session): Promise<ProxyEnd> => {
      const instance = session.instances[0]!;
      connection = instance.connection;
      if (connection === undefined) {
        events.emit({ type: 'cas/error', error: `app-server failed to start: ${instance.lastError ?? 'unknown'}` });
        return 'failed-to-start';
      }
      const conn = connection;
      const info = conn.initializeResult!;
      Object.assign(state.state, { pid: conn.pid ?? null, codexHome: info.codexHome, userAgent: info.userAgent });
      await state.save();
      events.emit({ type: 'cas/ready', pid: conn.pid, userAgent: info.userAgent, codexHome: info.codexHome, platformOs: info.platformOs ?? null });
      const exited = new Promise((resolve) => conn.once('exit', resolve));
      const why = await serve(conn, exited);
      // Asked to stop, or no more input: requests already sent still get their replies first.
      if (why === 'input-ended' || why === 'exit-requested') await settle(conn, options.connect.requestTimeoutMs ?? 30_000);
      forwarded.cancelAll('the proxy is stopping');
      await session.close();
      const exit = conn.exitInfo!;
      events.emit({ type: 'cas/appServerExit', expected: why !== 'app-server-exited', code: exit.code, signal: exit.signal, detail: describeExit(exit, conn.stderrTail(3).join(' | ')) });
      return why;
    },
  );
  state.state.pendingServerRequests = [];
  await state.save();
  if (options.output.writableNeedDrain) await once(options.output, 'drain');
  return end;
}

/** After the input ends, lets requests in flight get their replies (bounded by the request timeout). */
async function settle(conn: AppServerConnection, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + (timeoutMs > 0 ? timeoutMs : 30_000);
  while (conn.stats.pending > 0 && conn.isOpen && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
