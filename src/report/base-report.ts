import { versionFromUserAgent } from '../codex/codex-version.js';
import type { CodexSource } from '../codex/resolve-codex.js';
import type { Instance } from '../instance/instance.js';
import type { TransportKind } from '../transport/transport.js';
import type { ErrorCount } from './error-tally.js';
import type { LatencySummary } from './latency-recorder.js';
import { roundMs } from './round-ms.js';
import type { RequestTotals, RunStats } from './run-stats.js';
import type { ServerRequestCount, ServerRequestTally } from '../policy/server-request-tally.js';
import type { MockModelStats } from '../mock-model/mock-model-server.js';
import { addServerSeconds, type ServerSampling, type ServerUsage } from './server-usage.js';
import type { TimelineSecond } from './timeline.js';
import { WHOLE_JOB, type Shard } from '../shard/shard-spec.js';
import type { BudgetReport } from '../budget/budget-pacer.js';

/** One instance's line in a report. */
export interface InstanceReport {
  index: number;
  status: string;
  pid: number | null;
  /** `stdio`, `ws` or `unix`. */
  transport: TransportKind;
  /** The command it runs (stdio) or the URL it is reached at, without any token. */
  endpoint: string;
  /** The CODEX_HOME the server reported (null when a running server never answered). */
  codexHome: string | null;
  stateFile: string;
  startupMs: number | null;
  /** Times its app-server was started again after it died or hung. */
  restarts: number;
  /** Requests that ended on this instance. */
  requests: number;
  ok: number;
  failed: number;
  retries: number;
  overloaded: number;
  timedOut: number;
  /** Stdout lines that were not JSON messages. */
  skippedLines: number;
  /** Replies that came after their request timed out. */
  lateReplies: number;
  /** Replies to ids cas never sent. */
  unknownReplies: number;
  error: string | null;
  /** CPU its app-server(s) used, start-up included, in seconds (null: not sampled, or no process to read). */
  cpuSeconds: number | null;
  /** Largest resident memory of its app-server's process group, in MB (null: not sampled). */
  peakRssMb: number | null;
}

/** What every workload reports: which codex, the instances, request totals and latency. */
export interface BaseReport {
  /** The binary that ran (or the servers reached), which rule chose it, the server's user agent and the codex version it names. */
  codex: { path: string; source: CodexSource; userAgent: string | null; version: string | null };
  instances: { requested: number; started: number; restarts: number; failed: Array<{ index: number; error: string }> };
  requests: RequestTotals;
  errors: ErrorCount[];
  latencyMs: LatencySummary;
  /** HdrHistogram (V2, compressed, base64) of every sent request's latency, in microseconds. */
  histogram: string;
  throughputRps: number;
  /** Duration of the measured request phase. */
  wallMs: number;
  /** Time to start every instance. */
  startupWallMs: number;
  startedAt: string;
  /** ISO time (ms) the request phase began, warm-up included: second 0 of a timeline, the same clock on every shard. */
  phaseStartedAt: string;
  /** Which share of the job this was (`--shard`); `{index: 0, count: 1}` when the job was not split. */
  shard: Shard;
  interrupted: boolean;
  /** Server requests (approvals, tool calls, ...) answered, by method and decision. */
  serverRequests: ServerRequestCount[];
  /** The loopback model (`--mock-model`): its URL and what it served; null without one. */
  mockModel: (MockModelStats & { url: string }) | null;
  /** With `--budget-pacing`: the rate-limit tier over time and the time work waited for it; null without. */
  budget: BudgetReport | null;
  perInstance: InstanceReport[];
  /** Per second of the request phase: sent, completed, errors, overloads, p50/p90/p99, and each server's CPU and memory. */
  timeline: TimelineSecond[];
  /** Per timeline row, the histogram (compressed base64, microseconds) of its percentiles, or null: what `cas merge` adds up. */
  timelineHistograms: Array<string | null>;
  /** How the app-servers' own CPU and memory were sampled; null when they were not. */
  serverSampling: ServerSampling | null;
}

