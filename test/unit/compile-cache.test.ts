import { execa } from 'execa';
import { chmod, link, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileCacheDir, isPrivateDir, makePrivateDir } from '../../src/cli/compile-cache/cache-dir.js';
import { BUILDS_KEPT, readCacheFile, removeStaleCaches, touchCacheFile, writeCacheFile } from '../../src/cli/compile-cache/cache-file.js';
import { loadBundle } from '../../src/cli/compile-cache/load-bundle.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-compile-cache-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const NODE = `node-${process.version}-${process.arch}`;

describe('compileCacheDir', () => {
  const home = () => '/home/u';

  it('is under ~/.cache, or $XDG_CACHE_HOME when absolute, one subdirectory per Node version and arch', () => {
    expect(compileCacheDir({}, home)).toBe(path.join('/home/u/.cache/cas/compile-cache', NODE));
    expect(compileCacheDir({ XDG_CACHE_HOME: '/xdg' }, home)).toBe(path.join('/xdg/cas/compile-cache', NODE));
    // The XDG spec says a relative value is to be ignored.
    expect(compileCacheDir({ XDG_CACHE_HOME: 'rel' }, home)).toBe(path.join('/home/u/.cache/cas/compile-cache', NODE));
  });

  it('is CAS_COMPILE_CACHE when it names a directory, and none when it says off', () => {
    expect(compileCacheDir({ CAS_COMPILE_CACHE: '/c', XDG_CACHE_HOME: '/xdg' }, home)).toBe(path.join('/c', NODE));
    expect(compileCacheDir({ CAS_COMPILE_CACHE: 'rel' }, home)).toBe(path.join(path.resolve('rel'), NODE));
    for (const off of ['0', 'off', 'OFF', 'false', 'no']) expect(compileCacheDir({ CAS_COMPILE_CACHE: off }, home)).toBeUndefined();
    expect(compileCacheDir({ CAS_COMPILE_CACHE: '' }, home)).toBe(path.join('/home/u/.cache/cas/compile-cache', NODE));
  });

  it('is none when there is no home to be found', () => {
    const homeless = () => {
      throw new Error('ENOENT: no such file or directory, uv_os_homedir');
    };
    expect(compileCacheDir({}, homeless)).toBeUndefined();
    expect(compileCacheDir({ CAS_COMPILE_CACHE: '/c' }, homeless)).toBe(path.join('/c', NODE));
  });
});

describe('isPrivateDir and makePrivateDir', () => {
  it('makes every missing level with mode 0700, and is fine with what exists', async () => {
    const deep = path.join(dir, 'made', 'a', 'b');
    expect(isPrivateDir(deep)).toBe(false);
    expect(makePrivateDir(deep)).toBe(true);
    expect((await stat(path.join(dir, 'made'))).mode & 0o777).toBe(0o700);
    expect(isPrivateDir(deep)).toBe(true);
    expect(makePrivateDir(deep)).toBe(true);
  });

  it('refuses a directory others can write, a link to a directory, a file, and a path it cannot make', async () => {
    const open = path.join(dir, 'open');
    await mkdir(open);
    await chmod(open, 0o777);
    expect(isPrivateDir(open)).toBe(false);
    expect(makePrivateDir(open)).toBe(false);
    const link = path.join(dir, 'link');
    await symlink(path.join(dir, 'made'), link);
    expect(isPrivateDir(link)).toBe(false);
    const file = path.join(dir, 'a-file');
    await writeFile(file, '');
    expect(isPrivateDir(file)).toBe(false);
    expect(makePrivateDir(path.join(file, 'x'))).toBe(false);
    // Node's recursive mkdir would spin here for ever.
    expect(makePrivateDir('/proc/cas-no-such/dir')).toBe(false);
  });
});

