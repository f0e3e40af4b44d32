import type { Readable } from 'node:stream';

/** One line of input and where it was. */
export interface InputLine {
  /** 1-based line number. */
  number: number;
  text: string;
}

/**
 * Reads a stream line by line, pulling the next chunk only when the lines already read are
 * used up: however big the input, at most one chunk is held (unlike readline's iterator,
 * which buffers ahead of a slow consumer).
 */
export class LineReader {
  readonly #chunks: AsyncIterator<string>;
  #lines: string[] = [];
  #partial = '';
  #number = 0;
  #ended = false;

  constructor(stream: Readable) {
    stream.setEncoding('utf8');
    this.#chunks = stream[Symbol.asyncIterator]() as AsyncIterator<string>;
  }

  /** The next line (without its line ending), or undefined at the end of input. */
  async next(): Promise<InputLine | undefined> {
    while (this.#lines.length === 0) {
      if (this.#ended) return undefined;
      const chunk = await this.#chunks.next();
      if (chunk.done === true) {
        this.#ended = true;
        if (this.#partial.length > 0) this.#lines.push(this.#partial);
        this.#partial = '';
      } else {
        const pieces = (this.#partial + chunk.value).split('\n');
        this.#partial = pieces.pop()!;
        this.#lines = pieces;
      }
    }
    const text = this.#lines.shift()!;
    this.#number++;
    return { number: this.#number, text: text.endsWith('\r') ? text.slice(0, -1) : text };
  }
}
