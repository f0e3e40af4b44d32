import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { spawnChildProcess, type ProcessExit, type SpawnedProcess, type SpawnProcess, type SpawnRequest } from '../process/child-process.js';
import { terminateProcess, type CloseOptions } from '../process/terminate-process.js';
import { LocalErrorCode } from '../protocol/error-codes.js';
import { unixEndpoint, type Endpoint } from './endpoint.js';
import { freeLoopbackPort, socketAccepts } from './free-port.js';
import { CANNOT_RUN_CODES, wrapListeningServer } from './listen-wrapper.js';
import { waitReadyz } from './readyz.js';
import { StderrTail } from './stderr-tail.js';
import { TransportOpenError, type Transport, type TransportEnd, type TransportHandlers } from './transport.js';
import { WebSocketTransport } from './websocket-transport.js';

/** The transports a spawned server can listen on besides stdio. */
export type ListenKind = 'ws' | 'unix';

/** Options of a {@link ListeningChildTransport}. */
export interface ListeningChildOptions {
  /** The server's command line (`codex app-server ...`); `--listen URL` is added. */
  request: SpawnRequest;
  listen: ListenKind;
  /** `unix`: the socket the server listens on. */
  socketPath?: string;
  /** Extra server arguments that go with the client's token (e.g. `--ws-auth capability-token --ws-token-file F`). */
  serverAuthArgs?: readonly string[];
  /** Sent as `Authorization: Bearer`. */
  token?: string;
  /** How long the server may take to listen (default 60000 ms). */
  readyTimeoutMs?: number;
  spawn?: SpawnProcess;
}

const DEFAULT_READY_TIMEOUT_MS = 60_000;
const POLL_MS = 25;

/** Resolves with the first line the wrapper prints (the server's pid), or undefined if it ends first. */
function serverPid(child: SpawnedProcess): Promise<number | undefined> {
  return new Promise((resolve) => {
    let text = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      text += chunk;
      const newline = text.indexOf('\n');
      if (newline >= 0) resolve(Number.parseInt(text.slice(0, newline), 10) || undefined);
    });
    child.stdout.on('end', () => resolve(undefined));
  });
}

/**
 * A server cas spawns with `--listen ws://127.0.0.1:PORT` (a free loopback port) or
 * `--listen unix://PATH`, reached over that socket: cas still owns its lifetime (its process
 * group; closing ends it, and a socket that drops takes the server down with it, so a restart
 * starts a fresh one). Lets the transport itself be load-tested against stdio.
 */
export class ListeningChildTransport implements Transport {
  readonly kind: ListenKind;
  readonly command: string;
  readonly ended: Promise<TransportEnd>;
  #endpoint: Endpoint | undefined;
  readonly #options: ListeningChildOptions;
  readonly #stderr = new StderrTail();
  #child: SpawnedProcess | undefined;
  #exit: ProcessExit | undefined;
  #socket: WebSocketTransport | undefined;
  #serverPid: number | undefined;
  /** The server's stop under way: only one, whoever asks first. */
  #stopping: Promise<void> | undefined;
  #settle: ((end: TransportEnd) => void) | undefined;

