import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { playMockScript, resolveMockScript, type MockReplyKind, type MockScriptInput } from './mock-script.js';
import { replyEvents, sseBody } from './sse.js';
import { rateLimitHeaders } from './rate-limit-headers.js';

/** The one endpoint served, as codex calls it under `base_url`. */
const RESPONSES_PATH = '/v1/responses';

/** Options of {@link startMockModel}. */
export interface MockModelOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Loopback address to bind (default 127.0.0.1); anything else is refused. */
  host?: string;
  /** What the model answers; defaults are filled in. */
  script: MockScriptInput;
}

/** Counters of one mock model server. */
export interface MockModelStats {
  /** `POST /v1/responses` requests answered with a reply (tool follow-ups included). */
  requests: number;
  /** Of those, requests whose input ended with a `function_call_output`. */
  toolFollowUps: number;
  /** Replies by kind. */
  byKind: Record<MockReplyKind, number>;
  /** Requests refused: unknown path or method (404), body not JSON (400). */
  rejected: number;
}

/** A running mock model. */
export interface MockModel {
  /** The base URL to put in config.toml, e.g. `http://127.0.0.1:PORT/v1`. */
  readonly url: string;
  /** The port listened on. */
  readonly port: number;
  /** A snapshot of the counters. */
  readonly stats: MockModelStats;
  /** Stops listening and drops every connection, keep-alive ones included. */
  close(): Promise<void>;
}

/** True for names and addresses that stay on this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The request's `input` ends with a tool result: the model should finish the turn. */
function isToolFollowUp(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const input = (body as { input?: unknown }).input;
  if (!Array.isArray(input) || input.length === 0) return false;
  const last: unknown = input[input.length - 1];
  return typeof last === 'object' && last !== null && (last as { type?: unknown }).type === 'function_call_output';
}

/** Largest request body read: far above any turn's, low enough that a runaway client cannot exhaust memory. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** The body, or undefined once it passes {@link MAX_BODY_BYTES} (the rest is not read). */
async function readBody(request: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** An error body in the Responses API's shape, so codex can show its message. */
function sendError(response: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ error: { message, type: 'invalid_request_error', code: null } });
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

/** Starts a loopback HTTP server that answers `POST /v1/responses` with the script's replies as SSE. */
export async function startMockModel(options: MockModelOptions): Promise<MockModel> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) throw new Error(`mock model host ${host} is not a loopback address`);
  const player = playMockScript(resolveMockScript(options.script));
  const stats: MockModelStats = { requests: 0, toolFollowUps: 0, byKind: { message: 0, functionCall: 0 }, rejected: 0 };
  // Aborts the delays of replies still waiting when the server closes.
  const closing = new AbortController();
  let replies = 0;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const pathname = new URL(request.url ?? '/', 'http://mock').pathname;
    if (request.method !== 'POST' || pathname !== RESPONSES_PATH) {
      request.resume();
      stats.rejected++;
      sendError(response, 404, `no route for ${request.method} ${pathname}: the mock model serves POST ${RESPONSES_PATH}`);
      return;
    }
    const raw = await readBody(request);
    if (raw === undefined) {
      stats.rejected++;
      response.setHeader('connection', 'close');
      sendError(response, 413, `the request body is larger than ${MAX_BODY_BYTES} bytes`);
      request.destroy();
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      stats.rejected++;
      sendError(response, 400, 'the request body is not JSON');
      return;
    }
    const toolFollowUp = isToolFollowUp(body);
    const reply = player.next(toolFollowUp);
    stats.requests++;
    if (toolFollowUp) stats.toolFollowUps++;
    stats.byKind[reply.kind]++;
    const n = ++replies;
    if (reply.delayMs > 0) await sleep(reply.delayMs, undefined, { signal: closing.signal });
    const text = sseBody(replyEvents(reply, { responseId: `resp_mock_${n}`, itemId: `${reply.kind === 'message' ? 'msg' : 'call'}_mock_${n}` }));
    const limits = rateLimitHeaders(reply.rateLimits, Math.floor(Date.now() / 1000));
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'content-length': Buffer.byteLength(text), ...limits });
    response.end(text);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      // A reply cut short by close() or a client that went away: nothing left to answer.
      if (!response.headersSent && !response.destroyed) sendError(response, 500, 'the mock model failed to reply');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;

  return {
    url: `http://${urlHost}:${address.port}/v1`,
    port: address.port,
    get stats() {
      return { ...stats, byKind: { ...stats.byKind } };
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
