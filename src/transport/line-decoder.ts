/** Why a line from the server was not handed on as a message. */
export type SkipReason = 'not-json' | 'too-long';

/** Callbacks of a {@link LineDecoder}. */
export interface LineDecoderHandlers {
  /** A complete line that parsed as JSON, with its text (trimmed) as received. */
  onValue(value: unknown, text: string): void;
  /** A line that was dropped; never fatal. */
  onSkip(reason: SkipReason, sample: string): void;
}

/** Options of a {@link LineDecoder}. */
export interface LineDecoderOptions {
  /** Lines longer than this many UTF-16 units are dropped without being buffered further. */
  maxLineLength?: number;
}

/** Large enough for a big `thread/read`; a longer line is dropped rather than held. */
export const DEFAULT_MAX_LINE_LENGTH = 32 * 1024 * 1024;
const SAMPLE_LENGTH = 120;

/**
 * One message's text (a line, or a WebSocket frame) as a JSON value; undefined when blank. Only
 * objects are messages: checking the first character spares a throw for most log noise.
 */
export function decodeMessageText(raw: string): { value: unknown; text: string } | { skip: SkipReason; sample: string } | undefined {
  const text = raw.trim();
  if (text.length === 0) return undefined;
  if (text.charCodeAt(0) !== 0x7b /* { */) return { skip: 'not-json', sample: text.slice(0, SAMPLE_LENGTH) };
  try {
    return { value: JSON.parse(text) as unknown, text };
  } catch {
    return { skip: 'not-json', sample: text.slice(0, SAMPLE_LENGTH) };
  }
}

/**
 * Splits a text stream into JSONL messages. Lines that are blank are ignored; lines that are not
 * JSON, or too long, are reported through `onSkip` and dropped, so a noisy child cannot stop us.
 */
export class LineDecoder {
  readonly #handlers: LineDecoderHandlers;
  readonly #maxLineLength: number;
  /** Pieces of the current, still unterminated line. */
  #pending: string[] = [];
  #pendingLength = 0;
  /** True while discarding the rest of an over-long line. */
  #discarding = false;

  constructor(handlers: LineDecoderHandlers, options: LineDecoderOptions = {}) {
    this.#handlers = handlers;
    this.#maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  }

  /** Feeds a decoded chunk of text. */
  push(chunk: string): void {
    let start = 0;
    for (let newline = chunk.indexOf('\n'); newline !== -1; newline = chunk.indexOf('\n', start)) {
      this.#append(chunk.slice(start, newline));
      this.#endLine();
      start = newline + 1;
    }
    if (start < chunk.length) this.#append(chunk.slice(start));
  }

  /** Ends the stream: a final line without a newline is dropped as cut off. */
  end(): void {
    if (this.#pendingLength > 0 && !this.#discarding) {
      this.#handlers.onSkip('not-json', this.#pending.join('').slice(0, SAMPLE_LENGTH));
    }
    this.#reset();
  }

  #append(piece: string): void {
    if (this.#discarding || piece.length === 0) return;
    if (this.#pendingLength + piece.length > this.#maxLineLength) {
      this.#handlers.onSkip('too-long', (this.#pending[0] ?? piece).slice(0, SAMPLE_LENGTH));
      this.#pending = [];
      this.#pendingLength = 0;
      this.#discarding = true;
      return;
    }
    this.#pending.push(piece);
    this.#pendingLength += piece.length;
  }

  #endLine(): void {
    const discarded = this.#discarding;
    const line = this.#pending.length === 1 ? this.#pending[0]! : this.#pending.join('');
    this.#reset();
    if (discarded) return;
    this.#parse(line);
  }

  #parse(line: string): void {
    const decoded = decodeMessageText(line);
    if (decoded === undefined) return;
    if ('skip' in decoded) this.#handlers.onSkip(decoded.skip, decoded.sample);
    else this.#handlers.onValue(decoded.value, decoded.text);
  }

  #reset(): void {
    this.#pending = [];
    this.#pendingLength = 0;
    this.#discarding = false;
  }
}
