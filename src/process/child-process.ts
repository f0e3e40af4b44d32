import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { onProcessExit } from './exit-hooks.js';
import { signalGroup } from './process-group.js';

/** How a child process ended. */
export interface ProcessExit {
  /** Exit code, when it exited on its own. */
  code: number | null;
  /** Signal that ended it, if any. */
  signal: string | null;
  /** Why it could not be started at all (e.g. `spawn codex ENOENT`). */
  spawnError?: string;
}

/** The parts of a child process a transport uses. */
export interface SpawnedProcess {
  /** Process id (also its process group id); undefined when the spawn failed. */
  readonly pid: number | undefined;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Sends a signal to the child's whole process group; false when it is already gone. */
  kill(signal: NodeJS.Signals): boolean;
  /** Settles (never rejects) once the process has ended and its output is read, or it failed to start. */
  readonly exited: Promise<ProcessExit>;
}

/** What to run. */
export interface SpawnRequest {
  command: string;
  args: readonly string[];
  /** Variables added to the inherited environment. */
  env?: Readonly<Record<string, string | undefined>>;
  cwd?: string;
}

/** Starts a child process; injected so tests and embedders can replace it. */
export type SpawnProcess = (request: SpawnRequest) => SpawnedProcess;

/** After the child exits, how long its pipes may stay open (a descendant holding them) before they are cut. */
const DRAIN_AFTER_EXIT_MS = 1000;

function mergedEnv(extra: SpawnRequest['env']): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(extra ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Resolves once both output pipes have closed, or after `ms`; then they are destroyed either way. */
function drained(child: ChildProcessWithoutNullStreams, ms: number): Promise<void> {
  const closed = (stream: Readable) => (stream.closed ? Promise.resolve() : new Promise<void>((resolve) => stream.once('close', () => resolve())));
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return Promise.race([Promise.all([closed(child.stdout), closed(child.stderr)]).then(() => undefined), limit]).finally(() => {
    clearTimeout(timer);
    child.stdout.destroy();
    child.stderr.destroy();
  });
}

/**
 * Default spawner: pipes on all three streams, and the child in a process group of its own, so
 * a terminal's Ctrl-C (sent to cas's group) reaches cas alone and cas decides when servers stop.
 * When the child exits, whatever it left running in its group is killed; if cas itself exits,
 * every group still alive is killed on the way out.
 */
export const spawnChildProcess: SpawnProcess = (request) => {
  const child = spawn(request.command, [...request.args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    env: mergedEnv(request.env),
    cwd: request.cwd,
    windowsHide: true,
  });
  // A child that dies while we write must not crash us with EPIPE: its exit is reported instead.
  child.stdin.on('error', () => undefined);
  child.stdout.on('error', () => undefined);
  child.stderr.on('error', () => undefined);
  const pid = child.pid;
  const forgetOnExit = pid === undefined ? () => undefined : onProcessExit(() => signalGroup(pid, 'SIGKILL'));
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('error', (error) => {
      // Only a failed spawn ends things here; a failed kill of a live child is not an exit.
      if (child.pid !== undefined) return;
      forgetOnExit();
      resolve({ code: null, signal: null, spawnError: error.message });
    });
    child.once('exit', (code, signal) => {
      forgetOnExit();
      // The server is gone: nothing it started may outlive it (and hold its pipes open).
      if (pid !== undefined) signalGroup(pid, 'SIGKILL');
      void drained(child, DRAIN_AFTER_EXIT_MS).then(() => resolve({ code, signal }));
    });
  });
  return {
    pid,
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    kill: (signal) => (pid === undefined ? false : signalGroup(pid, signal)),
    exited,
  };
};
