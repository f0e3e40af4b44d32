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
