import { spawnChildProcess, type SpawnedProcess, type SpawnProcess, type SpawnRequest } from '../process/child-process.js';
import { terminateProcess, type CloseOptions } from '../process/terminate-process.js';
import { LineDecoder } from './line-decoder.js';
import { LineWriter } from './line-writer.js';
import { StderrTail } from './stderr-tail.js';
import type { Transport, TransportEnd, TransportHandlers } from './transport.js';

/** Options of a {@link StdioTransport}. */
export interface StdioTransportOptions {
  /** Longest stdout line accepted, in characters; longer ones are skipped without being held. */
  maxLineLength?: number;
}

/**
 * JSONL over the stdio of a child cas spawned (`codex app-server`, the default `--listen
 * stdio://`). Closing ends its stdin (the server exits on EOF), then signals its process group.
 */
export class StdioTransport implements Transport {
  readonly kind = 'stdio' as const;
  readonly endpoint: string;
  readonly command: string;
  readonly ended: Promise<TransportEnd>;
  readonly #child: SpawnedProcess;
  readonly #stderr = new StderrTail();
  readonly #writer: LineWriter;
  readonly #maxLineLength: number | undefined;
  #ended = false;

  constructor(child: SpawnedProcess, endpoint: string, options: StdioTransportOptions = {}) {
    this.#child = child;
    this.endpoint = endpoint;
    this.command = endpoint;
    this.#maxLineLength = options.maxLineLength;
    this.#writer = new LineWriter(child.stdin);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => this.#stderr.push(chunk));
    this.ended = child.exited.then((exit) => {
      this.#ended = true;
      return exit;
    });
  }

  /** Spawns `request` (by default detached, in a process group of its own) and wraps its stdio. */
  static spawn(request: SpawnRequest, spawn: SpawnProcess = spawnChildProcess, options: StdioTransportOptions = {}): StdioTransport {
    return new StdioTransport(spawn(request), request.command, options);
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  async start(handlers: TransportHandlers): Promise<void> {
    const decoder = new LineDecoder({ onValue: handlers.onMessage, onSkip: handlers.onSkip }, { maxLineLength: this.#maxLineLength });
    const stdout = this.#child.stdout;
    stdout.setEncoding('utf8');
    stdout.on('data', (chunk: string) => decoder.push(chunk));
    stdout.on('end', () => decoder.end());
  }

  send(text: string): void {
    if (!this.#ended) this.#writer.write(text);
  }

  async close(options: CloseOptions = {}): Promise<TransportEnd> {
    this.#writer.flush();
    if (!this.#ended) await terminateProcess(this.#child, this.ended, options);
    return this.ended;
  }

  pauseReading(): void {
    this.#child.stdout.pause();
  }

  resumeReading(): void {
    this.#child.stdout.resume();
  }

  diagnostics(maxLines = 10): string[] {
    return this.#stderr.lines(maxLines);
  }
}
