import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeBatchOutputs } from '../../src/merge/batch-output-merge.js';
import { MergeError } from '../../src/merge/merge-error.js';
import { mergeMineOutputs } from '../../src/merge/mine-output-merge.js';
import { formatIndexes, shardSetProblems } from '../../src/merge/shard-set.js';
import { ownsLine } from '../../src/shard/shard-share.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-merge-out-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function file(name: string, lines: readonly string[]): Promise<string> {
  const target = path.join(dir, name);
  await writeFile(target, lines.map((line) => `${line}\n`).join(''));
  return target;
}

const readLines = async (target: string) => (await readFile(target, 'utf8')).split('\n').filter((line) => line !== '');

async function mergeError(promise: Promise<unknown>): Promise<MergeError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MergeError);
  return error as MergeError;
}

const shard = (index: number, count: number, jobId: string | null = 'j1') => ({ index, count, jobId });

describe('shardSetProblems', () => {
  it('accepts one job with every shard once, in any order', () => {
    expect(shardSetProblems([2, 0, 3, 1].map((index) => ({ file: `r${index}`, shard: shard(index, 4) })))).toEqual([]);
  });

  it('names missing and repeated shards, and files of other jobs', () => {
    const entries = [0, 1, 1, 4, 9].map((index, at) => ({ file: `r${at}.json`, shard: shard(index, 10) }));
    expect(shardSetProblems(entries)).toEqual(['shard 1/10 given 2 times (r1.json, r2.json)', 'missing shards 2-3, 5-8 of 10 (job j1)']);
    expect(shardSetProblems([{ file: 'a', shard: shard(0, 2) }, { file: 'b', shard: shard(1, 3) }])[0]).toBe('shards of different splits: a is shard 0/2, b is 1/3');
    expect(shardSetProblems([{ file: 'a', shard: shard(0, 2) }, { file: 'b', shard: shard(1, 2, '8') }])[0]).toBe('shards of different jobs: a is of job j1, b of job 8');
    expect(formatIndexes(Array.from({ length: 40 }, (_, i) => i * 2), 3)).toBe('0, 2, 4, ... (40 in all)');
  });
});

/** Batch results of input lines 1..n (some blank, so skipped), as `cas batch --shard I/N` writes them. */
function batchShards(n: number, count: number, blank: (line: number) => boolean): { all: string[]; shards: string[][] } {
  const all: string[] = [];
  const shards: string[][] = Array.from({ length: count }, () => []);
  for (let line = 1; line <= n; line++) {
    if (blank(line)) continue;
    // Ids of every shape, one that looks like a line number inside a string among them.
    const id = line % 5 === 0 ? `x","line":${line + 1},"ok":true` : line % 3 === 0 ? null : line % 2 === 0 ? line * 1.5 : `req-${line}`;
    const text = JSON.stringify({ id, line, ok: line % 7 !== 0, result: { n: line }, latencyMs: 1, attempts: 1, instance: 0 });
    all.push(text);
    shards[Array.from({ length: count }, (_, index) => index).find((index) => ownsLine(line, { index, count }))!]!.push(text);
  }
  return { all, shards };
}

describe('mergeBatchOutputs', () => {
  it('writes the shards\' results as one file in input order, whatever order the files come in', async () => {
    const { all, shards } = batchShards(1000, 4, (line) => line % 11 === 0);
    const files = await Promise.all(shards.map((lines, index) => file(`batch-${index}.jsonl`, lines)));
    const out = path.join(dir, 'batch-merged.jsonl');
    const summary = await mergeBatchOutputs([files[2]!, files[0]!, files[3]!, files[1]!], out);
    expect(await readLines(out)).toEqual(all);
    expect(summary).toEqual({ files: 4, lines: all.length, failed: all.filter((line) => line.includes('"ok":false')).length });
  });

  it('takes a shard with no lines at all (fewer lines than shards)', async () => {
    const { all, shards } = batchShards(3, 4, () => false);
    const files = await Promise.all(shards.map((lines, index) => file(`small-${index}.jsonl`, lines)));
    const out = path.join(dir, 'small-merged.jsonl');
    await mergeBatchOutputs(files, out);
    expect(await readLines(out)).toEqual(all);
  });

  it('stops at a shard given twice or missing, and leaves no output behind', async () => {
    const { shards } = batchShards(40, 3, () => false);
    const files = await Promise.all(shards.map((lines, index) => file(`dup-${index}.jsonl`, lines)));
    const out = path.join(dir, 'dup-merged.jsonl');
    const twice = await mergeError(mergeBatchOutputs([files[0]!, files[1]!, files[1]!], out));
    expect(twice.kind).toBe('shards');
    expect(twice.message).toBe(`${files[1]} (line 2) and ${files[1]} (line 2) hold lines of the same shard of 3: pass the output of every shard of the job, each once`);
    // Shard 1 of 3 missing: with 2 files, lines 1 and 3 (shards 0 and 2 of 3) look like one shard of 2.
    const missing = await mergeError(mergeBatchOutputs([files[0]!, files[2]!], out));
    expect(missing.message).toBe(`${files[0]} (line 1) and ${files[2]} (line 3) hold lines of the same shard of 2: pass the output of every shard of the job, each once`);
    const missingLater = await mergeError(mergeBatchOutputs([files[0]!, files[1]!], out));
    expect(missingLater.message).toBe(`${files[0]} holds input lines 1 and 4, which are not of one shard of 2: pass the output of every shard of the job, each once`);
    expect(existsSync(out)).toBe(false);
    expect((await readdir(dir)).filter((name) => name.includes('dup-merged'))).toEqual([]);
  });

  it('names the file and line of a line out of order or not a result', async () => {
    const out = path.join(dir, 'bad-merged.jsonl');
    const unordered = await file('unordered.jsonl', ['{"id":1,"line":3,"ok":true}', '{"id":2,"line":1,"ok":true}']);
    const error = await mergeError(mergeBatchOutputs([unordered], out));
    expect(error.kind).toBe('input');
    expect(error.message).toBe(`${unordered}:2: line 1 after line 3: not a cas batch output in input order`);
    const notResult = await file('not-result.jsonl', ['{"id":1,"line":1,"ok":true}', '', '{"hello":"world"}']);
    expect((await mergeError(mergeBatchOutputs([notResult], out))).message).toBe(`${notResult}:3: no "line" number and "ok": not a cas batch result`);
    expect((await mergeError(mergeBatchOutputs([dir], out))).message).toBe(`${dir}: not a regular file`);
  });
});

