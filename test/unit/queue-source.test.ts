import { describe, expect, it } from 'vitest';
import { queueSource } from '../../src/runner/queue-source.js';

describe('queueSource', () => {
  it('hands out pushed items in order, makes askers wait, and ends after the queue drains', async () => {
    const source = queueSource<{ seq: number; warmup: boolean }>();
    source.push({ seq: 0, warmup: false });
    expect(await source.next()).toEqual({ seq: 0, warmup: false });
    const waiting = source.next();
    source.push({ seq: 1, warmup: false });
    expect(await waiting).toEqual({ seq: 1, warmup: false });
    source.push({ seq: 2, warmup: false });
    const last = source.next();
    const after = source.next();
    source.end();
    expect(await last).toEqual({ seq: 2, warmup: false });
    expect(await after).toBeUndefined();
    expect(source.bounded).toBe(true);
  });
});
