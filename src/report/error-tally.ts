import type { ErrorCode } from '../protocol/error-codes.js';

/** One kind of final error and how often it ended a request. */
export interface ErrorCount {
  code: ErrorCode;
  message: string;
  count: number;
}

/** Distinct (code, message) pairs kept; past this, errors are counted under their code only. */
const MAX_DISTINCT = 100;
const OTHER_MESSAGE = '(other messages)';

/** Counts final errors by code and message, bounded so messages with ids in them cannot grow it. */
export class ErrorTally {
  readonly #counts = new Map<string, ErrorCount>();

  /** Counts `count` (default 1) requests that ended with this error. */
  add(code: ErrorCode, message: string, count = 1): void {
    let key = `${code}\u0000${message}`;
    let entry = this.#counts.get(key);
    if (entry === undefined && this.#counts.size >= MAX_DISTINCT) {
      key = `${code}\u0000${OTHER_MESSAGE}`;
      message = OTHER_MESSAGE;
      entry = this.#counts.get(key);
    }
    if (entry === undefined) this.#counts.set(key, { code, message, count });
    else entry.count += count;
  }

  /** Most frequent first. */
  toArray(): ErrorCount[] {
    return [...this.#counts.values()].sort((a, b) => b.count - a.count).map((entry) => ({ ...entry }));
  }
}