describe('cache files', () => {
  it('reads a regular file whole, and nothing from a missing, empty, linked or FIFO path (without blocking)', async () => {
    const file = path.join(dir, 'c.v8cache');
    writeCacheFile(file, Buffer.from('compiled'));
    expect(readCacheFile(file)?.toString()).toBe('compiled');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(readCacheFile(path.join(dir, 'missing'))).toBeUndefined();
    await writeFile(path.join(dir, 'empty'), '');
    expect(readCacheFile(path.join(dir, 'empty'))).toBeUndefined();
    await symlink(file, path.join(dir, 'c-link'));
    expect(readCacheFile(path.join(dir, 'c-link'))).toBeUndefined();
    await execa('mkfifo', [path.join(dir, 'fifo')]);
    expect(readCacheFile(path.join(dir, 'fifo'))).toBeUndefined();
  });

  it("reads nothing from a file of another user's, one others can write, or one with another name (a hard link)", async () => {
    const file = path.join(dir, 'owned.v8cache');
    writeCacheFile(file, Buffer.from('compiled'));
    const owner = (await stat(file)).uid;
    expect(readCacheFile(file, owner)?.toString()).toBe('compiled');
    expect(readCacheFile(file, owner + 1)).toBeUndefined();
    await chmod(file, 0o622);
    expect(readCacheFile(file, owner)).toBeUndefined();
    await chmod(file, 0o600);
    await link(file, path.join(dir, 'owned-too.v8cache'));
    expect(readCacheFile(file, owner)).toBeUndefined();
  });

  it('replaces a file whole and leaves no temp file', async () => {
    const at = path.join(dir, 'replace');
    await mkdir(at);
    writeCacheFile(path.join(at, 'x.v8cache'), Buffer.from('one'));
    writeCacheFile(path.join(at, 'x.v8cache'), Buffer.from('two'));
    expect(await readdir(at)).toEqual(['x.v8cache']);
    expect(await readFile(path.join(at, 'x.v8cache'), 'utf8')).toBe('two');
  });

  it("keeps the caches of the most recently used builds of a bundle, and removes only that bundle's older ones and abandoned temp files", async () => {
    const at = path.join(dir, 'stale');
    await mkdir(at);
    // Six builds of command-run, used a second apart, oldest first; the last was just written.
    const builds = ['aa', 'bb', 'cc', 'dd', 'ee', 'ff'].map((hash, index) => ({ name: `command-run-${hash}-10-${index}.v8cache`, used: 1_700_000_000 + index }));
    const others = ['command-run-compare-cc33-1-2.v8cache', 'command-runner-dd44-1-2.v8cache', 'command-run-notes.txt', 'command-run-ab-1-2.v8cache.123.tmp'];
    const abandoned = 'command-run-ab-1-2.v8cache.99.tmp';
    for (const { name, used } of [...builds, { name: abandoned, used: 1_700_000_000 }]) {
      await writeFile(path.join(at, name), 'x');
      await utimes(path.join(at, name), used, used);
    }
    for (const name of others) await writeFile(path.join(at, name), 'x');
    // The oldest build was used a moment ago: it stays, the next oldest go.
    touchCacheFile(path.join(at, builds[0]!.name));
    removeStaleCaches(at, 'command-run', builds[5]!.name);
    expect((await readdir(at)).sort()).toEqual([builds[0]!.name, ...builds.slice(6 - BUILDS_KEPT + 1).map(({ name }) => name), ...others].sort());
  });
});

