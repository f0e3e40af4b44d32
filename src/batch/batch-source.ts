import type { Job } from '../runner/run-workers.js';
import type { WorkItem, WorkSource } from '../runner/work-source.js';
import { parseBatchLine, type ParsedLine } from './batch-line.js';
import { DEFAULT_MAX_INPUT_LINE_LENGTH, type LineReader } from './line-reader.js';
import type { OrderedWriter } from './ordered-writer.js';

/** A batch request ready to run. */
export interface BatchItem extends WorkItem {
  job: Job;
  /** The caller's id from the input line. */
  id: string | number | null;
  /** 1-based input line number. */
  line: number;
}

/** Callbacks of a {@link batchSource}. */
export interface BatchSourceHooks {
  /** A line that is not a request, with its output slot: it gets an error result, not a run. */
  onBadLine(index: number, line: number, id: string | number | null, message: string): void;
  /** Whether input line `line` (1-based) is this process's to run (`--shard`); default every line. */
  owns?(line: number): boolean;
}

/**
 * Turns input lines into work, one line at a time as workers ask (so a huge input streams),
 * and only when the output has room for one more result. Calls are serialised: lines are
 * read in order whatever number of workers ask at once.
 */
export function batchSource(reader: LineReader, writer: OrderedWriter, hooks: BatchSourceHooks): WorkSource<BatchItem> {
  let index = 0;
  let stopped = false;
  let queue: Promise<unknown> = Promise.resolve();

  async function readNext(): Promise<BatchItem | undefined> {
    while (!stopped) {
      const input = await reader.next();
      if (input === undefined) return undefined;
      // Another shard's line is not even parsed: its bad lines are that shard's to report.
      if (hooks.owns !== undefined && !hooks.owns(input.number)) continue;
      const parsed: ParsedLine =
        input.tooLong === undefined
          ? parseBatchLine(input.text, input.number)
          : { kind: 'bad', id: null, message: `line ${input.number}: ${input.tooLong} characters, longer than the ${DEFAULT_MAX_INPUT_LINE_LENGTH} a line may have` };
      if (parsed.kind === 'blank') continue;
      const slot = index++;
      // Output that failed takes no more results: stop reading, as at the end of input.
      if (!(await writer.waitForRoom(slot))) return undefined;
      if (parsed.kind === 'bad') {
        hooks.onBadLine(slot, input.number, parsed.id, parsed.message);
        continue;
      }
      return { seq: slot, warmup: false, id: parsed.id, line: input.number, job: { method: parsed.method, params: parsed.params } };
    }
    return undefined;
  }

  return {
    next() {
      const item = queue.then(readNext);
      queue = item.catch(() => undefined);
      return item;
    },
    stop() {
      stopped = true;
      // Also ends a read waiting on input that may never come (a terminal, a pipe, /dev/zero).
      reader.close();
    },
    hurry() {},
    // Known only at the end of the input.
    total: undefined,
    // Every input line gets a result, also when no instance is left to run it.
    bounded: true,
  };
}
