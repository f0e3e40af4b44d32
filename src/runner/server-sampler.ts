import * as z from 'zod';
import { AppServerError } from '../client/app-server-error.js';
import type { AppServerConnection } from '../client/connection.js';
import { ProcessGroups } from '../process/process-groups.js';
import { linuxProcReader, type ProcReader } from '../process/proc-reader.js';
import { RpcErrorCode } from '../protocol/error-codes.js';
import { ServerUsageRecorder, type ServerDiagnostics, type ServerUsage } from '../report/server-usage.js';

/** What the sampler needs of an instance: its live connection (a spawned server's has a pid). */
export interface SampledInstance {
  readonly index: number;
  readonly connection: AppServerConnection | undefined;
}

/** A timer the sampler schedules itself with; injected so tests can drive time by hand. */
export interface SamplerClock {
  now(): number;
  /** Calls `fn` once after `ms`; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

/** Options of {@link ServerSampler}. */
export interface ServerSamplerOptions {
  /** Between samples (default 1000 ms). */
  intervalMs?: number;
  /** Reads /proc (default: Linux's). */
  reader?: ProcReader;
  /** Also ask each server for `server/diagnostics` when it offers it (default true). */
  diagnostics?: boolean;
  clock?: SamplerClock;
}

const realClock: SamplerClock = {
  now: () => performance.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref();
    return () => clearTimeout(timer);
  },
};

const DiagnosticsSchema = z.object({
  process: z.object({ residentMemoryBytes: z.number().nullish() }).loose(),
  gauges: z.array(z.object({ name: z.string(), value: z.number() }).loose()).max(1000),
});

/** A diagnostics request still unanswered after this long no longer holds the next one back. */
const DIAGNOSTICS_STALE_MS = 5000;
const MAX_DIAGNOSTICS_IN_FLIGHT = 3;

interface DiagnosticsState {
  /** undefined: not asked yet; false: the server does not offer it. */
  offered: boolean | undefined;
  inFlight: number;
  lastSentAt: number;
}

/**
 * Samples every instance's app-server once per interval: its process group's CPU and resident
 * memory from /proc (servers cas spawned; one small read per process), and, where the server
 * offers it, `server/diagnostics` (its own memory and gauges; the only source for a server cas
 * did not spawn). Costs are counted and reported.
 */
export class ServerSampler {
  readonly #instances: readonly SampledInstance[];
  readonly #intervalMs: number;
  readonly #groups: ProcessGroups;
  readonly #clock: SamplerClock;
  readonly #recorder: ServerUsageRecorder;
  readonly #diagnostics: DiagnosticsState[] | undefined;
  #cancel: (() => void) | undefined;
  #grid = 0;
  #ticks = 0;
  #samples = 0;
  /** CPU cas spent sampling, in microseconds (wall time would count the waits of a busy machine). */
  #costMicros = 0;
  #procRead = false;
  #diagnosticsRead = false;
  #stopped = false;

  constructor(instances: readonly SampledInstance[], options: ServerSamplerOptions = {}) {
    this.#instances = instances;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#clock = options.clock ?? realClock;
    const reader = options.reader ?? linuxProcReader();
    this.#groups = new ProcessGroups(reader);
    this.#recorder = new ServerUsageRecorder(instances.length, reader.ticksPerSecond);
    this.#diagnostics = options.diagnostics === false ? undefined : instances.map(() => ({ offered: undefined, inFlight: 0, lastSentAt: -Infinity }));
  }

  /** Takes a first sample now, then one every interval. */
  start(): void {
    this.#grid = this.#clock.now();
    this.#ticks = 0;
    this.sample();
    this.#schedule();
  }

