import type { ErrorCode } from '../protocol/error-codes.js';

/** One kind of final error and how often it ended a request. */
export interface ErrorCount {
  code: ErrorCode;
  /** The first message of this kind, as an example. */
  message: string;
  count: number;
}

/** Distinct kinds kept; past this, errors are counted under their code only. */
const MAX_DISTINCT = 100;
const OTHER_MESSAGE = '(other messages)';

/**
 * What a message says once the particulars are taken out: the app-server's stderr tail (it names
 * each instance's home), ids, paths and numbers. Errors of one shape are one kind, however many
 * homes, threads or input lines they came from.
 */
export function errorShape(message: string): string {
  return message
    .replace(/; stderr: [\s\S]*$/, '')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>')
    .replace(/(?<=^|[\s"'(=])(?:\/[^\s:;,'"()]+)+/g, '<path>')
    .replace(/\d+(?:\.\d+)?/g, '<n>');
}

/** Counts final errors by code and kind of message, bounded so messages with ids in them cannot grow it. */
export class ErrorTally {
  readonly #counts = new Map<string, ErrorCount>();

  /** Counts `count` (default 1) requests that ended with this error. */
  add(code: ErrorCode, message: string, count = 1): void {
    let key = `${code}\u0000${errorShape(message)}`;
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
