import { resolveCodex, type ResolvedCodex } from '../codex/resolve-codex.js';
import { LocalErrorCode } from '../protocol/error-codes.js';
import { AppServerError } from './app-server-error.js';
import type { CasClientOptions } from './cas-client-options.js';
import { openClientHome, type ClientHome } from './client-home.js';
import { connect, type AppServerConnection } from './connection.js';
import { ServerRequestBroker } from './server-request-broker.js';

/** What a started client holds: the connection, the broker answering its server requests, and an owned home. */
export interface ClientSession {
  connection: AppServerConnection;
  broker: ServerRequestBroker;
  /** Undefined when connected to a running server (it owns its home). */
  home: ClientHome | undefined;
}

/** Wraps a failure before the server runs (no codex, no home) as the one error type of the library. */
function startupFailure(what: string, error: unknown): AppServerError {
  const detail = error instanceof Error ? error.message : String(error);
  return new AppServerError(`${what}: ${detail}`, { kind: 'startup', code: LocalErrorCode.spawnFailed, cause: error });
}

/** The handshake options shared by a spawned server and a running one. */
function sessionOptions(options: CasClientOptions, broker: ServerRequestBroker) {
  return {
    clientInfo: options.clientInfo,
    experimentalApi: options.experimentalApi ?? true,
    optOutNotificationMethods: options.optOutNotificationMethods,
    requestTimeoutMs: options.requestTimeoutMs,
    handshakeTimeoutMs: options.handshakeTimeoutMs,
    onServerRequest: broker.answer,
  };
}

/**
 * Resolves codex, makes sure the home exists, spawns the app-server and completes the handshake
 * (or, with `endpoint`, connects to a running one). On failure nothing is left behind.
 */
export async function openClientSession(options: CasClientOptions): Promise<ClientSession> {
  const broker = new ServerRequestBroker({ handler: options.onServerRequest, timeoutMs: options.serverRequestTimeoutMs });
  if (options.endpoint !== undefined) {
    try {
      // Loaded only to reach a running server (ws, http, tls, ...): a spawned one needs none of it.
      const { connectToEndpoint } = await import('./connect-endpoint.js');
      return { connection: await connectToEndpoint(options.endpoint, options.token, sessionOptions(options, broker)), broker, home: undefined };
    } catch (error) {
      broker.close();
      throw error;
    }
  }
  let codex: ResolvedCodex;
  let home: ClientHome;
  try {
    codex = options.codex ?? resolveCodex({ codexBin: options.codexBin });
  } catch (error) {
    broker.close();
    throw startupFailure('no codex to run', error);
  }
  try {
    home = await openClientHome(options.codexHome, options.configToml);
  } catch (error) {
    broker.close();
    throw startupFailure(`cannot prepare CODEX_HOME ${options.codexHome ?? '(temp dir)'}`, error);
  }
  try {
    const connection = await connect({
      command: codex.command,
      args: [...codex.prefixArgs, 'app-server', ...(options.codexArgs ?? [])],
      env: { ...codex.env, ...options.env, CODEX_HOME: home.path },
      cwd: options.cwd,
      ...sessionOptions(options, broker),
    });
    return { connection, broker, home };
  } catch (error) {
    broker.close();
    await home.dispose();
    throw error;
  }
}
