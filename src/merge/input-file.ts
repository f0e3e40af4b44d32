import { stat } from 'node:fs/promises';
import { MergeError } from './merge-error.js';

/** Checks that `file` is a regular file (not a directory, FIFO or device) and returns its size. */
export async function regularFileSize(file: string): Promise<number> {
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new MergeError(`${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? (error as Error).message)}`, 'input');
  }
  if (!info.isFile()) throw new MergeError(`${file}: not a regular file`, 'input');
  return info.size;
}
