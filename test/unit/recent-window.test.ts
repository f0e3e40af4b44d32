import { describe, expect, it } from 'vitest';
import { RecentWindow } from '../../src/report/recent-window.js';

describe('RecentWindow', () => {
  it('gives the rate of the last seconds, not the average since the start', () => {
    const window = new RecentWindow(0, 10_000, 250);
    // 10 s at 100/s, then 5 s at 1,000/s: the average since the start would say 400/s.
    for (let at = 0; at < 10_000; at += 10) window.add(at, 5);
    for (let at = 10_000; at < 15_000; at += 1) window.add(at, 5);
    const summary = window.summary(15_000, 5000);
    expect(summary.rate).toBeGreaterThan(950);
    expect(summary.rate).toBeLessThan(1050);
  });

  it('spreads the rate over the time since the origin only, early on', () => {
    const window = new RecentWindow(1000, 10_000, 250);
    for (let at = 1000; at < 2000; at += 10) window.add(at, 1);
    expect(window.summary(2000, 5000).rate).toBeCloseTo(100, 0);
  });

  it('has no rate at the origin and no percentiles before a completion', () => {
    const window = new RecentWindow(500);
    expect(window.summary(500)).toEqual({ rate: null, p50: null, p99: null, count: 0 });
  });

  it('forgets latencies older than the window: p99 follows a recovery', () => {
    const window = new RecentWindow(0, 10_000, 250);
    for (let at = 0; at < 5000; at += 10) window.add(at, 500);
    expect(window.summary(5000).p99).toBeGreaterThan(450);
    for (let at = 5000; at < 20_000; at += 10) window.add(at, 2);
    const summary = window.summary(20_000);
    expect(summary.p99).toBeLessThan(2.1);
    expect(summary.count).toBeLessThanOrEqual(1025);
  });

  it('reads p50 and p99 within a few percent and never outside the min and max', () => {
    const window = new RecentWindow(0);
    for (let i = 1; i <= 1000; i++) window.add(i, i / 10);
    const { p50, p99 } = window.summary(1000);
    expect(p50! / 50).toBeGreaterThan(0.97);
    expect(p50! / 50).toBeLessThan(1.03);
    expect(p99! / 99).toBeGreaterThan(0.97);
    expect(p99!).toBeLessThanOrEqual(100);
    const single = new RecentWindow(0);
    single.add(10, 110.015);
    expect(single.summary(20)).toMatchObject({ p50: 110.015, p99: 110.015 });
  });
});