/** Inputs of {@link buildBaseReport}. */
export interface BaseReportInput {
  codex: { path: string; source: CodexSource };
  instances: readonly Instance[];
  stats: RunStats;
  wallMs: number;
  startupWallMs: number;
  startedAt: Date;
  interrupted: boolean;
  serverRequests: ServerRequestTally;
  mockModel: BaseReport['mockModel'];
  /** The servers' CPU and memory, when sampled. */
  serverUsage?: ServerUsage;
  /** Default: the whole job. */
  shard?: Shard;
  budget: BaseReport['budget'];
}

function instanceReport(instance: Instance, usage: ServerUsage | undefined): InstanceReport {
  const state = instance.state();
  const used = usage?.instances[instance.index];
  const connectionStats = instance.connectionStats;
  return {
    index: instance.index,
    status: state.status,
    pid: state.pid,
    transport: state.transport,
    endpoint: state.endpoint,
    codexHome: state.codexHome,
    stateFile: instance.stateFile.file,
    startupMs: instance.startupMs === undefined ? null : roundMs(instance.startupMs),
    restarts: state.restarts,
    requests: state.counters.ok + state.counters.failed,
    ok: state.counters.ok,
    failed: state.counters.failed,
    retries: state.counters.retries,
    overloaded: state.counters.overloaded,
    timedOut: state.counters.timedOut,
    skippedLines: connectionStats?.skippedLines ?? 0,
    lateReplies: connectionStats?.lateReplies ?? 0,
    unknownReplies: connectionStats?.unknownReplies ?? 0,
    error: state.lastError,
    cpuSeconds: used?.cpuSeconds ?? null,
    peakRssMb: used?.peakRssMb ?? null,
  };
}

/** Just the shard's identity (a resolved shard also says where it came from). */
function shardOf(shard: Shard): Shard {
  return { index: shard.index, count: shard.count, jobId: shard.jobId };
}

/** The report's codex: the first server's user agent says which version ran. */
function codexOf(codex: BaseReportInput['codex'], userAgent: string | null): BaseReport['codex'] {
  return { path: codex.path, source: codex.source, userAgent, version: versionFromUserAgent(userAgent) };
}

/** Assembles the fields every report shares from the instances and statistics. */
export function buildBaseReport(input: BaseReportInput): BaseReport {
  const { stats } = input;
  const started = input.instances.filter((instance) => instance.startupMs !== undefined);
  const failed = input.instances
    .filter((instance) => instance.status === 'failed')
    .map((instance) => ({ index: instance.index, error: instance.lastError ?? 'failed to start' }));
  return {
    codex: codexOf(input.codex, started[0]?.state().userAgent ?? null),
    instances: {
      requested: input.instances.length,
      started: started.length,
      restarts: input.instances.reduce((sum, instance) => sum + instance.restarts, 0),
      failed,
    },
    requests: { ...stats.totals },
    errors: stats.errors.toArray(),
    latencyMs: stats.latency.summary(),
    histogram: stats.latency.encode(),
    // Requests that reached a server, per second of the measured phase.
    throughputRps: input.wallMs > 0 ? Math.round((stats.latency.count / input.wallMs) * 1000 * 10) / 10 : 0,
    wallMs: roundMs(input.wallMs),
    startupWallMs: roundMs(input.startupWallMs),
    startedAt: input.startedAt.toISOString(),
    phaseStartedAt: new Date(performance.timeOrigin + stats.origin).toISOString(),
    shard: shardOf(input.shard ?? WHOLE_JOB),
    interrupted: input.interrupted,
    serverRequests: input.serverRequests.toArray(),
    mockModel: input.mockModel,
    budget: input.budget,
    perInstance: input.instances.map((instance) => instanceReport(instance, input.serverUsage)),
    timeline: input.serverUsage === undefined ? stats.timeline.toArray() : addServerSeconds(stats.timeline.toArray(), input.serverUsage, stats.timeline.origin),
    timelineHistograms: stats.timeline.histograms(),
    serverSampling: input.serverUsage?.sampling ?? null,
  };
}
