import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OrderedWriter } from '../../src/batch/ordered-writer.js';

function sink() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('OrderedWriter', () => {
  it('writes results in index order whatever order they arrive in', () => {
    const { stream, text } = sink();
    const writer = new OrderedWriter(stream, 10);
    writer.put(2, 'c\n');
    writer.put(0, 'a\n');
    expect(text()).toBe('a\n');
    writer.put(3, 'd\n');
    writer.put(1, 'b\n');
    expect(text()).toBe('a\nb\nc\nd\n');
    expect(writer.written).toBe(4);
  });

  it('holds back work a whole window ahead of the oldest unwritten result', async () => {
    const { stream } = sink();
    const writer = new OrderedWriter(stream, 2);
    await writer.waitForRoom(0);
    await writer.waitForRoom(1);
    let admitted = false;
    const third = writer.waitForRoom(2).then(() => (admitted = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(admitted).toBe(false);
    writer.put(1, 'b\n');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(admitted).toBe(false); // result 0 still missing
    writer.put(0, 'a\n');
    await third;
    expect(admitted).toBe(true);
  });

  it('holds back work while the stream is full, until it drains', async () => {
    const stream = new PassThrough({ highWaterMark: 4 });
    const writer = new OrderedWriter(stream, 100);
    writer.put(0, 'a long line\n');
    expect(stream.writableNeedDrain).toBe(true);
    let admitted = false;
    const next = writer.waitForRoom(1).then(() => (admitted = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(admitted).toBe(false);
    stream.read();
    await next;
    expect(admitted).toBe(true);
  });
});
