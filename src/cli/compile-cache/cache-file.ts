import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Larger than any cache of cas's bundles (a few hundred kB): anything bigger is not one of ours. */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * The bytes of a cache file, or undefined when there is none or it is not one cas can trust: a
 * regular file (a FIFO would block the read, a link could point anywhere), owned by this user,
 * writable by no one else, with no other name. The checks are made on the open file, so a
 * directory swapped on the way to it changes nothing: no one else can make a file this user owns.
 */
export function readCacheFile(file: string, uid: number | undefined = process.getuid?.()): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.size === 0 || info.size > MAX_CACHE_BYTES) return undefined;
    if ((uid !== undefined && info.uid !== uid) || (info.mode & 0o022) !== 0 || info.nlink !== 1) return undefined;
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

/** Marks a cache file as just used (its mtime, which pruning goes by), so a cache in steady use is never the one pruned. */
export function touchCacheFile(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // A read-only cache is still a cache.
  }
}

/** How many builds of one bundle keep their cache: two cas installs used in turn (a global and a project's) must not evict each other. */
export const BUILDS_KEPT = 4;

/** A writer's temp file older than this was left by a cas killed while writing. */
const STALE_TEMP_MS = 10 * 60 * 1000;

/**
 * Once a bundle's cache is written (`just`), removes its caches of other builds
 * (`<stem>-<hash>-<size>-<mtime>.v8cache`) beyond the {@link BUILDS_KEPT} most recently used,
 * and temp files that killed writers left.
 */
export function removeStaleCaches(dir: string, stem: string, just: string, kept = BUILDS_KEPT): void {
  const mtime = (name: string) => statSync(path.join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const mine = readdirSync(dir).filter((name) => name.startsWith(`${stem}-`));
  const others = mine
    .filter((name) => name !== just && /^[0-9a-f]+-\d+-\d+\.v8cache$/.test(name.slice(stem.length + 1)))
    .map((name) => ({ name, used: mtime(name) }))
    .sort((a, b) => b.used - a.used);
  const abandoned = mine.filter((name) => /^[0-9a-f]+-\d+-\d+\.v8cache\.\d+\.tmp$/.test(name.slice(stem.length + 1)) && Date.now() - mtime(name) > STALE_TEMP_MS);
  for (const { name } of others.slice(kept - 1)) rmSync(path.join(dir, name), { force: true });
  for (const name of abandoned) rmSync(path.join(dir, name), { force: true });
}
