import { stringifyJson } from '../json/stringify.js';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { PieceLine } from './mine-output.js';

/** Beyond this, a line being built goes to a temp file rather than memory. */
export const DEFAULT_SPILL_BYTES = 4 * 1024 * 1024;

/**
 * One output line built piece by piece while a thread is read page by page. Small lines stay in
 * memory; a line past `spillBytes` moves to a private temp file, so a thread of hundreds of MB
 * is never held whole, however many are read at once.
 */
export class ThreadLine implements PieceLine {
  readonly #dir: string;
  readonly #spillBytes: number;
  #chunks: string[] = [];
  #held = 0;
  #bytes = 0;
  #file: { path: string; handle: FileHandle } | undefined;

  constructor(spillDir: string, spillBytes = DEFAULT_SPILL_BYTES) {
    this.#dir = spillDir;
    this.#spillBytes = spillBytes;
  }

  /** Bytes of the line so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** True once the line has moved to a temp file. */
  get spilled(): boolean {
    return this.#file !== undefined;
  }

  async add(text: string): Promise<void> {
    const size = Buffer.byteLength(text);
    this.#bytes += size;
    if (this.#file !== undefined) {
      await this.#file.handle.write(text);
      return;
    }
    this.#chunks.push(text);
    this.#held += size;
    if (this.#held > this.#spillBytes) await this.#spill();
  }

  async *pieces(): AsyncIterable<string | Buffer> {
    if (this.#file === undefined) {
      // One write for a line held in memory: many small writes cost more than the join.
      yield this.#chunks.join('');
      return;
    }
    await this.#file.handle.sync().catch(() => undefined);
    for await (const chunk of createReadStream(this.#file.path, { highWaterMark: 1024 * 1024 })) yield chunk as Buffer;
  }

  /** Removes the temp file, if any; call once the line is written (or given up). */
  async dispose(): Promise<void> {
    this.#chunks = [];
    const file = this.#file;
    this.#file = undefined;
    if (file === undefined) return;
    await file.handle.close().catch(() => undefined);
    await rm(file.path, { force: true });
  }

  async #spill(): Promise<void> {
    const file = path.join(this.#dir, `thread-line-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(file, 'wx', 0o600);
    this.#file = { path: file, handle };
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#held = 0;
    await handle.write(chunks.join(''));
  }
}

/** Markers are unique to this process (a random salt) and to each use (a counter). */
const HOLE_SALT = randomBytes(8).toString('hex');
let holes = 0;

/**
 * A value's JSON with a hole where one of its parts goes, for writing that part in pieces:
 * `head` ends just before the part, `tail` starts just after it. `build` puts the given marker
 * where the hole goes; the JSON is redacted (by `redact`) before it is split, and the marker
 * is one no server text can contain.
 */
export function jsonWithHole(build: (marker: string) => unknown, redact: (json: string) => string): { head: string; tail: string } {
  const marker = `\u0000cas-hole-${HOLE_SALT}-${holes++}\u0000`;
  const json = redact(stringifyJson(build(marker)));
  const quoted = JSON.stringify(marker);
  const at = json.indexOf(quoted);
  if (at === -1) throw new Error('could not place the hole in the line');
  return { head: json.slice(0, at), tail: json.slice(at + quoted.length) };
}
