import { stat } from 'node:fs/promises';
import path from 'node:path';

/** A path given to a flag; `-` (stdin, stdout) names no file. */
export interface NamedPath {
  flag: string;
  file: string;
}

/** What identifies the file a path names: its device and inode when it exists, else where it would be made; none for a device or FIFO (many writers may share /dev/null). */
async function identity(file: string): Promise<string | undefined> {
  try {
    const info = await stat(file);
    if (!info.isFile() && !info.isDirectory()) return undefined;
    return `inode:${info.dev}:${info.ino}`;
  } catch {
    return `path:${path.resolve(file)}`;
  }
}

/** The first two flags naming one file (through links, relative paths or hard links), if any. */
export async function findSameFile(paths: readonly NamedPath[]): Promise<[NamedPath, NamedPath] | undefined> {
  const seen = new Map<string, NamedPath>();
  for (const named of paths) {
    if (named.file === '-') continue;
    const key = await identity(named.file);
    if (key === undefined) continue;
    const earlier = seen.get(key);
    if (earlier !== undefined) return [earlier, named];
    seen.set(key, named);
  }
  return undefined;
}
