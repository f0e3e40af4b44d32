import { describe, expect, it } from 'vitest';
import { closedWorkSource, rateWorkSource, type WorkItem } from '../../src/runner/work-source.js';

describe('closedWorkSource', () => {
  it('hands out exactly `requests` items in order', () => {
    const source = closedWorkSource({ requests: 3 });
    expect([source.next(), source.next(), source.next(), source.next()]).toEqual([
      { seq: 0, warmup: false },
      { seq: 1, warmup: false },
      { seq: 2, warmup: false },
      undefined,
    ]);
    expect(source.total).toBe(3);
  });

  it('stops at the deadline of a duration', () => {
    let now = 1000;
    const source = closedWorkSource({ durationMs: 50 }, () => now);
    expect(source.next()).toEqual({ seq: 0, warmup: false });
    now = 1049;
    expect(source.next()).toEqual({ seq: 1, warmup: false });
    now = 1050;
    expect(source.next()).toBeUndefined();
    expect(source.total).toBeUndefined();
  });

  it('warms up first, then counts the measured requests and the duration after the warm-up', () => {
    let now = 0;
    const source = closedWorkSource({ requests: 2, durationMs: 100, warmupMs: 50 }, () => now);
    const timed = closedWorkSource({ durationMs: 100, warmupMs: 50 }, () => now);
    expect(source.next()).toEqual({ seq: 0, warmup: true });
    now = 49;
    expect(source.next()).toEqual({ seq: 1, warmup: true });
    now = 50;
    expect([source.next(), source.next(), source.next()]).toEqual([{ seq: 2, warmup: false }, { seq: 3, warmup: false }, undefined]);
    now = 149;
    expect(timed.next()).toEqual({ seq: 0, warmup: false });
    now = 150;
    expect(timed.next()).toBeUndefined();
  });

  it('ends at stop()', () => {
    const source = closedWorkSource({ requests: 10 });
    source.next();
    source.stop();
    expect(source.next()).toBeUndefined();
  });
});

describe('rateWorkSource', () => {
  it('makes request n due at start + n/rate, and waits for it', async () => {
    const first = performance.now();
    const source = rateWorkSource(200, { requests: 5 });
    const items: Array<WorkItem & { at: number }> = [];
    for (let item = await source.next(); item !== undefined; item = await source.next()) items.push({ ...item, at: performance.now() });
    expect(items.map((item) => item.seq)).toEqual([0, 1, 2, 3, 4]);
    items.forEach((item, n) => {
      expect(item.dueAt! - items[0]!.dueAt!).toBeCloseTo(n * 5, 6);
      // Handed out when due (a timer may fire a hair early; the runner counts from the earlier of the two).
      expect(item.at).toBeGreaterThanOrEqual(item.dueAt! - 2);
    });
    expect(items[0]!.dueAt!).toBeGreaterThanOrEqual(first);
  });

  it('hands out late work at once with its original due time (no coordinated omission)', async () => {
    let now = 0;
    const source = rateWorkSource(10, { requests: 3 }, () => now);
    now = 10_000; // the workers were all busy for 10 s
    const items = [await source.next(), await source.next(), await source.next(), await source.next()];
    expect(items.map((item) => item?.dueAt)).toEqual([0, 100, 200, undefined]);
  });

  it('stops pacing once hurried, for accounting of what is left', async () => {
    const source = rateWorkSource(0.001, { requests: 3 });
    await source.next();
    source.hurry();
    const rest = [await source.next(), await source.next(), await source.next()];
    expect(rest.map((item) => item?.seq)).toEqual([1, 2, undefined]);
  });

  it('after stop(), gives the requests already due but never handed out, and no more', async () => {
    let now = 0;
    const source = rateWorkSource(10, { durationMs: 60_000 }, () => now);
    expect((await source.next())?.seq).toBe(0);
    now = 450; // every slot busy: requests 1 to 4 came due meanwhile
    source.stop();
    now = 5_000;
    expect(source.backlog!().map((item) => [item.seq, item.dueAt])).toEqual([
      [1, 100],
      [2, 200],
      [3, 300],
      [4, 400],
    ]);
    expect(source.backlog!()).toEqual([]);
    expect(await source.next()).toBeUndefined();
  });

  it('keeps to the request count in the backlog too', () => {
    let now = 0;
    const source = rateWorkSource(10, { requests: 2 }, () => now);
    now = 10_000;
    source.stop();
    expect(source.backlog!().map((item) => item.seq)).toEqual([0, 1]);
  });
});
