import { writeFileSafely } from '../files/write-safely.js';
import { stringifyJson } from '../json/stringify.js';

/**
 * Writes JSON so a reader never sees half a file (see {@link writeFileSafely}: links are written
 * through, special files in place). Files are 0600: they may name private paths.
 */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileSafely(file, `${stringifyJson(value, 2)}\n`);
}
