import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { LocalErrorCode } from '../protocol/error-codes.js';
import type { CloseOptions } from '../process/terminate-process.js';
import type { Endpoint } from './endpoint.js';
import { decodeMessageText } from './line-decoder.js';
import { TransportOpenError, type Transport, type TransportEnd, type TransportHandlers } from './transport.js';

/** Options of a {@link WebSocketTransport}. */
export interface WebSocketTransportOptions {
  /** Sent as `Authorization: Bearer <token>`; never shown anywhere. */
  token?: string;
  /** How long the TCP connect and upgrade may take (default 10000 ms). */
  openTimeoutMs?: number;
  /** Largest message accepted, in bytes (default ws's 100 MiB); a larger one closes the connection (1009). */
  maxPayload?: number;
}

const DEFAULT_OPEN_TIMEOUT_MS = 10_000;
/** How long a close handshake may take before the socket is cut. */
const DEFAULT_CLOSE_MS = 1000;
/** Enough of an HTTP error body to say why (codex: "invalid websocket bearer token"). */
const MAX_BODY = 200;

/** The start-up failure for an upgrade the server refused: 401/403 mean the token, and are not worth retrying. */
async function refusal(response: IncomingMessage): Promise<TransportOpenError> {
  let body = '';
  for await (const chunk of response) {
    body += String(chunk);
    if (body.length >= MAX_BODY) break;
  }
  const status = response.statusCode ?? 0;
  const said = body.trim().slice(0, MAX_BODY).split('\n')[0] ?? '';
  const what = `HTTP ${status}${said === '' ? '' : ` ${said}`}`;
  if (status === 401 || status === 403) {
    return new TransportOpenError(`the server refused the connection: ${what}`, LocalErrorCode.unauthorized);
  }
  return new TransportOpenError(`the server refused the WebSocket upgrade: ${what}`, LocalErrorCode.exited);
}

/** Says how a socket closed, in words: codex 0.169.0 sends no close frame, so a server that stops or dies shows as 1006. */
function closeReason(code: number, reason: Buffer): string {
  const text = reason.toString('utf8');
  const said = text === '' ? '' : `: ${text}`;
  return code === 1006 ? `the server went away (1006, no close frame)${said}` : `closed with ${code}${said}`;
}

/**
 * One WebSocket connection to an app-server (`--listen ws://` or, as WebSocket over a Unix socket,
 * `--listen unix://`). Every message is one text frame, JSON as over stdio (measured on 0.169.0:
 * a frame holding two newline-joined messages is dropped, binary frames are ignored).
 */
export class WebSocketTransport implements Transport {
  readonly kind: 'ws' | 'unix';
  readonly endpoint: string;
  readonly pid = undefined;
  readonly ended: Promise<TransportEnd>;
  readonly #url: string;
  readonly #options: WebSocketTransportOptions;
  #socket: WebSocket | undefined;
  #end: ((end: TransportEnd) => void) | undefined;
  #ended = false;
  /** We closed it (codex answers no close frame, so the code alone would say it went away). */
  #closing = false;

  constructor(endpoint: Endpoint, options: WebSocketTransportOptions = {}) {
    this.kind = endpoint.kind;
    this.endpoint = endpoint.display;
    this.#url = endpoint.url;
    this.#options = options;
    this.ended = new Promise((resolve) => {
      this.#end = (end) => {
        this.#ended = true;
        resolve(end);
      };
    });
  }

  start(handlers: TransportHandlers): Promise<void> {
    const socket = new WebSocket(this.#url, {
      headers: this.#options.token === undefined ? {} : { Authorization: `Bearer ${this.#options.token}` },
      handshakeTimeout: this.#options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS,
      maxPayload: this.#options.maxPayload,
      // codex does not negotiate compression: offering it only costs a header.
      perMessageDeflate: false,
    });
    this.#socket = socket;
    return new Promise<void>((resolve, reject) => {
      let opened = false;
      let failure: TransportOpenError | undefined;
      socket.on('unexpected-response', (request, response) => {
        void refusal(response).then((error) => {
          failure = error;
          request.destroy();
          socket.terminate();
        });
      });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        if (opened || failure !== undefined) return;
        const what = error.code !== undefined && error.syscall !== undefined ? `${error.syscall} ${error.code}` : error.message;
        failure = new TransportOpenError(what, LocalErrorCode.exited);
      });
      socket.on('open', () => {
        opened = true;
        resolve();
      });
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        const decoded = decodeMessageText(isBinary ? data.toString('utf8') : String(data));
        if (decoded === undefined) return;
        if ('skip' in decoded) handlers.onSkip(decoded.skip, decoded.sample);
        else handlers.onMessage(decoded.value, decoded.text);
      });
      socket.on('close', (code: number, reason: Buffer) => {
        if (!opened) {
          const error = failure ?? new TransportOpenError(`closed before it opened (${closeReason(code, reason)})`, LocalErrorCode.exited);
          reject(error);
          this.#end?.({ code: null, signal: null, reason: error.message });
          return;
        }
        this.#end?.({ code: null, signal: null, reason: this.#closing ? 'closed by cas' : closeReason(code, reason) });
      });
    });
  }

  send(text: string): void {
    if (!this.#ended && this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(text);
  }

  async close(options: CloseOptions = {}): Promise<TransportEnd> {
    const socket = this.#socket;
    if (socket === undefined) {
      this.#end?.({ code: null, signal: null, reason: 'closed before it was opened' });
      return this.ended;
    }
    if (this.#ended) return this.ended;
    this.#closing = true;
    if (socket.readyState === WebSocket.OPEN) socket.close(1000, 'cas is done');
    else socket.terminate();
    const timer = setTimeout(() => socket.terminate(), options.graceMs ?? DEFAULT_CLOSE_MS);
    timer.unref();
    try {
      return await this.ended;
    } finally {
      clearTimeout(timer);
    }
  }

  pauseReading(): void {
    this.#socket?.pause();
  }

  resumeReading(): void {
    this.#socket?.resume();
  }

  diagnostics(): string[] {
    return [];
  }
}
