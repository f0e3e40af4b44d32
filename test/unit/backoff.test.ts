import { describe, expect, it } from 'vitest';
import { backoffCeilingMs, backoffDelayMs } from '../../src/runner/backoff.js';

const options = { baseMs: 50, maxMs: 2000 };

describe('backoff', () => {
  it('doubles the ceiling per attempt and caps it at maxMs', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((attempt) => backoffCeilingMs(attempt, options))).toEqual([50, 100, 200, 400, 800, 1600, 2000, 2000]);
  });

  it('draws from the whole interval [0, ceiling]', () => {
    expect(backoffDelayMs(3, options, () => 0)).toBe(0);
    expect(backoffDelayMs(3, options, () => 0.5)).toBe(200);
    expect(backoffDelayMs(3, options, () => 0.999999)).toBeCloseTo(400, 2);
  });

  it('stays within bounds and spreads uniformly (full jitter)', () => {
    for (const attempt of [0, 2, 5, 8]) {
      const ceiling = backoffCeilingMs(attempt, options);
      const draws = Array.from({ length: 20_000 }, () => backoffDelayMs(attempt, options));
      expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...draws)).toBeLessThanOrEqual(ceiling);
      const mean = draws.reduce((sum, value) => sum + value, 0) / draws.length;
      expect(mean / ceiling).toBeGreaterThan(0.47);
      expect(mean / ceiling).toBeLessThan(0.53);
      // Every tenth of the interval gets its share: no clumping at either end.
      const deciles = new Array<number>(10).fill(0);
      for (const value of draws) deciles[Math.min(9, Math.floor((value / ceiling) * 10))]!++;
      for (const count of deciles) expect(count / draws.length).toBeGreaterThan(0.08);
    }
  });
});
