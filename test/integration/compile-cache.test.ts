import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cas } from '../helpers/cas-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-compile-cache-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const NODE = `node-${process.version}-${process.arch}`;
const REQUEST = ['request', '--method', 'thread/list', '--params', '{"limit":1}'];

/** Each cache file with its size and modification time. */
async function snapshot(at: string): Promise<Record<string, string>> {
  const entries = await Promise.all((await readdir(at)).map(async (name) => {
    const info = await stat(path.join(at, name));
    return [name, `${info.size}@${info.mtimeMs} mode ${(info.mode & 0o777).toString(8)}`] as const;
  }));
  return Object.fromEntries(entries);
}

describe('the compile cache of the CLI', () => {
  it("keeps yargs' and the command's compiled code privately; the next cas request runs from it and writes nothing", async () => {
    const cache = path.join(dir, 'cache');
    const env = { CAS_COMPILE_CACHE: cache };
    const first = await cas(REQUEST, { env });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toHaveProperty('data');
    expect((await stat(path.join(cache, NODE))).mode & 0o777).toBe(0o700);
    const written = await snapshot(path.join(cache, NODE));
    expect(Object.keys(written).sort()).toEqual([expect.stringMatching(/^command-request-[0-9a-f]{32}-\d+-\d+\.v8cache$/), expect.stringMatching(/^yargs-[0-9a-f]{32}-\d+-\d+\.v8cache$/)]);
    for (const described of Object.values(written)) expect(described).toMatch(/ mode 600$/);

    const second = await cas(REQUEST, { env });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual(JSON.parse(first.stdout));
    // V8 took the code: nothing was written again.
    expect(await snapshot(path.join(cache, NODE))).toEqual(written);
  });

  it('runs as usual from a cache it cannot use, and writes it anew', async () => {
    const cache = path.join(dir, 'junk');
    const env = { CAS_COMPILE_CACHE: cache };
    expect((await cas(['request', '--help'], { env })).exitCode).toBe(0);
    const name = (await readdir(path.join(cache, NODE))).find((file) => file.startsWith('command-request-'))!;
    await writeFile(path.join(cache, NODE, name), 'not code from V8');
    const again = await cas(['request', '--help'], { env });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('--method');
    expect(await readFile(path.join(cache, NODE, name), 'utf8')).not.toBe('not code from V8');
  });

  it('lives under $XDG_CACHE_HOME by default, and nowhere when CAS_COMPILE_CACHE=0', async () => {
    const xdg = path.join(dir, 'xdg');
    expect((await cas(['--help'], { env: { XDG_CACHE_HOME: xdg, CAS_COMPILE_CACHE: '' } })).exitCode).toBe(0);
    expect(await readdir(path.join(xdg, 'cas', 'compile-cache', NODE))).toEqual([expect.stringMatching(/^yargs-/)]);

    const off = path.join(dir, 'off');
    const result = await cas(['--help'], { env: { XDG_CACHE_HOME: off, HOME: off, CAS_COMPILE_CACHE: '0' } });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Commands:');
    await expect(stat(off)).rejects.toThrow(/ENOENT/);
  });
});
