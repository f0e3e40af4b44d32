/** Counters of a {@link BoundedQueue}. */
export interface BoundedQueueStats {
  /** Values waiting to be read. */
  buffered: number;
  /** Values dropped because the buffer was full (the oldest go first). */
  dropped: number;
}

/**
 * An async iterator fed by `push`, holding at most `capacity` unread values. It applies no
 * backpressure: when the reader is slow and the buffer is full, the oldest value is dropped and
 * counted in `dropped`, so memory stays bounded and the newest values are kept.
 * `end()` finishes it after the buffered values are read; `return()` (a `break` out of
 * `for await`) finishes it at once and discards them.
 */
export class BoundedQueue<T> implements AsyncIterableIterator<T> {
  readonly #capacity: number;
  readonly #onFinish: (() => void) | undefined;
  #values: T[] = [];
  #head = 0;
  #readers: Array<(result: IteratorResult<T, undefined>) => void> = [];
  #ended = false;
  #dropped = 0;

  /** `onFinish` runs once when the queue is finished by `end()` or `return()` (e.g. to unsubscribe). */
  constructor(capacity: number, onFinish?: () => void) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a whole number >= 1, got ${capacity}`);
    this.#capacity = capacity;
    this.#onFinish = onFinish;
  }

  /** Values waiting to be read, and values dropped so far. */
  get stats(): BoundedQueueStats {
    return { buffered: this.#values.length - this.#head, dropped: this.#dropped };
  }

  /** True once no value will be read any more. */
  get done(): boolean {
    return this.#ended && this.stats.buffered === 0;
  }

  /** Hands `value` to a waiting reader, or buffers it (dropping the oldest when full); ignored once ended. */
  push(value: T): void {
    if (this.#ended) return;
    const reader = this.#readers.shift();
    if (reader !== undefined) {
      reader({ value, done: false });
      return;
    }
    if (this.stats.buffered >= this.#capacity) {
      this.#head++;
      this.#dropped++;
    }
    this.#values.push(value);
    // Compacts now and then, so the array does not grow with everything ever pushed.
    if (this.#head > 1024 && this.#head * 2 > this.#values.length) {
      this.#values = this.#values.slice(this.#head);
      this.#head = 0;
    }
  }

  /** No more values: readers get what is buffered, then `done`. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const reader of this.#readers.splice(0)) reader({ value: undefined, done: true });
    this.#onFinish?.();
  }

  /** The next value, waiting for one if none is buffered. */
  next(): Promise<IteratorResult<T, undefined>> {
    if (this.#head < this.#values.length) {
      const value = this.#values[this.#head++]!;
      // Emptied: start over, so a queue that keeps up never holds read values.
      if (this.#head === this.#values.length) {
        this.#values = [];
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#readers.push(resolve));
  }

  /** Finishes at once, discarding what is buffered (called by `break` in `for await`). */
  return(): Promise<IteratorResult<T, undefined>> {
    this.#values = [];
    this.#head = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
