import { describe, expect, it } from 'vitest';
import { formatProgress, plural } from '../../src/cli/progress/format-progress.js';
import type { ProgressState } from '../../src/cli/progress/progress-state.js';
import { batchSampler, mineSampler, runSampler } from '../../src/cli/progress/progress-sampler.js';
import { createProgressDisplay } from '../../src/cli/progress/progress-display.js';
import { TtyRenderer } from '../../src/cli/progress/tty-renderer.js';
import { RunStats } from '../../src/report/run-stats.js';
import type { RunProgress } from '../../src/runner/run-method.js';
import type { HomeProgressSnapshot } from '../../src/mine/mine-progress.js';

const base: ProgressState = {
  phase: 'measuring',
  instances: 4,
  elapsedMs: 12_000,
  unit: 'requests',
  done: 3981,
  total: 15_000,
  durationMs: null,
  rate: 1312.4,
  targetRate: 1500,
  latency: { p50: 3.14, p99: 12.2, windowMs: 10_000 },
  etaMs: 8400,
  failed: 0,
  errors: [],
  retries: 0,
  overloaded: 0,
};

/** A clock the test moves by hand. */
function clock(start = 1000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function stats(origin: number) {
  return new RunStats(0, origin);
}

describe('formatProgress', () => {
  it('shows phase, count of total, ETA, recent rate beside the target and p50/p99', () => {
    expect(formatProgress(base)).toEqual([
      'cas: measuring · 3,981/15,000 requests (26%) · 12s · ETA 8s',
      '  1,312 req/s now (target 1,500) · p50 3.1 ms · p99 12 ms (last 10s) · 0 errors',
    ]);
  });

  it('says how many instances are starting, with no counts yet', () => {
    expect(formatProgress({ ...base, phase: 'starting', instances: 1, elapsedMs: 3000 })).toEqual(['cas: starting 1 instance · 3s']);
    expect(formatProgress({ ...base, phase: 'starting', elapsedMs: 0 })[0]).toBe('cas: starting 4 instances · 0s');
  });

  it('shows time out of the duration when time-bound, and no target without --rate', () => {
    const lines = formatProgress({ ...base, total: null, durationMs: 30_000, targetRate: null, latency: null, rate: null, etaMs: 18_000 });
    expect(lines[0]).toBe('cas: measuring · 3,981 requests · 12s/30s · ETA 18s');
    expect(lines[1]).toBe('  - req/s now · 0 errors');
    // Past the planned end (an open model still sending what fell due): said, not clamped.
    expect(formatProgress({ ...base, total: null, durationMs: 30_000, elapsedMs: 33_000, etaMs: null })[0]).toBe('cas: measuring · 3,981 requests · 33s (30s planned)');
    expect(formatProgress({ ...base, latency: { p50: 1338.4, p99: 0.42, windowMs: 10_000 } })[1]).toContain('p50 1,338 ms · p99 0.42 ms');
  });

  it('gets plurals right and lists errors by kind, retries and overloads', () => {
    const one = formatProgress({ ...base, failed: 1, errors: [{ kind: 'timeout', count: 1 }], retries: 1, overloaded: 1 });
    expect(one[1]).toMatch(/· 1 error · 1 retry · 1 overload$/);
    expect(one[2]).toBe('  errors: 1 timeout');
    const many = formatProgress({
      ...base,
      failed: 7,
      retries: 3,
      overloaded: 2,
      errors: [
        { kind: 'timeout', count: 3 },
        { kind: '-32600 Invalid request', count: 2 },
        { kind: 'exited', count: 1 },
        { kind: 'bad-input', count: 1 },
      ],
    });
    expect(many[1]).toMatch(/· 7 errors · 3 retries · 2 overloads$/);
    expect(many[2]).toBe('  errors: 3 timeout · 2 -32600 Invalid request · 1 exited · 1 more kind');
    expect([plural(0, 'error'), plural(2, 'retry'), plural(1, 'home'), plural(1200, 'line')]).toEqual(['0 errors', '2 retries', '1 home', '1,200 lines']);
  });

  it('shows batch lines read, written and pending', () => {
    const lines = formatProgress({ ...base, phase: 'running', unit: 'lines', total: null, targetRate: null, etaMs: null, lines: { read: 120, written: 100, pending: 20 } });
    expect(lines[0]).toBe('cas: running · 120 lines read, 100 written, 20 pending · 12s');
    expect(lines[1]).toMatch(/^ {2}1,312 lines\/s now · p50/);
    const file = formatProgress({ ...base, phase: 'running', unit: 'lines', total: null, etaMs: 95_000, lines: { read: 120, written: 100, pending: 20, share: 0.4 } });
    expect(file[0]).toBe('cas: running · 120 lines read (40% of the input), 100 written, 20 pending · 12s · ETA 1m35s');
    // A file that grew while it was read never shows more than all of it.
    expect(formatProgress({ ...base, unit: 'lines', lines: { read: 9, written: 9, pending: 0, share: 1.3 } })[0]).toContain('9 lines read (100% of the input)');
  });

  it('shows each home of a mine, and sums up the rest past a few', () => {
    const home = (name: string, phase: string) => ({ name, phase, listed: 10, read: 5, written: 4, total: 20, failed: 0 });
    const two = formatProgress({ ...base, unit: 'threads', phase: 'listing', homes: [home('a', 'listing'), { ...home('b', 'done'), failed: 1, total: null }] });
    expect(two.slice(-2)).toEqual(['  a: listing, 10 listed, 5 read, 4/20 written', '  b: done, 10 listed, 5 read, 4 written, 1 failed']);
    const homes = Array.from({ length: 9 }, (_, i) => home(`h${i}`, i < 3 ? 'listing' : 'done'));
    const lines = formatProgress({ ...base, unit: 'threads', homes });
    expect(lines.filter((line) => line.startsWith('  h'))).toHaveLength(3);
    expect(lines.at(-1)).toBe('  ... 6 more homes (6 done)');
  });

  it('never draws a line wider than the terminal', () => {
    const lines = formatProgress({ ...base, errors: [{ kind: 'x'.repeat(300), count: 1 }], failed: 1 }, 40);
    for (const line of lines) expect(line.length).toBeLessThan(40);
  });
});

describe('samplers', () => {
  it('run: starting, warm-up, measuring and draining, with the clock moving between events', () => {
    const time = clock();
    const sampler = runSampler(200, time.now);
    const event = (fields: Partial<RunProgress>): RunProgress => ({ phase: 'running', done: 0, failed: 0, total: undefined, durationMs: 12_000, elapsedMs: 0, instances: 2, warmupMs: 2000, ...fields });
    sampler.update(event({ phase: 'starting' }));
    time.advance(1500);
    expect(sampler.state()).toMatchObject({ phase: 'starting', instances: 2, elapsedMs: 1500 });
    const live = stats(time.now());
    live.add(0, { seq: 0, warmup: true }, { ok: true, result: {}, attempts: 1, overloaded: 0, timedOut: 0, latencyMs: 5, startedAt: time.now() });
    sampler.update(event({ elapsedMs: 1000, stats: live }));
    // The warm-up shows what it has sent: the measured count is still 0.
    expect(sampler.state()).toMatchObject({ phase: 'warm-up', targetRate: 200, etaMs: 11_000, done: 1 });
    time.advance(1500);
    // No event for 1.5 s: the display's clock still moves on, out of the warm-up.
    expect(sampler.state()).toMatchObject({ phase: 'measuring', elapsedMs: 2500, etaMs: 9500, done: 0 });
    sampler.update(event({ elapsedMs: 12_100, draining: true }));
    expect(sampler.state()).toMatchObject({ phase: 'draining', etaMs: null });
    sampler.update(event({ phase: 'closing', elapsedMs: 12_100 }));
    expect(sampler.state()!.phase).toBe('closing');
  });

  it('run: recent rate, p50/p99, errors by kind, retries and overloads come from the live statistics; ETA from the count', () => {
    const time = clock(0);
    const live = stats(0);
    for (let i = 0; i < 400; i++) {
      const ok = i % 100 !== 0;
      live.add(0, { seq: i, warmup: false }, {
        ok,
        ...(ok ? { result: {} } : { error: { code: 'timeout' as const, message: `no reply in ${i} ms` } }),
        attempts: i % 50 === 0 ? 2 : 1,
        overloaded: i % 50 === 0 ? 1 : 0,
        timedOut: 0,
        latencyMs: 10,
        startedAt: i * 10,
      });
    }
    time.advance(4000);
    const sampler = runSampler(null, time.now);
    sampler.update({ phase: 'running', done: 400, failed: 4, total: 1200, durationMs: undefined, elapsedMs: 4000, stats: live });
    const state = sampler.state()!;
    expect(state.rate).toBeCloseTo(100, 0);
    expect(state.latency).toMatchObject({ p50: 10, p99: 10 });
    expect(state.errors).toEqual([{ kind: 'timeout', count: 4 }]);
    expect(state).toMatchObject({ retries: 8, overloaded: 8, failed: 4 });
    expect(state.etaMs! / 8000).toBeCloseTo(1, 1);
  });

  it('batch: pending is read minus written', () => {
    const sampler = batchSampler(clock().now);
    sampler.update({ phase: 'running', done: 30, failed: 1, elapsedMs: 500, read: 50, draining: false });
    expect(sampler.state()).toMatchObject({ phase: 'running', lines: { read: 50, written: 30, pending: 20 }, etaMs: null, unit: 'lines' });
    sampler.update({ phase: 'running', done: 40, failed: 1, elapsedMs: 600, read: 50, draining: true });
    expect(sampler.state()!.phase).toBe('draining');
  });

  it('batch: an ETA from the share of a file read, or once the input has ended; none from a pipe still open', () => {
    const time = clock(0);
    const live = stats(0);
    // 100 lines/s over the last 4 s.
    for (let i = 0; i < 400; i++) live.add(0, { seq: i, warmup: false }, { ok: true, result: {}, attempts: 1, overloaded: 0, timedOut: 0, latencyMs: 2, startedAt: i * 10 });
    time.advance(4000);
    const sampler = batchSampler(time.now);
    const event = { phase: 'running' as const, done: 400, failed: 0, elapsedMs: 4000, read: 500, draining: false, stats: live };
    sampler.update(event);
    expect(sampler.state()).toMatchObject({ etaMs: null });
    expect(sampler.state()!.lines!.share).toBeUndefined();
    // A quarter of the file's bytes read in 500 lines: about 2,000 lines in all, 1,600 to write at 100/s.
    sampler.update({ ...event, input: { bytes: 40_000, read: 10_000 } });
    expect(sampler.state()!.lines).toMatchObject({ read: 500, written: 400, pending: 100, share: 0.25 });
    expect(sampler.state()!.etaMs! / 16_000).toBeCloseTo(1, 1);
    // The input has ended: what is pending is all that is left.
    sampler.update({ ...event, draining: true });
    expect(sampler.state()!.etaMs! / 1000).toBeCloseTo(1, 1);
    // An empty file is all read at once; closing has no ETA.
    sampler.update({ ...event, done: 0, read: 0, input: { bytes: 0, read: 0 } });
    expect(sampler.state()).toMatchObject({ etaMs: 0, lines: { share: 1 } });
    sampler.update({ ...event, phase: 'closing', input: { bytes: 40_000, read: 40_000 } });
    expect(sampler.state()!.etaMs).toBeNull();
  });

  it('mine: an ETA only once every home has a total; per-home counts', () => {
    const sampler = mineSampler(2, clock().now);
    const home = (fields: Partial<HomeProgressSnapshot>): HomeProgressSnapshot => ({ home: 'h', phase: 'listing', listed: 5, read: 5, written: 5, failed: 0, pages: 1, total: null, rate: 10, etaMs: null, ...fields });
    sampler.update({ phase: 'starting', elapsedMs: 0, listed: 0, read: 0, written: 0, failed: 0, homes: [home({ home: 'a' }), home({ home: 'b' })] });
    expect(sampler.state()).toMatchObject({ phase: 'starting', instances: 4 });
    sampler.update({ phase: 'running', elapsedMs: 1000, listed: 10, read: 10, written: 10, failed: 0, homes: [home({ home: 'a', total: 20, etaMs: 1500 }), home({ home: 'b' })] });
    expect(sampler.state()).toMatchObject({ phase: 'listing', total: null, etaMs: null, rate: 20 });
    sampler.update({ phase: 'running', elapsedMs: 2000, listed: 10, read: 10, written: 10, failed: 0, homes: [home({ home: 'a', total: 20, etaMs: 1500, phase: 'done' }), home({ home: 'b', total: 30, etaMs: 2500 })] });
    expect(sampler.state()).toMatchObject({ total: 50, etaMs: 2500 });
    expect(sampler.state()!.homes!.map((h) => h.name)).toEqual(['a', 'b']);
  });
});

/** A terminal stand-in that keeps what was written. */
function terminal(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 100, write: (text: string) => writes.push(text) } };
}

