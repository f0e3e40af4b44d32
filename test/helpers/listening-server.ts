import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { resolveCodex } from '../../src/codex/resolve-codex.js';
import { freeLoopbackPort, socketAccepts } from '../../src/transport/free-port.js';
import { probeReadyz } from '../../src/transport/readyz.js';
import { fixture } from './cas-cli.js';
import { until } from './run-watch.js';

/** A server a test started by itself, for cas to connect to. */
export interface ListeningServer {
  /** What to give `--connect`. */
  url: string;
  readonly pid: number;
  /** Kills the server's process group with `signal` and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same home and endpoint, and waits until it is ready. */
  restart(): Promise<void>;
  /** Kills it for good (safe to call twice). */
  stop(): Promise<void>;
}

/** Where the server listens: a WebSocket port on loopback, or a Unix socket ('' for the home's control socket, as the daemon does). */
export type ListenAt = { ws: true; args?: string[] } | { unix: string; args?: string[] };

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : once(child, 'exit').then(() => undefined);
}

/** Starts the real `codex app-server --listen ...` on `home` (created if missing), waiting until it serves. */
export async function startRealServer(home: string, at: ListenAt): Promise<ListeningServer> {
  await mkdir(home, { recursive: true });
  const codex = resolveCodex({});
  const port = 'ws' in at ? await freeLoopbackPort() : 0;
  const listen = 'ws' in at ? `ws://127.0.0.1:${port}` : `unix://${at.unix}`;
  const socket = 'ws' in at ? '' : at.unix === '' ? path.join(home, 'app-server-control', 'app-server-control.sock') : at.unix;
  let child: ChildProcess;
  const start = async () => {
    child = spawn(codex.command, [...codex.prefixArgs, 'app-server', '--listen', listen, ...(at.args ?? [])], {
      env: { ...process.env, ...codex.env, CODEX_HOME: home },
      stdio: ['ignore', 'ignore', 'ignore'],
      detached: true,
    });
    const ready = 'ws' in at ? async () => (await probeReadyz(`http://127.0.0.1:${port}/readyz`)) === undefined : () => socketAccepts(socket);
    await until(async () => {
      if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
      return ready();
    }, 60_000);
  };
  await start();
  const server: ListeningServer = {
    url: listen,
    get pid() {
      return child.pid!;
    },
    async kill(signal = 'SIGKILL') {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // Already gone.
      }
      await exited(child);
    },
    restart: start,
    stop: () => server.kill('SIGKILL'),
  };
  return server;
}

/** Starts fixtures/ws-server.mjs with `args` (a fake WebSocket server for faults), once it listens. */
export async function startFakeWsServer(args: readonly string[]): Promise<ListeningServer> {
  const child = spawn(process.execPath, [fixture('ws-server.mjs'), ...args], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const { port } = JSON.parse(String(line)) as { port: number };
  const server: ListeningServer = {
    url: `ws://127.0.0.1:${port}`,
    pid: child.pid!,
    async kill(signal = 'SIGKILL') {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // Already gone.
      }
      await exited(child);
    },
    restart: () => Promise.reject(new Error('the fake is not restarted')),
    stop: () => server.kill('SIGKILL'),
  };
  return server;
}
