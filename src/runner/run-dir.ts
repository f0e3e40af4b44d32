import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { makeDirectory } from '../files/make-dir.js';
import os from 'node:os';
import path from 'node:path';
import { onProcessExit } from '../process/exit-hooks.js';

/** The directory a run keeps its homes and state files in. */
export interface RunDir {
  path: string;
  /** Removes it, if cas made it and it is not to be kept. */
  dispose(): Promise<void>;
}

/**
 * `--run-dir` is used as given (created if missing) and kept; without it a private temp dir is
 * made, and removed at the end unless `keep`, also when cas exits early on a second signal
 * (it may hold copies of auth.json).
 */
export async function openRunDir(given: string | undefined, keep: boolean): Promise<RunDir> {
  if (given !== undefined) {
    const dir = path.resolve(given);
    await makeDirectory(dir);
    return { path: dir, dispose: async () => undefined };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cas-run-'));
  const forget = keep ? () => undefined : onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  return {
    path: dir,
    dispose: async () => {
      forget();
      if (!keep) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
