/** What the last few seconds looked like. */
export interface RecentSummary {
  /** Completions per second over the rate span (null: nothing to go on yet). */
  rate: number | null;
  /** Latency percentiles of the completions in the window, in ms (null: none). */
  p50: number | null;
  p99: number | null;
  /** Completions in the window. */
  count: number;
}

/** One slice of time: counts and a log-scale latency histogram, so memory does not grow with the rate. */
interface Slot {
  count: number;
  bins: Map<number, number>;
  min: number;
  max: number;
}

/** Bins per unit of ln(1 + ms): about 2 % apart, finer than anyone reads a live p99. */
const BINS_PER_LOG = 50;

/**
 * A sliding window over recent completions (clock-free: times are passed in): the current rate
 * and p50/p99 of the last `windowMs`, instead of averages since the start that hide a slowdown.
 */
export class RecentWindow {
  readonly #origin: number;
  readonly #windowMs: number;
  readonly #slotMs: number;
  readonly #slots = new Map<number, Slot>();

  /**
   * @param origin when counting began (a rate is never spread over time before it)
   * @param windowMs how far back percentiles look
   * @param slotMs granularity of the window's edge
   */
  constructor(origin: number, windowMs = 10_000, slotMs = 250) {
    this.#origin = origin;
    this.#windowMs = windowMs;
    this.#slotMs = slotMs;
  }

  get windowMs(): number {
    return this.#windowMs;
  }

  /** Counts a completion at time `at` that took `latencyMs`. */
  add(at: number, latencyMs: number): void {
    const index = Math.floor(at / this.#slotMs);
    let slot = this.#slots.get(index);
    if (slot === undefined) {
      slot = { count: 0, bins: new Map(), min: Infinity, max: -Infinity };
      this.#slots.set(index, slot);
      this.#prune(at);
    }
    slot.count++;
    const bin = Math.round(Math.log1p(Math.max(0, latencyMs)) * BINS_PER_LOG);
    slot.bins.set(bin, (slot.bins.get(bin) ?? 0) + 1);
    slot.min = Math.min(slot.min, latencyMs);
    slot.max = Math.max(slot.max, latencyMs);
  }

  /** The rate over the last `rateSpanMs` and the percentiles over the window, as of `now`. */
  summary(now: number, rateSpanMs = 5000): RecentSummary {
    this.#prune(now);
    const current = Math.floor(now / this.#slotMs);
    const first = current - Math.ceil(rateSpanMs / this.#slotMs) + 1;
    let inSpan = 0;
    for (const [index, slot] of this.#slots) if (index >= first && index <= current) inSpan += slot.count;
    const spanMs = now - Math.max(first * this.#slotMs, this.#origin);
    const rate = spanMs > 0 ? (inSpan * 1000) / spanMs : null;
    const { count, p50, p99 } = this.#percentiles(now);
    return { rate, p50, p99, count };
  }

  #percentiles(now: number): { count: number; p50: number | null; p99: number | null } {
    const oldest = Math.floor((now - this.#windowMs) / this.#slotMs);
    const bins = new Map<number, number>();
    let count = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const [index, slot] of this.#slots) {
      if (index < oldest || index * this.#slotMs > now) continue;
      count += slot.count;
      min = Math.min(min, slot.min);
      max = Math.max(max, slot.max);
      for (const [bin, n] of slot.bins) bins.set(bin, (bins.get(bin) ?? 0) + n);
    }
    if (count === 0) return { count, p50: null, p99: null };
    const sorted = [...bins.entries()].sort((a, b) => a[0] - b[0]);
    // A histogram's value is its bin's middle: clamped, a percentile never leaves [min, max].
    const at = (percent: number) => {
      const rank = Math.max(1, Math.ceil((percent / 100) * count));
      let seen = 0;
      for (const [bin, n] of sorted) {
        seen += n;
        if (seen >= rank) return Math.min(max, Math.max(min, Math.expm1(bin / BINS_PER_LOG)));
      }
      return max;
    };
    return { count, p50: at(50), p99: at(99) };
  }

  /** Drops slots that left the window. */
  #prune(now: number): void {
    const oldest = Math.floor((now - this.#windowMs) / this.#slotMs);
    for (const index of this.#slots.keys()) if (index < oldest) this.#slots.delete(index);
  }
}
