import { rename, rm, writeFile } from 'node:fs/promises';
import { resolveOutputTarget } from './output-target.js';

/**
 * Writes a whole file so a reader never sees half of it: a private temp file beside the real
 * target, renamed over it. A symbolic link is written through (the link stays, its target is
 * updated); a FIFO, terminal or device (/dev/stdout, /dev/null) is written in place, never
 * replaced. New files get `mode` (default 0600: they may name private paths).
 */
export async function writeFileSafely(file: string, data: string, mode = 0o600): Promise<void> {
  const target = await resolveOutputTarget(file);
  if (target.kind === 'special') {
    await writeFile(target.path, data, { flag: 'a' });
    return;
  }
  // Created exclusively ('wx'), so the name need not be unpredictable: Math.random spares every
  // cas start the load of node:crypto (~5 ms).
  const temp = `${target.path}.${process.pid}.${Math.random().toString(16).slice(2, 10)}.tmp`;
  try {
    await writeFile(temp, data, { mode, flag: 'wx' });
    await rename(temp, target.path);
  } catch (error) {
    // EEXIST: the name was taken, by a file that is not ours to remove.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await rm(temp, { force: true });
    throw error;
  }
}
