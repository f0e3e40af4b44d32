import type { TimelineSecond } from './timeline.js';

/** One app-server in one second of the timeline. */
export interface ServerSecond {
  /** CPU its process group used in this second, in % of one core; null: no process to read. */
  cpuPct: number | null;
  /** Resident memory of its process group at the end of the second, in MB; null: no process to read. */
  rssMb: number | null;
  /** What `server/diagnostics` said, when the server offers it: its own resident memory (MB) and gauges. */
  diagnostics?: ServerDiagnostics;
}

/** The server's own figures (`server/diagnostics`, experimental in codex 0.169.0). */
export interface ServerDiagnostics {
  rssMb: number | null;
  gauges: Record<string, number>;
}

/** How the servers were sampled (the report's `serverSampling`). */
export interface ServerSampling {
  intervalMs: number;
  /** `proc`: each spawned server's process group read from /proc; `diagnostics`: the server's `server/diagnostics`. */
  sources: Array<'proc' | 'diagnostics'>;
  /** Sampling rounds taken. */
  samples: number;
  /** CPU time cas spent sampling, in ms in all: the price of knowing. */
  costMs: number;
}

/** One instance's totals. */
export interface InstanceUsage {
  /** CPU its app-server(s) used over their life, start-up included, in seconds; null when never read. */
  cpuSeconds: number | null;
  /** Largest resident memory seen (or the kernel's high-water mark), in MB; null when never read. */
  peakRssMb: number | null;
  /** Most processes seen at once in its process group. */
  processes: number;
}

/** Everything sampled: totals per instance, and the samples to fold into the timeline. */
export interface ServerUsage {
  sampling: ServerSampling;
  instances: InstanceUsage[];
  /** Per instance: each sample's time (performance.now(), at the end of its interval) and figures. */
  samples: InstanceSamples[];
}

/** One instance's samples, as parallel arrays (a long run keeps many). */
export interface InstanceSamples {
  /** Middle of the interval each sample covers (performance.now()). */
  at: number[];
  cpuPct: Array<number | null>;
  rssMb: Array<number | null>;
  diagnostics: Array<{ at: number; value: ServerDiagnostics }>;
}

const MB = 1024 * 1024;
const round1 = (value: number) => Math.round(value * 10) / 10;

interface Generation {
  pid: number;
  lastAt: number;
  lastTicks: number;
}

/** Turns raw readings (cumulative CPU ticks, RSS bytes) into per-interval CPU %, totals and peaks. */
export class ServerUsageRecorder {
  readonly #ticksPerSecond: number;
  readonly #totals: Array<{ ticks: number; read: boolean; peakBytes: number; processes: number }>;
  readonly #samples: InstanceSamples[];
  readonly #current: Array<Generation | undefined>;

  constructor(instances: number, ticksPerSecond: number) {
    this.#ticksPerSecond = ticksPerSecond;
    this.#totals = Array.from({ length: instances }, () => ({ ticks: 0, read: false, peakBytes: 0, processes: 0 }));
    this.#samples = Array.from({ length: instances }, () => ({ at: [], cpuPct: [], rssMb: [], diagnostics: [] }));
    this.#current = Array.from({ length: instances }, () => undefined);
  }