const home = (n: number) => `/homes/${n}`;
const whole = (h: number, id: string, extra = '') => JSON.stringify({ codexHome: home(h), thread: { id, preview: `thread ${id}${extra}` } });
const failed = (h: number, id: string) => JSON.stringify({ codexHome: home(h), threadId: id, error: { code: 'timeout', message: 'no reply' } });

describe('mergeMineOutputs', () => {
  for (const [mode, inMemoryBytes] of [['in memory', undefined], ['through buckets on disk', 64]] as const) {
    it(`writes each thread once, preferring a whole thread to an error line (${mode})`, async () => {
      const a = await file(`mine-a-${mode}.jsonl`, [whole(0, 't1'), failed(0, 't2'), whole(0, 't3'), failed(1, 't1'), '']);
      const b = await file(`mine-b-${mode}.jsonl`, [whole(0, 't2'), whole(0, 't1', ' again'), failed(0, 't4'), failed(0, 't4'), whole(1, 't1')]);
      const out = path.join(dir, `mine-merged-${mode}.jsonl`);
      const summary = await mergeMineOutputs([a, b], out, { inMemoryBytes });
      // In input order, each (home, thread) once: the first whole line, else the first error line.
      expect(await readLines(out)).toEqual([whole(0, 't1'), whole(0, 't3'), whole(0, 't2'), failed(0, 't4'), whole(1, 't1')]);
      expect(summary).toEqual({ files: 2, linesIn: 9, threads: 5, repeated: 2, errorsReplaced: 2 });
    });
  }

  it('spreads many threads over buckets and still keeps each once', async () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `id-${i}`);
    const a = await file('many-a.jsonl', ids.map((id, i) => (i % 3 === 0 ? failed(0, id) : whole(0, id))));
    const b = await file('many-b.jsonl', ids.filter((_, i) => i % 2 === 0).map((id) => whole(0, id)));
    const out = path.join(dir, 'many-merged.jsonl');
    const summary = await mergeMineOutputs([a, b], out, { inMemoryBytes: 10_000 });
    const lines = (await readLines(out)).map((line) => JSON.parse(line) as { thread?: { id: string }; threadId?: string });
    const kept = lines.map((line) => line.thread?.id ?? line.threadId);
    expect(new Set(kept).size).toBe(ids.length);
    expect(kept).toHaveLength(ids.length);
    // Errors of threads b has whole are replaced; the rest (odd i, i % 3 == 0) stay errors.
    const errors = lines.filter((line) => line.threadId !== undefined).map((line) => Number(line.threadId!.slice(3)));
    expect(errors.every((i) => i % 3 === 0 && i % 2 === 1)).toBe(true);
    expect(errors).toHaveLength(ids.filter((_, i) => i % 3 === 0 && i % 2 === 1).length);
    expect(summary.threads).toBe(ids.length);
    // No bucket files are left beside the output.
    expect((await readdir(dir)).filter((name) => name.startsWith('.cas-merge-'))).toEqual([]);
  });

  it('refuses a line that is not a mine line, naming it', async () => {
    const bad = await file('mine-bad.jsonl', [whole(0, 't1'), '{"codexHome":"/h","thread":{}}']);
    const error = await mergeError(mergeMineOutputs([bad], path.join(dir, 'mine-bad-out.jsonl')));
    expect(error.kind).toBe('input');
    expect(error.message).toBe(`${bad}:2: not a cas mine line ({"codexHome","thread"} or {"codexHome","threadId","error"})`);
  });
});
