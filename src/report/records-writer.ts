import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { endStream } from '../files/end-stream.js';

const FLUSH_AT = 64 * 1024;

/**
 * Appends JSONL lines to a file as they come, in batches of ~64 KiB so a fast run does not
 * turn into one write per line.
 */
export class JsonlFileWriter {
  readonly #stream: WriteStream;
  #buffer = '';
  #error: Error | undefined;

  private constructor(stream: WriteStream) {
    this.#stream = stream;
    stream.on('error', (error) => {
      this.#error ??= error;
    });
  }

  /** Opens (truncates) `file`; rejects with the open error, e.g. a missing directory. */
  static async open(file: string): Promise<JsonlFileWriter> {
    const stream = createWriteStream(file, { flags: 'w' });
    await once(stream, 'open');
    return new JsonlFileWriter(stream);
  }

  /** Queues one value as a line. */
  write(value: unknown): void {
    this.#buffer += `${JSON.stringify(value)}\n`;
    if (this.#buffer.length >= FLUSH_AT) this.#flush();
  }

  /** Writes what is left and closes the file; rejects if any write failed. */
  async close(): Promise<void> {
    this.#flush();
    await endStream(this.#stream).catch((error: Error) => {
      this.#error ??= error;
    });
    if (this.#error !== undefined) throw this.#error;
  }

  #flush(): void {
    if (this.#buffer.length === 0 || this.#error !== undefined) return;
    this.#stream.write(this.#buffer);
    this.#buffer = '';
  }
}
