import type { AppServerConnection } from '../client/connection.js';
import { allowedInFlight, computeBudget, criticalUntil, type BudgetSnapshot, type Tier } from './governor.js';
import { mergeRateLimits, RATE_LIMITS_UPDATED, RateLimitsResultSchema, RateLimitsUpdatedParamsSchema, type RateLimitsResult } from './rate-limits.js';

/** What moved the budget. */
export type BudgetSource = 'read' | 'update' | 'reset';

/** One entry of the budget's timeline: the tier from then on, and what it allows. */
export interface BudgetChange {
  /** Ms since pacing began. */
  atMs: number;
  at: string;
  source: BudgetSource;
  tier: Tier;
  /** Requests allowed in flight: null as configured, 1 when tight, 0 when critical. */
  limit: number | null;
  windowKind: BudgetSnapshot['windowKind'];
  usedPercent: number | null;
  /** When critical: the time new work may go again (the window's reset), else null. */
  until: string | null;
  /** Why the budget could not be read, when it could not. */
  error: string | null;
}

/** What a report says of pacing. */
export interface BudgetReport {
  /** The tier at the end. */
  tier: Tier;
  /** Every change of tier or limit, from the first read on. */
  timeline: BudgetChange[];
  /** Time work waited for the budget, summed over requests. */
  waitedMs: number;
  /** Budget reads (`account/rateLimits/read`) and updates (`account/rateLimits/updated`) seen. */
  reads: number;
  updates: number;
  /** The last normalized snapshot, if the budget was ever read. */
  snapshot: BudgetSnapshot | null;
}

/** Inputs of a {@link BudgetPacer}. */
export interface BudgetPacerOptions {
  /** Reads `account/rateLimits/read` from a live app-server. */
  read(): Promise<unknown>;
  /** Told of every change (to say so: a critical budget stops new work). */
  onChange?(change: BudgetChange, snapshot: BudgetSnapshot | null): void;
  /** Ms since the epoch (injected in tests). */
  now?(): number;
  /** How long to wait before reading again when critical with no known reset (default 60 s). */
  recheckMs?: number;
}

/** A slot of work granted by the pacer: release it when the request has ended. */
export type Release = () => void;

const DEFAULT_RECHECK_MS = 60_000;
/** A reset is read a little after it is due, so the server's figures have moved on. */
const AFTER_RESET_MS = 500;

/**
 * Paces work by the account's rate-limit budget: reads it at start and on every
 * `account/rateLimits/updated`, and lets as many requests be in flight as the tier allows (as
 * configured, one when tight, none when critical until the window resets, then reads again).
 */
