import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppServerConnection } from '../../src/client/connection.js';
import { BudgetPacer } from '../../src/budget/budget-pacer.js';
import { allowedInFlight, computeBudget, criticalUntil, evaluateWindow, tierOf } from '../../src/budget/governor.js';
import { mergeRateLimits } from '../../src/budget/rate-limits.js';
import { pacedExecutor } from '../../src/runner/paced-executor.js';
import type { Instance } from '../../src/instance/instance.js';

const NOW = 1_800_000_000;
/** A window of `mins` minutes, `used`% spent, with `elapsedShare` of it gone by. */
const windowOf = (used: number, mins: number, elapsedShare: number) => ({ usedPercent: used, windowDurationMins: mins, resetsAt: NOW + Math.round(mins * 60 * (1 - elapsedShare)) });
const answer = (primary: unknown, secondary: unknown = null) => ({ rateLimits: { limitId: 'codex', primary, secondary }, rateLimitsByLimitId: { codex: { limitId: 'codex', primary, secondary } } });

describe('tiers', () => {
  it('compare the share used with the share of the window elapsed', () => {
    expect(tierOf(10, -40)).toEqual({ tier: 'surplus', reason: 'delta_le_-25' });
    expect(tierOf(30, -25)).toEqual({ tier: 'surplus', reason: 'delta_le_-25' });
    expect(tierOf(30, -10)).toEqual({ tier: 'ahead', reason: 'delta_le_-10' });
    expect(tierOf(50, 9.9)).toEqual({ tier: 'on_track', reason: 'delta_lt_10' });
    expect(tierOf(60, 10)).toEqual({ tier: 'tight', reason: 'delta_lt_25' });
    expect(tierOf(80, 25)).toEqual({ tier: 'critical', reason: 'delta_ge_25' });
  });

  it('make 95% used critical whatever the time, and say when the figures are missing', () => {
    expect(tierOf(95, -90)).toEqual({ tier: 'critical', reason: 'used_ge_95' });
    expect(tierOf(null, 0)).toEqual({ tier: 'unknown', reason: 'used_unknown' });
    expect(tierOf(40, null)).toEqual({ tier: 'unknown', reason: 'pacing_unknown' });
  });

  it('are computed per window from its length and reset time', () => {
    const half = evaluateWindow(windowOf(42, 300, 0.5), 'primary', NOW)!;
    expect(half).toMatchObject({ usedPercent: 42, elapsedPercent: 50, deltaPercent: -8, remainingMins: 150, tier: 'on_track', pacingOk: true });
    expect(evaluateWindow({ usedPercent: 42 }, 'secondary', NOW)).toMatchObject({ tier: 'unknown', effectiveTier: 'on_track', pacingOk: false, pacingReason: 'missing_fields' });
    expect(evaluateWindow(null, 'primary', NOW)).toBeNull();
  });
});

describe('computeBudget', () => {
  it('clamps to the stricter window', () => {
    const budget = computeBudget(answer(windowOf(5, 300, 0.5), windowOf(70, 10080, 0.5)), NOW);
    expect(budget.primary!.tier).toBe('surplus');
    expect(budget.secondary!.tier).toBe('tight');
    expect(budget).toMatchObject({ ok: true, tier: 'tight', windowKind: 'secondary', usedPercent: 70, bucketKey: 'codex', bucketSource: 'by_limit_id' });
  });

  it('on a tie prefers the longer window, and falls back to the single bucket', () => {
    const tie = computeBudget(answer(windowOf(40, 300, 0.5), windowOf(45, 10080, 0.5)), NOW);
    expect(tie).toMatchObject({ tier: 'on_track', windowKind: 'secondary' });
    const single = computeBudget({ rateLimits: { primary: windowOf(99, 300, 0.1), secondary: null } }, NOW);
    expect(single).toMatchObject({ bucketSource: 'single_bucket', bucketKey: null, tier: 'critical', tierReason: 'used_ge_95' });
  });

  it('is unknown (paced as on track) without windows or without an answer', () => {
    expect(computeBudget(answer(null, null), NOW)).toMatchObject({ ok: false, tier: 'unknown', effectiveTier: 'on_track', tierReason: 'window_missing' });
    expect(computeBudget('nonsense', NOW)).toMatchObject({ ok: false, bucketSource: 'invalid' });
  });

  it('picks the codex bucket among several', () => {
    const other = { limitId: 'other', primary: windowOf(99, 300, 0.5) };
    const codex = { limitId: 'codex', primary: windowOf(10, 300, 0.5) };
    expect(computeBudget({ rateLimits: other, rateLimitsByLimitId: { other, codex } }, NOW)).toMatchObject({ bucketKey: 'codex', tier: 'surplus' });
  });
});

describe('pacing', () => {
  it('allows as configured while the budget lasts, one when tight, none when critical', () => {
    for (const tier of ['surplus', 'ahead', 'on_track', 'unknown'] as const) expect(allowedInFlight(tier, 8)).toBe(8);
    expect(allowedInFlight('tight', 8)).toBe(1);
    expect(allowedInFlight('critical', 8)).toBe(0);
  });

  it('holds a critical budget until the critical window resets', () => {
    const budget = computeBudget(answer(windowOf(97, 300, 0.9), windowOf(20, 10080, 0.5)), NOW);
    expect(criticalUntil(budget)).toBe(NOW + 1800);
    expect(criticalUntil(computeBudget(answer(windowOf(20, 300, 0.5)), NOW))).toBeNull();
  });

  it('folds a sparse update into the last answer: what it leaves null stays known', () => {
    const first = answer(windowOf(20, 300, 0.5), windowOf(10, 10080, 0.5)) as Parameters<typeof mergeRateLimits>[0];
    const merged = mergeRateLimits(first, { limitId: 'codex', primary: { usedPercent: 96, windowDurationMins: 300, resetsAt: NOW + 60 }, secondary: null });
    expect(merged.rateLimitsByLimitId!.codex).toMatchObject({ primary: { usedPercent: 96 }, secondary: { usedPercent: 10 } });
    expect(merged.rateLimits).toMatchObject({ primary: { usedPercent: 96 } });
  });
});

