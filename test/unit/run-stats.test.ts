import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { RunStats, type LatencyRecord } from '../../src/report/run-stats.js';
import type { RequestOutcome } from '../../src/runner/execute-request.js';

const item = (seq: number, warmup = false) => ({ seq, warmup });

function outcome(partial: Partial<RequestOutcome>): RequestOutcome {
  return { ok: true, result: {}, attempts: 1, overloaded: 0, timedOut: 0, latencyMs: 1, startedAt: 100, ...partial };
}

describe('RunStats', () => {
  it('adds up totals, retries and error kinds across outcomes', () => {
    const stats = new RunStats(0, 0);
    stats.add(0, item(0), outcome({ attempts: 3, overloaded: 2 }));
    stats.add(1, item(1), outcome({ ok: false, result: undefined, attempts: 2, overloaded: 1, timedOut: 1, error: { code: 'timeout', message: 'no reply' } }));
    stats.add(1, item(2), outcome({ ok: false, result: undefined, error: { code: -32600, message: 'bad' } }));
    stats.add(0, item(3), outcome({ ok: false, result: undefined, error: { code: 'timeout', message: 'no reply' } }));
    expect(stats.totals).toEqual({ total: 4, ok: 1, failed: 3, retries: 3, overloaded: 3, timedOut: 1 });
    expect(stats.errors.toArray()).toEqual([
      { code: 'timeout', message: 'no reply', count: 2 },
      { code: -32600, message: 'bad', count: 1 },
    ]);
  });

  it('keeps the first N outcomes whole as samples', () => {
    const stats = new RunStats(2, 0);
    stats.add(0, item(0), outcome({ result: { n: 0 }, latencyMs: 1.23456 }));
    stats.add(1, item(1), outcome({ ok: false, result: undefined, error: { code: -32600, message: 'bad' } }));
    stats.add(0, item(2), outcome({ result: { n: 2 } }));
    expect(stats.samples).toEqual([
      { instance: 0, latencyMs: 1.235, attempts: 1, result: { n: 0 } },
      { instance: 1, latencyMs: 1, attempts: 1, error: { code: -32600, message: 'bad' } },
    ]);
  });

  it('records latencies in a histogram that decodes with the same count and range', () => {
    const stats = new RunStats(0, 0);
    const latencies = [0.25, 1, 2.5, 10, 100, 1000];
    latencies.forEach((latencyMs, seq) => stats.add(0, item(seq), outcome({ latencyMs })));
    // Never sent (no instance left): no latency to record.
    stats.add(null, item(99), outcome({ ok: false, attempts: 0, latencyMs: 0, error: { code: 'unavailable', message: 'none' } }));
    const decoded = hdr.decodeFromCompressedBase64(stats.latency.encode());
    expect(decoded.totalCount).toBe(latencies.length);
    expect(decoded.minNonZeroValue).toBe(250);
    expect(Math.abs(decoded.maxValue - 1_000_000) / 1_000_000).toBeLessThan(0.001);
    const summary = stats.latency.summary();
    expect(summary.min).toBe(0.25);
    expect(summary.max).toBe(1000);
    expect(summary.mean).toBeCloseTo(latencies.reduce((a, b) => a + b) / latencies.length, 3);
    expect(summary.p50).toBeCloseTo(2.5, 1);
  });

  it('streams one record per outcome, relative to the phase start', () => {
    const records: LatencyRecord[] = [];
    const stats = new RunStats(0, 100, (record) => records.push(record));
    stats.add(3, item(7), outcome({ startedAt: 150.5, latencyMs: 2, attempts: 2, overloaded: 1 }));
    stats.add(null, item(8), outcome({ ok: false, attempts: 0, startedAt: 160, error: { code: 'unavailable', message: 'none' } }));
    expect(records).toEqual([
      { instance: 3, seq: 7, startMs: 50.5, latencyMs: 2, attempts: 2, ok: true },
      { instance: null, seq: 8, startMs: 60, latencyMs: 1, attempts: 0, ok: false, code: 'unavailable' },
    ]);
  });

  it('keeps warm-up requests out of every figure but the warm-up counts, records and timeline', () => {
    const records: LatencyRecord[] = [];
    const stats = new RunStats(5, 0, (record) => records.push(record));
    stats.add(0, item(0, true), outcome({ startedAt: 10, latencyMs: 500 }));
    stats.add(0, item(1, true), outcome({ ok: false, startedAt: 20, error: { code: -32001, message: 'x' } }));
    stats.add(0, item(2), outcome({ startedAt: 1500, latencyMs: 2 }));
    expect(stats.warmup).toEqual({ total: 2, ok: 1, failed: 1 });
    expect(stats.totals).toMatchObject({ total: 1, ok: 1, failed: 0 });
    expect(stats.latency.count).toBe(1);
    expect(stats.samples).toHaveLength(1);
    expect(stats.errors.toArray()).toEqual([]);
    expect(records.map((record) => record.warmup)).toEqual([true, true, undefined]);
    expect(stats.timeline.toArray().map((second) => second.completed)).toEqual([2, 1]);
  });
});

describe('LatencyRecorder', () => {
  it('never reports a percentile above the largest latency or below the smallest', async () => {
    const { LatencyRecorder } = await import('../../src/report/latency-recorder.js');
    const recorder = new LatencyRecorder();
    // 3 significant digits: 102.262 ms lies in a bucket whose top (102.271) is above it.
    for (let i = 0; i < 99; i++) recorder.record(6.361);
    recorder.record(102.262);
    const summary = recorder.summary();
    expect(summary.max).toBe(102.262);
    for (const value of [summary.p50, summary.p90, summary.p95, summary.p99, summary.p999]) {
      expect(value).toBeGreaterThanOrEqual(summary.min);
      expect(value).toBeLessThanOrEqual(summary.max);
    }
    expect(summary.p999).toBe(102.262);
  });

  it('summarises once until the next latency: what summarize() computed is what a report reads, and a later record is not missed', async () => {
    const { LatencyRecorder } = await import('../../src/report/latency-recorder.js');
    const recorder = new LatencyRecorder();
    recorder.record(5);
    const first = recorder.summary();
    const encoded = recorder.encode();
    // A copy each time: a caller changing its summary changes nobody else's.
    first.max = -1;
    expect(recorder.summary().max).toBe(5);
    expect(recorder.encode()).toBe(encoded);
    recorder.record(50);
    expect(recorder.summary().max).toBe(50);
    expect(hdr.decodeFromCompressedBase64(recorder.encode()).totalCount).toBe(2);
  });

  it('RunStats.summarize changes no figure, and the latency summary still follows a later outcome', () => {
    const stats = new RunStats(0, 0);
    stats.add(0, item(0), outcome({ latencyMs: 3, startedAt: 10 }));
    stats.summarize();
    expect(stats.latency.summary().max).toBe(3);
    expect(stats.timeline.toArray()[0]).toMatchObject({ completed: 1, max: 3 });
    stats.add(0, item(1), outcome({ latencyMs: 7, startedAt: 20 }));
    expect(stats.latency.summary()).toMatchObject({ min: 3, max: 7 });
    expect(hdr.decodeFromCompressedBase64(stats.latency.encode()).totalCount).toBe(2);
  });
});
