import { describe, expect, it } from 'vitest';
import { parseStat, parseStatusKb, type ProcReader, type ProcStat } from '../../src/process/proc-reader.js';
import { ProcessGroups } from '../../src/process/process-groups.js';
import { addServerSeconds, ServerUsageRecorder } from '../../src/report/server-usage.js';
import { ServerSampler, type SamplerClock } from '../../src/runner/server-sampler.js';
import type { TimelineSecond } from '../../src/report/timeline.js';

/** A /proc of our own making: processes with a group, CPU ticks and resident pages; counts every read. */
class FakeProc implements ProcReader {
  readonly pageSize = 4096;
  readonly ticksPerSecond = 100;
  processes = new Map<number, ProcStat>();
  peaks = new Map<number, number>();
  statReads: number[] = [];

  set(pid: number, pgrp: number, cpuTicks: number, rssPages: number): void {
    this.processes.set(pid, { pid, pgrp, startTicks: 1, cpuTicks, rssPages });
  }
  pids(): number[] {
    return [...this.processes.keys()];
  }
  stat(pid: number): ProcStat | undefined {
    this.statReads.push(pid);
    const stat = this.processes.get(pid);
    return stat === undefined ? undefined : { ...stat };
  }
  peakRssBytes(pid: number): number | undefined {
    return this.peaks.get(pid);
  }
}

/** A clock moved by hand; timers fire when it passes them. */
class FakeClock implements SamplerClock {
  time = 0;
  timers: Array<{ at: number; fn: () => void }> = [];
  now(): number {
    return this.time;
  }
  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.time + ms, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }
  advance(to: number): void {
    for (;;) {
      const next = this.timers.filter((t) => t.at <= to).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.fn();
    }
    this.time = to;
  }
}

describe('reading /proc', () => {
  it('parses a stat line whose command holds spaces and parentheses', () => {
    // Fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ... starttime vsize rss
    const line = '4242 (codex (app) srv) S 1 4242 4242 0 -1 4194304 99 0 0 0 150 50 7 3 20 0 19 0 133514 3133440 2500 18446744073709551615';
    expect(parseStat(line)).toEqual({ pid: 4242, pgrp: 4242, startTicks: 133514, cpuTicks: 210, rssPages: 2500 });
    expect(parseStat('garbage')).toBeUndefined();
  });

  it('reads kB lines of status', () => {
    expect(parseStatusKb('Name:\tcodex\nVmHWM:\t    2028 kB\nVmRSS:\t 1000 kB\n', 'VmHWM')).toBe(2028 * 1024);
    expect(parseStatusKb('Name:\tcodex\n', 'VmHWM')).toBeUndefined();
  });
});

describe('ProcessGroups', () => {
  it('sums the members of each group and reads other processes only once', () => {
    const proc = new FakeProc();
    proc.set(100, 100, 50, 1000); // leader
    proc.set(101, 100, 20, 200); // its child (git)
    proc.set(200, 200, 900, 5000); // another server
    proc.set(300, 300, 1, 10); // unrelated
    const groups = new ProcessGroups(proc);
    expect(groups.read([100, 200])).toEqual(
      new Map([
        [100, { cpuTicks: 70, rssBytes: 1200 * 4096, processes: 2 }],
        [200, { cpuTicks: 900, rssBytes: 5000 * 4096, processes: 1 }],
      ]),
    );
    proc.statReads = [];
    proc.processes.delete(101);
    proc.set(100, 100, 80, 1000); // the child was waited for: its CPU now counts in the leader's
    proc.set(400, 100, 5, 100); // a new member
    expect(groups.read([100, 200]).get(100)).toEqual({ cpuTicks: 85, rssBytes: 1100 * 4096, processes: 2 });
    // Members and the one new process are read; the unrelated one is not read again.
    expect(proc.statReads.sort()).toEqual([100, 200, 400]);
  });

  it('finds nothing where there is no /proc', () => {
    const groups = new ProcessGroups({ pids: () => undefined, stat: () => undefined, peakRssBytes: () => undefined, pageSize: 4096, ticksPerSecond: 100 });
    expect(groups.read([1]).size).toBe(0);
  });
});

