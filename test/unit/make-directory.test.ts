import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryProblem, DirectoryError, makeDirectory } from '../../src/files/make-dir.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-make-dir-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('makeDirectory', () => {
  it('makes every missing level, private, and is fine with what exists', async () => {
    const deep = path.join(dir, 'a', 'b', 'c');
    await makeDirectory(deep);
    expect((await stat(deep)).isDirectory()).toBe(true);
    expect((await stat(path.join(dir, 'a'))).mode & 0o777).toBe(0o700);
    await makeDirectory(deep);
  });

  it("refuses a level that is a file, and ends (where Node's recursive mkdir loops) under /proc", async () => {
    const file = path.join(dir, 'file');
    await writeFile(file, '');
    await expect(makeDirectory(path.join(file, 'x'))).rejects.toThrow(new DirectoryError(`${file}: not a directory`));
    await expect(makeDirectory('/proc/cas-no-such/dir')).rejects.toThrow(/^cannot create directory \/proc\/cas-no-such \(ENOENT\)$/);
  });

  it('says up front why a directory cannot be used, or nothing when it can', async () => {
    const file = path.join(dir, 'plain');
    await writeFile(file, '');
    expect(await directoryProblem(path.join(dir, 'new', 'deeper'))).toBeUndefined();
    expect(await directoryProblem(file)).toBe('not a directory');
    expect(await directoryProblem(path.join(file, 'x', 'y'))).toBe(`${file} is not a directory`);
  });
});
