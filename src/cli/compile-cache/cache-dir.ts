import { existsSync, lstatSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Values of CAS_COMPILE_CACHE that turn the cache off. */
const OFF = new Set(['0', 'off', 'false', 'no']);

/**
 * The directory for V8's compiled code of cas's CLI bundle, or undefined for none:
 * CAS_COMPILE_CACHE (a directory, or 0/off), else $XDG_CACHE_HOME/cas/compile-cache, else
 * ~/.cache/cas/compile-cache; one subdirectory per Node version and arch, since V8 rejects code
 * compiled by another and the two would only overwrite each other.
 */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env, home: () => string = os.homedir): string | undefined {
  const chosen = env.CAS_COMPILE_CACHE;
  if (chosen !== undefined && OFF.has(chosen.trim().toLowerCase())) return undefined;
  let root: string;
  if (chosen !== undefined && chosen !== '') root = path.resolve(chosen);
  else if (env.XDG_CACHE_HOME !== undefined && path.isAbsolute(env.XDG_CACHE_HOME)) root = path.join(env.XDG_CACHE_HOME, 'cas', 'compile-cache');
  else {
    try {
      root = path.join(home(), '.cache', 'cas', 'compile-cache');
    } catch {
      // No home directory to be found (no $HOME, no passwd entry): no cache.
      return undefined;
    }
  }
  return path.join(root, `node-${process.version}-${process.arch}`);
}

/**
 * Whether cas may run code kept in `dir`: a real directory, not a link, that only this user can
 * write. Compiled code runs as it is read, so a cache someone else could write would let them
 * run code as this user.
 */
export function isPrivateDir(dir: string): boolean {
  try {
    const info = lstatSync(dir);
    if (!info.isDirectory() || (info.mode & 0o022) !== 0) return false;
    return process.getuid === undefined || info.uid === process.getuid();
  } catch {
    return false;
  }
}

/**
 * Makes `dir` and its missing parents (mode 0700) one level at a time, since Node's recursive
 * mkdir spins forever on some paths (under /proc); says whether it is private once made. A
 * synchronous makeDirectory (src/files/make-dir.ts): it runs in an exit handler, which cannot await.
 */
export function makePrivateDir(dir: string): boolean {
  const missing: string[] = [];
  for (let current = path.resolve(dir); !existsSync(current); current = path.dirname(current)) {
    missing.unshift(current);
    if (path.dirname(current) === current) break;
  }
  try {
    for (const level of missing) mkdirSync(level, { mode: 0o700 });
  } catch {
    return false;
  }
  return isPrivateDir(dir);
}
