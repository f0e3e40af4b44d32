import type { Writable } from 'node:stream';

/**
 * Writes results in input order as they arrive out of order. Results wait in a reorder buffer
 * until every earlier one is written; `waitForRoom` holds back new work while the buffer is a
 * full window ahead or the stream is not keeping up, so memory stays bounded.
 */
export class OrderedWriter {
  readonly #stream: Writable;
  readonly #window: number;
  readonly #waiting = new Map<number, string>();
  #next = 0;
  #sleepers: Array<() => void> = [];
  #error: Error | undefined;

  /** @param window results that may be pending (run or waiting to be written) at once */
  constructor(stream: Writable, window: number) {
    this.#stream = stream;
    this.#window = window;
    stream.on('error', (error) => {
      this.#error ??= error;
      this.#wake();
    });
    stream.on('drain', () => this.#wake());
  }

  /** Lines written so far. */
  get written(): number {
    return this.#next;
  }

  /** The stream's error, once it failed (a full disk, a closed pipe): nothing more can be written. */
  get error(): Error | undefined {
    return this.#error;
  }

  /** Resolves true once result `index` may be started (within the window, the stream not full); false once the stream failed. */
  async waitForRoom(index: number): Promise<boolean> {
    while (this.#error === undefined && (index >= this.#next + this.#window || this.#stream.writableNeedDrain)) {
      await new Promise<void>((resolve) => this.#sleepers.push(resolve));
    }
    return this.#error === undefined;
  }

  /** Hands in result `index` as a line; it is written once all earlier ones are. */
  put(index: number, line: string): void {
    this.#waiting.set(index, line);
    let chunk = '';
    for (let next = this.#waiting.get(this.#next); next !== undefined; next = this.#waiting.get(this.#next)) {
      this.#waiting.delete(this.#next);
      this.#next++;
      chunk += next;
    }
    if (chunk.length > 0 && this.#error === undefined) this.#stream.write(chunk);
    this.#wake();
  }

  /** Waits until everything handed in is flushed to the stream (it stays open); rejects once the stream failed. */
  async flush(): Promise<void> {
    if (this.#waiting.size > 0) throw new Error(`${this.#waiting.size} results are still waiting for earlier ones`);
    // A stream that failed never drains: its error ends the wait.
    while (this.#error === undefined && this.#stream.writableNeedDrain) await new Promise<void>((resolve) => this.#sleepers.push(resolve));
    if (this.#error !== undefined) throw this.#error;
  }

  #wake(): void {
    const sleepers = this.#sleepers;
    this.#sleepers = [];
    for (const wake of sleepers) wake();
  }
}
