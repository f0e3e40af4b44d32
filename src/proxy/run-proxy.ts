import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type { AppServerConnection } from '../client/connection.js';
import { describeExit } from '../client/connection.js';
import type { ServerRequestPolicy } from '../policy/choices.js';
import { spawnChildProcess } from '../process/child-process.js';
import { LocalErrorCode } from '../protocol/error-codes.js';
import { withSession, type Session, type SessionOptions } from '../runner/session.js';
import type { Redactor } from '../report/redactor.js';
import { describeBudgetChange } from '../budget/describe-budget.js';
import { handleEnvelope, stateEvent } from './envelope-handler.js';
import { EventStream } from './event-stream.js';
import { ForwardedRequests } from './forwarded-requests.js';
import { readEnvelopes, type InputEnd } from './input-loop.js';
import { MessageTaps } from './message-taps.js';
import { newCounters } from './proxy-counters.js';
import { ProxyStateFile } from './proxy-state.js';
import { statsSnapshot } from './proxy-stats.js';
import { RequestDispatch } from './request-dispatch.js';
import { eventKeys, routingKeys } from './routing-keys.js';
import { tapStderr } from './stderr-tap.js';

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
  /** Where to keep the proxy state (current thread, ...); it is read back at start. */
  stateFile?: string;
  /** A `cas/stats` event every this many ms (0 or unset: none). */
  heartbeatMs?: number;
  /** How long each step of closing the app-server waits (stdin EOF, then SIGTERM) before the next (default 2000). */
  killTimeoutMs?: number;
  /** Stops the proxy: requests in flight get `graceMs` for their replies. Its reason, if a string, is the signal's name. */
  signal?: AbortSignal;
  /** Keeps secrets out of the events (default: secret-looking keys). */
  redactor?: Redactor;
}

/** Why the proxy stopped. */
export type ProxyEnd = InputEnd | 'failed-to-start';

/** The `cas/exiting` reason of each end, in the original's style. */
const EXIT_REASONS: Record<InputEnd, string> = {
  'exit-requested': 'client',
  'input-ended': 'stdinClosed',
  signal: 'signal',
  'app-server-exited': 'appServerExited',
};

const DEFAULT_KILL_TIMEOUT_MS = 2000;

/**
 * One app-server behind a JSONL stream API: envelopes in (`cas/request`, `cas/respond`, ...),
 * events out (`cas/fromServer`, `cas/toServer`, `cas/serverRequest`, ...), each with `v`, `seq`,
 * `ts`, `sessionId`, `pid`, routing keys and the raw message. Resolves with why it stopped.
 */
