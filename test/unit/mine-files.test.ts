import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint, type MineCheckpoint } from '../../src/mine/checkpoint.js';
import { ALL_SOURCE_KINDS, listParams } from '../../src/mine/list-params.js';
import { dropLines, scanOutput } from '../../src/mine/output-recovery.js';
import { findRollouts, readRolloutHead, rolloutPath } from '../../src/mine/rollout-files.js';
import { resolveSince } from '../../src/mine/since.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-mine-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const line = (value: unknown) => `${JSON.stringify(value)}\n`;

describe('listParams', () => {
  it('lists oldest first from the index, every source kind and provider unless told otherwise', () => {
    expect(listParams({}, 50, null)).toEqual({ limit: 50, sortKey: 'created_at', sortDirection: 'asc', sourceKinds: [...ALL_SOURCE_KINDS], modelProviders: [], useStateDbOnly: true });
  });

  it('passes the filters through; the scan listing leaves the index alone', () => {
    expect(listParams({ archived: true, sourceKinds: ['cli'], modelProviders: ['mock'], cwd: '/w', searchTerm: 'fix', sortKey: 'updated_at' }, 10, 'c1', 'scan')).toEqual({
      limit: 10,
      sortKey: 'updated_at',
      sortDirection: 'asc',
      cursor: 'c1',
      archived: true,
      sourceKinds: ['cli'],
      modelProviders: ['mock'],
      cwd: '/w',
      searchTerm: 'fix',
    });
    expect(listParams({}, 10, null, 'index', { sortKey: 'updated_at', direction: 'desc' })).toMatchObject({ sortKey: 'updated_at', sortDirection: 'desc' });
  });
});

describe('scanOutput and dropLines', () => {
  const homes = ['/h1', '/h2'];

  it('cuts a half-written last line, finds whole threads and error lines by home, and marks what to drop', async () => {
    const file = path.join(dir, 'out.jsonl');
    await writeFile(
      file,
      line({ codexHome: '/h1', thread: { id: 'a' } }) +
        line({ codexHome: '/h2', threadId: 'b', error: { code: -1, message: 'x' } }) +
        line({ codexHome: '/h1', threadId: 'c', error: { code: -1, message: 'x' } }) +
        line({ codexHome: '/h1', thread: { id: 'c' } }) +
        line({ codexHome: '/h1', thread: { id: 'a' } }),
    );
    await appendFile(file, '{"codexHome":"/h1","thread":{"id":"d"');
    const found = await scanOutput(file, homes);
    expect(found.byHome.get('/h1')).toEqual({ written: new Set(['a', 'c']), failed: new Set() });
    expect(found.byHome.get('/h2')).toEqual({ written: new Set(), failed: new Set(['b']) });
    expect(found.drop).toEqual(new Set([2, 3, 5]));
    expect(found.cutBytes).toBeGreaterThan(0);
    await dropLines(file, found.drop);
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((text) => JSON.parse(text));
    expect(lines).toEqual([{ codexHome: '/h1', thread: { id: 'a' } }, { codexHome: '/h1', thread: { id: 'c' } }]);
  });

  it('refuses a line that is not a mine line, with its number, and changes nothing', async () => {
    const file = path.join(dir, 'bad.jsonl');
    for (const [bad, message] of [
      ['null', /line 2 is null/],
      ['[1]', /line 2 is an array/],
      ['{"codexHome":"/elsewhere","thread":{"id":"x"}}', /line 2 is from \/elsewhere/],
      ['{"codexHome":"/h1"}', /line 2 has neither a thread/],
      ['{nope', /line 2 is not JSON/],
    ] as const) {
      const text = `${line({ codexHome: '/h1', thread: { id: 'a' } })}${bad}\n`;
      await writeFile(file, text);
      await expect(scanOutput(file, homes)).rejects.toThrow(message);
      expect(await readFile(file, 'utf8')).toBe(text);
    }
  });

  it('finds nothing in a missing file, and refuses a directory', async () => {
    expect((await scanOutput(path.join(dir, 'missing.jsonl'), homes)).byHome.get('/h1')?.written.size).toBe(0);
    await expect(scanOutput(dir, homes)).rejects.toThrow(/not a regular file/);
  });
});