/** Timers the test fires by hand. */
function manualTimers() {
  const callbacks: Array<() => void> = [];
  return { callbacks, timers: { setInterval: (callback: () => void) => (callbacks.push(callback), {}), clearInterval: () => callbacks.splice(0) } };
}

describe('display and renderer', () => {
  it('writes nothing at all when the stream is not a terminal, or when disabled', () => {
    for (const [enabled, tty] of [[true, false], [false, true]] as const) {
      const { writes, stream } = terminal(tty);
      const display = createProgressDisplay(enabled, runSampler(null, clock().now), stream, manualTimers().timers);
      display.update({ phase: 'starting', done: 0, failed: 0, total: 1, durationMs: undefined, elapsedMs: 0 });
      display.stop();
      expect(writes).toEqual([]);
    }
  });

  it('draws a new phase at once, counts on the timer, in place; erases itself at stop, leaving a clean line', () => {
    const { writes, stream } = terminal(true);
    const time = clock();
    const { callbacks, timers } = manualTimers();
    const display = createProgressDisplay(true, runSampler(null, time.now), stream, timers);
    const running = (done: number): RunProgress => ({ phase: 'running', done, failed: 0, total: 10, durationMs: undefined, elapsedMs: 100, stats: live });
    const live = stats(time.now());
    display.update({ phase: 'starting', done: 0, failed: 0, total: 10, durationMs: undefined, elapsedMs: 0, instances: 3 });
    expect(writes).toEqual(['\r\u001b[2Kcas: starting 3 instances · 0s\u001b[J']);
    display.update(running(4));
    // One line on screen: back to its start, then the two lines of the new phase.
    expect(writes.at(-1)).toMatch(/^\r\u001b\[2Kcas: measuring · 4\/10 requests \(40%\)[^\n]*\n\u001b\[2K {2}- req\/s now · 0 errors\u001b\[J$/);
    display.update(running(5));
    expect(writes).toHaveLength(2);
    time.advance(300);
    callbacks[0]!();
    expect(writes).toHaveLength(3);
    expect(writes.at(-1)!.startsWith('\r\u001b[1A\u001b[2Kcas: measuring · 5/10 requests (50%)')).toBe(true);
    // Nothing changed: nothing written.
    callbacks[0]!();
    expect(writes).toHaveLength(3);
    display.stop();
    expect(writes.at(-1)).toBe('\r\u001b[1A\u001b[J');
    expect(callbacks).toEqual([]);
    display.update(running(6));
    expect(writes).toHaveLength(4);
  });

  it('writes a message above the display: erased first, drawn again after it on the next tick', () => {
    const { writes, stream } = terminal(true);
    const { callbacks, timers } = manualTimers();
    const display = createProgressDisplay(true, runSampler(null, clock().now), stream, timers);
    display.update({ phase: 'running', done: 1, failed: 0, total: 10, durationMs: undefined, elapsedMs: 0 });
    display.above(stream).write('cas: SIGINT: stopping\n');
    expect(writes.slice(-2)).toEqual(['\r\u001b[1A\u001b[J', 'cas: SIGINT: stopping\n']);
    callbacks[0]!();
    expect(writes.at(-1)!.startsWith('\r\u001b[2Kcas: measuring · 1/10 requests')).toBe(true);
    const off = terminal(false);
    createProgressDisplay(true, runSampler(null), off.stream).above(off.stream).write('plain\n');
    expect(off.writes).toEqual(['plain\n']);
  });

  it('renderer: clearing with nothing drawn writes nothing', () => {
    const { writes, stream } = terminal(true);
    new TtyRenderer(stream).clear();
    expect(writes).toEqual([]);
  });
});