export async function runProxy(options: RunProxyOptions): Promise<ProxyEnd> {
  const sessionId = randomUUID();
  const startedAtMs = Date.now();
  const counters = newCounters();
  const cwd = options.connect.cwd ?? process.cwd();
  let connection: AppServerConnection | undefined;
  let wakeInput: (() => void) | undefined;
  const events: EventStream = new EventStream(
    options.output,
    sessionId,
    options.maxOutQueue,
    {
      onPause(queued) {
        counters.ioPauses++;
        connection?.pauseReading();
        events.emit({ type: 'cas/ioPaused', reason: `outQueue>=${options.maxOutQueue}`, queued });
      },
      onResume(queued) {
        counters.ioResumes++;
        connection?.resumeReading();
        events.emit({ type: 'cas/ioResumed', reason: 'outQueue drained', queued });
        wakeInput?.();
      },
    },
    options.redactor,
  );
  const state = new ProxyStateFile(options.stateFile, sessionId, cwd, () => events.emit(stateEvent('updated', state, forwarded.pending)));
  await state.load();
  events.emit(stateEvent('loaded', state, []));
  events.emit({ type: 'cas/starting', codexPath: options.codex.path, cwd, stateFile: state.file ?? null, codexHome: options.codexHome ?? null });

  const forwarded: ForwardedRequests = new ForwardedRequests(options.serverRequestTimeoutMs, (request, error) => {
    counters.serverRequestTimeouts++;
    taps.noteAnswer(request.id, 'serverRequestTimeout');
    const fields = { id: request.id, method: request.method, timeoutMs: options.serverRequestTimeoutMs };
    events.emit({ type: 'cas/error', message: 'Timed out waiting for orchestrator response', ...fields });
    events.emit({ type: 'cas/serverRequestTimeout', ...fields, ...eventKeys(routingKeys(request)), error });
  });
  const taps: MessageTaps = new MessageTaps(events, counters, state, forwarded, options.policy);
  let requests: RequestDispatch | undefined;
  let budget: Session['budget'];
  const stats = () => statsSnapshot({ startedAtMs, events, counters, state, forwarded, connection, queuedRequests: requests?.queued ?? 0, budget });

  const end = await withSession(
    {
      ...options,
      instances: 1,
      // The orchestrator owns the session: an app-server that dies ends the proxy, it is not replaced behind its back.
      maxRestarts: 0,
      maxConsecutiveTimeouts: 0,
      onBudget: (change) => events.emit({ type: 'cas/budget', message: describeBudgetChange(change), ...change }),
      connect: {
        ...options.connect,
        spawn: tapStderr(options.connect.spawn ?? spawnChildProcess, (line) => events.emit({ type: 'cas/appServerStderr', line })),
        onConnection: (conn) => {
          options.connect.onConnection?.(conn);
          taps.attach(conn);
        },
        onServerRequest: taps.answer,
      },
    },
    async (session): Promise<ProxyEnd> => {
      const instance = session.instances[0]!;
      connection = instance.connection;
      budget = session.budget;
      if (connection === undefined) {
        events.emit({ type: 'cas/error', message: `app-server failed to start: ${instance.lastError ?? 'unknown'}` });
        return 'failed-to-start';
      }
      const conn = connection;
      const info = conn.initializeResult!;
      Object.assign(state.state, { pid: conn.pid ?? null, codexHome: info.codexHome, userAgent: info.userAgent });
      await state.save().catch((error: Error) => events.emit({ type: 'cas/error', message: 'Failed to write state file', error: error.message }));
      requests = new RequestDispatch(conn, taps, events, session.budget);
      events.emit({
        type: 'cas/ready',
        codexPath: options.codex.path,
        cwd,
        stateFile: state.file ?? null,
        appServerPid: conn.pid ?? null,
        appServerUserAgent: info.userAgent,
        userAgent: info.userAgent,
        codexHome: info.codexHome,
        platformOs: info.platformOs ?? null,
      });
      const heartbeat = options.heartbeatMs ? setInterval(() => events.emit({ type: 'cas/stats', kind: 'heartbeat', snapshot: stats() }), options.heartbeatMs) : undefined;
      heartbeat?.unref();
      const context = { connection: conn, events, taps, forwarded, state, requests, stats };
      const why = await readEnvelopes({
        input: options.input,
        events,
        counters,
        whenWritable: async () => {
          while (events.paused) await new Promise<void>((resolve) => (wakeInput = resolve));
        },
        handle: (envelope) => handleEnvelope(envelope, context),
        stops: [new Promise((resolve) => conn.once('exit', () => resolve('app-server-exited'))), stopped(options.signal)],
      });
      events.emit({ type: 'cas/exiting', reason: EXIT_REASONS[why] });
      if (why === 'signal') events.emit({ type: 'cas/signal', signal: typeof options.signal?.reason === 'string' ? options.signal.reason : null });
      clearInterval(heartbeat);
      // Requests waiting for the budget are not sent now; those in flight get their replies first.
      session.budget?.stop();
      const waitMs = why === 'signal' ? (options.graceMs ?? 5000) : (options.connect.requestTimeoutMs ?? 30_000) || 30_000;
      for (const id of forwarded.pending) taps.noteAnswer(id, 'proxyExiting');
      forwarded.cancelAll('the proxy is stopping');
      if (why !== 'app-server-exited') await settle(conn, waitMs);
      conn.abandonPending(LocalErrorCode.interrupted, `no reply within ${waitMs} ms after the proxy began to stop`);
      const killMs = options.killTimeoutMs ?? DEFAULT_KILL_TIMEOUT_MS;
      await conn.close({ graceMs: killMs, termMs: killMs });
      await session.close();
      const exit = conn.exitInfo!;
      events.emit({ type: 'cas/appServerExit', expected: why !== 'app-server-exited', code: exit.code, signal: exit.signal, detail: describeExit(exit, conn.stderrTail(3).join(' | ')) });
      return why;
    },
  );
  state.state.pendingServerRequests = [];
  state.state.pid = null;
  await state.save().catch(() => undefined);
  if (options.output.writableNeedDrain) await once(options.output, 'drain');
  return end;
}

/** Resolves with 'signal' once `signal` aborts (never without one). */
function stopped(signal: AbortSignal | undefined): Promise<'signal'> {
  if (signal === undefined) return new Promise<never>(() => {});
  if (signal.aborted) return Promise.resolve('signal');
  return once(signal, 'abort').then(() => 'signal' as const);
}

/** Lets requests in flight get their replies, for at most `timeoutMs`. */
async function settle(conn: AppServerConnection, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (conn.stats.pending > 0 && conn.isOpen && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
