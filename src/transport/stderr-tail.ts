const ANSI_ESCAPES = /\u001b\[[0-9;]*[A-Za-z]/g;

/**
 * Keeps the last `limit` characters a child wrote to stderr: enough to explain a failed start,
 * bounded so a chatty server cannot grow our memory.
 */
export class StderrTail {
  readonly #limit: number;
  #text = '';

  constructor(limit = 16 * 1024) {
    this.#limit = limit;
  }

  /** Appends a chunk, dropping the oldest text beyond the limit. */
  push(chunk: string): void {
    this.#text += chunk;
    if (this.#text.length > this.#limit * 2) this.#text = this.#text.slice(-this.#limit);
  }

  /** The last `maxLines` non-empty lines, without terminal colour codes. */
  lines(maxLines = 10): string[] {
    const text = this.#text.length > this.#limit ? this.#text.slice(-this.#limit) : this.#text;
    return text
      .replace(ANSI_ESCAPES, '')
      .split('\n')
      .map((line) => line.trimEnd())
      .filter((line) => line.length > 0)
      .slice(-maxLines);
  }

  /** The tail as one line, for error messages: `a | b | c`. */
  summary(maxLines = 3): string {
    return this.lines(maxLines).join(' | ');
  }
}