describe('ServerUsageRecorder', () => {
  it('turns cumulative ticks into CPU % per interval and seconds in all, across a restart', () => {
    const recorder = new ServerUsageRecorder(1, 100);
    recorder.proc(0, 0, 10, { cpuTicks: 30, rssBytes: 50 * 2 ** 20, processes: 1 }); // start-up: 0.3 s
    recorder.proc(0, 1000, 10, { cpuTicks: 80, rssBytes: 60 * 2 ** 20, processes: 2 }); // 0.5 s in 1 s: 50 %
    recorder.proc(0, 2000, 10, { cpuTicks: 70, rssBytes: 40 * 2 ** 20, processes: 1 }); // a member left unwaited: never negative
    recorder.proc(0, 3000, undefined, undefined); // restarting
    recorder.proc(0, 4000, 11, { cpuTicks: 20, rssBytes: 45 * 2 ** 20, processes: 1 }); // a new server: counts from 0
    recorder.peak(0, 64 * 2 ** 20);
    const usage = recorder.result({ intervalMs: 1000, sources: ['proc'], samples: 5, costMs: 1 });
    expect(usage.instances).toEqual([{ cpuSeconds: 1, peakRssMb: 64, processes: 2 }]);
    expect(usage.samples[0]!.cpuPct).toEqual([null, 50, 0, null, null]);
    expect(usage.samples[0]!.rssMb).toEqual([50, 60, 40, null, 45]);
    // CPU figures sit in the middle of the interval they cover.
    expect(usage.samples[0]!.at).toEqual([0, 500, 1500, 2500, 4000]);
  });

  it('says null, not zero, for an instance it could never read', () => {
    const recorder = new ServerUsageRecorder(1, 100);
    recorder.proc(0, 0, undefined, undefined);
    expect(recorder.result({ intervalMs: 1000, sources: [], samples: 1, costMs: 0 }).instances).toEqual([{ cpuSeconds: null, peakRssMb: null, processes: 0 }]);
  });

  it('folds samples into the timeline seconds they cover', () => {
    const recorder = new ServerUsageRecorder(2, 100);
    for (const at of [0, 1000, 2000, 3000]) {
      recorder.proc(0, at, 10, { cpuTicks: at / 10, rssBytes: 2 ** 20, processes: 1 });
      recorder.proc(1, at, undefined, undefined);
    }
    recorder.diagnostics(1, 1500, { rssMb: 80, gauges: { 'app.requests.in_flight': 2 } });
    const rows: TimelineSecond[] = [0, 1, 2].map((second) => ({ second, sent: 1, completed: 1, errors: 0, overloaded: 0, p50: 1, p90: 1, p99: 1 }));
    const folded = addServerSeconds(rows, recorder.result({ intervalMs: 1000, sources: ['proc', 'diagnostics'], samples: 4, costMs: 0 }), 0);
    expect(folded.map((row) => row.servers?.[0]?.cpuPct)).toEqual([100, 100, 100]);
    expect(folded[1]!.servers?.[1]).toEqual({ cpuPct: null, rssMb: null, diagnostics: { rssMb: 80, gauges: { 'app.requests.in_flight': 2 } } });
    expect(folded[0]!.servers?.[1]).toEqual({ cpuPct: null, rssMb: null });
  });
});

describe('ServerSampler', () => {
  it('samples once a second, lines up with the timeline, and reads the peak at the end', () => {
    const proc = new FakeProc();
    const clock = new FakeClock();
    proc.set(10, 10, 0, 1000);
    const instance = { index: 0, connection: { pid: 10, isOpen: false } } as never;
    const sampler = new ServerSampler([instance], { reader: proc, clock, diagnostics: false });
    sampler.start();
    clock.advance(300);
    sampler.align(300); // the request phase begins
    for (let t = 1; t <= 3; t++) {
      proc.set(10, 10, t * 25, 1000 + t);
      clock.advance(300 + t * 1000);
    }
    proc.peaks.set(10, 8 * 2 ** 20);
    sampler.stop();
    clock.advance(10_000);
    const usage = sampler.result();
    // The start, the line-up, three aligned ticks, and the last one at stop (no tick after it).
    expect(usage.sampling.samples).toBe(6);
    expect(usage.sampling.sources).toEqual(['proc']);
    expect(usage.instances[0]).toEqual({ cpuSeconds: 0.75, peakRssMb: 8, processes: 1 });
    const rows: TimelineSecond[] = [0, 1, 2].map((second) => ({ second, sent: 1, completed: 1, errors: 0, overloaded: 0, p50: 1, p90: 1, p99: 1 }));
    expect(addServerSeconds(rows, usage, 300).map((row) => row.servers?.[0]?.cpuPct)).toEqual([25, 25, 25]);
  });
});
