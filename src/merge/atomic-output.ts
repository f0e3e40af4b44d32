import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { resolveOutputTarget } from '../files/output-target.js';

const FLUSH_AT = 64 * 1024;

/** A file written in the background and put in place only when whole. */
export interface AtomicOutput {
  /** Queues text; resolves at once unless the file is behind (then once it has caught up). */
  write(text: string): Promise<void>;
  /** Flushes, closes and renames the temp file over the target. */
  commit(): Promise<void>;
  /** Closes and removes the temp file: the target is left as it was. */
  abort(): Promise<void>;
}

/**
 * Streams a big output into a private temp file beside `file` (mode 0600: outputs may name
 * private paths) and renames it over `file` at the end, so a merge that fails half-way
 * (a repeated line, a missing shard) never leaves a file that looks whole. A link is written
 * through; a FIFO or device (/dev/stdout) is streamed into directly, never replaced.
 */
export async function openAtomicOutput(file: string): Promise<AtomicOutput> {
  const target = await resolveOutputTarget(file);
  const direct = target.kind === 'special';
  const temp = direct ? target.path : `${target.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const stream = createWriteStream(temp, direct ? { flags: 'a' } : { mode: 0o600, flags: 'wx' });
  let error: Error | undefined;
  stream.on('error', (cause) => {
    error ??= cause;
  });
  await once(stream, 'open');
  let buffer = '';
  const flush = async () => {
    if (error !== undefined) throw error;
    if (buffer.length === 0) return;
    const chunk = buffer;
    buffer = '';
    // once() also rejects on 'error', and leaves no listener behind.
    if (!stream.write(chunk)) await once(stream, 'drain');
    if (error !== undefined) throw error;
  };
  const close = async () => {
    if (stream.closed) return;
    stream.end();
    await once(stream, 'close').catch(() => undefined);
  };
  return {
    async write(text) {
      buffer += text;
      if (buffer.length >= FLUSH_AT) await flush();
    },
    async commit() {
      try {
        await flush();
        await close();
        if (error !== undefined) throw error;
        if (!direct) await rename(temp, target.path);
      } catch (cause) {
        if (!direct) await rm(temp, { force: true });
        throw cause;
      }
    },
    async abort() {
      await close();
      if (!direct) await rm(temp, { force: true });
    },
  };
}
