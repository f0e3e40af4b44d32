import { unlinkSync } from 'node:fs';
import { open, readFile, unlink } from 'node:fs/promises';
import os from 'node:os';
import { onProcessExit } from '../process/exit-hooks.js';

/** Another live cas holds the lock. */
export class LockedError extends Error {
  override name = 'LockedError';
}

/** A held lock; release it when the output is complete. */
export interface FileLock {
  readonly path: string;
  release(): Promise<void>;
}

interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(lockPath: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(lockPath, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? { pid: owner.pid, host: owner.host, startedAt: String(owner.startedAt) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock file `lockPath` (created exclusively, holding our pid), so two runs never
 * write the same output at once. A lock left by a cas that died (its pid gone, same host) is
 * taken over; one held by a live cas rejects with {@link LockedError} naming it. The lock is
 * removed on release, and when cas exits early.
 */
export async function acquireLock(lockPath: string, what: string): Promise<FileLock> {
  const me: LockOwner = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(me)}\n`);
      } finally {
        await handle.close();
      }
      const forget = onProcessExit(() => {
        try {
          unlinkSync(lockPath);
        } catch {
          // Already gone.
        }
      });
      return {
        path: lockPath,
        async release() {
          forget();
          await unlink(lockPath).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = await readOwner(lockPath);
    const stale = owner === undefined ? attempt === 0 : owner.host === me.host && !isAlive(owner.pid);
    if (!stale) {
      const who = owner === undefined ? 'another cas' : `another cas (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt})`;
      throw new LockedError(`${what} is in use by ${who}; if no cas is running there, remove ${lockPath}`);
    }
    await unlink(lockPath).catch(() => undefined);
  }
  throw new LockedError(`${what}: could not take ${lockPath}`);
}
