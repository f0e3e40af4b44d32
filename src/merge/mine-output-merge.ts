import path from 'node:path';
import { openAtomicOutput } from './atomic-output.js';
import { regularFileSize } from './input-file.js';
import { JsonlFile } from './jsonl-file.js';
import { LineSet } from './line-set.js';
import { MergeError } from './merge-error.js';
import { ThreadBuckets } from './thread-buckets.js';
import { ThreadJudge, type JudgeCounts } from './thread-judge.js';

/** What a mine-output merge wrote. */
export interface MineMergeSummary extends JudgeCounts {
  files: number;
  /** Lines read from the inputs. */
  linesIn: number;
}

/** Inputs up to this size are judged in memory; bigger ones through buckets on disk of about this much input each. */
const IN_MEMORY_BYTES = 8 * 1024 * 1024;
/** Open bucket files at once, at most (each with a small write buffer). */
const MAX_BUCKETS = 512;

/**
 * The start of a mine line as cas writes it: the home, then the thread (its id first, as the
 * server sends it) or the thread id and an error. Read without parsing the whole (maybe huge) line.
 */
const MINE_HEAD = /^\{"codexHome":("(?:[^"\\]|\\.)*"),(?:"thread":\{"id":("[^"\\]*")|"threadId":("[^"\\]*"),"error":\{)/;

/** A mine line's thread (its home and id, as `home\0id`) and whether it is the whole thread or an error line. */
export function threadOf(text: string, where: string): { key: string; whole: boolean } {
  const head = MINE_HEAD.exec(text);
  if (head !== null) {
    const home = JSON.parse(head[1]!) as string;
    return head[2] !== undefined ? { key: `${home}\u0000${head[2].slice(1, -1)}`, whole: true } : { key: `${home}\u0000${head[3]!.slice(1, -1)}`, whole: false };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MergeError(`${where}: not JSON: not a cas mine output`, 'input');
  }
  const line = (typeof value === 'object' && value !== null ? value : {}) as { codexHome?: unknown; thread?: { id?: unknown } | null; threadId?: unknown; error?: unknown };
  if (typeof line.codexHome === 'string') {
    const id = typeof line.thread === 'object' && line.thread !== null ? line.thread.id : undefined;
    if (typeof id === 'string') return { key: `${line.codexHome}\u0000${id}`, whole: true };
    if (typeof line.threadId === 'string' && line.error !== undefined) return { key: `${line.codexHome}\u0000${line.threadId}`, whole: false };
  }
  throw new MergeError(`${where}: not a cas mine line ({"codexHome","thread"} or {"codexHome","threadId","error"})`, 'input');
}

/** Options of {@link judgeMineOutputs}. */
export interface JudgeOptions {
  /** Inputs up to this size are judged in memory (default 8 MB). */
  inMemoryBytes?: number;
  /** Where bigger inputs' buckets go (a private temp dir is made in it). */
  spillDir: string;
  /** Sees every line's thread as it is read: input index, `home\0id` key, whole or error line. */
  onLine?(file: number, key: string, whole: boolean): void;
}

/**
 * Finds, for mine outputs, every thread's line to keep (the first whole line of it, else its
 * first error line, in input order) and the lines to leave out, in bounded memory: in memory
 * for small inputs, bucket by bucket on disk for big ones.
 */
export async function judgeMineOutputs(files: readonly string[], options: JudgeOptions): Promise<{ summary: MineMergeSummary; dropped: LineSet[] }> {
  if (files.length === 0) throw new MergeError('no mine outputs to merge', 'input');
  let bytes = 0;
  for (const file of files) bytes += await regularFileSize(file);
  const dropped = files.map(() => new LineSet());
  const summary: MineMergeSummary = { files: files.length, linesIn: 0, threads: 0, repeated: 0, errorsReplaced: 0 };
  const judge = new ThreadJudge(dropped, summary);
  const inMemory = options.inMemoryBytes ?? IN_MEMORY_BYTES;
  const bucketCount = bytes <= inMemory ? 1 : Math.min(MAX_BUCKETS, Math.ceil(bytes / inMemory));
  const buckets = bucketCount === 1 ? undefined : await ThreadBuckets.open(options.spillDir, bucketCount);
  try {
    for (const [file, name] of files.entries()) {
      const input = new JsonlFile(name);
      try {
        for (let line = await input.next(); line !== undefined; line = await input.next()) {
          summary.linesIn++;
          const { key, whole } = threadOf(line.text, `${name}:${line.number}`);
          options.onLine?.(file, key, whole);
          const at = { file, line: line.number, whole };
          if (buckets === undefined) judge.see(key, at);
          else await buckets.add(key, at);
        }
      } finally {
        input.close();
      }
    }
    if (buckets !== undefined) {
      await buckets.finish();
      for (let index = 0; index < buckets.count; index++) {
        // A fresh judge per bucket: a thread's lines all land in one bucket.
        const bucketJudge = new ThreadJudge(dropped, summary);
        for await (const record of buckets.read(index)) bucketJudge.see(record.key, record.at);
      }
    }
  } finally {
    await buckets?.dispose();
  }
  return { summary, dropped };
}

/**
 * Merges mine outputs into one file with each thread (home and id) once: the first whole line
 * of it, else its first error line, in the order of the inputs. It streams in three passes:
 * find every thread's line (see {@link judgeMineOutputs}), mark the lines to leave out (a bit
 * per line), then copy the rest. The target is written only when whole.
 */
export async function mergeMineOutputs(files: readonly string[], out: string, options: { inMemoryBytes?: number } = {}): Promise<MineMergeSummary> {
  const { summary, dropped } = await judgeMineOutputs(files, { inMemoryBytes: options.inMemoryBytes, spillDir: path.dirname(path.resolve(out)) });
  await copyKept(files, dropped, out);
  return summary;
}

/** Writes every line not left out, input by input, into `out` (only once whole). */
async function copyKept(files: readonly string[], dropped: readonly LineSet[], out: string): Promise<void> {
  const output = await openAtomicOutput(out);
  try {
    for (const [file, name] of files.entries()) {
      const input = new JsonlFile(name);
      try {
        for (let line = await input.next(); line !== undefined; line = await input.next()) {
          if (!dropped[file]!.has(line.number)) await output.write(`${line.text}\n`);
        }
      } finally {
        input.close();
      }
    }
    await output.commit();
  } catch (error) {
    await output.abort();
    throw error;
  }
}