  /**
   * Samples now (at `origin`, about) and from then on at `origin` + k intervals: each sample then
   * covers one second of a timeline that starts at `origin`.
   */
  align(origin: number): void {
    if (this.#stopped) return;
    this.#cancel?.();
    this.#grid = origin;
    this.#ticks = Math.max(0, Math.floor((this.#clock.now() - origin) / this.#intervalMs));
    this.sample();
    this.#schedule();
  }

  /** One sample of every instance. */
  sample(): void {
    if (this.#stopped) return;
    const started = this.#clock.now();
    const cpu = process.cpuUsage();
    this.#samples++;
    const leaders = this.#instances.map((instance) => instance.connection?.pid);
    const usage = this.#groups.read(leaders.filter((pid): pid is number => pid !== undefined));
    this.#instances.forEach((instance, i) => {
      const pid = leaders[i];
      const reading = pid === undefined ? undefined : usage.get(pid);
      if (reading !== undefined) this.#procRead = true;
      this.#recorder.proc(i, started, pid, reading);
      this.#askDiagnostics(i, instance.connection, started);
    });
    this.#addCost(cpu);
  }

  /** A last sample (with each server's memory high-water mark), then no more; call before the servers close. */
  stop(): void {
    if (this.#stopped) return;
    this.#cancel?.();
    this.sample();
    const cpu = process.cpuUsage();
    this.#instances.forEach((instance, i) => {
      const pid = instance.connection?.pid;
      const peak = pid === undefined ? undefined : this.#groups.leaderPeakRssBytes(pid);
      if (peak !== undefined) this.#recorder.peak(i, peak);
    });
    this.#addCost(cpu);
    this.#stopped = true;
  }

  /** What was sampled. */
  result(): ServerUsage {
    const sources: Array<'proc' | 'diagnostics'> = [];
    if (this.#procRead) sources.push('proc');
    if (this.#diagnosticsRead) sources.push('diagnostics');
    return this.#recorder.result({ intervalMs: this.#intervalMs, sources, samples: this.#samples, costMs: Math.round(this.#costMicros / 100) / 10 });
  }

  #addCost(since: NodeJS.CpuUsage): void {
    const used = process.cpuUsage(since);
    this.#costMicros += used.user + used.system;
  }

  #schedule(): void {
    const due = this.#grid + (this.#ticks + 1) * this.#intervalMs;
    this.#cancel = this.#clock.after(due - this.#clock.now(), () => {
      this.#ticks++;
      this.sample();
      if (!this.#stopped) this.#schedule();
    });
  }

  /** Sends `server/diagnostics` unless the server said it does not offer it or a request is still out. */
  #askDiagnostics(index: number, connection: AppServerConnection | undefined, at: number): void {
    const state = this.#diagnostics?.[index];
    if (state === undefined || connection === undefined || !connection.isOpen || state.offered === false) return;
    if (state.inFlight > 0 && (at - state.lastSentAt < DIAGNOSTICS_STALE_MS || state.inFlight >= MAX_DIAGNOSTICS_IN_FLIGHT)) return;
    state.inFlight++;
    state.lastSentAt = at;
    // No timeout: a reply that comes late is still a reply, and is not counted as a late one.
    connection.request('server/diagnostics', {}, { timeoutMs: 0 }).then(
      (result) => {
        state.inFlight--;
        const parsed = DiagnosticsSchema.safeParse(result);
        if (!parsed.success) {
          state.offered = false;
          return;
        }
        state.offered = true;
        if (this.#stopped) return;
        this.#diagnosticsRead = true;
        const bytes = parsed.data.process.residentMemoryBytes;
        const value: ServerDiagnostics = {
          rssMb: typeof bytes === 'number' ? Math.round((bytes / (1024 * 1024)) * 10) / 10 : null,
          gauges: Object.fromEntries(parsed.data.gauges.map((gauge) => [gauge.name, gauge.value])),
        };
        // The answer describes the server as the request found it: the end of the sampled second.
        this.#recorder.diagnostics(index, at - this.#intervalMs / 2, value);
      },
      (error: unknown) => {
        state.inFlight--;
        // Refused outright (unknown method, no experimental API): not offered. Anything else (overload, exit) may pass.
        if (error instanceof AppServerError && (error.code === RpcErrorCode.methodNotFound || error.code === RpcErrorCode.invalidRequest)) state.offered = false;
      },
    );
  }
}
