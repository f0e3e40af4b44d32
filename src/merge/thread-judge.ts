import type { LineSet } from './line-set.js';

/** Where a thread's line is: file index, line number, and whether it is the whole thread. */
export interface ThreadLine {
  file: number;
  line: number;
  whole: boolean;
}

/** What the judge decided so far. */
export interface JudgeCounts {
  /** Threads kept (one line each). */
  threads: number;
  /** Lines left out because the thread was already there. */
  repeated: number;
  /** Error lines left out because the whole thread was found in another line. */
  errorsReplaced: number;
}

// file * 2^33 + line * 2 + whole: one number per thread, exact up to 2^20 files of 2^32 lines.
const pack = (at: ThreadLine) => at.file * 2 ** 33 + at.line * 2 + (at.whole ? 1 : 0);
const unpack = (packed: number): ThreadLine => ({ file: Math.floor(packed / 2 ** 33), line: Math.floor((packed % 2 ** 33) / 2), whole: packed % 2 === 1 });

/**
 * Keeps one line per thread: the first whole one, else the first error line. Every line it
 * does not keep goes into its file's set of lines to leave out.
 */
export class ThreadJudge {
  readonly #kept = new Map<string, number>();
  readonly #dropped: readonly LineSet[];
  readonly counts: JudgeCounts;

  constructor(dropped: readonly LineSet[], counts: JudgeCounts) {
    this.#dropped = dropped;
    this.counts = counts;
  }

  see(key: string, at: ThreadLine): void {
    const packed = this.#kept.get(key);
    if (packed === undefined) {
      this.#kept.set(key, pack(at));
      this.counts.threads++;
      return;
    }
    const kept = unpack(packed);
    if (at.whole && !kept.whole) {
      this.#dropped[kept.file]!.add(kept.line);
      this.#kept.set(key, pack(at));
      this.counts.errorsReplaced++;
    } else {
      this.#dropped[at.file]!.add(at.line);
      if (!at.whole && kept.whole) this.counts.errorsReplaced++;
      else this.counts.repeated++;
    }
  }
}
