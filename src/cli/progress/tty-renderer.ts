/** Where the display draws: a terminal stream (stderr). */
export interface RenderTarget {
  write(text: string): unknown;
  /** The terminal's width, when known. */
  columns?: number;
}

const ESC = '\u001b[';

/**
 * Redraws a few lines in place on a terminal: back to the first line, each line cleared and
 * rewritten, leftovers of a longer frame erased. `clear` leaves the cursor at the start of a
 * clean line, so whatever is printed next is never glued onto the display.
 */
export class TtyRenderer {
  readonly #target: RenderTarget;
  /** Lines on screen now (the cursor is at the end of the last one). */
  #drawn = 0;
  #last = '';

  constructor(target: RenderTarget) {
    this.#target = target;
  }

  get width(): number {
    // A pseudo-terminal with no size set says 0.
    return this.#target.columns !== undefined && this.#target.columns > 0 ? this.#target.columns : 80;
  }

  /** Draws the lines in place of the previous ones (nothing is written when they did not change). */
  draw(lines: readonly string[]): void {
    const frame = lines.join('\n');
    if (frame === this.#last && this.#drawn > 0) return;
    this.#target.write(`${this.#home()}${lines.map((line) => `${ESC}2K${line}`).join('\n')}${ESC}J`);
    this.#drawn = lines.length;
    this.#last = frame;
  }

  /** Erases the display and leaves the cursor at column 0 of its first line. */
  clear(): void {
    if (this.#drawn === 0) return;
    this.#target.write(`${this.#home()}${ESC}J`);
    this.#drawn = 0;
    this.#last = '';
  }

  /** Back to column 0 of the display's first line. */
  #home(): string {
    return `\r${this.#drawn > 1 ? `${ESC}${this.#drawn - 1}A` : ''}`;
  }
}
