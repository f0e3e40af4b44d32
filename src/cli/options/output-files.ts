import { access, constants, stat } from 'node:fs/promises';
import { acquireLock, LockedError, type FileLock } from '../../files/file-lock.js';
import { resolveOutputTarget } from '../../files/output-target.js';
import { findSameFile, type NamedPath } from '../../files/same-file.js';
import { UsageError } from '../usage-error.js';
import { checkWritableTarget } from './output-target.js';

/**
 * Checks, before any work starts, every file a command reads and writes: outputs writable and
 * not directories, inputs readable files, and no two naming the same file (`--input X --out X`
 * would empty X before reading it).
 */
export async function checkFiles(outputs: ReadonlyArray<NamedPath | undefined>, inputs: ReadonlyArray<NamedPath | undefined> = []): Promise<void> {
  const given = (list: ReadonlyArray<NamedPath | undefined>) => list.filter((named): named is NamedPath => named !== undefined && named.file !== '-');
  for (const input of given(inputs)) await checkReadable(input);
  for (const output of given(outputs)) await checkWritableTarget(output.file, output.flag);
  const same = await findSameFile([...given(inputs), ...given(outputs)]);
  if (same !== undefined) throw new UsageError(`${same[1].flag} ${same[1].file} is the same file as ${same[0].flag} ${same[0].file}`);
}

/** An input file must exist and be readable, and not be a directory (a FIFO or /dev/stdin is fine). */
export async function checkReadable({ flag, file }: NamedPath): Promise<void> {
  let info;
  try {
    info = await stat(file);
  } catch {
    throw new UsageError(`${flag} ${file}: no such file`);
  }
  if (info.isDirectory()) throw new UsageError(`${flag} ${file}: is a directory`);
  try {
    await access(file, constants.R_OK);
  } catch {
    throw new UsageError(`${flag} ${file}: not readable`);
  }
}

/**
 * Locks an output file cas streams into (beside it, `FILE.lock`), so two runs never write it at
 * once; a FIFO, device or /dev/stdout is not locked. Another live cas holding it is a usage error.
 */
export async function lockOutput({ flag, file }: NamedPath): Promise<FileLock | undefined> {
  const target = await resolveOutputTarget(file);
  if (target.kind === 'special') return undefined;
  try {
    return await acquireLock(`${target.path}.lock`, `${flag} ${file}`);
  } catch (error) {
    if (error instanceof LockedError) throw new UsageError(error.message);
    throw error;
  }
}
