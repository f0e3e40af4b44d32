import { lstat, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeFileSafely } from '../../src/files/write-safely.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-write-safely-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
});

describe('writeFileSafely', () => {
  it('replaces a file whole, private when new, and leaves no temp file', async () => {
    const file = path.join(dir, 'state.json');
    await writeFileSafely(file, 'one');
    await writeFileSafely(file, 'two');
    expect(await readFile(file, 'utf8')).toBe('two');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).filter((name) => name.startsWith('state.json'))).toEqual(['state.json']);
  });

  it('writes through a symbolic link, which stays', async () => {
    const real = path.join(dir, 'real.json');
    const link = path.join(dir, 'link.json');
    await writeFile(real, 'old');
    await symlink(real, link);
    await writeFileSafely(link, 'new');
    expect(await readFile(real, 'utf8')).toBe('new');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
  });

  it('fails, and removes nothing, when its temp name is taken by a file that is not its own', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const file = path.join(dir, 'taken.json');
    const theirs = `${file}.${process.pid}.8.tmp`;
    await writeFile(theirs, 'theirs');
    await expect(writeFileSafely(file, 'mine')).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(theirs, 'utf8')).toBe('theirs');
  });
});
