import { AppServerError } from '../client/app-server-error.js';
import type { AppServerConnection, ConnectionStats } from '../client/connection.js';
import { describeExit } from '../client/connection.js';
import { LocalErrorCode } from '../protocol/error-codes.js';
import { threadIdOf } from '../protocol/thread-id.js';
import { backoffCeilingMs, sleep, type BackoffOptions } from '../runner/backoff.js';
import type { RequestOutcome } from '../runner/execute-request.js';
import type { FailureKind } from '../runner/retry-policy.js';
import type { PlannedEndpoint } from './server-target.js';
import { StateFileWriter, type InstanceCounters, type InstanceState, type InstanceStatus } from './state-file.js';

/** How an instance is started, and restarted when its app-server dies or hangs. */
export interface Supervision {
  /** Starts one app-server (or connects to a running one) and completes its handshake; aborting `signal` gives the start up. */
  launch(signal: AbortSignal): Promise<AppServerConnection>;
  /** The transport and endpoint it will use, shown until a connection names its own. */
  planned?: PlannedEndpoint;
  /** Further attempts after a failed start. */
  startupRetries: number;
  /** Restarts after the app-server died or was recycled, at most. */
  maxRestarts: number;
  /** Requests in a row that a silent server did not answer before it is recycled (0: never). */
  maxConsecutiveTimeouts: number;
  /** Delays between (re)start attempts (default 250 ms doubling to 4 s). */
  startupBackoff?: BackoffOptions;
  /** No (re)start once aborted. */
  signal?: AbortSignal;
}

export const STARTUP_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 4000 };

/** The wait before (re)start attempt `attempt`: at least half its ceiling, so a few attempts span a server's own restart. */
function startDelayMs(attempt: number, backoff: BackoffOptions): number {
  const ceiling = backoffCeilingMs(attempt, backoff);
  return ceiling / 2 + (Math.random() * ceiling) / 2;
}

/** A start that can never succeed: the binary itself cannot run, or the server refused our token. */
function hopeless(error: unknown): boolean {
  return error instanceof AppServerError && (error.code === LocalErrorCode.spawnFailed || error.code === LocalErrorCode.unauthorized);
}

/**
 * One isolated app-server of a run: its connection, home, counters and state file, and its
 * supervision: an app-server that dies is restarted (up to `maxRestarts`), one that stops
 * answering altogether is recycled. Every change goes through here, so the state file always
 * tells the same story.
 */
export class Instance {
  readonly index: number;
  /** The CODEX_HOME we gave the server; undefined for a server cas only connects to (it owns its home). */
  readonly home: string | undefined;
  readonly stateFile: StateFileWriter;
  readonly counters: InstanceCounters = { sent: 0, ok: 0, failed: 0, retries: 0, overloaded: 0, timedOut: 0 };
  readonly #supervision: Supervision;
  #status: InstanceStatus = 'starting';
  #connection: AppServerConnection | undefined;
  #startupMs: number | undefined;
  #startedAt: Date | undefined;
  #endedAt: Date | undefined;
  #lastThreadId: string | undefined;
  #lastError: string | undefined;
  /** Why the last start failed, when it did: an unauthorized one stops the whole session. */
  #startFailure: AppServerError | undefined;
  /** Why the instance stopped serving for good (its last error then), for the requests that still ask. */
  #goneBecause: string | undefined;
  #restarts = 0;
  #silentTimeouts = 0;
  #recycling = false;
  #closing: Promise<void> | undefined;
  /** The (re)start under way, awaited by close so no app-server starts behind its back. */
  #starting: Promise<void> | undefined;
  /** Cuts (re)start waits short on close. */
  readonly #stop = new AbortController();
  #waiters: Array<() => void> = [];

