import { open } from 'node:fs/promises';

const CHUNK_BYTES = 1024 * 1024;

/**
 * Calls `onLine` with each newline-terminated line of a file (without the newline) and its
 * 1-based number; a last line with no newline is not passed. Pieces of a long line are kept
 * apart until it ends, so a line of hundreds of MB costs one copy, not one per chunk.
 */
export async function forEachLine(file: string, onLine: (line: Buffer, number: number) => void | Promise<void>): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const pieces: Buffer[] = [];
    let number = 0;
    for (;;) {
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) return;
      const chunk = buffer.subarray(0, bytesRead);
      let start = 0;
      for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, start)) {
        pieces.push(chunk.subarray(start, at));
        const line = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
        pieces.length = 0;
        await onLine(line, ++number);
        start = at + 1;
      }
      if (start < chunk.length) pieces.push(chunk.subarray(start));
    }
  } finally {
    await handle.close();
  }
}

/** Byte length of the file up to and including its last newline (0 when it has none). */
export async function lastNewlineEnd(file: string, size: number): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - buffer.length);
      const { bytesRead } = await handle.read(buffer, 0, end - start, start);
      const at = buffer.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (at !== -1) return start + at + 1;
      end = start;
    }
    return 0;
  } finally {
    await handle.close();
  }
}
