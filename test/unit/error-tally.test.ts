import { describe, expect, it } from 'vitest';
import { ErrorTally } from '../../src/report/error-tally.js';

describe('ErrorTally', () => {
  it('folds messages beyond 100 distinct ones into one entry per code', () => {
    const tally = new ErrorTally();
    for (let i = 0; i < 150; i++) tally.add(-32600, `thread ${i} not found`);
    const entries = tally.toArray();
    expect(entries).toHaveLength(101);
    expect(entries[0]).toEqual({ code: -32600, message: '(other messages)', count: 50 });
    expect(entries.reduce((sum, entry) => sum + entry.count, 0)).toBe(150);
  });
});
