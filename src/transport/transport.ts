import type { CloseOptions } from '../process/terminate-process.js';
import type { LocalErrorCode } from '../protocol/error-codes.js';
import type { SkipReason } from './line-decoder.js';

/** How a transport carries messages. */
export type TransportKind = 'stdio' | 'ws' | 'unix';

/** How a transport ended: a spawned server's exit, or a socket's close. */
export interface TransportEnd {
  /** Exit code of a spawned server that exited on its own; null otherwise. */
  code: number | null;
  /** Signal that ended a spawned server, if any. */
  signal: string | null;
  /** Why it could not be opened at all (`spawn codex ENOENT`, `connect ECONNREFUSED`). */
  spawnError?: string;
  /** A socket's close: why it closed (close code and reason, or the error). */
  reason?: string;
}

/** Why a transport could not be opened; `code` tells a refused token (`unauthorized`: not worth retrying) from the rest. */
export class TransportOpenError extends Error {
  readonly code: LocalErrorCode;

  constructor(message: string, code: LocalErrorCode) {
    super(message);
    this.name = 'TransportOpenError';
    this.code = code;
  }
}

/** Callbacks a transport delivers to (its connection). */
export interface TransportHandlers {
  /** One JSON message, parsed, with its text exactly as received. */
  onMessage(value: unknown, text: string): void;
  /** A frame or line that was not a JSON message and was dropped; never fatal. */
  onSkip(reason: SkipReason, sample: string): void;
}

/**
 * A message channel to one app-server, under the JSON-RPC connection: the stdio of a child cas
 * spawned, a WebSocket or a Unix socket. Framing lives here; request correlation, timeouts and
 * server requests stay in the connection, the same for every transport.
 */
export interface Transport {
  readonly kind: TransportKind;
  /** What it reaches: the command it runs, or the URL it connects to. */
  readonly endpoint: string;
  /** Process id of the server, when cas spawned it. */
  readonly pid: number | undefined;
  /** The command that runs the server, when cas spawns it; undefined for a server cas only connects to. */
  readonly command?: string;
  /** Settles (never rejects) once the channel is closed for good. */
  readonly ended: Promise<TransportEnd>;
  /** Opens the channel and starts delivering to `handlers`; rejects when it cannot be opened. */
  start(handlers: TransportHandlers): Promise<void>;
  /** Sends one message's JSON text; a transport that has ended drops it (its end is reported instead). */
  send(text: string): void;
  /** Ends the channel politely, then escalates; resolves with how it ended. */
  close(options?: CloseOptions): Promise<TransportEnd>;
  /** Stops reading (backpressure): the server blocks once its buffers are full. */
  pauseReading(): void;
  resumeReading(): void;
  /** The server's last diagnostic lines (a spawned server's stderr), for error messages. */
  diagnostics(maxLines?: number): string[];
}
