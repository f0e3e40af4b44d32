import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cas, ROOT } from '../helpers/cas-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-compile-cache-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const NODE = `node-${process.version}-${process.arch}`;
const REQUEST = ['request', '--method', 'thread/list', '--params', '{"limit":1}'];

/** Each cache file: its inode (a rewrite renames a new file in), size, mode and mtime. */
async function snapshot(at: string): Promise<Record<string, { ino: number; size: number; mode: string; mtimeMs: number }>> {
  const entries = await Promise.all((await readdir(at)).map(async (name) => {
    const info = await stat(path.join(at, name));
    return [name, { ino: info.ino, size: info.size, mode: (info.mode & 0o777).toString(8), mtimeMs: info.mtimeMs }] as const;
  }));
  return Object.fromEntries(entries);
}

/** The content hash a bundle's cache file is named by. */
async function contentHash(bundle: string): Promise<string> {
  return createHash('sha256').update(await readFile(path.join(ROOT, 'dist', 'cli-bundle', bundle))).digest('hex').slice(0, 32);
}

describe('the compile cache of the CLI', () => {
  it("keeps yargs' and the command's compiled code privately, named by content; the next cas request runs from it and rewrites nothing", async () => {
    const cache = path.join(dir, 'cache');
    const env = { CAS_COMPILE_CACHE: cache };
    const first = await cas(REQUEST, { env });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toHaveProperty('data');
    expect((await stat(path.join(cache, NODE))).mode & 0o777).toBe(0o700);
    const written = await snapshot(path.join(cache, NODE));
    const request = await stat(path.join(ROOT, 'dist', 'cli-bundle', 'command-request.cjs'));
    expect(Object.keys(written).sort()).toEqual([
      `command-request-${await contentHash('command-request.cjs')}-${request.size}-${Math.trunc(request.mtimeMs)}.v8cache`,
      expect.stringMatching(new RegExp(`^yargs-${await contentHash('yargs.cjs')}-\\d+-\\d+\\.v8cache$`)),
    ]);
    for (const file of Object.values(written)) expect(file.mode).toBe('600');

    const second = await cas(REQUEST, { env });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual(JSON.parse(first.stdout));
    // V8 took the code: the same files, not written again, only marked as used.
    const after = await snapshot(path.join(cache, NODE));
    for (const [name, file] of Object.entries(written)) {
      expect(after[name]).toMatchObject({ ino: file.ino, size: file.size });
      expect(after[name]!.mtimeMs).toBeGreaterThanOrEqual(file.mtimeMs);
    }
  });

  it('keeps nothing from a run whose command did not run or failed (--help, a usage error, a failed request)', async () => {
    const cache = path.join(dir, 'unfinished');
    const env = { CAS_COMPILE_CACHE: cache };
    expect((await cas(['request', '--help'], { env })).exitCode).toBe(0);
    expect((await cas(['request'], { env })).exitCode).toBe(2);
    expect((await cas(['request', '--method', 'no/such-method'], { env })).exitCode).toBe(1);
    await expect(stat(cache)).rejects.toThrow(/ENOENT/);
  });

  it('runs as usual from a cache it cannot use, and writes it anew', async () => {
    const cache = path.join(dir, 'junk');
    const env = { CAS_COMPILE_CACHE: cache };
    expect((await cas(REQUEST, { env })).exitCode).toBe(0);
    const name = (await readdir(path.join(cache, NODE))).find((file) => file.startsWith('command-request-'))!;
    await writeFile(path.join(cache, NODE, name), 'not code from V8');
    const again = await cas(REQUEST, { env });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toHaveProperty('data');
    expect(await readFile(path.join(cache, NODE, name), 'utf8')).not.toBe('not code from V8');
  });

  it('lives under $XDG_CACHE_HOME by default, and nowhere when CAS_COMPILE_CACHE=0', async () => {
    const xdg = path.join(dir, 'xdg');
    expect((await cas(REQUEST, { env: { XDG_CACHE_HOME: xdg, CAS_COMPILE_CACHE: '' } })).exitCode).toBe(0);
    expect((await readdir(path.join(xdg, 'cas', 'compile-cache', NODE))).sort()).toEqual([expect.stringMatching(/^command-request-/), expect.stringMatching(/^yargs-/)]);

    const off = path.join(dir, 'off');
    const result = await cas(REQUEST, { env: { XDG_CACHE_HOME: off, HOME: off, CAS_COMPILE_CACHE: '0' } });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveProperty('data');
    await expect(stat(off)).rejects.toThrow(/ENOENT/);
  });
});
