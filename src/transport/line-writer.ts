import type { Writable } from 'node:stream';

/**
 * Writes JSONL to a stream, joining the lines queued in one tick into a single write: replies
 * arrive in bursts and each frees a slot, so this turns a burst of requests into one syscall.
 */
export class LineWriter {
  readonly #stream: Writable;
  #queued: string[] = [];

  constructor(stream: Writable) {
    this.#stream = stream;
  }

  /** Queues one line of JSON text, without its newline; written once the current tick's work is done. */
  write(text: string): void {
    if (this.#queued.length === 0) process.nextTick(() => this.flush());
    this.#queued.push(`${text}\n`);
  }

  /** Writes what is queued now. */
  flush(): void {
    if (this.#queued.length === 0) return;
    const text = this.#queued.length === 1 ? this.#queued[0]! : this.#queued.join('');
    this.#queued = [];
    if (this.#stream.writable) this.#stream.write(text);
  }
}
