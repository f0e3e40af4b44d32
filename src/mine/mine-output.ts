import { createWriteStream, type WriteStream } from 'node:fs';
import { endStream } from '../files/end-stream.js';
import { stringifyJson } from '../json/stringify.js';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Redactor } from '../report/redactor.js';

/** The JSONL a mine writes: one line per thread, with the home it came from. */
export interface MineLine {
  codexHome: string;
  /** The thread as listed, or with --read with its turns and their items (as `thread/read` with `includeTurns` gives it). */
  thread?: unknown;
  /** A thread that could not be read (a resume reads it again and drops this line). */
  threadId?: string;
  error?: { code: number | string; message: string };
}

/** A line built in pieces (a thread read page by page), already redacted, without its newline. */
export interface PieceLine {
  pieces(): AsyncIterable<string | Buffer>;
}

/**
 * Writes mine lines and tells when they are handed to the OS: a checkpoint may only move past
 * threads whose lines are written. A line written in pieces holds the output until its last
 * piece, so lines never interleave.
 */
export class MineOutput {
  readonly #stream: Writable;
  readonly #owned: WriteStream | undefined;
  readonly #redactor: Redactor;
  #error: Error | undefined;
  /** Lines waiting for a piece line to finish, and the end of that wait. */
  #queued = 0;
  #chain: Promise<void> = Promise.resolve();
  #corked = false;

  private constructor(stream: Writable, owned: WriteStream | undefined, redactor: Redactor) {
    this.#stream = stream;
    this.#owned = owned;
    this.#redactor = redactor;
    stream.on('error', (error) => {
      this.#error ??= error;
    });
  }

  /** Writes to `file` (appended to; the caller empties it for a new mine), or to `stream` (stdout); secrets redacted. */
  static async open(target: { file: string } | { stream: Writable }, redactor = new Redactor()): Promise<MineOutput> {
    if ('stream' in target) return new MineOutput(target.stream, undefined, redactor);
    const stream = createWriteStream(target.file, { flags: 'a' });
    await once(stream, 'open');
    return new MineOutput(stream, stream, redactor);
  }

  get redactor(): Redactor {
    return this.#redactor;
  }

  /** Writes one line; resolves once it is written out (or the stream failed). */
  write(line: MineLine): Promise<void> {
    // A thread may nest deeper than JSON.stringify can go: it is written whole all the same.
    const { text } = this.#redactor.json(stringifyJson(line));
    if (this.#queued === 0) return this.#put(`${text}\n`);
    return new Promise((resolve, reject) => {
      void this.#exclusive(async () => {
        this.#put(`${text}\n`).then(resolve, reject);
      }).catch(reject);
    });
  }

  /** Writes a line given in pieces, with nothing else in between; resolves once it is written out. */
  writePieces(line: PieceLine): Promise<void> {
    return this.#exclusive(async () => {
      let last: Promise<void> = Promise.resolve();
      for await (const piece of line.pieces()) {
        last = this.#put(piece);
        if (this.#stream.writableNeedDrain) await once(this.#stream, 'drain');
      }
      await Promise.all([last, this.#put('\n')]);
    });
  }

  /** Closes a file it opened (stdout stays open). */
  async close(): Promise<void> {
    await this.#chain;
    if (this.#owned === undefined) return;
    // A stream that failed is closed already: endStream does not wait for a 'close' to come.
    await endStream(this.#owned).catch((error: Error) => {
      this.#error ??= error;
    });
    if (this.#error !== undefined) throw this.#error;
  }

  #put(chunk: string | Buffer): Promise<void> {
    if (this.#error !== undefined) return Promise.reject(this.#error);
    // Lines finished in the same turn of the event loop go out in one write, not one each.
    if (!this.#corked) {
      this.#corked = true;
      this.#stream.cork();
      setImmediate(() => {
        this.#corked = false;
        this.#stream.uncork();
      });
    }
    return new Promise((resolve, reject) => this.#stream.write(chunk, (error) => (error ? reject(error) : resolve())));
  }

  /** Runs `task` with the output to itself: after every line queued before it. */
  #exclusive(task: () => Promise<void>): Promise<void> {
    this.#queued++;
    const run = this.#chain.then(task);
    this.#chain = run.then(
      () => void this.#queued--,
      () => void this.#queued--,
    );
    return run;
  }
}
