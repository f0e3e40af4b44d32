import { openAtomicOutput } from './atomic-output.js';
import { regularFileSize } from './input-file.js';
import { JsonlFile } from './jsonl-file.js';
import { MergeError } from './merge-error.js';
import { MinHeap } from './min-heap.js';

/** What a batch-output merge wrote. */
export interface BatchMergeSummary {
  files: number;
  /** Result lines written. */
  lines: number;
  /** Of those, results with `"ok": false`. */
  failed: number;
}

const EVERY_SHARD_ONCE = 'pass the output of every shard of the job, each once';

/** A batch result line's input line number and outcome, read without a full parse when the line starts the way cas writes it. */
const RESULT_HEAD = /^\{"id":(?:null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|"[^"\\]*"),"line":(\d+),"ok":(true|false)[,}]/;

function parseResult(text: string, where: string): { line: number; ok: boolean } {
  const head = RESULT_HEAD.exec(text);
  if (head !== null) return { line: Number(head[1]), ok: head[2] === 'true' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MergeError(`${where}: not JSON: not a cas batch output`, 'input');
  }
  const { line, ok } = (typeof value === 'object' && value !== null ? value : {}) as { line?: unknown; ok?: unknown };
  if (typeof line !== 'number' || !Number.isSafeInteger(line) || line < 1 || typeof ok !== 'boolean') {
    throw new MergeError(`${where}: no "line" number and "ok": not a cas batch result`, 'input');
  }
  return { line, ok };
}

/** One shard's output and the result line it is at. */
class Cursor {
  readonly input: JsonlFile;
  line = 0;
  ok = true;
  text = '';
  /** (line - 1) mod files of the lines seen, which every line of one shard shares. */
  residue: number | undefined;
  /** The first line number in this output. */
  firstLine = 0;

  constructor(file: string) {
    this.input = new JsonlFile(file);
  }

  /** Moves to the next result; false at the end. */
  async advance(files: number): Promise<boolean> {
    const next = await this.input.next();
    if (next === undefined) return false;
    const where = `${this.input.file}:${next.number}`;
    const { line, ok } = parseResult(next.text, where);
    if (line <= this.line) throw new MergeError(`${where}: line ${line} after line ${this.line}: not a cas batch output in input order`, 'input');
    const residue = (line - 1) % files;
    if (this.residue === undefined) {
      this.residue = residue;
      this.firstLine = line;
    } else if (residue !== this.residue) {
      throw new MergeError(
        `${this.input.file} holds input lines ${this.firstLine} and ${line}, which are not of one shard of ${files}: ${EVERY_SHARD_ONCE}`,
        'shards',
      );
    }
    this.line = line;
    this.ok = ok;
    this.text = next.text;
    return true;
  }
}

/**
 * Merges the outputs of a batch's shards (shard I ran the input lines L with (L - 1) mod N == I)
 * into one file in input order, streaming: a k-way merge by line number holding one line per
 * shard. A line number seen twice, or a file holding lines of more than one shard (a shard
 * missing, or given twice), stops the merge; the target is then left untouched.
 */
export async function mergeBatchOutputs(files: readonly string[], out: string): Promise<BatchMergeSummary> {
  if (files.length === 0) throw new MergeError('no batch outputs to merge', 'input');
  for (const file of files) await regularFileSize(file);
  const cursors = files.map((file) => new Cursor(file));
  const output = await openAtomicOutput(out);
  const summary: BatchMergeSummary = { files: files.length, lines: 0, failed: 0 };
  try {
    const heap = new MinHeap<Cursor>((a, b) => a.line < b.line);
    const byResidue = new Map<number, Cursor>();
    const enter = async (cursor: Cursor) => {
      if (!(await cursor.advance(files.length))) return;
      const owner = byResidue.get(cursor.residue!);
      if (owner === undefined) byResidue.set(cursor.residue!, cursor);
      else if (owner !== cursor) {
        throw new MergeError(
          `${owner.input.file} (line ${owner.firstLine}) and ${cursor.input.file} (line ${cursor.firstLine}) hold lines of the same shard of ${files.length}: ${EVERY_SHARD_ONCE}`,
          'shards',
        );
      }
      heap.push(cursor);
    };
    for (const cursor of cursors) await enter(cursor);
    let last: Cursor | undefined;
    let lastLine = 0;
    for (let cursor = heap.pop(); cursor !== undefined; cursor = heap.pop()) {
      if (cursor.line === lastLine) throw new MergeError(`input line ${lastLine} is in both ${last!.input.file} and ${cursor.input.file}`, 'shards');
      await output.write(`${cursor.text}\n`);
      summary.lines++;
      if (!cursor.ok) summary.failed++;
      last = cursor;
      lastLine = cursor.line;
      await enter(cursor);
    }
    await output.commit();
    return summary;
  } catch (error) {
    await output.abort();
    throw error;
  } finally {
    for (const cursor of cursors) cursor.input.close();
  }
}
