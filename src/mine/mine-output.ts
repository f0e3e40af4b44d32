import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { open, stat, truncate } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { LineReader } from '../batch/line-reader.js';
import { Redactor } from '../report/redactor.js';

/** The JSONL a mine writes: one line per thread, with the home it came from. */
export interface MineLine {
  codexHome: string;
  /** The thread as listed, or with --read as `thread/read` returned it (turns included). */
  thread?: unknown;
  /** With --read: a thread that could not be read. */
  threadId?: string;
  error?: { code: number | string; message: string };
}

/** Thread ids already in an output file, by home. */
export type SeenThreads = Map<string, Set<string>>;

/**
 * Cuts a file back to its last complete line (a crash may have left half a line) and returns
 * the threads it holds, so a resumed mine writes none of them again.
 */
export async function recoverOutput(file: string): Promise<SeenThreads> {
  const seen: SeenThreads = new Map();
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    return seen;
  }
  await truncate(file, await lastNewlineEnd(file, size));
  const reader = new LineReader(createReadStream(file));
  for (let line = await reader.next(); line !== undefined; line = await reader.next()) {
    if (line.text.trim() === '') continue;
    const value = JSON.parse(line.text) as MineLine;
    const id = (value.thread as { id?: string } | undefined)?.id ?? value.threadId;
    if (id === undefined) continue;
    let ids = seen.get(value.codexHome);
    if (ids === undefined) seen.set(value.codexHome, (ids = new Set()));
    ids.add(id);
  }
  return seen;
}

/** Byte length of the file up to and including its last newline. */
async function lastNewlineEnd(file: string, size: number): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - buffer.length);
      const { bytesRead } = await handle.read(buffer, 0, end - start, start);
      const at = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (at !== -1) return start + at + 1;
      end = start;
    }
    return 0;
  } finally {
    await handle.close();
  }
}

/**
 * Writes mine lines and tells when they are handed to the OS: a checkpoint may only move past
 * threads whose lines are written.
 */
export class MineOutput {
  readonly #stream: Writable;
  readonly #owned: WriteStream | undefined;
  readonly #redactor: Redactor;
  #error: Error | undefined;

  private constructor(stream: Writable, owned: WriteStream | undefined, redactor: Redactor) {
    this.#stream = stream;
    this.#owned = owned;
    this.#redactor = redactor;
    stream.on('error', (error) => {
      this.#error ??= error;
    });
  }

  /** Appends to `file` (created if missing), or writes to `stream` (stdout); secrets redacted. */
  static async open(target: { file: string } | { stream: Writable }, redactor = new Redactor()): Promise<MineOutput> {
    if ('stream' in target) return new MineOutput(target.stream, undefined, redactor);
    const stream = createWriteStream(target.file, { flags: 'a' });
    await once(stream, 'open');
    return new MineOutput(stream, stream, redactor);
  }

  /** Writes one line; resolves once it is written out (or the stream failed). */
  write(line: MineLine): Promise<void> {
    if (this.#error !== undefined) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => {
      const { text } = this.#redactor.json(JSON.stringify(line));
      this.#stream.write(`${text}\n`, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Closes a file it opened (stdout stays open). */
  async close(): Promise<void> {
    if (this.#owned === undefined) return;
    this.#owned.end();
    await once(this.#owned, 'close');
    if (this.#error !== undefined) throw this.#error;
  }
}
