import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { LocalErrorCode } from '../../src/protocol/error-codes.js';
import { parseEndpoint } from '../../src/transport/endpoint.js';
import { TransportOpenError } from '../../src/transport/transport.js';
import { WebSocketTransport } from '../../src/transport/websocket-transport.js';

// The transport's own rules, against an in-process WebSocket server: framing, what it sends for
// auth, how a refused upgrade and a vanished server read.

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A WebSocket server on a loopback port: `onSocket` gets each connection and its upgrade request; `refuse` answers the upgrade with an HTTP status instead. */
async function listen(onSocket: (socket: WebSocket, request: http.IncomingMessage) => void, refuse?: { status: number; body: string }): Promise<string> {
  server = http.createServer();
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    if (refuse !== undefined) {
      socket.end(`HTTP/1.1 ${refuse.status} Unauthorized\r\ncontent-length: ${refuse.body.length}\r\n\r\n${refuse.body}`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => onSocket(ws, request));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function collect(transport: WebSocketTransport) {
  const messages: unknown[] = [];
  const skipped: string[] = [];
  const started = transport.start({ onMessage: (value) => messages.push(value), onSkip: (reason) => skipped.push(reason) });
  return { messages, skipped, started };
}

describe('WebSocketTransport', () => {
  it('takes one JSON message per frame, skips frames that are not messages, and sends the bearer token', async () => {
    let authorization: string | undefined;
    const url = await listen((socket, request) => {
      authorization = request.headers.authorization;
      socket.on('message', (data) => {
        socket.send(String(data));
        socket.send('not json');
        socket.send('');
        socket.send(Buffer.from('{"binary":true}'), { binary: true });
      });
    });
    const transport = new WebSocketTransport(parseEndpoint(url), { token: 'tok-1' });
    const { messages, skipped, started } = collect(transport);
    await started;
    transport.send('{"id":1,"method":"x"}');
    await expect.poll(() => messages.length).toBe(2);
    expect(messages).toEqual([{ id: 1, method: 'x' }, { binary: true }]);
    expect(skipped).toEqual(['not-json']);
    expect(authorization).toBe('Bearer tok-1');
    const end = await transport.close();
    expect(end.reason).toBe('closed by cas');
  });

  it('a refused upgrade (401) is unauthorized, with the server\'s own words', async () => {
    const url = await listen(() => undefined, { status: 401, body: 'invalid websocket bearer token' });
    const transport = new WebSocketTransport(parseEndpoint(url), { token: 'wrong' });
    const error = await collect(transport).started.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransportOpenError);
    expect(error).toMatchObject({ code: LocalErrorCode.unauthorized, message: 'the server refused the connection: HTTP 401 invalid websocket bearer token' });
    expect((error as Error).message).not.toContain('wrong');
    await expect(transport.ended).resolves.toMatchObject({ code: null, signal: null });
  });

  it('a server that is not there is a start-up failure worth retrying', async () => {
    const url = await listen(() => undefined);
    server!.close();
    await once(server!, 'close');
    const transport = new WebSocketTransport(parseEndpoint(url));
    const error = await collect(transport).started.catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: LocalErrorCode.exited, message: 'connect ECONNREFUSED' });
  });

  it('a server that vanishes without a close frame ends the transport, said in words', async () => {
    const url = await listen((socket) => socket.on('message', () => socket.terminate()));
    const transport = new WebSocketTransport(parseEndpoint(url));
    await collect(transport).started;
    transport.send('{"id":1,"method":"x"}');
    await expect(transport.ended).resolves.toEqual({ code: null, signal: null, reason: 'the server went away (1006, no close frame)' });
  });
});
