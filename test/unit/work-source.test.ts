import { describe, expect, it } from 'vitest';
import { createWorkSource } from '../../src/runner/work-source.js';

describe('createWorkSource', () => {
  it('hands out exactly `requests` sequence numbers in order', () => {
    const source = createWorkSource({ requests: 3 });
    expect([source.next(), source.next(), source.next(), source.next()]).toEqual([0, 1, 2, undefined]);
    expect(source.issued).toBe(3);
    expect(source.total).toBe(3);
  });

  it('stops at the deadline of a duration', () => {
    let now = 1000;
    const source = createWorkSource({ durationMs: 50 }, () => now);
    expect(source.next()).toBe(0);
    now = 1049;
    expect(source.next()).toBe(1);
    now = 1050;
    expect(source.next()).toBeUndefined();
    expect(source.total).toBeUndefined();
  });

  it('ends at whichever limit comes first, and at stop()', () => {
    const both = createWorkSource({ requests: 2, durationMs: 1000 }, () => 0);
    expect([both.next(), both.next(), both.next()]).toEqual([0, 1, undefined]);
    const stopped = createWorkSource({ requests: 10 });
    stopped.next();
    stopped.stop();
    expect(stopped.next()).toBeUndefined();
  });
});