describe('BudgetPacer', () => {
  afterEach(() => vi.useRealTimers());

  /** A pacer whose reads return the answers given, in turn, at a clock the test moves. */
  function pacer(...answers: unknown[]) {
    let nowMs = NOW * 1000;
    const reads: number[] = [];
    const changes: string[] = [];
    const budget = new BudgetPacer({
      read: async () => {
        reads.push(nowMs);
        const next = answers.length > 1 ? answers.shift() : answers[0];
        if (next instanceof Error) throw next;
        return next;
      },
      now: () => nowMs,
      onChange: (change) => changes.push(`${change.tier}:${change.limit}`),
    });
    return { budget, reads, changes, advance: (ms: number) => (nowMs += ms) };
  }

  it('lets one request at a time through when tight', async () => {
    const { budget } = pacer(answer(windowOf(70, 300, 0.5)));
    await budget.start();
    expect(budget.tier).toBe('tight');
    const first = await budget.acquire();
    let second: (() => void) | undefined;
    const waiting = budget.acquire().then((release) => (second = release));
    await Promise.resolve();
    expect(second).toBeUndefined();
    first!();
    await waiting;
    expect(second).toBeTypeOf('function');
    budget.stop();
  });

  it('dispatches nothing while critical, reads again once the window has reset, then lets work go', async () => {
    vi.useFakeTimers();
    const { budget, reads, changes, advance } = pacer(answer({ usedPercent: 97, windowDurationMins: 300, resetsAt: NOW + 60 }), answer(windowOf(0, 300, 0.5)));
    await budget.start();
    expect(budget.limit).toBe(0);
    let released = false;
    const held = budget.acquire().then((release) => {
      released = release !== undefined;
      release?.();
    });
    await vi.advanceTimersByTimeAsync(30_000);
    expect(released).toBe(false);
    advance(61_000);
    await vi.advanceTimersByTimeAsync(31_000);
    await held;
    expect(released).toBe(true);
    expect(reads).toHaveLength(2);
    expect(changes).toEqual(['critical:0', 'surplus:null']);
    expect(budget.report().timeline.map((change) => [change.source, change.tier, change.limit])).toEqual([
      ['read', 'critical', 0],
      ['reset', 'surplus', null],
    ]);
    budget.stop();
  });

  it('follows account/rateLimits/updated on every connection it watches', async () => {
    const { budget, changes } = pacer(answer(windowOf(10, 300, 0.5)));
    await budget.start();
    const connection = new EventEmitter() as unknown as AppServerConnection;
    budget.watch(connection);
    connection.emit('notification', { method: 'account/rateLimits/updated', params: { rateLimits: { limitId: 'codex', primary: windowOf(70, 300, 0.5), secondary: null } } });
    expect(budget.tier).toBe('tight');
    connection.emit('notification', { method: 'turn/started', params: {} });
    expect(changes).toEqual(['surplus:null', 'tight:1']);
    expect(budget.report()).toMatchObject({ reads: 1, updates: 1, tier: 'tight' });
    budget.stop();
  });

  it('paces as configured, and says why, when the budget cannot be read', async () => {
    const { budget } = pacer(new Error('no ChatGPT login'));
    await budget.start();
    expect(budget.limit).toBe(Infinity);
    expect(budget.report().timeline).toEqual([expect.objectContaining({ tier: 'unknown', limit: null, error: 'no ChatGPT login' })]);
    budget.stop();
  });

  it('lets waiters go empty-handed when pacing stops', async () => {
    const { budget } = pacer(answer({ usedPercent: 99, windowDurationMins: 300, resetsAt: NOW + 600 }));
    await budget.start();
    const waiting = budget.acquire();
    budget.stop();
    expect(await waiting).toBeUndefined();
  });
});

describe('pacedExecutor', () => {
  it('runs each job once the budget has room, leaving the wait out of its latency', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    try {
      const budget = new BudgetPacer({ read: async () => answer(windowOf(70, 300, 0.5)), now: () => NOW * 1000 });
      await budget.start();
      const startedAts: number[] = [];
      let inFlight = 0;
      let most = 0;
      const inner = {
        run: async (_instance: Instance, _slot: number, _job: unknown, startedAt: number) => {
          startedAts.push(startedAt);
          most = Math.max(most, ++inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight--;
          return { ok: true, attempts: 1, overloaded: 0, timedOut: 0, latencyMs: 5, startedAt };
        },
      };
      const paced = pacedExecutor(inner, budget);
      const asked = performance.now();
      const all = Promise.all([0, 1, 2].map((slot) => paced.run({} as Instance, slot, { method: 'thread/list', params: {} }, asked)));
      await vi.advanceTimersByTimeAsync(15);
      expect((await all).every((outcome) => outcome.ok)).toBe(true);
      // Tight: one at a time; each later job's clock starts when it got its turn, not when it asked.
      expect(most).toBe(1);
      expect(startedAts.map((at) => at - asked)).toEqual([0, 5, 10]);
      budget.stop();
      expect(await paced.run({} as Instance, 0, { method: 'thread/list', params: {} }, asked)).toMatchObject({ ok: false, error: { code: 'interrupted' }, attempts: 0 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('is the executor itself without pacing', () => {
    const inner = { run: vi.fn() };
    expect(pacedExecutor(inner, undefined)).toBe(inner);
  });
});
