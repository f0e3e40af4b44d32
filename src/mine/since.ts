import { lstat, readFile } from 'node:fs/promises';
import { MineInputError } from './mine-input-error.js';

/** A date, or a date and time with an optional zone (a time without a zone is local). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;
/** A checkpoint or report is small; anything bigger is not one. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Where a `--since` time came from. */
export interface SinceTime {
  ms: number;
  /** `time` for an ISO 8601 time, else the checkpoint or report it was taken from. */
  from: string;
}

/**
 * `--since TIME|FILE`: an ISO 8601 time, or the checkpoint or report of an earlier `cas mine`,
 * which records when its listing began (`listingStartedAt`): everything updated since then.
 */
export async function resolveSince(value: string): Promise<SinceTime> {
  if (ISO_8601.test(value)) {
    const ms = Date.parse(value.replace(' ', 'T'));
    if (Number.isNaN(ms)) throw new MineInputError(`--since ${value}: not a valid time`);
    return { ms, from: 'time' };
  }
  let text: string;
  try {
    const info = await lstat(value);
    if (!info.isFile() || info.size > MAX_FILE_BYTES) throw new Error('not a checkpoint or report file');
    text = await readFile(value, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new MineInputError(`--since ${value}: ${missing ? 'neither an ISO 8601 time (e.g. 2025-06-01T00:00:00Z) nor a file' : (error as Error).message}`);
  }
  let started: unknown;
  try {
    started = (JSON.parse(text) as { listingStartedAt?: unknown } | null)?.listingStartedAt;
  } catch {
    throw new MineInputError(`--since ${value}: not a JSON checkpoint or report of cas mine`);
  }
  const ms = typeof started === 'string' ? Date.parse(started) : Number.NaN;
  if (Number.isNaN(ms)) throw new MineInputError(`--since ${value}: has no listingStartedAt: not a checkpoint or report of cas mine`);
  return { ms, from: value };
}