  /** @param stateFile where the instance's state is kept; it reads the state from here. */
  constructor(index: number, home: string | undefined, stateFile: StateFileWriter, supervision: Supervision) {
    this.index = index;
    this.home = home;
    this.stateFile = stateFile.follow(() => this.state());
    this.#supervision = supervision;
    supervision.signal?.addEventListener('abort', () => this.#stop.abort(), { once: true });
  }

  get status(): InstanceStatus {
    return this.#status;
  }

  /** The live connection, while the instance is ready. */
  get connection(): AppServerConnection | undefined {
    return this.#status === 'ready' ? this.#connection : undefined;
  }

  /** True while the instance serves or will serve again (ready, starting, restarting). */
  get serving(): boolean {
    return this.#status === 'ready' || this.#status === 'starting' || this.#status === 'restarting';
  }

  /** Restarts so far; also tells one app-server process of this instance from the next. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Time from spawn to the `initialize` answer of the first start. */
  get startupMs(): number | undefined {
    return this.#startupMs;
  }

  /** Line and reply counters of the current (or last) connection. */
  get connectionStats(): ConnectionStats | undefined {
    return this.#connection?.stats;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** The home as the server reported it, or the one we asked for (null before a running server has said). */
  get codexHome(): string | null {
    return this.#connection?.initializeResult?.codexHome ?? this.home ?? null;
  }

  /** How it is reached: `stdio`, `ws` or `unix`, and the command or URL (never with a token). */
  get endpoint(): PlannedEndpoint {
    const transport = this.#connection?.transport;
    return transport !== undefined ? { transport: transport.kind, endpoint: transport.endpoint } : (this.#supervision.planned ?? { transport: 'stdio', endpoint: 'codex' });
  }

  /** The error of the last failed start, if the instance failed to start. */
  get startFailure(): AppServerError | undefined {
    return this.#startFailure;
  }

  /** Starts the app-server, retrying failed starts; never throws (a failure is the status). */
  start(): Promise<void> {
    this.#starting = this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    const { startupRetries, signal } = this.#supervision;
    this.#startedAt ??= new Date();
    for (let attempt = 0; ; attempt++) {
      const startedAt = performance.now();
      try {
        const connection = await this.#supervision.launch(this.#stop.signal);
        if (this.#closing !== undefined) {
          await connection.close();
          return;
        }
        this.#startupMs ??= performance.now() - startedAt;
        this.#attach(connection);
        return;
      } catch (error) {
        this.#lastError = error instanceof Error ? error.message : String(error);
        this.#startFailure = error instanceof AppServerError ? error : undefined;
        if (hopeless(error) || attempt >= startupRetries || signal?.aborted || this.#closing !== undefined) {
          this.#settle('failed');
          return;
        }
        await sleep(startDelayMs(attempt, this.#supervision.startupBackoff ?? STARTUP_BACKOFF), this.#stop.signal);
      }
    }
  }

  /** The live connection; waits through a (re)start; rejects once the instance is gone for good. */
  async whenReady(): Promise<AppServerConnection> {
    while (this.#status === 'starting' || this.#status === 'restarting') await new Promise<void>((resolve) => this.#waiters.push(resolve));
    if (this.#status === 'ready' && this.#connection !== undefined) return this.#connection;
    throw new AppServerError(`instance ${this.index} is gone: ${this.#goneBecause ?? this.#status}`, { kind: 'exited', code: LocalErrorCode.exited });
  }

  /** Counts an attempt written to the server. */
  onSend(): void {
    this.counters.sent++;
  }

  /** Counts a failed attempt that will be retried. */
  onRetry(_kind: FailureKind): void {
    this.counters.retries++;
  }

  /** Watches each attempt's end: requests a silent server does not answer, in a row, get it recycled. */
  onAttemptEnd(error: unknown): void {
    const silent = error instanceof AppServerError && error.code === LocalErrorCode.timeout && (error.data as { silent?: boolean } | undefined)?.silent === true;
    if (!silent) {
      if (!(error instanceof AppServerError && error.kind === 'exited')) this.#silentTimeouts = 0;
      return;
    }
    const limit = this.#supervision.maxConsecutiveTimeouts;
    if (limit > 0 && ++this.#silentTimeouts >= limit && this.#status === 'ready') this.#recycle(`${this.#silentTimeouts} requests in a row got no reply from a silent app-server`);
  }

  /** Counts how a request ended. */
  onOutcome(method: string, outcome: RequestOutcome): void {
    this.counters.overloaded += outcome.overloaded;
    this.counters.timedOut += outcome.timedOut;
    if (outcome.ok) {
      this.counters.ok++;
      this.#noteThread(method, outcome.result);
    } else {
      this.counters.failed++;
      this.#lastError = outcome.error?.message;
    }
    this.stateFile.touch();
  }

  /** Closes the app-server (stdin EOF, then signals), stops restarts, writes the final state; safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /** The state file's content now. */
  state(): InstanceState {
    return {
      index: this.index,
      status: this.#status,
      pid: this.#connection?.pid ?? null,
      ...this.endpoint,
      codexHome: this.codexHome,
      userAgent: this.#connection?.initializeResult?.userAgent ?? null,
      startedAt: this.#startedAt?.toISOString() ?? null,
      endedAt: this.#endedAt?.toISOString() ?? null,
      restarts: this.#restarts,
      counters: { ...this.counters },
      lastThreadId: this.#lastThreadId ?? null,
      lastError: this.#lastError ?? null,
    };
  }

  async #close(): Promise<void> {
    const wasServing = this.serving;
    this.#settle(wasServing ? 'closed' : this.#status);
    this.#stop.abort();
    await this.#starting;
    const connection = this.#connection;
    if (connection !== undefined && connection.exitInfo === undefined) await connection.close();
    this.#endedAt ??= new Date();
    await this.stateFile.flush();
  }

  #attach(connection: AppServerConnection): void {
    this.#connection = connection;
    this.#silentTimeouts = 0;
    connection.on('notification', (notification) => this.#noteThread(notification.method, notification.params));
    connection.once('exit', (exit) => {
      if (this.#connection !== connection || this.#closing !== undefined) return;
      // A recycled server's reason is why it was recycled, not how it then ended.
      if (!this.#recycling) this.#lastError = describeExit(exit, connection.stderrTail(2).join(' | '));
      this.#recycling = false;
      void this.#restart();
    });
    this.#settle('ready');
  }

  /** After an unexpected exit: start again (with backoff) while restarts are left, else give up. */
  async #restart(): Promise<void> {
    const { maxRestarts, signal } = this.#supervision;
    if (this.#restarts >= maxRestarts || signal?.aborted) {
      this.#endedAt = new Date();
      this.#settle('exited');
      return;
    }
    this.#restarts++;
    this.#settle('restarting');
    this.#starting = (async () => {
      await sleep(startDelayMs(this.#restarts - 1, this.#supervision.startupBackoff ?? STARTUP_BACKOFF), this.#stop.signal);
      await this.#start();
    })();
  }

  /** Kills a hung app-server: its exit brings the restart. */
  #recycle(reason: string): void {
    this.#recycling = true;
    this.#lastError = `recycled: ${reason}`;
    // Requests wait for the new server rather than fail on the closing one.
    this.#settle('restarting');
    void this.#connection?.close({ graceMs: 100, termMs: 500 });
  }

  #settle(status: InstanceStatus): void {
    this.#status = status;
    if (status === 'failed' || status === 'exited') this.#goneBecause ??= this.#lastError;
    if (status === 'failed' || status === 'exited') this.#endedAt ??= new Date();
    this.stateFile.touch();
    for (const wake of this.#waiters.splice(0)) wake();
  }

  #noteThread(method: string, value: unknown): void {
    const id = threadIdOf(method, value);
    if (id !== undefined) this.#lastThreadId = id;
  }
}
