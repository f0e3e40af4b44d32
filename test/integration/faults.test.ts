import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { casRun, fixture, isAlive } from '../helpers/cas-cli.js';

describe('faults the real server will not show on demand', () => {
  it('retries a fixed number of -32001 replies until every request is ok', async () => {
    const { exitCode, report } = await casRun([
      '--codex-bin', fixture('overload-n-times.mjs'), '--codex-arg=--overloads=5',
      '--instances', '2', '--method', 'thread/list', '--requests', '20', '--concurrency', '3',
    ]);
    expect(exitCode).toBe(0);
    expect(report.requests).toEqual({ total: 20, ok: 20, failed: 0, retries: 10, overloaded: 10, timedOut: 0 });
    expect(report.perInstance.map((instance) => instance.overloaded)).toEqual([5, 5]);
  });

  it('fails a request whose retries run out, with the -32001 counted', async () => {
    const { exitCode, report } = await casRun([
      '--codex-bin', fixture('overload-n-times.mjs'), '--codex-arg=--overloads=1000',
      '--method', 'thread/list', '--requests', '3', '--retries', '2', '--backoff-base-ms', '1', '--backoff-max-ms', '2',
    ]);
    expect(exitCode).toBe(1);
    expect(report.requests).toEqual({ total: 3, ok: 0, failed: 3, retries: 6, overloaded: 9, timedOut: 0 });
    expect(report.errors).toEqual([{ code: -32001, message: 'Server overloaded; retry later.', count: 3 }]);
  });

  it('times out a request never answered: read methods are retried, others are not', async () => {
    // Recycling a silent server is its own test (reliability): here, only the timeout rules.
    const timing = ['--request-timeout-ms', '150', '--retries', '2', '--backoff-base-ms', '1', '--backoff-max-ms', '2', '--max-consecutive-timeouts', '0'];
    const read = await casRun(['--codex-bin', fixture('never-answers.mjs'), '--method', 'thread/list', '--requests', '2', '--concurrency', '2', ...timing]);
    expect(read.exitCode).toBe(1);
    expect(read.report.requests).toEqual({ total: 2, ok: 0, failed: 2, retries: 4, overloaded: 0, timedOut: 6 });
    expect(read.report.errors).toEqual([{ code: 'timeout', message: 'thread/list got no reply within 150 ms', count: 2 }]);

    const write = await casRun(['--codex-bin', fixture('never-answers.mjs'), '--method', 'thread/start', '--requests', '2', ...timing]);
    expect(write.report.requests).toEqual({ total: 2, ok: 0, failed: 2, retries: 0, overloaded: 0, timedOut: 2 });
  });

  it('skips and counts garbage on stdout without losing a reply', async () => {
    const { exitCode, report } = await casRun(['--codex-bin', fixture('garbage-stdout.mjs'), '--method', 'thread/list', '--requests', '14']);
    expect(exitCode).toBe(0);
    expect(report.requests.ok).toBe(14);
    // 'booting...', 5 bad lines per 7 replies, and the line cut off at exit.
    expect(report.perInstance[0]!.skippedLines).toBe(12);
  });

  it('reports an app-server that exits at start, with its stderr, and runs nothing', async () => {
    const { exitCode, report, stderr } = await casRun([
      '--codex-bin', fixture('exit-at-start.mjs'), '--instances', '2', '--method', 'thread/list', '--startup-retries', '1', '--backoff-base-ms', '1',
    ]);
    expect(exitCode).toBe(1);
    expect(report.instances.started).toBe(0);
    expect(report.instances.failed.map((failure) => failure.index)).toEqual([0, 1]);
    expect(report.instances.failed[0]!.error).toMatch(/exit-at-start\.mjs: .*exited with code 3; stderr: .*database is locked/);
    expect(report.requests).toMatchObject({ total: 2, failed: 2 });
    expect(report.errors).toEqual([{ code: 'unavailable', message: 'no app-server instance available', count: 2 }]);
    expect(stderr.trim().split('\n')).toHaveLength(2);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects pending requests at once when the app-server dies, and accounts for every request', async () => {
    const { exitCode, report } = await casRun([
      '--codex-bin', fixture('crash-after.mjs'), '--codex-arg=--answers=2',
      '--method', 'thread/list', '--requests', '10', '--concurrency', '4', '--request-timeout-ms', '60000', '--max-restarts', '0',
    ]);
    expect(exitCode).toBe(1);
    expect(report.requests).toMatchObject({ total: 10, ok: 2, failed: 8, timedOut: 0 });
    const codes: Record<string, number> = {};
    for (const error of report.errors) codes[error.code] = (codes[error.code] ?? 0) + error.count;
    expect(codes.exited).toBeGreaterThan(0);
    expect((codes.exited ?? 0) + (codes.unavailable ?? 0)).toBe(8);
    expect(report.perInstance[0]!.status).toBe('exited');
    expect(isAlive(report.perInstance[0]!.pid!)).toBe(false);
  });
});

describe('what a client owes the server', () => {
  it('answers every server request at once by the default policy, so the server never waits on cas', async () => {
    const { exitCode, report } = await casRun([
      '--codex-bin', fixture('asks-client.mjs'), '--method', 'thread/list', '--requests', '4', '--concurrency', '2',
      '--samples', '1', '--request-timeout-ms', '5000',
    ]);
    expect(exitCode).toBe(0);
    // cas hosts no dynamic tools: the call is refused at once, and counted.
    expect(report.samples[0]!.result).toEqual({
      clientAnswered: { id: 'ask-1', result: { contentItems: [{ type: 'inputText', text: 'cas hosts no dynamic tools: this call was not run' }], success: false } },
    });
    expect(report.serverRequests).toEqual([{ method: 'item/tool/call', decision: 'fixed', count: 4 }]);
  });

  it('lets free slots pull work, so a slow instance does not stall the fast one', async () => {
    const homes = await mkdtemp(path.join(os.tmpdir(), 'cas-slow-'));
    const { report } = await casRun([
      '--codex-bin', fixture('slow-first-home.mjs'), '--codex-arg=--delay-ms=200', '--codex-home', path.join(homes, 'home-{i}'),
      '--instances', '2', '--method', 'thread/list', '--requests', '60',
    ]);
    await rm(homes, { recursive: true, force: true });
    expect(report.requests.ok).toBe(60);
    const [slow, fast] = report.perInstance;
    // In the time the slow one answers a few, the fast one takes the rest: the fast one took more
    // whatever each request's overhead on this machine (it pays it too, but not the 200 ms).
    expect(slow!.requests).toBeLessThan(fast!.requests);
    expect(fast!.requests).toBe(60 - slow!.requests);
  });
});
