import { describe, expect, it } from 'vitest';
import { BoundedQueue } from '../../src/client/bounded-queue.js';

async function drain<T>(queue: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of queue) values.push(value);
  return values;
}

describe('BoundedQueue', () => {
  it('yields pushed values in order, then ends after end() once they are read', async () => {
    const queue = new BoundedQueue<number>(10);
    queue.push(1);
    queue.push(2);
    queue.end();
    queue.push(3);
    expect(await drain(queue)).toEqual([1, 2]);
    expect(queue.done).toBe(true);
  });

  it('hands a value straight to a reader that is waiting', async () => {
    const queue = new BoundedQueue<string>(1);
    const pending = queue.next();
    queue.push('a');
    expect(await pending).toEqual({ value: 'a', done: false });
    expect(queue.stats).toEqual({ buffered: 0, dropped: 0 });
  });

  it('keeps at most capacity unread values, dropping the oldest and counting them', async () => {
    const queue = new BoundedQueue<number>(3);
    for (let i = 1; i <= 7; i++) queue.push(i);
    expect(queue.stats).toEqual({ buffered: 3, dropped: 4 });
    queue.end();
    expect(await drain(queue)).toEqual([5, 6, 7]);
  });

  it('stays bounded over many values with a slow reader', async () => {
    const queue = new BoundedQueue<number>(100);
    for (let i = 0; i < 10_000; i++) queue.push(i);
    expect(queue.stats.buffered).toBe(100);
    expect((await queue.next()).value).toBe(9900);
  });

  it('return() ends at once, discards the buffer and calls onFinish once', async () => {
    let finished = 0;
    const queue = new BoundedQueue<number>(5, () => finished++);
    queue.push(1);
    queue.push(2);
    expect(await queue.return()).toEqual({ value: undefined, done: true });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
    queue.end();
    expect(finished).toBe(1);
  });

  it('end() releases readers that are waiting', async () => {
    const queue = new BoundedQueue<number>(5);
    const waiting = [queue.next(), queue.next()];
    queue.end();
    expect(await Promise.all(waiting)).toEqual([
      { value: undefined, done: true },
      { value: undefined, done: true },
    ]);
  });

  it('break in for await finishes it', async () => {
    let finished = false;
    const queue = new BoundedQueue<number>(5, () => {
      finished = true;
    });
    queue.push(1);
    queue.push(2);
    for await (const value of queue) {
      expect(value).toBe(1);
      break;
    }
    expect(finished).toBe(true);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new BoundedQueue(0)).toThrow(RangeError);
  });
});
