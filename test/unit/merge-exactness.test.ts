import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as hdr from 'hdr-histogram-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LatencyMerge } from '../../src/merge/latency-merge.js';
import { mergeReports } from '../../src/merge/merge-reports.js';
import { LatencyRecorder } from '../../src/report/latency-recorder.js';
import { RunStats } from '../../src/report/run-stats.js';
import type { RequestOutcome } from '../../src/runner/execute-request.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-exact-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A small seeded PRNG (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Latencies as a loaded server gives them: mostly a few ms, a slow tail, rare stalls of seconds. */
function latency(next: () => number): number {
  const u = next();
  if (u < 0.005) return 1000 + next() * 4000;
  if (u < 0.05) return 50 + next() * 400;
  return 0.2 + -Math.log(1 - next()) * 3;
}

interface Request {
  outcome: RequestOutcome;
  warmup: boolean;
}

/** `count` requests over about `seconds` seconds, some failed, some retried, in the order they end. */
function requests(seed: number, count: number, seconds: number): Request[] {
  const next = random(seed);
  const list: Request[] = [];
  for (let i = 0; i < count; i++) {
    const startedAt = next() * seconds * 1000;
    const failed = next() < 0.03;
    const attempts = next() < 0.1 ? 2 + Math.floor(next() * 3) : 1;
    list.push({
      warmup: startedAt < 500,
      outcome: {
        ok: !failed,
        result: failed ? undefined : { n: i },
        error: failed ? { code: next() < 0.5 ? -32001 : 'timeout', message: next() < 0.5 ? 'Server overloaded; retry later.' : 'no reply in time' } : undefined,
        attempts,
        overloaded: attempts - 1,
        timedOut: failed ? 1 : 0,
        latencyMs: latency(next),
        startedAt,
      },
    });
  }
  return list.sort((a, b) => a.outcome.startedAt + a.outcome.latencyMs - (b.outcome.startedAt + b.outcome.latencyMs));
}

/** A cas run report of these statistics, as `cas run --shard` writes it (the fields a merge reads). */
function report(stats: RunStats, shard: { index: number; count: number }, phaseStartedAt: string) {
  return {
    codex: { path: '/bin/codex', source: 'bundled', userAgent: 'cas/test' },
    method: 'thread/list',
    params: { limit: 1 },
    instances: { requested: 1, started: 1, restarts: 0, failed: [] },
    requests: { ...stats.totals },
    errors: stats.errors.toArray(),
    latencyMs: stats.latency.summary(),
    histogram: stats.latency.encode(),
    throughputRps: 0,
    wallMs: 10_000,
    startupWallMs: 200,
    startedAt: phaseStartedAt,
    phaseStartedAt,
    shard: { ...shard, jobId: 'exact' },
    interrupted: false,
    serverRequests: [],
    mockModel: null,
    perInstance: [{ index: 0 }],
    rate: 100 / shard.count,
    measuredTo: 'reply',
    warmup: { ms: 500, ...stats.warmup },
    thresholds: [{ name: 'max-p99-ms', limit: 100, actual: 0, crossed: false }],
    startAt: phaseStartedAt,
    timeline: stats.timeline.toArray(),
    timelineHistograms: stats.timeline.histograms(),
    samples: stats.samples,
  };
}

const byCode = <T extends { code: unknown; message: string }>(list: T[]) => [...list].sort((a, b) => `${a.code}${a.message}`.localeCompare(`${b.code}${b.message}`));

