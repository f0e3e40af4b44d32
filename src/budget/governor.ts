/**
 * The budget governor: turns an `account/rateLimits/read` answer into a pacing tier. For each
 * window it compares the share used with the share of the window elapsed (linear pacing), gives
 * a tier, and the stricter window's tier wins. Pure functions: time comes in as `nowSec`.
 */

/** Pacing tiers, loosest first. */
export const TIERS = ['surplus', 'ahead', 'on_track', 'tight', 'critical'] as const;
export type EffectiveTier = (typeof TIERS)[number];
/** A tier, or `unknown` when the numbers are missing (paced as `on_track`). */
export type Tier = EffectiveTier | 'unknown';

/** At or above this share used, a window is critical whatever the time. */
export const CRITICAL_USED_PERCENT = 95;

/** One window, evaluated. */
export interface WindowBudget {
  kind: 'primary' | 'secondary';
  usedPercent: number | null;
  /** Unix seconds. */
  resetsAt: number | null;
  windowDurationMins: number | null;
  remainingMins: number | null;
  /** Share of the window gone by, 0 to 100. */
  elapsedPercent: number | null;
  /** Used minus elapsed: above 0, spending faster than the window allows. */
  deltaPercent: number | null;
  tier: Tier;
  tierReason: string;
  pacingOk: boolean;
  pacingReason: string;
  effectiveTier: EffectiveTier;
}

