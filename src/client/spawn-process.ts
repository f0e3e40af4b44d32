import type { Readable, Writable } from 'node:stream';
import { execa } from 'execa';

/** How a child process ended. */
export interface ProcessExit {
  /** Exit code, when it exited on its own. */
  code: number | null;
  /** Signal that ended it, if any. */
  signal: string | null;
  /** Why it could not be started at all (e.g. `spawn codex ENOENT`). */
  spawnError?: string;
}

/** The parts of a child process a connection uses. */
export interface SpawnedProcess {
  /** Process id; undefined when the spawn failed. */
  readonly pid: number | undefined;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Sends a signal; false when the process is already gone. */
  kill(signal: NodeJS.Signals): boolean;
  /** Settles (never rejects) once the process has ended or failed to start. */
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

/**
 * Default spawner, on execa: pipes on all three streams, no buffering (we stream stdout
 * ourselves), and `cleanup` so a child is killed when cas exits.
 */
export const spawnWithExeca: SpawnProcess = (request) => {
  const subprocess = execa(request.command, [...request.args], {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    cleanup: true,
    extendEnv: true,
    env: request.env,
    cwd: request.cwd,
    forceKillAfterDelay: false,
    windowsHide: true,
  });
  // A child that dies while we write must not crash us with EPIPE: its exit is reported instead.
  subprocess.stdin.on('error', () => undefined);
  const exited = subprocess.then((result): ProcessExit => {
    const neverRan = result.failed && result.exitCode === undefined && result.signal === undefined;
    return {
      code: result.exitCode ?? null,
      signal: result.signal ?? null,
      ...(neverRan ? { spawnError: result.originalMessage || result.shortMessage } : {}),
    };
  });
  return {
    get pid() {
      return subprocess.pid;
    },
    stdin: subprocess.stdin,
    stdout: subprocess.stdout,
    stderr: subprocess.stderr,
    kill: (signal) => subprocess.kill(signal),
    exited,
  };
};
