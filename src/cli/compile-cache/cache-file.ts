import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/** How many builds of one bundle keep their cache: two cas installs used in turn (a global and a project's) must not evict each other at every run. */
export const BUILDS_KEPT = 4;

/**
 * Once a bundle's cache is written (`just`), removes its caches of other builds
 * (`<stem>-<hash>-<size>-<mtime>.v8cache`) beyond the {@link BUILDS_KEPT} most recently written.
 */
export function removeStaleCaches(dir: string, stem: string, just: string, kept = BUILDS_KEPT): void {
  const others = readdirSync(dir)
    .filter((name) => name !== just && name.startsWith(`${stem}-`) && /^[0-9a-f]+-\d+-\d+\.v8cache$/.test(name.slice(stem.length + 1)))
    .map((name) => ({ name, written: statSync(path.join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => b.written - a.written);
  for (const { name } of others.slice(kept - 1)) rmSync(path.join(dir, name), { force: true });
}