export class BudgetPacer {
  readonly #options: BudgetPacerOptions;
  readonly #now: () => number;
  readonly #started: number;
  readonly #timeline: BudgetChange[] = [];
  readonly #waiting: Array<() => void> = [];
  #latest: RateLimitsResult | undefined;
  #snapshot: BudgetSnapshot | null = null;
  #limit = Infinity;
  #inFlight = 0;
  #waitedMs = 0;
  #reads = 0;
  #updates = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: BudgetPacerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#started = this.#now();
  }

  /** The tier now. */
  get tier(): Tier {
    return this.#snapshot?.tier ?? 'unknown';
  }

  /** Requests allowed in flight now (Infinity: as configured). */
  get limit(): number {
    return this.#limit;
  }

  /** Reads the budget once; resolves when the first tier is known (or the read failed: then as configured). */
  start(): Promise<void> {
    return this.refresh('read');
  }

  /** Follows `account/rateLimits/updated` on a connection (call it for every connection, restarts included). */
  watch(connection: AppServerConnection): void {
    connection.on('notification', (notification) => {
      if (notification.method !== RATE_LIMITS_UPDATED || this.#stopped) return;
      const parsed = RateLimitsUpdatedParamsSchema.safeParse(notification.params);
      if (!parsed.success) return;
      this.#updates++;
      this.#latest = mergeRateLimits(this.#latest, parsed.data.rateLimits);
      this.#apply('update', null);
    });
  }

  /** Reads the budget again and applies it; a failed read keeps what was known (dropping windows past their reset). */
  async refresh(source: BudgetSource): Promise<void> {
    let error: string | null = null;
    try {
      const result = RateLimitsResultSchema.safeParse(await this.#options.read());
      if (!result.success) throw new Error(`unexpected answer: ${result.error.issues[0]?.message ?? 'invalid'}`);
      this.#reads++;
      this.#latest = result.data;
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
    }
    if (!this.#stopped) this.#apply(source, error);
  }

  /**
   * Waits for room under the tier's limit; resolves with a release, or undefined when pacing
   * stopped (or `signal` aborted) first. Time spent waiting is counted, not timed as latency.
   */
  async acquire(signal?: AbortSignal): Promise<Release | undefined> {
    const asked = this.#now();
    while (!this.#stopped && !signal?.aborted && this.#inFlight >= this.#limit) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        this.#waiting.push(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    }
    this.#waitedMs += this.#now() - asked;
    if (this.#stopped || signal?.aborted) return undefined;
    this.#inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight--;
      this.#wake();
    };
  }

  /** Stops pacing: waiters are let go (with nothing), timers cleared. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#wake();
  }

  report(): BudgetReport {
    return { tier: this.tier, timeline: [...this.#timeline], waitedMs: Math.round(this.#waitedMs), reads: this.#reads, updates: this.#updates, snapshot: this.#snapshot };
  }

  /** Re-evaluates the last known figures now; records and announces a change of tier or limit. */
  #apply(source: BudgetSource, error: string | null): void {
    const nowMs = this.#now();
    const snapshot = this.#latest === undefined ? null : computeBudget(withoutPastWindows(this.#latest, nowMs / 1000), Math.floor(nowMs / 1000));
    const tier = snapshot?.tier ?? 'unknown';
    const limit = allowedInFlight(tier, Infinity);
    const until = snapshot === null ? null : criticalUntil(snapshot);
    const changed = this.#timeline.length === 0 || this.#timeline.at(-1)!.tier !== tier || this.#timeline.at(-1)!.limit !== finiteOrNull(limit);
    this.#snapshot = snapshot;
    this.#limit = limit;
    clearTimeout(this.#timer);
    if (limit === 0) {
      const wait = until === null ? (this.#options.recheckMs ?? DEFAULT_RECHECK_MS) : Math.max(0, until * 1000 - nowMs) + AFTER_RESET_MS;
      this.#timer = setTimeout(() => void this.refresh('reset'), wait);
      this.#timer.unref();
    }
    if (changed || error !== null) {
      const change: BudgetChange = {
        atMs: Math.round(nowMs - this.#started),
        at: new Date(nowMs).toISOString(),
        source,
        tier,
        limit: finiteOrNull(limit),
        windowKind: snapshot?.windowKind ?? null,
        usedPercent: snapshot?.usedPercent ?? null,
        until: until === null ? null : new Date(until * 1000).toISOString(),
        error,
      };
      if (changed) this.#timeline.push(change);
      this.#options.onChange?.(change, snapshot);
    }
    this.#wake();
  }

  #wake(): void {
    for (const wake of this.#waiting.splice(0)) wake();
  }
}

function finiteOrNull(limit: number): number | null {
  return Number.isFinite(limit) ? limit : null;
}

/** The figures with every window whose reset has passed left out: its usage no longer counts. */
function withoutPastWindows(result: RateLimitsResult, nowSec: number): RateLimitsResult {
  const freshen = (bucket: RateLimitsResult['rateLimits']) => ({
    ...bucket,
    primary: bucket.primary?.resetsAt != null && bucket.primary.resetsAt <= nowSec ? null : bucket.primary,
    secondary: bucket.secondary?.resetsAt != null && bucket.secondary.resetsAt <= nowSec ? null : bucket.secondary,
  });
  const byId = result.rateLimitsByLimitId == null ? result.rateLimitsByLimitId : Object.fromEntries(Object.entries(result.rateLimitsByLimitId).map(([key, bucket]) => [key, freshen(bucket)]));
  return { ...result, rateLimits: freshen(result.rateLimits), rateLimitsByLimitId: byId };
}
