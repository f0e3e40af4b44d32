import path from 'node:path';
import { connect, openConnection, type AppServerConnection } from '../client/connection.js';
import type { BackoffOptions } from '../runner/backoff.js';
import type { TokenSource } from '../transport/bearer-token.js';
import type { Endpoint } from '../transport/endpoint.js';
import type { TransportKind } from '../transport/transport.js';
import type { InstanceConnectOptions } from './start-instances.js';

/**
 * How a session reaches its app-servers: it spawns them (over stdio, or listening on a WebSocket
 * or Unix socket that cas connects to), or it connects to servers already running, one
 * connection per instance, dealt out across the endpoints.
 */
export type ServerTarget =
  | { mode: 'spawn'; listen: 'stdio' | 'ws' | 'unix'; token?: TokenSource }
  | { mode: 'connect'; endpoints: readonly Endpoint[]; token?: TokenSource };

export const SPAWN_STDIO: ServerTarget = { mode: 'spawn', listen: 'stdio' };

/**
 * Waits between attempts to reach a running server again: with the default 3 start-up retries
 * they span 3.75 to 7.5 s, enough for a server (or the daemon) to restart.
 */
export const RECONNECT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 8000 };

/** What one instance runs (for spawned servers). */
export interface SpawnedServer {
  command: string;
  args: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
}

/** What reports say an instance is reached through, before its first connection says it better. */
export interface PlannedEndpoint {
  transport: TransportKind;
  endpoint: string;
}

/** The endpoint instance `index` connects to: connections are dealt out across the endpoints. */
export function endpointFor(target: ServerTarget & { mode: 'connect' }, index: number): Endpoint {
  return target.endpoints[index % target.endpoints.length]!;
}

/** The server arguments that make a spawned WebSocket server ask for the client's capability token. */
function serverAuthArgs(token: TokenSource | undefined): string[] {
  return token === undefined ? [] : ['--ws-auth', 'capability-token', '--ws-token-file', path.resolve(token.file)];
}

/** Starts one app-server the target's way and completes the handshake: what an instance's `launch` does; aborting `signal` gives the start up. */
export function launcher(target: ServerTarget, index: number, server: SpawnedServer | undefined, socketDir: string, session: InstanceConnectOptions): (signal: AbortSignal) => Promise<AppServerConnection> {
  // The WebSocket and socket code (ws, http, tls, ...) loads only for a target that uses it: most runs spawn over stdio.
  if (target.mode === 'connect') {
    const endpoint = endpointFor(target, index);
    return async (signal) => (await import('../client/connect-endpoint.js')).connectToEndpoint(endpoint, target.token, { ...session, signal });
  }
  if (server === undefined) throw new Error('a spawned target needs the server command');
  if (target.listen === 'stdio') return (signal) => connect({ ...session, ...server, signal });
  const listen = target.listen;
  return async (signal) => {
    const [{ tokenOf }, { ListeningChildTransport }] = await Promise.all([import('../client/connect-endpoint.js'), import('../transport/listening-child-transport.js')]);
    const bearer = listen === 'ws' ? await tokenOf(target.token) : undefined;
    const transport = new ListeningChildTransport({
      request: server,
      listen,
      socketPath: path.join(socketDir, `${index}.sock`),
      serverAuthArgs: listen === 'ws' ? serverAuthArgs(target.token) : [],
      token: bearer,
      readyTimeoutMs: session.handshakeTimeoutMs,
    });
    return openConnection(transport, { ...session, signal });
  };
}

/** The transport and endpoint an instance is planned to use, for its state file before it connects. */
export function plannedEndpoint(target: ServerTarget, index: number, socketDir: string, command: string | undefined): PlannedEndpoint {
  if (target.mode === 'connect') {
    const endpoint = endpointFor(target, index);
    return { transport: endpoint.kind, endpoint: endpoint.display };
  }
  if (target.listen === 'unix') return { transport: 'unix', endpoint: `unix://${path.join(socketDir, `${index}.sock`)}` };
  if (target.listen === 'ws') return { transport: 'ws', endpoint: 'ws://127.0.0.1 (a free port at start)' };
  return { transport: 'stdio', endpoint: command ?? 'codex' };
}