/** The normalized snapshot: the deciding window's figures at the top, both windows below. */
export interface BudgetSnapshot {
  ok: boolean;
  /** Where the bucket came from: `by_limit_id`, `single_bucket`, `missing`, `invalid`. */
  bucketSource: string;
  bucketKey: string | null;
  limitId: string | null;
  limitName: string | null;
  planType: string | null;
  /** The window that decided the tier. */
  windowKind: 'primary' | 'secondary' | null;
  nowSec: number;
  usedPercent: number | null;
  resetsAt: number | null;
  windowDurationMins: number | null;
  remainingMins: number | null;
  elapsedPercent: number | null;
  deltaPercent: number | null;
  tier: Tier;
  tierReason: string;
  pacingOk: boolean;
  pacingReason: string;
  effectiveTier: EffectiveTier;
  primary: WindowBudget | null;
  secondary: WindowBudget | null;
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** The bucket to pace by: `codex` when listed by limit id, else the one (or first codex-like) listed, else the single view. */
function pickBucket(result: unknown): { bucket: Json | null; key: string | null; source: string } {
  if (!isRecord(result)) return { bucket: null, key: null, source: 'invalid' };
  const byId = isRecord(result.rateLimitsByLimitId) ? result.rateLimitsByLimitId : undefined;
  const keys = byId === undefined ? [] : Object.keys(byId).filter((key) => isRecord(byId[key]));
  if (byId !== undefined && keys.length > 0) {
    const key = keys.includes('codex') ? 'codex' : keys.length === 1 ? keys[0]! : (keys.find((k) => k.toLowerCase().includes('codex')) ?? keys[0]!);
    return { bucket: byId[key] as Json, key, source: 'by_limit_id' };
  }
  if (isRecord(result.rateLimits)) return { bucket: result.rateLimits, key: null, source: 'single_bucket' };
  return { bucket: null, key: null, source: 'missing' };
}

/** The tier of one window from its figures. */
export function tierOf(usedPercent: number | null, deltaPercent: number | null): { tier: Tier; reason: string } {
  if (usedPercent === null) return { tier: 'unknown', reason: 'used_unknown' };
  if (usedPercent >= CRITICAL_USED_PERCENT) return { tier: 'critical', reason: `used_ge_${CRITICAL_USED_PERCENT}` };
  if (deltaPercent === null) return { tier: 'unknown', reason: 'pacing_unknown' };
  if (deltaPercent <= -25) return { tier: 'surplus', reason: 'delta_le_-25' };
  if (deltaPercent <= -10) return { tier: 'ahead', reason: 'delta_le_-10' };
  if (deltaPercent < 10) return { tier: 'on_track', reason: 'delta_lt_10' };
  if (deltaPercent < 25) return { tier: 'tight', reason: 'delta_lt_25' };
  return { tier: 'critical', reason: 'delta_ge_25' };
}

/** `unknown` is paced as `on_track`. */
export function effectiveTier(tier: Tier): EffectiveTier {
  return tier === 'unknown' ? 'on_track' : tier;
}

/** How strict a tier is: a higher number wins the clamp. */
export function strictness(tier: Tier): number {
  return TIERS.indexOf(effectiveTier(tier));
}

/** Evaluates one window at `nowSec`; null when there is no window. */
export function evaluateWindow(window: unknown, kind: WindowBudget['kind'], nowSec: number): WindowBudget | null {
  if (!isRecord(window)) return null;
  const usedPercent = finite(window.usedPercent);
  const resetsAt = finite(window.resetsAt);
  const windowDurationMins = finite(window.windowDurationMins);
  let elapsedPercent: number | null = null;
  let deltaPercent: number | null = null;
  let remainingMins: number | null = null;
  const pacingOk = usedPercent !== null && resetsAt !== null && windowDurationMins !== null && windowDurationMins > 0;
  if (pacingOk) {
    const windowSec = windowDurationMins * 60;
    const elapsedSec = nowSec - (resetsAt - windowSec);
    elapsedPercent = Math.min(100, Math.max(0, (elapsedSec / windowSec) * 100));
    deltaPercent = usedPercent - elapsedPercent;
    remainingMins = Math.max(0, Math.ceil((resetsAt - nowSec) / 60));
  }
  const { tier, reason } = tierOf(usedPercent, deltaPercent);
  return {
    kind,
    usedPercent,
    resetsAt,
    windowDurationMins,
    remainingMins,
    elapsedPercent,
    deltaPercent,
    tier,
    tierReason: reason,
    pacingOk,
    pacingReason: pacingOk ? 'ok' : 'missing_fields',
    effectiveTier: effectiveTier(tier),
  };
}

/** The window preferred on a tie of strictness: the longer one, whose budget lasts. */
function preferredKind(primary: WindowBudget | null, secondary: WindowBudget | null): WindowBudget['kind'] {
  if (primary === null) return 'secondary';
  if (secondary === null) return 'primary';
  if (primary.windowDurationMins !== null && secondary.windowDurationMins !== null) return primary.windowDurationMins >= secondary.windowDurationMins ? 'primary' : 'secondary';
  return secondary.windowDurationMins !== null && primary.windowDurationMins === null ? 'secondary' : 'primary';
}

/** The stricter of the two windows (clamped to it). */
function stricter(primary: WindowBudget | null, secondary: WindowBudget | null): WindowBudget | null {
  if (primary === null || secondary === null) return primary ?? secondary;
  const difference = strictness(primary.tier) - strictness(secondary.tier);
  if (difference !== 0) return difference > 0 ? primary : secondary;
  return preferredKind(primary, secondary) === 'primary' ? primary : secondary;
}

/** The normalized budget of an `account/rateLimits/read` answer (or a merged update) at `nowSec`. */
export function computeBudget(result: unknown, nowSec: number = Math.floor(Date.now() / 1000)): BudgetSnapshot {
  const { bucket, key, source } = pickBucket(result);
  const primary = evaluateWindow(bucket?.primary, 'primary', nowSec);
  const secondary = evaluateWindow(bucket?.secondary, 'secondary', nowSec);
  const chosen = stricter(primary, secondary);
  return {
    ok: bucket !== null && chosen !== null,
    bucketSource: source,
    bucketKey: key,
    limitId: text(bucket?.limitId),
    limitName: text(bucket?.limitName),
    planType: text(bucket?.planType),
    windowKind: chosen?.kind ?? null,
    nowSec,
    usedPercent: chosen?.usedPercent ?? null,
    resetsAt: chosen?.resetsAt ?? null,
    windowDurationMins: chosen?.windowDurationMins ?? null,
    remainingMins: chosen?.remainingMins ?? null,
    elapsedPercent: chosen?.elapsedPercent ?? null,
    deltaPercent: chosen?.deltaPercent ?? null,
    tier: chosen?.tier ?? 'unknown',
    tierReason: chosen?.tierReason ?? 'window_missing',
    pacingOk: chosen?.pacingOk ?? false,
    pacingReason: chosen?.pacingReason ?? 'window_missing',
    effectiveTier: chosen?.effectiveTier ?? 'on_track',
    primary,
    secondary,
  };
}

/**
 * Requests that may be in flight at a tier, out of `configured`: as configured while the budget
 * lasts (surplus, ahead, on track, unknown), one at a time when tight, none when critical.
 */
export function allowedInFlight(tier: Tier, configured: number): number {
  const effective = effectiveTier(tier);
  if (effective === 'critical') return 0;
  if (effective === 'tight') return Math.min(1, configured);
  return configured;
}

/**
 * When a critical budget frees up, in Unix seconds: the reset of the window(s) that are
 * critical (the latest, if both are); null when it is not critical or no reset time is known.
 */
export function criticalUntil(snapshot: BudgetSnapshot): number | null {
  if (snapshot.effectiveTier !== 'critical') return null;
  const resets = [snapshot.primary, snapshot.secondary]
    .filter((window): window is WindowBudget => window !== null && window.effectiveTier === 'critical')
    .map((window) => window.resetsAt)
    .filter((at): at is number => at !== null);
  return resets.length === 0 ? null : Math.max(...resets);
}
