import { stat } from 'node:fs/promises';
import { LocalErrorCode } from '../protocol/error-codes.js';
import { readToken, type TokenSource } from '../transport/bearer-token.js';
import type { Endpoint } from '../transport/endpoint.js';
import { probeReadyz } from '../transport/readyz.js';
import { WebSocketTransport } from '../transport/websocket-transport.js';
import { AppServerError } from './app-server-error.js';
import { openConnection, type AppServerConnection, type SessionOptions } from './connection.js';

/** The token, read again at every (re)connect; a file that went missing is not worth retrying. */
export async function tokenOf(source: TokenSource | undefined): Promise<string | undefined> {
  if (source === undefined) return undefined;
  try {
    return await readToken(source);
  } catch (error) {
    throw new AppServerError((error as Error).message, { kind: 'startup', code: LocalErrorCode.unauthorized, cause: error });
  }
}

/** Why a running server cannot be reached yet, before any socket is opened: no socket file, or `/readyz` not 200. */
async function notReady(endpoint: Endpoint): Promise<string | undefined> {
  if (endpoint.socketPath !== undefined) {
    const exists = await stat(endpoint.socketPath).then(() => true, () => false);
    return exists ? undefined : 'no socket there (is the server running? `codex app-server daemon start` starts the daemon)';
  }
  if (endpoint.readyzUrl === undefined) return undefined;
  const why = await probeReadyz(endpoint.readyzUrl);
  return why === undefined ? undefined : `not ready (/readyz: ${why})`;
}

/**
 * Opens one connection to an app-server that is already running (a WebSocket URL or a Unix
 * socket) and completes the handshake: `/readyz` first over WebSocket, the token from its file
 * as `Authorization: Bearer`. Rejects with an {@link AppServerError} of kind `startup`: code
 * `unauthorized` for a refused token (not worth retrying), `exited` otherwise.
 */
export async function connectToEndpoint(endpoint: Endpoint, token: TokenSource | undefined, session: SessionOptions = {}): Promise<AppServerConnection> {
  const bearer = await tokenOf(token);
  const why = await notReady(endpoint);
  if (why !== undefined) throw new AppServerError(`cannot connect to ${endpoint.display}: ${why}`, { kind: 'startup', code: LocalErrorCode.exited });
  return openConnection(new WebSocketTransport(endpoint, { token: bearer }), session);
}
