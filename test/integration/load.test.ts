import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LatencyRecord } from '../../src/report/run-stats.js';
import { cas, casRun, fixture } from '../helpers/cas-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cas-load-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('load testing with cas run', () => {
  it('holds --rate within a few percent, second by second', async () => {
    const { exitCode, report } = await casRun(['--instances', '2', '--method', 'thread/list', '--params', '{"limit":1}', '--rate', '200', '--duration', '3', '--concurrency', '8']);
    expect(exitCode).toBe(0);
    expect(report.rate).toBe(200);
    expect(Math.abs(report.requests.total - 600) / 600).toBeLessThan(0.03);
    expect(report.requests.ok).toBe(report.requests.total);
    const full = report.timeline.slice(0, 3);
    for (const second of full) expect(Math.abs(second.sent - 200) / 200).toBeLessThan(0.05);
    // Throughput is what was done over the phase's wall time (a backlog caught up after a stall may
    // briefly beat the rate, so no bound on it here: the schedule is checked by due time above).
    expect(report.throughputRps).toBeCloseTo((report.requests.total / report.wallMs) * 1000, 0);
  });

  it('counts latency from the due time, so a stalled server cannot hide its delay', async () => {
    // One slow instance (100 ms a reply, one at a time) asked for 20 requests a second: it falls behind.
    const homes = await mkdtemp(path.join(dir, 'stall-'));
    const args = ['--codex-bin', fixture('slow-first-home.mjs'), '--codex-arg=--delay-ms=100', '--codex-home', path.join(homes, 'home-{i}'), '--method', 'thread/list'];
    const open = await casRun([...args, '--rate', '20', '--duration', '1']);
    const closed = await casRun([...args, '--requests', '20']);
    expect(open.report.requests.ok).toBe(20);
    // One at a time (concurrency 1): closed-model latencies never overlap, so they sum to at most
    // the wall time; open-model ones count the queueing from each due time, so they overlap a lot.
    expect(closed.report.latencyMs.mean * 20).toBeLessThanOrEqual(closed.report.wallMs + 1);
    expect(open.report.latencyMs.mean * 20).toBeGreaterThan(open.report.wallMs * 2);
    // The last request was due at 950 ms and could not start before 19 x 100 ms: a floor, not a ceiling.
    expect(open.report.latencyMs.max).toBeGreaterThan(800);
    expect(open.report.latencyMs.p50).toBeGreaterThan(closed.report.latencyMs.p50 * 2);
  });

  it('leaves the warm-up out of the statistics but not out of the records', async () => {
    const records = path.join(dir, 'warmup.jsonl');
    const { report } = await casRun(['--method', 'thread/list', '--params', '{"limit":1}', '--rate', '100', '--warmup', '1', '--duration', '1', '--records', records]);
    expect(Math.abs(report.warmup.total - 100)).toBeLessThanOrEqual(3);
    expect(Math.abs(report.requests.total - 100)).toBeLessThanOrEqual(3);
    const lines = (await readFile(records, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as LatencyRecord);
    expect(lines).toHaveLength(report.warmup.total + report.requests.total);
    expect(lines.filter((line) => line.warmup === true)).toHaveLength(report.warmup.total);
    expect(report.timeline.reduce((sum, second) => sum + second.completed, 0)).toBe(lines.length);
  });

  it('exits 3 and says which threshold was crossed', async () => {
    const crossed = await cas(['run', '--method', 'thread/list', '--requests', '20', '--max-p99-ms', '0.001', '--max-error-rate', '0.5']);
    expect(crossed.exitCode).toBe(3);
    expect(crossed.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^cas: threshold crossed: p99 [\d.]+ ms > --max-p99-ms 0.001$/)]);
    const held = await casRun(['--method', 'thread/list', '--requests', '20', '--max-p99-ms', '60000', '--max-error-rate', '0']);
    expect(held.exitCode).toBe(0);
    expect(held.report.thresholds).toEqual([
      { name: 'max-p99-ms', limit: 60000, actual: held.report.latencyMs.p99, crossed: false },
      { name: 'max-error-rate', limit: 0, actual: 0, crossed: false },
    ]);
  });
});

describe('turns under load against the loopback model', () => {
  it('measures each turn to turn/completed and counts turns completed', async () => {
    const { exitCode, report } = await casRun([
      '--instances', '2', '--method', 'turn/start', '--mock-model', '--mock-delay-ms', '150', '--requests', '12', '--concurrency', '2', '--samples', '1',
    ]);
    expect(exitCode).toBe(0);
    expect(report.measuredTo).toBe('turn/completed');
    expect(report.requests).toMatchObject({ total: 12, ok: 12 });
    // One model request per turn, and no turn shorter than the model's delay: not timed to the turn/start reply.
    expect(report.mockModel).toMatchObject({ requests: 12, toolFollowUps: 0 });
    expect(report.latencyMs.min).toBeGreaterThan(150);
    expect(report.samples[0]!.result).toMatchObject({ turn: { status: 'completed' } });
  });
});
