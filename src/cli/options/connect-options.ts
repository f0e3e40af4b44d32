import { statSync } from 'node:fs';
import type { Argv } from 'yargs';
import * as z from 'zod';
import type { ServerTarget } from '../../instance/server-target.js';
import { readToken, TokenFileError, type TokenSource } from '../../transport/bearer-token.js';
import { EndpointError, parseEndpoint, type Endpoint } from '../../transport/endpoint.js';
import { UsageError } from '../usage-error.js';
import { repeatedString, singleString } from './flag-schemas.js';

const SERVERS = 'Servers (transports):';

/** Servers already running (`--connect`) and the token files their WebSocket auth wants. */
export function withConnectOptions<T>(yargs: Argv<T>) {
  return yargs
    .option('connect', { type: 'string', group: SERVERS, describe: 'Work against a running server: ws://HOST:PORT, wss://..., unix://PATH or daemon (repeatable; connections are dealt out across them)' })
    .option('ws-token-file', { type: 'string', group: SERVERS, describe: 'File holding the capability token of a --ws-auth capability-token server (sent as a bearer token; servers cas starts on ws then require it too)' })
    .option('ws-bearer-token-file', { type: 'string', group: SERVERS, describe: 'File holding a signed JWT for a --ws-auth signed-bearer-token server (read again at every reconnect)' });
}
export const ConnectFlagsSchema = z.object({
  connect: repeatedString,
  wsTokenFile: singleString.optional(),
  wsBearerTokenFile: singleString.optional(),
});

/** How cas reaches the servers it starts: over their stdio, or over the socket they listen on. */
export function withListenOption<T>(yargs: Argv<T>) {
  return yargs.option('listen', { type: 'string', default: 'stdio', group: SERVERS, describe: 'How cas reaches the servers it starts: stdio, ws (a free loopback port) or unix (a socket in the run dir)' });
}
export const ListenFlagsSchema = z.object({ listen: z.enum(['stdio', 'ws', 'unix'], { error: 'must be stdio, ws or unix' }) });

/** Both groups' flags. */
export type ConnectFlags = z.infer<typeof ConnectFlagsSchema> & z.infer<typeof ListenFlagsSchema>;

/** The other flags that say how servers are started: meaningless against a running server. */
export interface SpawnFlags {
  codexBin?: string;
  codexArg?: string[];
  codexHome?: string;
  codexHomeTemplate?: string;
}

function tokenSource(flags: Partial<ConnectFlags>): TokenSource | undefined {
  if (flags.wsTokenFile !== undefined && flags.wsBearerTokenFile !== undefined) throw new UsageError('give one of --ws-token-file and --ws-bearer-token-file');
  if (flags.wsTokenFile !== undefined) return { flag: '--ws-token-file', file: flags.wsTokenFile };
  if (flags.wsBearerTokenFile !== undefined) return { flag: '--ws-bearer-token-file', file: flags.wsBearerTokenFile };
  return undefined;
}

/** `daemon` (and a bare `unix://`) go by $CODEX_HOME, which codex requires to exist when set. */
function checkCodexHomeEnv(values: readonly string[]): void {
  const home = process.env.CODEX_HOME;
  if (home === undefined || home === '' || !values.some((value) => value === 'daemon' || value === 'unix://')) return;
  const isDir = (() => {
    try {
      return statSync(home).isDirectory();
    } catch {
      return false;
    }
  })();
  if (!isDir) throw new UsageError(`--connect daemon: CODEX_HOME points to ${home}, which is not a directory`);
}

/** Where the connections go: every `--connect` value parsed (a bad one is a usage error). */
function endpointsOf(values: readonly string[]): Endpoint[] {
  checkCodexHomeEnv(values);
  return values.map((value) => {
    try {
      return parseEndpoint(value);
    } catch (error) {
      if (error instanceof EndpointError) throw new UsageError(`--connect ${error.message}`);
      throw error;
    }
  });
}

/**
 * The servers' target from the flags, checked before any start: `--connect` rules out the flags
 * that start servers (cas manages no home then), a token file must be readable and non-empty.
 * A group a command does not take counts as its defaults.
 */
export async function resolveServerTarget(flags: Partial<ConnectFlags> & SpawnFlags): Promise<ServerTarget> {
  const connect = flags.connect ?? [];
  const listen = flags.listen ?? 'stdio';
  const token = tokenSource(flags);
  if (token !== undefined) {
    if (connect.length === 0 && listen !== 'ws') throw new UsageError(`${token.flag} goes with --connect or --listen ws`);
    if (connect.length === 0 && token.flag === '--ws-bearer-token-file') throw new UsageError('--listen ws starts servers with a capability token: give it with --ws-token-file');
    try {
      await readToken(token);
    } catch (error) {
      if (error instanceof TokenFileError) throw new UsageError(error.message);
      throw error;
    }
  }
  if (connect.length === 0) return { mode: 'spawn', listen, ...(token === undefined ? {} : { token }) };
  if (listen !== 'stdio') throw new UsageError('--listen starts servers and --connect reaches running ones: give one of them');
  const spawnFlag = flags.codexHome !== undefined ? '--codex-home' : flags.codexHomeTemplate !== undefined ? '--codex-home-template' : flags.codexBin !== undefined ? '--codex-bin' : (flags.codexArg?.length ?? 0) > 0 ? '--codex-arg' : undefined;
  if (spawnFlag !== undefined) throw new UsageError(`${spawnFlag} is for servers cas starts; with --connect the server is already running and owns its home`);
  return { mode: 'connect', endpoints: endpointsOf(connect), ...(token === undefined ? {} : { token }) };
}

/** A command with one server (request, smoke, proxy) connects to one URL. */
export function checkOneEndpoint(target: ServerTarget): void {
  if (target.mode === 'connect' && target.endpoints.length > 1) throw new UsageError(`this command uses one server: give one --connect, not ${target.endpoints.length}`);
}

/** Every URL gets at least one of the `instances` connections. */
export function checkEndpointCount(target: ServerTarget, instances: number): void {
  if (target.mode === 'connect' && instances < target.endpoints.length) {
    throw new UsageError(`--instances ${instances} is fewer than the ${target.endpoints.length} --connect URLs: each needs at least one connection`);
  }
}
