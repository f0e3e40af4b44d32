/** Limits a run must stay within (for scripts and CI). */
export interface Thresholds {
  /** `--max-p99-ms`. */
  maxP99Ms?: number;
  /** `--max-error-rate`: failed / total, from 0 to 1. */
  maxErrorRate?: number;
}

/** One limit, checked. */
export interface ThresholdCheck {
  name: 'max-p99-ms' | 'max-error-rate';
  limit: number;
  actual: number;
  crossed: boolean;
}

/** Checks the measured p99 and error rate against the limits that were set. */
export function checkThresholds(measured: { p99Ms: number; total: number; failed: number }, thresholds: Thresholds): ThresholdCheck[] {
  const checks: ThresholdCheck[] = [];
  if (thresholds.maxP99Ms !== undefined) {
    checks.push({ name: 'max-p99-ms', limit: thresholds.maxP99Ms, actual: measured.p99Ms, crossed: measured.p99Ms > thresholds.maxP99Ms });
  }
  if (thresholds.maxErrorRate !== undefined) {
    const rate = measured.total === 0 ? 0 : measured.failed / measured.total;
    const actual = Math.round(rate * 1e6) / 1e6;
    checks.push({ name: 'max-error-rate', limit: thresholds.maxErrorRate, actual, crossed: rate > thresholds.maxErrorRate });
  }
  return checks;
}