describe('merging shards is exact', () => {
  it.each([
    [1, 2, 4000],
    [2, 4, 20000],
    [3, 7, 9999],
  ])('seed %i, %i shards, %i requests: every percentile of the merged histograms equals one histogram of all', (seed, count, n) => {
    const single = new LatencyRecorder();
    const shards = Array.from({ length: count }, () => new LatencyRecorder());
    const next = random(seed * 31);
    for (const { outcome } of requests(seed, n, 10)) {
      single.record(outcome.latencyMs);
      shards[Math.floor(next() * count)]!.record(outcome.latencyMs);
    }
    const merged = new LatencyMerge();
    shards.forEach((shard, index) => merged.add(shard.summary(), shard.encode(), `shard ${index}`));
    const expected = single.summary();
    const actual = merged.summary();
    expect(merged.count).toBe(n);
    for (const key of ['min', 'p50', 'p90', 'p95', 'p99', 'p999', 'max'] as const) expect(actual[key], key).toBe(expected[key]);
    expect(actual.mean).toBeCloseTo(expected.mean, 2);
    // The merged histogram itself is the single one, bucket by bucket.
    const a = hdr.decodeFromCompressedBase64(merged.encode());
    const b = hdr.decodeFromCompressedBase64(single.encode());
    expect(a.totalCount).toBe(b.totalCount);
    for (const percentile of [1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100]) expect(a.getValueAtPercentile(percentile)).toBe(b.getValueAtPercentile(percentile));
  });

  it('merges whole reports: counters, errors, latency and the timeline equal a single run over the same requests', async () => {
    const count = 4;
    const origin = 1_000;
    const phaseStartedAt = new Date(Date.UTC(2030, 0, 1)).toISOString();
    const single = new RunStats(0, origin);
    const shards = Array.from({ length: count }, () => new RunStats(2, origin));
    const next = random(99);
    requests(7, 12_000, 12).forEach(({ outcome, warmup }, seq) => {
      const shifted = { ...outcome, startedAt: outcome.startedAt + origin };
      single.add(0, { seq, warmup }, shifted);
      shards[Math.floor(next() * count)]!.add(0, { seq, warmup }, shifted);
    });
    const files = await Promise.all(
      shards.map(async (stats, index) => {
        const file = path.join(dir, `exact-${index}.json`);
        await writeFile(file, JSON.stringify(report(stats, { index, count }, phaseStartedAt)));
        return file;
      }),
    );
    const merged = await mergeReports([...files].reverse());
    if (merged.kind !== 'run') throw new Error('not a run');
    const { report: result } = merged;
    expect(result.requests).toEqual(single.totals);
    expect(result.warmup).toEqual({ ms: 500, ...single.warmup });
    expect(byCode(result.errors)).toEqual(byCode(single.errors.toArray()));
    const expected = single.latency.summary();
    for (const key of ['min', 'p50', 'p90', 'p95', 'p99', 'p999', 'max'] as const) expect(result.latencyMs[key], key).toBe(expected[key]);
    expect(result.timeline).toEqual(single.timeline.toArray());
    expect(result.rate).toBe(100);
    expect(result.merged).toEqual({ shards: count, jobId: 'exact', reports: files });
    expect(result.samples.map((sample) => sample.shard)).toEqual([0, 0]);
    // The shards' limit is checked again, on the merged p99.
    expect(result.thresholds).toEqual([{ name: 'max-p99-ms', limit: 100, actual: expected.p99, crossed: expected.p99 > 100 }]);
  });

  it('never shows a percentile beyond min or max, though a histogram bucket reaches past them', () => {
    const recorder = new LatencyRecorder();
    for (let i = 0; i < 100; i++) recorder.record(102.262);
    const raw = hdr.decodeFromCompressedBase64(recorder.encode()).getValueAtPercentile(99) / 1000;
    expect(raw).toBeGreaterThan(102.262); // the bucket's top: why the clamp is needed
    const summary = recorder.summary();
    expect(summary.p99).toBe(102.262);
    expect(summary.max).toBe(102.262);
    const merged = new LatencyMerge();
    merged.add(summary, recorder.encode(), 'one');
    merged.add(summary, recorder.encode(), 'two');
    expect(merged.summary()).toMatchObject({ min: 102.262, p50: 102.262, p999: 102.262, max: 102.262 });
  });
});
