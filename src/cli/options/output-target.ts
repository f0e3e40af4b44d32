import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../usage-error.js';

/** Fails early, as a usage error, when a file cas must write at the end could not be written. */
export async function checkWritableTarget(file: string, flag: string): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    await access(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${file}: directory ${dir} does not exist or is not writable`);
  }
}