  /**
   * A reading of instance `index` at `at`: the cumulative CPU ticks and RSS of the process group
   * led by `pid`, or undefined when there was nothing to read. A new pid is a new app-server
   * (a restart): its CPU counts from zero, added to the instance's total.
   */
  proc(index: number, at: number, pid: number | undefined, reading: { cpuTicks: number; rssBytes: number; processes: number } | undefined): void {
    const totals = this.#totals[index];
    const samples = this.#samples[index];
    if (totals === undefined || samples === undefined) return;
    const previous = this.#current[index];
    if (pid === undefined || reading === undefined) {
      this.#current[index] = undefined;
      this.#push(samples, previous === undefined ? at : (previous.lastAt + at) / 2, null, null);
      return;
    }
    const same = previous !== undefined && previous.pid === pid;
    // A process that left the group without being waited for takes its CPU with it: never count back.
    const gained = Math.max(0, reading.cpuTicks - (same ? previous.lastTicks : 0));
    totals.ticks += gained;
    totals.read = true;
    totals.peakBytes = Math.max(totals.peakBytes, reading.rssBytes);
    totals.processes = Math.max(totals.processes, reading.processes);
    const cpuPct = same && at > previous.lastAt ? round1((gained / this.#ticksPerSecond / ((at - previous.lastAt) / 1000)) * 100) : null;
    this.#push(samples, same ? (previous.lastAt + at) / 2 : at, cpuPct, round1(reading.rssBytes / MB));
    this.#current[index] = { pid, lastAt: at, lastTicks: same ? Math.max(previous.lastTicks, reading.cpuTicks) : reading.cpuTicks };
  }

  /** The kernel's high-water mark of a server's memory, read at the end: raises the peak if sampling missed it. */
  peak(index: number, bytes: number): void {
    const totals = this.#totals[index];
    if (totals !== undefined) totals.peakBytes = Math.max(totals.peakBytes, bytes);
  }

  /** What `server/diagnostics` answered for instance `index`, for the second that ends at `at`. */
  diagnostics(index: number, at: number, value: ServerDiagnostics): void {
    this.#samples[index]?.diagnostics.push({ at, value });
  }

  /** The totals and samples, with how they were taken. */
  result(sampling: ServerSampling): ServerUsage {
    return {
      sampling,
      instances: this.#totals.map((totals, index) => {
        const diagnosticsPeak = Math.max(0, ...this.#samples[index]!.diagnostics.map((sample) => sample.value.rssMb ?? 0));
        return {
          cpuSeconds: totals.read ? Math.round((totals.ticks / this.#ticksPerSecond) * 100) / 100 : null,
          peakRssMb: totals.read ? round1(totals.peakBytes / MB) : diagnosticsPeak > 0 ? diagnosticsPeak : null,
          processes: totals.processes,
        };
      }),
      samples: this.#samples,
    };
  }

  #push(samples: InstanceSamples, at: number, cpuPct: number | null, rssMb: number | null): void {
    samples.at.push(at);
    samples.cpuPct.push(cpuPct);
    samples.rssMb.push(rssMb);
  }
}

/**
 * Puts the samples into the timeline: each into the second (after `origin`) its interval's
 * middle falls in. Seconds no sample covers stay null; samples before the request phase or
 * after its last second only count in the totals.
 */
export function addServerSeconds(rows: TimelineSecond[], usage: ServerUsage, origin: number): TimelineSecond[] {
  const secondOf = (at: number) => Math.floor((at - origin) / 1000);
  const instances = usage.samples.length;
  const out = rows.map((row) => ({ ...row, servers: Array.from({ length: instances }, (): ServerSecond | null => null) }));
  usage.samples.forEach((samples, index) => {
    samples.at.forEach((at, i) => {
      const row = out[secondOf(at)];
      if (row === undefined) return;
      const cpuPct = samples.cpuPct[i] ?? null;
      const rssMb = samples.rssMb[i] ?? null;
      const known = row.servers[index];
      // Two samples in one second (a late timer): the CPU figures are averaged, the memory is the later.
      row.servers[index] = {
        ...known,
        cpuPct: known?.cpuPct != null && cpuPct !== null ? round1((known.cpuPct + cpuPct) / 2) : (cpuPct ?? known?.cpuPct ?? null),
        rssMb: rssMb ?? known?.rssMb ?? null,
      };
    });
    for (const { at, value } of samples.diagnostics) {
      const row = out[secondOf(at)];
      if (row === undefined) continue;
      row.servers[index] = { cpuPct: null, rssMb: null, ...row.servers[index], diagnostics: value };
    }
  });
  return out;
}
