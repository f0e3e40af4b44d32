import { describe, expect, it } from 'vitest';
import { checkThresholds } from '../../src/report/thresholds.js';

describe('checkThresholds', () => {
  it('checks only the limits that were set, and says which were crossed', () => {
    expect(checkThresholds({ p99Ms: 50, total: 100, failed: 0 }, {})).toEqual([]);
    expect(checkThresholds({ p99Ms: 50, total: 100, failed: 3 }, { maxP99Ms: 40, maxErrorRate: 0.05 })).toEqual([
      { name: 'max-p99-ms', limit: 40, actual: 50, crossed: true },
      { name: 'max-error-rate', limit: 0.05, actual: 0.03, crossed: false },
    ]);
  });

  it('is exact at the limit (crossing means above it)', () => {
    const [p99, errors] = checkThresholds({ p99Ms: 40, total: 4, failed: 1 }, { maxP99Ms: 40, maxErrorRate: 0.25 });
    expect(p99!.crossed).toBe(false);
    expect(errors!.crossed).toBe(false);
    expect(checkThresholds({ p99Ms: 0, total: 0, failed: 0 }, { maxErrorRate: 0 })[0]!.crossed).toBe(false);
  });
});
