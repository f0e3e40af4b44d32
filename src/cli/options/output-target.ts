import { access, constants, stat } from 'node:fs/promises';
import path from 'node:path';
import { OutputPathError, resolveOutputTarget, type OutputTarget } from '../../files/output-target.js';
import { UsageError } from '../usage-error.js';

/**
 * Fails early, as a usage error, when a file cas must write could not be written: a directory,
 * a socket, a missing or read-only directory. Checked before any work starts, so a run never
 * ends with its report lost. Resolves with what the path is (links followed).
 */
export async function checkWritableTarget(file: string, flag: string): Promise<OutputTarget> {
  let target: OutputTarget;
  try {
    target = await resolveOutputTarget(file);
  } catch (error) {
    if (error instanceof OutputPathError) throw new UsageError(`${flag} ${file}: ${error.message}`);
    throw error;
  }
  if (target.kind === 'special') return target;
  // A new file is made, and an existing one replaced, in the target's directory.
  const dir = path.dirname(target.path);
  try {
    if (!(await stat(dir)).isDirectory()) throw new Error('not a directory');
    await access(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${file}: directory ${dir} does not exist or is not writable`);
  }
  return target;
}
