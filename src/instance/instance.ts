import type { AppServerConnection, ConnectionStats } from '../client/connection.js';
import { threadIdOf } from '../protocol/thread-id.js';
import type { RequestOutcome } from '../runner/execute-request.js';
import type { FailureKind } from '../runner/retry-policy.js';
import { StateFileWriter, type InstanceCounters, type InstanceState, type InstanceStatus } from './state-file.js';

/**
 * One isolated app-server of a run: its connection, home, counters and state file. Every change
 * to the counters goes through here, so the state file always tells the same story.
 */
export class Instance {
  readonly index: number;
  /** The CODEX_HOME we gave the server. */
  readonly home: string;
  readonly stateFile: StateFileWriter;
  readonly counters: InstanceCounters = { sent: 0, ok: 0, failed: 0, retries: 0, overloaded: 0, timedOut: 0 };
  #status: InstanceStatus = 'starting';
  #connection: AppServerConnection | undefined;
  #startupMs: number | undefined;
  #startedAt: Date | undefined;
  #endedAt: Date | undefined;
  #lastThreadId: string | undefined;
  #lastError: string | undefined;
  #closing: Promise<void> | undefined;

  constructor(index: number, home: string, stateFile: string) {
    this.index = index;
    this.home = home;
    this.stateFile = new StateFileWriter(stateFile, () => this.state());
  }

  get status(): InstanceStatus {
    return this.#status;
  }

  /** The live connection, while the instance is ready. */
  get connection(): AppServerConnection | undefined {
    return this.#status === 'ready' ? this.#connection : undefined;
  }

  /** Time from spawn to the `initialize` answer, once started. */
  get startupMs(): number | undefined {
    return this.#startupMs;
  }

  /** Line and reply counters of the connection, also after it ended. */
  get connectionStats(): ConnectionStats | undefined {
    return this.#connection?.stats;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** The home as the server reported it, or the one we asked for. */
  get codexHome(): string {
    return this.#connection?.initializeResult?.codexHome ?? this.home;
  }

  /** Marks the start of a start-up attempt. */
  starting(): void {
    this.#startedAt = new Date();
    this.stateFile.touch();
  }

  /** Takes a connection that completed its handshake. */
  ready(connection: AppServerConnection, startupMs: number): void {
    this.#connection = connection;
    this.#startupMs = startupMs;
    this.#status = 'ready';
    connection.on('notification', (notification) => this.#noteThread(notification.method, notification.params));
    connection.on('exit', () => {
      if (this.#status !== 'ready') return;
      this.#status = 'exited';
      this.#endedAt = new Date();
      this.#lastError = `app-server exited unexpectedly: ${connection.stderrTail(2).join(' | ') || 'no stderr'}`;
      this.stateFile.touch();
    });
    this.stateFile.touch();
  }

  /** Records a start-up that failed for good. */
  failed(message: string): void {
    this.#status = 'failed';
    this.#lastError = message;
    this.#endedAt = new Date();
    this.stateFile.touch();
  }

  /** Counts an attempt written to the server. */
  onSend(): void {
    this.counters.sent++;
  }

  /** Counts a failed attempt that will be retried. */
  onRetry(_kind: FailureKind): void {
    this.counters.retries++;
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

  /** Closes the app-server (stdin EOF, then signals) and writes the final state; safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    const connection = this.#connection;
    if (connection !== undefined && this.#status === 'ready') {
      this.#status = 'closed';
      await connection.close();
      this.#endedAt = new Date();
    }
    await this.stateFile.flush();
  }

  /** The state file's content now. */
  state(): InstanceState {
    return {
      index: this.index,
      status: this.#status,
      pid: this.#connection?.pid ?? null,
      codexHome: this.codexHome,
      userAgent: this.#connection?.initializeResult?.userAgent ?? null,
      startedAt: this.#startedAt?.toISOString() ?? null,
      endedAt: this.#endedAt?.toISOString() ?? null,
      counters: { ...this.counters },
      lastThreadId: this.#lastThreadId ?? null,
      lastError: this.#lastError ?? null,
    };
  }

  #noteThread(method: string, value: unknown): void {
    const id = threadIdOf(method, value);
    if (id !== undefined) this.#lastThreadId = id;
  }
}
