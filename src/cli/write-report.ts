import { writeJsonAtomic } from '../instance/atomic-write.js';
import type { CliIo } from './cli-io.js';

/**
 * Writes a report file at the end of a command; a failure (a full disk) is said in one line on
 * stderr and returned as false, so the summary is still printed and nothing else is lost.
 */
export async function writeReportFile(file: string | undefined, report: unknown, flag: string, io: CliIo): Promise<boolean> {
  if (file === undefined) return true;
  try {
    await writeJsonAtomic(file, report);
    return true;
  } catch (error) {
    io.stderr.write(`cas: ${flag} ${file}: could not be written: ${(error as Error).message}\n`);
    return false;
  }
}

/** Closes an output, saying in one line why it failed if it did; false then. */
export async function closeOutput(close: () => Promise<void>, flag: string, file: string, io: CliIo): Promise<boolean> {
  try {
    await close();
    return true;
  } catch (error) {
    io.stderr.write(`cas: ${flag} ${file}: write failed: ${(error as Error).message}\n`);
    return false;
  }
}
