/** Maps data values to pixels along one axis, and picks the ticks to label. */
export interface Scale {
  readonly kind: 'linear' | 'log';
  readonly min: number;
  readonly max: number;
  /** Pixel position of `value` (between the range's ends). */
  at(value: number): number;
  ticks(): number[];
}

/** A round step near `span / count`: 1, 2 or 5 times a power of ten. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0)) return 1;
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

/** A linear scale over [min, max] widened to round ticks (no finer than `minStep`); a flat range gets some room. */
export function linearScale(min: number, max: number, from: number, to: number, tickCount = 5, minStep = 0): Scale {
  if (!(max > min)) {
    const pad = Math.abs(max) > 0 ? Math.abs(max) * 0.5 : 1;
    min = Math.max(0, min - pad);
    max = max + pad;
  }
  const step = Math.max(minStep, niceStep(max - min, tickCount));
  const lo = Math.floor(min / step) * step;
  const hi = Math.ceil(max / step) * step;
  return {
    kind: 'linear',
    min: lo,
    max: hi,
    at: (value) => from + ((value - lo) / (hi - lo)) * (to - from),
    ticks: () => {
      const ticks: number[] = [];
      for (let i = 0; lo + i * step <= hi + step / 1e6 && i < 100; i++) ticks.push(Number((lo + i * step).toPrecision(12)));
      return ticks;
    },
  };
}

/** A log-10 scale over positive values, widened to whole decades (1-2-5 ticks when it spans few). */
export function logScale(min: number, max: number, from: number, to: number): Scale {
  const lo = Math.floor(Math.log10(Math.max(min, 1e-9)));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(max, min, 1e-9))));
  const decades = hi - lo;
  return {
    kind: 'log',
    min: 10 ** lo,
    max: 10 ** hi,
    at: (value) => from + ((Math.log10(Math.max(value, 10 ** lo)) - lo) / decades) * (to - from),
    ticks: () => {
      const ticks: number[] = [];
      for (let d = lo; d <= hi; d++) {
        for (const m of decades <= 3 ? [1, 2, 5] : [1]) {
          const value = Number((m * 10 ** d).toPrecision(12));
          if (value <= 10 ** hi) ticks.push(value);
        }
      }
      return ticks;
    },
  };
}

/** A short label for a number on an axis: 0.05, 1.5, 250, 12k, 3.4M. */
export function formatTick(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e4) return `${Number((value / 1e3).toPrecision(3))}k`;
  if (abs === 0) return '0';
  return String(Number(value.toPrecision(3)));
}
