import type { CodexSource } from '../codex/resolve-codex.js';
import type { Instance } from '../instance/instance.js';
import type { TransportKind } from '../transport/transport.js';
import type { ErrorCount } from './error-tally.js';
import { roundMs, type LatencySummary } from './latency-recorder.js';
import type { RequestTotals, RunStats } from './run-stats.js';
import type { ServerRequestCount, ServerRequestTally } from '../policy/server-request-tally.js';
import type { MockModelStats } from '../mock-model/mock-model-server.js';

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
  error: string | null;
}

/** What every workload reports: which codex, the instances, request totals and latency. */
export interface BaseReport {
  codex: { path: string; source: CodexSource; userAgent: string | null };
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
  interrupted: boolean;
  /** Server requests (approvals, tool calls, ...) answered, by method and decision. */
  serverRequests: ServerRequestCount[];
  /** The loopback model (`--mock-model`): its URL and what it served; null without one. */
  mockModel: (MockModelStats & { url: string }) | null;
  perInstance: InstanceReport[];
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
}

function instanceReport(instance: Instance): InstanceReport {
  const state = instance.state();
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
    error: state.lastError,
  };
}

/** Assembles the fields every report shares from the instances and statistics. */
export function buildBaseReport(input: BaseReportInput): BaseReport {
  const { stats } = input;
  const started = input.instances.filter((instance) => instance.startupMs !== undefined);
  const failed = input.instances
    .filter((instance) => instance.status === 'failed')
    .map((instance) => ({ index: instance.index, error: instance.lastError ?? 'failed to start' }));
  return {
    codex: { ...input.codex, userAgent: started[0]?.state().userAgent ?? null },
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
    interrupted: input.interrupted,
    serverRequests: input.serverRequests.toArray(),
    mockModel: input.mockModel,
    perInstance: input.instances.map(instanceReport),
  };
}
