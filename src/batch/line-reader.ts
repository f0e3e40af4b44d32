import type { Readable } from 'node:stream';

/** One line of input and where it was. */
export interface InputLine {
  /** 1-based line number. */
  number: number;
  /** The line without its line ending; empty when it was too long. */
  text: string;
  /** Set when the line was longer than the limit: its length, counted while it was skipped unread. */
  tooLong?: number;
}

/** Options of a {@link LineReader}. */
export interface LineReaderOptions {
  /** Longest line kept, in characters; a longer one is skipped without being held (default 32 Mi). */
  maxLineLength?: number;
}

/** As for the app-server's own output: large enough for a big request, bounded so one line cannot exhaust memory. */
export const DEFAULT_MAX_INPUT_LINE_LENGTH = 32 * 1024 * 1024;

/**
 * Reads a stream line by line, pulling the next chunk only when the lines already read are
 * used up: however big the input, at most one chunk and one line are held (unlike readline's
 * iterator, which buffers ahead of a slow consumer). A line is assembled from its pieces once,
 * so a long line costs linear time; one over the limit is skipped and reported, not held.
 * A UTF-8 byte order mark before the first line is dropped.
 */
export class LineReader {
  readonly #stream: Readable;
  readonly #chunks: AsyncIterator<string>;
  readonly #maxLineLength: number;
  #chunk: string | undefined;
  #offset = 0;
  #pieces: string[] = [];
  #pendingLength = 0;
  /** Length of the current line while it is being skipped for being too long, else -1. */
  #skipped = -1;
  #number = 0;
  /** UTF-8 bytes of the input consumed so far, line endings included. */
  #bytes = 0;
  #ended = false;

  constructor(stream: Readable, options: LineReaderOptions = {}) {
    this.#stream = stream;
    this.#maxLineLength = options.maxLineLength ?? DEFAULT_MAX_INPUT_LINE_LENGTH;
    stream.setEncoding('utf8');
    this.#chunks = stream[Symbol.asyncIterator]() as AsyncIterator<string>;
  }

  /** Bytes of the input taken as lines so far (the last one's ending included): set against the input's size, how far the reading is. */
  get bytesRead(): number {
    return this.#bytes;
  }

  /** The next line, or undefined at the end of input (or once closed). */
  async next(): Promise<InputLine | undefined> {
    for (;;) {
      if (this.#chunk !== undefined) {
        const newline = this.#chunk.indexOf('\n', this.#offset);
        if (newline !== -1) {
          const piece = this.#chunk.slice(this.#offset, newline);
          this.#bytes += Buffer.byteLength(piece) + 1;
          this.#append(piece);
          this.#offset = newline + 1;
          return this.#takeLine();
        }
        const rest = this.#chunk.slice(this.#offset);
        this.#bytes += Buffer.byteLength(rest);
        this.#append(rest);
        this.#chunk = undefined;
      }
      if (this.#ended) return this.#pendingLength > 0 || this.#skipped >= 0 ? this.#takeLine() : undefined;
      await this.#pull();
    }
  }

  /** Stops reading: the stream is destroyed, and a pending or later `next()` ends the input. */
  close(): void {
    this.#ended = true;
    this.#chunk = undefined;
    this.#pieces = [];
    this.#pendingLength = 0;
    this.#skipped = -1;
    this.#stream.destroy();
  }

  async #pull(): Promise<void> {
    try {
      const chunk = await this.#chunks.next();
      if (this.#ended) return;
      if (chunk.done === true) this.#ended = true;
      else {
        this.#chunk = chunk.value;
        this.#offset = 0;
      }
    } catch (error) {
      // Closed under a pending read: that is the end of input, not a failure.
      if (this.#ended) return;
      throw error;
    }
  }

  #append(piece: string): void {
    if (piece.length === 0) return;
    if (this.#skipped >= 0) {
      this.#skipped += piece.length;
      return;
    }
    if (this.#pendingLength + piece.length > this.#maxLineLength) {
      this.#skipped = this.#pendingLength + piece.length;
      this.#pieces = [];
      this.#pendingLength = 0;
      return;
    }
    this.#pieces.push(piece);
    this.#pendingLength += piece.length;
  }

  #takeLine(): InputLine {
    this.#number++;
    if (this.#skipped >= 0) {
      const length = this.#skipped;
      this.#skipped = -1;
      return { number: this.#number, text: '', tooLong: length };
    }
    let text = this.#pieces.length === 1 ? this.#pieces[0]! : this.#pieces.join('');
    this.#pieces = [];
    this.#pendingLength = 0;
    if (this.#number === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { number: this.#number, text: text.endsWith('\r') ? text.slice(0, -1) : text };
  }
}
