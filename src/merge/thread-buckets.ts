import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { JsonlFile } from './jsonl-file.js';
import type { ThreadLine } from './thread-judge.js';

const FLUSH_AT = 16 * 1024;

/**
 * Spills (thread key, line) records into `count` files by a hash of the key, so that every
 * line of one thread lands in the same bucket and each bucket can be judged on its own:
 * memory holds one bucket's threads, not all of them.
 */
export class ThreadBuckets {
  readonly #dir: string;
  readonly #streams: WriteStream[];
  readonly #buffers: string[];
  #error: Error | undefined;

  private constructor(dir: string, count: number) {
    this.#dir = dir;
    this.#buffers = Array<string>(count).fill('');
    this.#streams = this.#buffers.map((_, index) => {
      const stream = createWriteStream(path.join(dir, `bucket-${index}`), { mode: 0o600 });
      stream.on('error', (error) => {
        this.#error ??= error;
      });
      return stream;
    });
  }

  /** Makes `count` buckets in a private temp dir under `parent`. */
  static async open(parent: string, count: number): Promise<ThreadBuckets> {
    return new ThreadBuckets(await mkdtemp(path.join(parent, '.cas-merge-')), count);
  }

  get count(): number {
    return this.#streams.length;
  }

  async add(key: string, at: ThreadLine): Promise<void> {
    const index = bucketOf(key, this.#streams.length);
    this.#buffers[index] += `${JSON.stringify(key)}\t${at.file}\t${at.line}\t${at.whole ? 1 : 0}\n`;
    if (this.#buffers[index]!.length >= FLUSH_AT) await this.#flush(index);
  }

  async #flush(index: number): Promise<void> {
    if (this.#error !== undefined) throw this.#error;
    const chunk = this.#buffers[index]!;
    this.#buffers[index] = '';
    if (chunk.length > 0 && !this.#streams[index]!.write(chunk)) await once(this.#streams[index]!, 'drain');
  }

  /** Closes the buckets for writing; then {@link read} them one by one. */
  async finish(): Promise<void> {
    for (let index = 0; index < this.#streams.length; index++) await this.#flush(index);
    await Promise.all(this.#streams.map(async (stream) => {
      stream.end();
      await once(stream, 'close');
    }));
    if (this.#error !== undefined) throw this.#error;
  }

  /** The records of bucket `index`, in the order they were added. */
  async *read(index: number): AsyncGenerator<{ key: string; at: ThreadLine }> {
    const input = new JsonlFile(path.join(this.#dir, `bucket-${index}`));
    try {
      for (let line = await input.next(); line !== undefined; line = await input.next()) {
        const [key, file, number, whole] = line.text.split('\t');
        yield { key: JSON.parse(key!) as string, at: { file: Number(file), line: Number(number), whole: whole === '1' } };
      }
    } finally {
      input.close();
    }
  }

  /** Removes the buckets. */
  async dispose(): Promise<void> {
    for (const stream of this.#streams) stream.destroy();
    await rm(this.#dir, { recursive: true, force: true });
  }
}

/** A quick string hash (FNV-1a over UTF-16 units): buckets only need to spread keys, not to be stable across machines. */
function bucketOf(key: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % count;
}
