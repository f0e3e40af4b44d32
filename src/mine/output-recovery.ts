import { createWriteStream } from 'node:fs';
import { lstat, rename, rm, stat, truncate } from 'node:fs/promises';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { forEachLine, lastNewlineEnd } from './jsonl-lines.js';
import { MineInputError } from './mine-input-error.js';

/** An output file a resume cannot trust: one line says why (the CLI makes it a usage error). */
export class OutputProblem extends MineInputError {
  override name = 'OutputProblem';
}

/** What one home already has in the output. */
export interface HomeWritten {
  /** Threads written whole. */
  written: Set<string>;
  /** Threads with only an error line: a resume reads them again and drops the error line. */
  failed: Set<string>;
}

/** What a resumed mine finds in its output. */
export interface RecoveredOutput {
  byHome: Map<string, HomeWritten>;
  /** Bytes of a half-written last line that were cut off. */
  cutBytes: number;
  /** Lines to take out (error lines, threads written twice), by number: see {@link dropLines}. */
  drop: Set<number>;
}

type LineKind = { home: string; id: string; error: boolean };

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/** What a line is, or why it is not a line a mine writes. */
function classify(text: string, number: number, homes: ReadonlySet<string>): LineKind | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new OutputProblem(`line ${number} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new OutputProblem(`line ${number} is ${describe(value)}, not a cas mine line`);
  const line = value as Record<string, unknown>;
  if (typeof line.codexHome !== 'string') throw new OutputProblem(`line ${number} has no codexHome: not a cas mine line`);
  if (!homes.has(line.codexHome)) throw new OutputProblem(`line ${number} is from ${line.codexHome}, a home this mine does not mine`);
  const thread = line.thread;
  if (typeof thread === 'object' && thread !== null && typeof (thread as { id?: unknown }).id === 'string') {
    return { home: line.codexHome, id: (thread as { id: string }).id, error: false };
  }
  if (typeof line.threadId === 'string' && typeof line.error === 'object' && line.error !== null) return { home: line.codexHome, id: line.threadId, error: true };
  throw new OutputProblem(`line ${number} has neither a thread nor a threadId with an error: not a cas mine line`);
}

/**
 * Reads an interrupted mine's output before it is continued: cuts a half-written last line and
 * checks every line; says which threads are whole, which have only an error line (to be read
 * again) and which lines to take out with {@link dropLines} (error lines, a thread written
 * twice), so the finished output has each thread exactly once. Call it only once the
 * checkpoint is known to be good: it may cut the file.
 */
export async function scanOutput(file: string, homes: readonly string[]): Promise<RecoveredOutput> {
  const byHome = new Map(homes.map((home) => [home, { written: new Set<string>(), failed: new Set<string>() }]));
  let size: number;
  try {
    const info = await lstat(file);
    if (!info.isFile()) throw new OutputProblem('is not a regular file');
    size = info.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { byHome, cutBytes: 0, drop: new Set() };
    throw error instanceof OutputProblem ? error : new OutputProblem((error as Error).message);
  }
  const whole = await lastNewlineEnd(file, size);
  if (whole < size) await truncate(file, whole);

  const known = new Set(homes);
  const drop = new Set<number>();
  await forEachLine(file, (buffer, number) => {
    const kind = classify(buffer.toString('utf8'), number, known);
    if (kind === undefined) return;
    const home = byHome.get(kind.home)!;
    if (kind.error) {
      drop.add(number);
      if (!home.written.has(kind.id)) home.failed.add(kind.id);
      return;
    }
    if (home.written.has(kind.id)) drop.add(number);
    home.written.add(kind.id);
    home.failed.delete(kind.id);
  });
  return { byHome, cutBytes: size - whole, drop };
}

/** Rewrites the file without the given lines (by number): a temp file beside it, then renamed over it. */
export async function dropLines(file: string, drop: ReadonlySet<number>): Promise<void> {
  if (drop.size === 0) return;
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const out = createWriteStream(temp, { flags: 'wx', mode: (await stat(file)).mode & 0o777 });
  try {
    await forEachLine(file, async (line, number) => {
      if (drop.has(number)) return;
      const room = out.write(line);
      if (!out.write('\n') || !room) await once(out, 'drain');
    });
    out.end();
    await once(out, 'close');
    await rename(temp, file);
  } catch (error) {
    out.destroy();
    await rm(temp, { force: true });
    throw error;
  }
}
