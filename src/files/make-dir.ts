import { access, constants, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** A directory cas cannot make or use. */
export class DirectoryError extends Error {
  override name = 'DirectoryError';
}

/** The nearest part of `dir` (itself or an ancestor) that exists, and what it is. */
async function nearestExisting(dir: string): Promise<{ path: string; isDirectory: boolean }> {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    try {
      return { path: current, isDirectory: (await stat(current)).isDirectory() };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTDIR: a part of the path is a file; going up finds it and says so.
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || path.dirname(current) === current) throw new DirectoryError(`${current}: ${code ?? (error as Error).message}`);
    }
  }
}

/**
 * Says why `dir` could not be used as a directory cas makes or writes in, or undefined when it
 * can: it must be a directory, or be creatable under a writable directory.
 */
export async function directoryProblem(dir: string): Promise<string | undefined> {
  let existing;
  try {
    existing = await nearestExisting(dir);
  } catch (error) {
    return (error as Error).message;
  }
  if (!existing.isDirectory) return existing.path === path.resolve(dir) ? 'not a directory' : `${existing.path} is not a directory`;
  try {
    await access(existing.path, constants.W_OK | constants.X_OK);
  } catch {
    return existing.path === path.resolve(dir) ? 'not writable' : `${existing.path} is not writable`;
  }
  return undefined;
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir spins forever on some paths (under
 * /proc, where mkdir says ENOENT for ever). Rejects with a {@link DirectoryError} in one line.
 */
export async function makeDirectory(dir: string, mode = 0o700): Promise<void> {
  const target = path.resolve(dir);
  const existing = await nearestExisting(target);
  if (!existing.isDirectory) throw new DirectoryError(`${existing.path}: not a directory`);
  const missing = path.relative(existing.path, target).split(path.sep).filter((part) => part.length > 0);
  let current = existing.path;
  for (const part of missing) {
    current = path.join(current, part);
    try {
      await mkdir(current, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(current)).isDirectory()) continue;
      throw new DirectoryError(`cannot create directory ${current} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
}
