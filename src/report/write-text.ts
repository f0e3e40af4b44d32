import { writeFileSafely } from '../files/write-safely.js';

/**
 * Writes a text file (an HTML page, a CSV) so a reader never sees half of it, as JSON reports
 * are written (links written through, FIFOs and devices in place). Mode 0600: it may name
 * private paths.
 */
export async function writeTextAtomic(file: string, text: string): Promise<void> {
  await writeFileSafely(file, text);
}