describe('loadBundle', () => {
  const BUNDLE = [
    "const path = require('node:path');",
    'exports.where = path.basename(__dirname) + "/" + path.basename(__filename);',
    'exports.double = (n) => n * 2;',
    'exports.self = this === exports;',
    '// a trailing line comment, with no newline after it',
  ].join('\n');

  /** A bundle in its own directory (same name, same content and mtime each time: the same cache). */
  async function bundleAt(name: string, source = BUNDLE): Promise<string> {
    const file = path.join(dir, name, 'command-x.cjs');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, source);
    await utimes(file, 1_700_000_000, 1_700_000_000);
    return file;
  }

  /** Loads `file` with the cache in `cacheDir`, running the cache write at once; says whether one was written. */
  function load(file: string, cacheDir: string | undefined, key?: string): { exports: Record<string, unknown>; wrote: boolean } {
    let wrote = false;
    const exports = loadBundle(file, { cacheDir, key, atExit: (write) => ((wrote = true), write()) }) as Record<string, unknown>;
    return { exports, wrote };
  }

  it("runs a CommonJS file: its exports, require, __filename and __dirname, `this`; once per process", async () => {
    const file = await bundleAt('plain');
    const { exports, wrote } = load(file, undefined);
    expect(exports).toMatchObject({ where: 'plain/command-x.cjs', self: true });
    expect((exports.double as (n: number) => number)(21)).toBe(42);
    expect(wrote).toBe(false);
    expect(loadBundle(file)).toBe(exports);
  });

  it('keeps the compiled code, and the next process runs from it without writing again', async () => {
    const cache = path.join(dir, 'cache-a', 'deeper');
    const first = load(await bundleAt('run-1'), cache, 'k1');
    expect(first.wrote).toBe(true);
    const files = await readdir(cache);
    expect(files).toEqual([expect.stringMatching(/^command-x-k1-\d+-1700000000000\.v8cache$/)]);
    const written = await stat(path.join(cache, files[0]!));
    expect(written.size).toBeGreaterThan(0);
    await utimes(path.join(cache, files[0]!), 1_600_000_000, 1_600_000_000);
    // V8 accepted the code: nothing to write; the file is marked as used.
    const second = load(await bundleAt('run-2'), cache, 'k1');
    expect(second.wrote).toBe(false);
    expect((second.exports.double as (n: number) => number)(4)).toBe(8);
    expect((await stat(path.join(cache, files[0]!))).mtimeMs).toBeGreaterThan(1_600_000_000_000);
  });

  it('compiles afresh, and writes over, a cache V8 refuses', async () => {
    const cache = path.join(dir, 'cache-b');
    load(await bundleAt('refuse-1'), cache, 'k2');
    const [name] = await readdir(cache);
    await writeFile(path.join(cache, name!), 'not code from V8');
    const again = load(await bundleAt('refuse-2'), cache, 'k2');
    expect(again.wrote).toBe(true);
    expect(again.exports.where).toBe('refuse-2/command-x.cjs');
    expect(await readFile(path.join(cache, name!), 'utf8')).not.toBe('not code from V8');
  });

  it('never runs the code of another content: a changed bundle (of the same length) gets its own cache', async () => {
    const cache = path.join(dir, 'cache-c');
    // No key: the content is hashed here.
    load(await bundleAt('content-1'), cache);
    const changed = BUNDLE.replace('n * 2', 'n * 3');
    expect(changed.length).toBe(BUNDLE.length);
    const next = load(await bundleAt('content-2', changed), cache);
    expect(next.wrote).toBe(true);
    expect((next.exports.double as (n: number) => number)(2)).toBe(6);
    expect(await readdir(cache)).toHaveLength(2);
  });

  it('reads no code from, and writes none to, a directory others can write', async () => {
    const cache = path.join(dir, 'cache-open');
    expect(load(await bundleAt('open-1'), cache, 'k3').wrote).toBe(true);
    const [name] = await readdir(cache);
    const before = await stat(path.join(cache, name!));
    await chmod(cache, 0o777);
    const { exports, wrote } = load(await bundleAt('open-2'), cache, 'k3');
    expect(exports.self).toBe(true);
    // The good cache there was not used (a write was due), nor written over.
    expect(wrote).toBe(true);
    expect(await readdir(cache)).toEqual([name]);
    expect((await stat(path.join(cache, name!))).ino).toBe(before.ino);
  });
});