  constructor(options: ListeningChildOptions) {
    this.kind = options.listen;
    this.command = options.request.command;
    this.#options = options;
    if (options.listen === 'unix') this.#endpoint = unixEndpoint(options.socketPath ?? path.join(process.cwd(), 'app-server.sock'));
    this.ended = new Promise((resolve) => (this.#settle = resolve));
  }

  get endpoint(): string {
    return this.#endpoint?.display ?? 'ws://127.0.0.1 (port not chosen yet)';
  }

  /** The server's pid (not the wrapper's). */
  get pid(): number | undefined {
    return this.#serverPid;
  }

  async start(handlers: TransportHandlers): Promise<void> {
    const endpoint = this.#endpoint ?? (this.#endpoint = await this.#wsEndpoint());
    const request = { ...this.#options.request, args: [...this.#options.request.args, '--listen', endpoint.display, ...(this.#options.serverAuthArgs ?? [])] };
    const child = (this.#options.spawn ?? spawnChildProcess)(wrapListeningServer(request));
    this.#child = child;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => this.#stderr.push(chunk));
    void child.exited.then((exit) => {
      this.#exit = exit;
      // The server is gone, and so is its socket: one that lingers is cut.
      void this.#socket?.close({ graceMs: 0 });
      this.#finish();
    });
    this.#serverPid = await Promise.race([serverPid(child), child.exited.then(() => undefined)]);
    const notReady = await this.#waitListening(endpoint);
    if (notReady !== undefined) {
      await this.#stopServer();
      throw this.#startFailure(notReady);
    }
    const socket = new WebSocketTransport(endpoint, { token: this.#options.token });
    this.#socket = socket;
    // A socket that drops while the server lives takes the server down too: a restart is a fresh start.
    void socket.ended.then(() => this.#stopServer());
    try {
      await socket.start(handlers);
    } catch (error) {
      await this.#stopServer();
      throw error;
    }
  }

  send(text: string): void {
    this.#socket?.send(text);
  }

  /** Closes the socket, then the server: the wrapper stops it when its stdin ends, then SIGTERM, then SIGKILL. */
  async close(options: CloseOptions = {}): Promise<TransportEnd> {
    if (this.#child === undefined) {
      this.#settle?.({ code: null, signal: null, reason: 'closed before it was started' });
      return this.ended;
    }
    this.#stopping ??= (async () => {
      await this.#socket?.close({ graceMs: 200 });
      await terminateProcess(this.#child!, this.#child!.exited, options);
    })();
    await this.#stopping;
    return this.ended;
  }

  pauseReading(): void {
    this.#socket?.pauseReading();
  }

  resumeReading(): void {
    this.#socket?.resumeReading();
  }

  diagnostics(maxLines = 10): string[] {
    return this.#stderr.lines(maxLines);
  }

  async #wsEndpoint(): Promise<Endpoint> {
    const port = await freeLoopbackPort();
    return { kind: 'ws', display: `ws://127.0.0.1:${port}`, url: `ws://127.0.0.1:${port}/`, readyzUrl: `http://127.0.0.1:${port}/readyz` };
  }

  /** Stops the server now (it never needs stdin's end here: the wrapper turns that into SIGTERM at once). */
  #stopServer(): Promise<void> {
    const child = this.#child!;
    this.#stopping ??= this.#exit !== undefined ? Promise.resolve() : terminateProcess(child, child.exited, { graceMs: 500, termMs: 1000 });
    return this.#stopping;
  }

  /** Waits for `/readyz` (ws) or an accepting socket (unix) while the server lives. Resolves undefined when it listens, else why not. */
  async #waitListening(endpoint: Endpoint): Promise<string | undefined> {
    const timeoutMs = this.#options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    const alive = () => this.#exit === undefined;
    let why: string | undefined;
    if (endpoint.readyzUrl !== undefined) {
      why = await waitReadyz(endpoint.readyzUrl, { timeoutMs, intervalMs: POLL_MS, alive });
    } else {
      // A socket path left by an earlier server (a stale symlink) refuses until the new one binds.
      const deadline = performance.now() + timeoutMs;
      why = `not listening after ${timeoutMs} ms`;
      while (alive() && performance.now() < deadline) {
        if (await socketAccepts(endpoint.socketPath!)) return undefined;
        await delay(POLL_MS);
      }
    }
    if (alive()) return why;
    await this.#child!.exited;
    return this.#describeExit(this.#exit!);
  }

  #describeExit(exit: ProcessExit): string {
    if (exit.spawnError !== undefined) return `could not start (${exit.spawnError})`;
    return exit.signal !== null ? `the server was killed by ${exit.signal} before it listened` : `the server exited with code ${exit.code} before it listened`;
  }

  #startFailure(why: string): TransportOpenError {
    const cannotRun = this.#exit?.spawnError !== undefined || (this.#exit?.code !== null && this.#exit?.code !== undefined && CANNOT_RUN_CODES.has(this.#exit.code));
    const tail = this.#stderr.summary(3);
    const message = `${why} on ${this.endpoint}${tail === '' ? '' : `; stderr: ${tail}`}`;
    return new TransportOpenError(message, cannotRun ? LocalErrorCode.spawnFailed : LocalErrorCode.exited);
  }

  #finish(): void {
    const exit = this.#exit;
    if (exit === undefined) return;
    this.#settle?.({ code: exit.code, signal: exit.signal, ...(exit.spawnError === undefined ? {} : { spawnError: exit.spawnError }) });
  }
}