describe('checkpoint', () => {
  const checkpoint: Omit<MineCheckpoint, 'updatedAt'> = {
    version: 2,
    out: '/o.jsonl',
    read: true,
    items: 'full',
    pageSize: 20,
    listing: 'index',
    filters: { archived: true },
    since: null,
    listingStartedAt: '2025-01-01T00:00:00.000Z',
    homes: [{ home: '/h', cursor: 'c', listed: false, done: false, pages: 2, threads: 40, failed: 0, retry: [] }],
  };

  it('round-trips', async () => {
    const file = path.join(dir, 'cp.json');
    await saveCheckpoint(file, checkpoint);
    expect(await loadCheckpoint(file)).toMatchObject(checkpoint);
  });

  it('refuses anything it cannot trust whole, saying why', async () => {
    const file = path.join(dir, 'bad-cp.json');
    const cases: Array<[unknown, RegExp]> = [
      [{ version: 1 }, /earlier cas/],
      [{ ...checkpoint, out: 'relative.jsonl' }, /out: must be an absolute path/],
      [{ ...checkpoint, homes: [] }, /homes/],
      [{ ...checkpoint, homes: [checkpoint.homes[0], checkpoint.homes[0]] }, /names a home twice/],
      [{ ...checkpoint, filters: { evil: true } }, /filters/],
      [{ ...checkpoint, homes: [{ ...checkpoint.homes[0], done: true, listed: false }] }, /done but not listed/],
      [{ ...checkpoint, out: file }, /the checkpoint itself/],
      [null, /not a cas mine checkpoint/],
    ];
    for (const [value, message] of cases) {
      await writeFile(file, JSON.stringify({ ...(value as object), updatedAt: 'x' }));
      if (value === null) await writeFile(file, 'null');
      await expect(loadCheckpoint(file)).rejects.toThrow(message);
    }
    await expect(loadCheckpoint(path.join(dir, 'none.json'))).rejects.toThrow('no such file');
    await expect(loadCheckpoint(dir)).rejects.toThrow('not a regular file');
  });
});

describe('rollout files', () => {
  it('finds rollouts by name under the date folders, and reads what their session_meta says', async () => {
    const home = path.join(dir, 'home');
    const day = path.join(home, 'sessions', '2025', '01', '02');
    await mkdir(day, { recursive: true });
    const id = '01941f29-7c00-7c7e-9672-9f66ba25d311';
    await writeFile(path.join(day, `rollout-2025-01-02T00-00-00-${id}.jsonl`), line({ type: 'session_meta', payload: { id, source: 'exec', model_provider: 'p', cwd: '/w' } }) + line({ type: 'x' }));
    await writeFile(path.join(day, 'notes.txt'), 'not a rollout');
    await writeFile(path.join(day, `rollout-2025-01-02T00-00-01-01941f29-7c00-7c7e-9672-9f66ba25d312.jsonl`), 'null\n');
    const found = await findRollouts(path.join(home, 'sessions'));
    expect(found.map((file) => file.id).sort()).toEqual([id, '01941f29-7c00-7c7e-9672-9f66ba25d312']);
    const head = await readRolloutHead(rolloutPath(found.find((file) => file.id === id)!));
    expect(head).toEqual({ id, source: 'exec', modelProvider: 'p', cwd: '/w' });
    expect(await readRolloutHead(rolloutPath(found.find((file) => file.id !== id)!))).toBeUndefined();
    expect(await findRollouts(path.join(home, 'archived_sessions'))).toEqual([]);
  });
});

describe('resolveSince', () => {
  it('takes an ISO 8601 time, or when the listing of an earlier checkpoint or report began', async () => {
    expect((await resolveSince('2025-06-01T12:00:00Z')).ms).toBe(Date.UTC(2025, 5, 1, 12));
    expect((await resolveSince('2025-06-01')).ms).toBe(Date.UTC(2025, 5, 1));
    const report = path.join(dir, 'report.json');
    await writeFile(report, JSON.stringify({ listingStartedAt: '2025-02-03T04:05:06.000Z', homes: [] }));
    expect(await resolveSince(report)).toEqual({ ms: Date.UTC(2025, 1, 3, 4, 5, 6), from: report });
  });

  it('says what is wrong with anything else', async () => {
    await expect(resolveSince('yesterday')).rejects.toThrow(/neither an ISO 8601 time/);
    await expect(resolveSince('2025-13-45')).rejects.toThrow(/not a valid time/);
    const other = path.join(dir, 'other.json');
    await writeFile(other, '{"hello":1}');
    await expect(resolveSince(other)).rejects.toThrow(/has no listingStartedAt/);
  });
});
