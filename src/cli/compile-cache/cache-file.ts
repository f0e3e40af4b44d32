import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Larger than any cache of cas's bundles (a few hundred kB): anything bigger is not one of ours. */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * The bytes of a cache file, or undefined when there is none or it is not a regular file (a FIFO
 * would block the read, a link could point anywhere): opened without following links, without
 * blocking, and checked before it is read.
 */
export function readCacheFile(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.size === 0 || info.size > MAX_CACHE_BYTES) return undefined;
    const bytes = Buffer.allocUnsafe(info.size);
    let read = 0;
    while (read < bytes.length) {
      const got = readSync(fd, bytes, read, bytes.length - read, read);
      if (got === 0) return undefined;
      read += got;
    }
    return bytes;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Writes a cache file whole (a private temp file renamed over it), so a concurrent cas reads the old file or the new, never half. */
export function writeCacheFile(file: string, data: Uint8Array): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, data, { mode: 0o600, flag: 'wx' });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/** Removes the caches of earlier builds of a bundle (`<stem>-<hash>-<size>-<mtime>.v8cache`) once a new one is written. */
export function removeStaleCaches(dir: string, stem: string, keep: string): void {
  for (const name of readdirSync(dir)) {
    if (name !== keep && name.startsWith(`${stem}-`) && /^[0-9a-f]+-\d+-\d+\.v8cache$/.test(name.slice(stem.length + 1))) unlinkSync(path.join(dir, name));
  }
}
