import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from '../../src/mine/checkpoint.js';
import { listParams } from '../../src/mine/list-params.js';
import { recoverOutput } from '../../src/mine/mine-output.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-mine-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('listParams', () => {
  it('always lists oldest first, and passes the filters through', () => {
    expect(listParams({}, 50, null)).toEqual({ limit: 50, sortKey: 'created_at', sortDirection: 'asc' });
    expect(listParams({ archived: true, sourceKinds: ['cli'], modelProviders: ['mock'], cwd: '/w', searchTerm: 'fix', sortKey: 'updated_at', stateDbOnly: true }, 10, 'c1')).toEqual({
      limit: 10,
      sortKey: 'updated_at',
      sortDirection: 'asc',
      cursor: 'c1',
      archived: true,
      sourceKinds: ['cli'],
      modelProviders: ['mock'],
      cwd: '/w',
      searchTerm: 'fix',
      useStateDbOnly: true,
    });
  });
});

describe('recoverOutput', () => {
  it('cuts a half-written last line and returns the thread ids by home', async () => {
    const file = path.join(dir, 'out.jsonl');
    await writeFile(file, `${JSON.stringify({ codexHome: '/h1', thread: { id: 'a' } })}\n${JSON.stringify({ codexHome: '/h2', threadId: 'b', error: { code: -1, message: 'x' } })}\n`);
    await appendFile(file, '{"codexHome":"/h1","thread":{"id":"c"');
    const seen = await recoverOutput(file);
    expect(seen).toEqual(new Map([['/h1', new Set(['a'])], ['/h2', new Set(['b'])]]));
    expect((await readFile(file, 'utf8')).endsWith('}\n')).toBe(true);
    expect((await readFile(file, 'utf8')).split('\n')).toHaveLength(3);
  });

  it('finds nothing in a missing file', async () => {
    expect(await recoverOutput(path.join(dir, 'missing.jsonl'))).toEqual(new Map());
  });
});

describe('checkpoint', () => {
  it('round-trips, and a damaged one is refused with the reason', async () => {
    const file = path.join(dir, 'cp.json');
    const checkpoint = { version: 1 as const, out: '/o.jsonl', read: true, pageSize: 20, filters: { archived: true }, homes: [{ home: '/h', cursor: 'c', done: false, pages: 2, threads: 40 }] };
    await saveCheckpoint(file, checkpoint);
    expect(await loadCheckpoint(file)).toMatchObject(checkpoint);
    await writeFile(file, '{"version":2}');
    await expect(loadCheckpoint(file)).rejects.toThrow(/not a cas mine checkpoint/);
    await expect(loadCheckpoint(path.join(dir, 'none.json'))).rejects.toThrow('no such file');
  });
});
