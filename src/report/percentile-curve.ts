import * as hdr from 'hdr-histogram-js';

/** One point of a percentile distribution: the latency (ms) at or below which `percentile` % of requests ended. */
export interface PercentilePoint {
  percentile: number;
  /** -log10(1 - percentile/100): 1 at 90 %, 2 at 99 %, 3 at 99.9 %; the x of a log-scale plot. */
  nines: number;
  ms: number;
}

const STEPS_PER_DECADE = 12;
const MAX_NINES = 6;

/**
 * The percentile distribution of an HdrHistogram (compressed base64, microseconds), as plotted by
 * HdrHistogram's own tools: percentiles spaced evenly in "nines" up to the last one the count
 * supports, then the max. Values are kept within [min, max] of the exact figures when given.
 * Undefined when the histogram cannot be read or is empty.
 */
export function percentileCurve(encoded: string, bounds?: { min: number; max: number }): PercentilePoint[] | undefined {
  let histogram;
  try {
    histogram = hdr.decodeFromCompressedBase64(encoded);
  } catch {
    return undefined;
  }
  try {
    const total = histogram.totalCount;
    if (!(total > 0)) return undefined;
    // Beyond 1/total of the tail, every percentile is the max.
    const lastNines = Math.min(MAX_NINES, Math.log10(total));
    const clamp = (ms: number) => (bounds === undefined ? ms : Math.min(bounds.max, Math.max(bounds.min, ms)));
    const points: PercentilePoint[] = [];
    for (let step = 0; step / STEPS_PER_DECADE <= lastNines; step++) {
      const nines = step / STEPS_PER_DECADE;
      const percentile = 100 * (1 - 10 ** -nines);
      points.push({ percentile, nines, ms: clamp(histogram.getValueAtPercentile(percentile) / 1000) });
    }
    const maxMs = clamp(histogram.maxValue / 1000);
    points.push({ percentile: 100, nines: Math.max(lastNines, points.at(-1)!.nines) + 1 / STEPS_PER_DECADE, ms: bounds?.max ?? maxMs });
    return points;
  } finally {
    histogram.destroy();
  }
}
