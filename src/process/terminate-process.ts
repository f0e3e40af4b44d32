import { setTimeout as delay } from 'node:timers/promises';
import type { ProcessExit, SpawnedProcess } from './child-process.js';

/** How long each step of a close may take. */
export interface CloseOptions {
  /** Wait after closing stdin before SIGTERM (default 2000 ms). */
  graceMs?: number;
  /** Wait after SIGTERM before SIGKILL (default 2000 ms). */
  termMs?: number;
}

/** Resolves true if `exited` settles within `ms`; the timer never keeps the process alive. */
async function exitsWithin(exited: Promise<ProcessExit>, ms: number): Promise<boolean> {
  const timeout = new AbortController();
  const expired = delay(ms, false, { ref: false, signal: timeout.signal }).catch(() => false);
  try {
    return await Promise.race([exited.then(() => true), expired]);
  } finally {
    timeout.abort();
  }
}

/** Stops a child the polite way first: stdin EOF, then SIGTERM, then SIGKILL. */
export async function terminateProcess(child: SpawnedProcess, exited: Promise<ProcessExit>, options: CloseOptions = {}): Promise<void> {
  child.stdin.end();
  if (await exitsWithin(exited, options.graceMs ?? 2000)) return;
  child.kill('SIGTERM');
  if (await exitsWithin(exited, options.termMs ?? 2000)) return;
  child.kill('SIGKILL');
  await exited;
}
