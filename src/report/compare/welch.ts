/** Two-sided 99.9% critical values of Student's t, by degrees of freedom. */
const T_999: ReadonlyArray<readonly [number, number]> = [
  [1, 636.62], [2, 31.599], [3, 12.924], [4, 8.61], [5, 6.869], [6, 5.959], [7, 5.408], [8, 5.041], [9, 4.781], [10, 4.587],
  [11, 4.437], [12, 4.318], [13, 4.221], [14, 4.14], [15, 4.073], [16, 4.015], [17, 3.965], [18, 3.922], [19, 3.883], [20, 3.85],
  [21, 3.819], [22, 3.792], [23, 3.768], [24, 3.745], [25, 3.725], [26, 3.707], [27, 3.69], [28, 3.674], [29, 3.659], [30, 3.646],
  [40, 3.551], [60, 3.46], [120, 3.373],
];
const T_999_INFINITE = 3.291;

/** The confidence the test works at: a difference is called real only when chance would explain it less than once in a thousand. */
export const CONFIDENCE = 0.999;

/** The critical |t| at {@link CONFIDENCE} for `df` degrees of freedom (rounded down: the stricter value). */
export function criticalT(df: number): number {
  if (!(df >= 1)) return Infinity;
  let critical = T_999_INFINITE;
  for (const [table, value] of T_999) {
    if (table <= Math.floor(df)) critical = value;
    else return critical;
  }
  return Math.floor(df) > 120 ? T_999_INFINITE : critical;
}

/** The result of Welch's t-test of two samples' means. */
export interface WelchResult {
  meanA: number;
  meanB: number;
  /** (meanB - meanA) / its standard error; null when neither sample varies (then any difference is beyond chance). */
  t: number | null;
  df: number | null;
  critical: number | null;
  beyond: boolean;
}

function meanVar(values: readonly number[]): { mean: number; variance: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return { mean, variance };
}

/** Welch's unequal-variance t-test, two-sided, at {@link CONFIDENCE}; each sample needs two values or more. */
export function welchTest(a: readonly number[], b: readonly number[]): WelchResult {
  const A = meanVar(a);
  const B = meanVar(b);
  const va = A.variance / a.length;
  const vb = B.variance / b.length;
  const se = Math.sqrt(va + vb);
  if (!(se > 0)) return { meanA: A.mean, meanB: B.mean, t: null, df: null, critical: null, beyond: A.mean !== B.mean };
  const t = (B.mean - A.mean) / se;
  const df = (va + vb) ** 2 / ((va > 0 ? va ** 2 / (a.length - 1) : 0) + (vb > 0 ? vb ** 2 / (b.length - 1) : 0));
  const critical = criticalT(df);
  return { meanA: A.mean, meanB: B.mean, t, df, critical, beyond: Math.abs(t) > critical };
}
