import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The directory a run keeps its homes and state files in. */
export interface RunDir {
  path: string;
  /** Removes it, if cas made it and it is not to be kept. */
  dispose(): Promise<void>;
}

/**
 * `--run-dir` is used as given (created if missing) and kept; without it a private temp dir is
 * made, and removed at the end unless `keep`.
 */
export async function openRunDir(given: string | undefined, keep: boolean): Promise<RunDir> {
  if (given !== undefined) {
    const dir = path.resolve(given);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return { path: dir, dispose: async () => undefined };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cas-run-'));
  return {
    path: dir,
    dispose: async () => {
      if (!keep) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
