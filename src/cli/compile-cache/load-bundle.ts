import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';
import { compileCacheDir, isPrivateDir, makePrivateDir } from './cache-dir.js';
import { readCacheFile, removeStaleCaches, touchCacheFile, writeCacheFile } from './cache-file.js';
import { compiledCodeWorthKeeping } from './keep-at-exit.js';

export interface LoadBundleOptions {
  /**
   * The bundle's content hash, worked out when it was built, so no run pays for hashing (and for
   * loading node:crypto). Without it, the content is hashed here.
   */
  key?: string;
  /** Where compiled code is kept (made when first written); undefined keeps none. Default: compileCacheDir(). */
  cacheDir?: string | undefined;
  /** Runs the cache write once the process is done (all its functions compiled). Default: at 'exit', if the run was worth keeping (keep-at-exit.ts). */
  atExit?: (write: () => void) => void;
}

const loaded = new Map<string, unknown>();
/** The default atExit: the write runs as the process exits, if the run was worth keeping. */
function atProcessExit(write: () => void): void {
  process.once('exit', () => {
    if (compiledCodeWorthKeeping()) write();
  });
}

/** A bundle's source, and what names its compiled code: its content hash, size and modification time (so a bundle edited after its build, its size or mtime changed, runs no stale code). */
function readBundle(file: string, key: string | undefined): { source: string; id: string } {
  const fd = openSync(file, 'r');
  try {
    const info = fstatSync(fd);
    const source = readFileSync(fd, 'utf8');
    const hash = key ?? (createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(source).digest('hex').slice(0, 32);
    return { source, id: `${hash}-${info.size}-${Math.trunc(info.mtimeMs)}` };
  } finally {
    closeSync(fd);
  }
}

/**
 * Loads one CommonJS bundle of cas's CLI (a command, or yargs) and returns its exports, with V8's
 * compiled code kept between runs: Node 20 has no compile cache of its own (module.enableCompileCache
 * came in 22), and compiling a command's few hundred kB was a third of cas's start. V8 checks only a
 * cached source's length, so the code is named by the bundle's content; V8 itself refuses code of
 * another version or other flags. Without a usable cache it compiles as usual: the cache only ever
 * saves time. Bundles must not use import(): a vm.Script has no import callback, and one given is
 * lost when V8's cached data is used (Node 20).
 */
export function loadBundle(file: string, options: LoadBundleOptions = {}): unknown {
  const known = loaded.get(file);
  if (known !== undefined) return known;
  const { source, id } = readBundle(file, options.key);
  const dir = 'cacheDir' in options ? options.cacheDir : compileCacheDir();
  const stem = path.basename(file, path.extname(file));
  const name = `${stem}-${id}.v8cache`;
  const cache = dir === undefined ? undefined : { dir, name, file: path.join(dir, name) };
  const cachedData = cache !== undefined && isPrivateDir(cache.dir) ? readCacheFile(cache.file) : undefined;
  // The same wrapper as Node's for a CommonJS file; the newline ends a trailing line comment.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const module = { exports: {} as unknown };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  loaded.set(file, module.exports);
  if (cache === undefined) return module.exports;
  if (cachedData !== undefined && script.cachedDataRejected !== true) {
    touchCacheFile(cache.file);
  } else {
    (options.atExit ?? atProcessExit)(() => {
      try {
        if (!makePrivateDir(cache.dir)) return;
        writeCacheFile(cache.file, script.createCachedData());
        removeStaleCaches(cache.dir, stem, cache.name);
      } catch {
        // A cache that cannot be written (a full disk, a read-only home) costs only time.
      }
    });
  }
  return module.exports;
}
