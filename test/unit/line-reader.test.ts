import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineReader } from '../../src/batch/line-reader.js';

async function all(reader: LineReader) {
  const lines = [];
  for (let line = await reader.next(); line !== undefined; line = await reader.next()) lines.push(line);
  return lines;
}

describe('LineReader', () => {
  it('numbers lines across chunks, drops CR, keeps a last line without newline', async () => {
    const reader = new LineReader(Readable.from(['a\nb', 'c\r\n\n', 'd']));
    expect(await all(reader)).toEqual([
      { number: 1, text: 'a' },
      { number: 2, text: 'bc' },
      { number: 3, text: '' },
      { number: 4, text: 'd' },
    ]);
  });

  it('counts the UTF-8 bytes of the lines taken, endings included, up to the input size at the end', async () => {
    const text = '\uFEFFé1\r\n€€\n\nlast';
    const chunks = [...Buffer.from(text)].map((byte) => Buffer.from([byte]));
    const reader = new LineReader(Readable.from(chunks));
    expect(reader.bytesRead).toBe(0);
    await reader.next();
    // BOM (3) + é (2) + 1 + CR LF
    expect(reader.bytesRead).toBe(3 + 2 + 1 + 2);
    await reader.next();
    expect(reader.bytesRead).toBe(8 + 6 + 1);
    await all(reader);
    expect(reader.bytesRead).toBe(Buffer.byteLength(text));
  });

  it('pulls input only as lines are asked for', async () => {
    let pulled = 0;
    const stream = new Readable({
      read() {
        pulled++;
        this.push(pulled <= 1000 ? `${'x'.repeat(1000)}\n`.repeat(100) : null);
      },
      highWaterMark: 1024,
    });
    const reader = new LineReader(stream);
    await reader.next();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // A few chunks of look-ahead at most, not the 1000 the stream could give.
    expect(pulled).toBeLessThan(10);
    stream.destroy();
  });
});

describe('LineReader limits', () => {
  it('skips a line over the limit without holding it, and goes on', async () => {
    const reader = new LineReader(Readable.from(['ok\n', 'x'.repeat(50), 'y'.repeat(50), '\nnext\n', 'z'.repeat(200)]), { maxLineLength: 64 });
    expect(await all(reader)).toEqual([
      { number: 1, text: 'ok' },
      { number: 2, text: '', tooLong: 100 },
      { number: 3, text: 'next' },
      { number: 4, text: '', tooLong: 200 },
    ]);
  });

  it('assembles a long line from many small chunks', async () => {
    const pieces = Array.from({ length: 200_000 }, () => 'abcdefghij');
    const reader = new LineReader(Readable.from([...pieces, '\n']));
    const line = await reader.next();
    expect(line?.text.length).toBe(2_000_000);
  });

  it('drops a byte order mark before the first line only', async () => {
    const reader = new LineReader(Readable.from(['\uFEFF{"a":1}\n\uFEFFb\n']));
    expect(await all(reader)).toEqual([
      { number: 1, text: '{"a":1}' },
      { number: 2, text: '\uFEFFb' },
    ]);
  });

  it('ends a pending read when closed, as at the end of input', async () => {
    const stream = new Readable({ read() {} });
    const reader = new LineReader(stream);
    const pending = reader.next();
    reader.close();
    expect(await pending).toBeUndefined();
    expect(await reader.next()).toBeUndefined();
    expect(stream.destroyed).toBe(true);
  });
});
