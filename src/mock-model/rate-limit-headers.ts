import * as z from 'zod';

/** One rate-limit window the mock model reports: codex turns these headers into `account/rateLimits/updated`. */
const MockWindowSchema = z.strictObject({
  usedPercent: z.number().min(0),
  windowMinutes: z.number().int().min(1).optional(),
  /** Seconds from the reply until the window resets. */
  resetsInSeconds: z.number().int().min(0).optional(),
});

/** Rate limits a step reports with its reply, as the real backend does in response headers. */
export const MockRateLimitsSchema = z.strictObject({ primary: MockWindowSchema.optional(), secondary: MockWindowSchema.optional() });
export type MockRateLimits = z.infer<typeof MockRateLimitsSchema>;

/** The `x-codex-*` response headers for `limits`, with reset times counted from `nowSec`. */
export function rateLimitHeaders(limits: MockRateLimits | undefined, nowSec: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const kind of ['primary', 'secondary'] as const) {
    const window = limits?.[kind];
    if (window === undefined) continue;
    headers[`x-codex-${kind}-used-percent`] = String(window.usedPercent);
    if (window.windowMinutes !== undefined) headers[`x-codex-${kind}-window-minutes`] = String(window.windowMinutes);
    if (window.resetsInSeconds !== undefined) headers[`x-codex-${kind}-reset-at`] = String(nowSec + window.resetsInSeconds);
  }
  return headers;
}
