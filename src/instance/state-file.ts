import type { Redactor } from '../report/redactor.js';
import type { TransportKind } from '../transport/transport.js';
import { writeJsonAtomic } from './atomic-write.js';

/** Lifecycle of an instance, as its state file shows it. */
export type InstanceStatus = 'starting' | 'ready' | 'restarting' | 'failed' | 'exited' | 'closed';

/** Per-instance counters: attempts sent and how requests ended. */
export interface InstanceCounters {
  /** Attempts written to the server (retries included). */
  sent: number;
  /** Requests that ended with a result. */
  ok: number;
  /** Requests that ended with an error. */
  failed: number;
  /** Attempts that were retried. */
  retries: number;
  /** Attempts refused with -32001. */
  overloaded: number;
  /** Attempts that got no reply in time. */
  timedOut: number;
}

/** The content of an instance's state file. */
export interface InstanceState {
  index: number;
  status: InstanceStatus;
  pid: number | null;
  /** How the server is reached: `stdio`, `ws` or `unix`. */
  transport: TransportKind;
  /** The command it runs (stdio), or the URL it is reached at (never with a token). */
  endpoint: string;
  /** The home the server reported (or, before the handshake, the one we gave it; null for a server cas only connects to). */
  codexHome: string | null;
  userAgent: string | null;
  startedAt: string | null;
  endedAt: string | null;
  /** Times the app-server was started again after it died or hung. */
  restarts: number;
  counters: InstanceCounters;
  lastThreadId: string | null;
  lastError: string | null;
}

/**
 * Keeps a state file current without writing on every change: at most one write per
 * `intervalMs`, never two at once, and always the latest state.
 */
export class StateFileWriter {
  readonly file: string;
  readonly #intervalMs: number;
  readonly #redactor: Redactor | undefined;
  #read: (() => InstanceState) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #lastError: unknown;

  /** @param redactor keeps secrets out (`lastError` may quote a server's output) */
  constructor(file: string, redactor?: Redactor, intervalMs = 500) {
    this.file = file;
    this.#redactor = redactor;
    this.#intervalMs = intervalMs;
  }

  /** Where the state comes from; returns this writer. */
  follow(read: () => InstanceState): this {
    this.#read = read;
    return this;
  }

  /** Asks for a write soon. */
  touch(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#write();
    }, this.#intervalMs);
    this.#timer.unref();
  }

  /** The error of the last write, if it failed (state files are best effort: a run goes on). */
  get writeError(): unknown {
    return this.#lastError;
  }

  /** Writes the current state now and waits for it. */
  async flush(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#write();
  }

  #write(): Promise<void> {
    const read = this.#read;
    if (read === undefined) return this.#writing;
    this.#writing = this.#writing.then(() =>
      writeJsonAtomic(this.file, this.#redactor === undefined ? read() : this.#redactor.value(read())).then(
        () => {
          this.#lastError = undefined;
        },
        (error: unknown) => {
          this.#lastError = error;
        },
      ),
    );
    return this.#writing;
  }
}
