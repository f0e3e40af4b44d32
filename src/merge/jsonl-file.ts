import { createReadStream, type ReadStream } from 'node:fs';
import { LineReader } from '../batch/line-reader.js';

/** One JSONL input of a merge, read a line at a time (one chunk held, whatever the file's size). */
export class JsonlFile {
  readonly file: string;
  readonly #stream: ReadStream;
  readonly #reader: LineReader;

  constructor(file: string) {
    this.file = file;
    this.#stream = createReadStream(file, { highWaterMark: 64 * 1024 });
    this.#reader = new LineReader(this.#stream);
  }

  /** The next non-blank line and its 1-based number in the file, or undefined at the end. */
  async next(): Promise<{ number: number; text: string } | undefined> {
    for (let line = await this.#reader.next(); line !== undefined; line = await this.#reader.next()) {
      if (line.text.trim().length > 0) return line;
    }
    return undefined;
  }

  /** Stops reading early (a merge that failed). */
  close(): void {
    this.#stream.destroy();
  }
}
