import os from 'node:os';
import path from 'node:path';

/** Where a running app-server is reached: a WebSocket URL or a Unix socket (WebSocket over it). */
export interface Endpoint {
  kind: 'ws' | 'unix';
  /** What reports and messages show: the URL without credentials or query, or `unix://PATH`. */
  display: string;
  /** The URL the WebSocket client opens (`ws+unix://PATH:/` for a socket). */
  url: string;
  /** The server's `/readyz` (WebSocket servers only). */
  readyzUrl?: string;
  /** The socket file (Unix sockets only). */
  socketPath?: string;
}

/** A `--connect` value that is not an endpoint. */
export class EndpointError extends Error {}

/** Where codex puts the control socket of the server on a home: `codex app-server --listen unix://` and the daemon. */
export const CONTROL_SOCKET = path.join('app-server-control', 'app-server-control.sock');

/** The home codex would use: $CODEX_HOME when set (non-empty), else ~/.codex (codex's find_codex_home). */
export function codexHomeOf(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CODEX_HOME;
  return fromEnv !== undefined && fromEnv !== '' ? path.resolve(fromEnv) : path.join(env.HOME ?? os.homedir(), '.codex');
}

/** The local daemon's control socket, found the way `codex app-server daemon` and `codex app-server proxy` find it. */
export function daemonSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(codexHomeOf(env), CONTROL_SOCKET);
}

/** An endpoint for a Unix socket; codex serves WebSocket over it, so the client opens `ws+unix://`. */
export function unixEndpoint(socketPath: string): Endpoint {
  const absolute = path.resolve(socketPath);
  return { kind: 'unix', display: `unix://${absolute}`, url: `ws+unix://${absolute}:/`, socketPath: absolute };
}

function wsEndpoint(value: string): Endpoint {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new EndpointError(`${value}: not a URL`);
  }
  // The URL parser drops a port that is the scheme's default; the user's is kept.
  const port = url.port !== '' ? url.port : /^wss?:\/\/(?:\[[^\]]*\]|[^/:?#]*):(\d+)/.exec(value)?.[1];
  if (url.hostname === '' || port === undefined) throw new EndpointError(`${value}: name the host and port, e.g. ws://127.0.0.1:4500`);
  if (url.username !== '' || url.password !== '' || url.search !== '') {
    // A token in the URL would end up in reports and logs: auth comes from files only.
    throw new EndpointError(`${url.protocol}//${url.hostname}${url.pathname}: put no credentials or query in the URL; give the token with --ws-token-file or --ws-bearer-token-file`);
  }
  const http = url.protocol === 'wss:' ? 'https:' : 'http:';
  const host = `${url.hostname}:${port}`;
  const display = `${url.protocol}//${host}${url.pathname === '/' ? '' : url.pathname}`;
  return { kind: 'ws', display, url: `${url.protocol}//${host}${url.pathname}`, readyzUrl: `${http}//${host}/readyz` };
}

/**
 * Parses a `--connect` value: `ws://HOST:PORT`, `wss://HOST:PORT`, `unix://PATH` (relative to
 * `cwd`), `unix://` or `daemon` (the control socket of the home codex would use, as codex itself
 * resolves a bare `unix://`).
 */
export function parseEndpoint(value: string, env: NodeJS.ProcessEnv = process.env): Endpoint {
  if (value === 'daemon' || value === 'unix://') return unixEndpoint(daemonSocketPath(env));
  if (value.startsWith('unix://')) return unixEndpoint(value.slice('unix://'.length));
  if (value.startsWith('ws://') || value.startsWith('wss://')) return wsEndpoint(value);
  throw new EndpointError(`${value}: expected ws://HOST:PORT, wss://HOST:PORT, unix://PATH or daemon`);
}

/** A home given as a server's URL (a mine over --connect): there are no local files behind it. */
export function isServerUrl(home: string): boolean {
  return /^(ws|wss|unix):\/\//.test(home);
}
