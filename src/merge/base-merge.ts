import { versionFromUserAgent } from '../codex/codex-version.js';
import type { CodexSource } from '../codex/resolve-codex.js';
import type { ErrorCode } from '../protocol/error-codes.js';
import { ServerRequestTally } from '../policy/server-request-tally.js';
import type { BaseReport, InstanceReport } from '../report/base-report.js';
import { ErrorTally } from '../report/error-tally.js';
import { roundMs } from '../report/round-ms.js';
import type { RequestTotals } from '../report/run-stats.js';
import { LatencyMerge } from './latency-merge.js';
import type { BaseReportFields } from './report-schema.js';
import type { ShardEntry } from './shard-set.js';
import type { ServerSampling } from '../report/server-usage.js';
import type { BudgetReport } from '../budget/budget-pacer.js';
import { TimelineMerge, type ShardSecond } from './timeline-merge.js';

/** A merged report's instance line: the shard's own line, with the shard it ran in. */
export type MergedInstanceReport = InstanceReport & { shard: number };

/** The fields every merged report shares: those of one report, with per-instance lines kept by shard. */
export interface MergedBaseReport extends Omit<BaseReport, 'perInstance' | 'instances'> {
  instances: BaseReport['instances'] & { failed: Array<{ shard: number; index: number; error: string }> };
  perInstance: MergedInstanceReport[];
  /** What was merged: how many shards, the job they share, and the files, in shard order. */
  merged: { shards: number; jobId: string | null; reports: string[] };
}

const TOTAL_KEYS = ['total', 'ok', 'failed', 'retries', 'overloaded', 'timedOut'] as const;

/**
 * Folds shards' reports, one at a time, into the fields they share: counters summed, errors and
 * server requests merged, latency histograms added, the measured phase spanning them all.
 */
export class BaseMerge {
  readonly entries: ShardEntry[] = [];
  readonly #latency = new LatencyMerge();
  readonly #errors = new ErrorTally();
  readonly #serverRequests = new ServerRequestTally();
  readonly #requests: RequestTotals = { total: 0, ok: 0, failed: 0, retries: 0, overloaded: 0, timedOut: 0 };
  readonly #instances = { requested: 0, started: 0, restarts: 0, failed: [] as Array<{ shard: number; index: number; error: string }> };
  readonly #perInstance: MergedInstanceReport[] = [];
  #codex: BaseReport['codex'] | undefined;
  #mockModel: BaseReport['mockModel'] = null;
  #startedAtMs = Infinity;
  #phaseStartedMs = Infinity;
  #measuredFromMs = Infinity;
  #measuredToMs = -Infinity;
  #startupWallMs = 0;
  #interrupted = false;
  readonly #timeline = new TimelineMerge();
  #sampling: ServerSampling | null = null;
  #budget: BudgetReport | null = null;

  /** Adds one shard's report; `warmupMs` is how long its request phase ran before the measured phase. */
  add(file: string, report: BaseReportFields, warmupMs = 0): void {
    const shard = report.shard.index;
    this.entries.push({ file, shard: report.shard });
    this.#codex ??= { path: report.codex.path, source: report.codex.source as CodexSource, userAgent: report.codex.userAgent, version: versionFromUserAgent(report.codex.userAgent) };
    for (const key of TOTAL_KEYS) this.#requests[key] += report.requests[key];
    for (const error of report.errors) this.#errors.add(error.code as ErrorCode, error.message, error.count);
    for (const answer of report.serverRequests) this.#serverRequests.add(answer.method, answer.decision, answer.fellBackFrom, answer.count);
    this.#latency.add(report.latencyMs, report.histogram, `${file} histogram`);
    this.#instances.requested += report.instances.requested;
    this.#instances.started += report.instances.started;
    this.#instances.restarts += report.instances.restarts;
    for (const failure of report.instances.failed) this.#instances.failed.push({ shard, index: failure.index, error: failure.error });
    for (const row of report.perInstance) this.#perInstance.push({ shard, ...(row as unknown as InstanceReport) });
    const phaseStartedMs = Date.parse(report.phaseStartedAt);
    this.#startedAtMs = Math.min(this.#startedAtMs, Date.parse(report.startedAt));
    this.#phaseStartedMs = Math.min(this.#phaseStartedMs, phaseStartedMs);
    this.#measuredFromMs = Math.min(this.#measuredFromMs, phaseStartedMs + warmupMs);
    this.#measuredToMs = Math.max(this.#measuredToMs, phaseStartedMs + warmupMs + report.wallMs);
    this.#startupWallMs = Math.max(this.#startupWallMs, report.startupWallMs);
    this.#interrupted ||= report.interrupted;
    this.#addMockModel(report.mockModel);
    this.#timeline.add(report.timeline as ShardSecond[], report.timelineHistograms, phaseStartedMs, file, { index: shard, instances: report.perInstance.length });
    this.#addSampling(report.serverSampling ?? null);
    this.#addBudget((report.budget ?? null) as BudgetReport | null);
  }

  /** Budgets of the shards (each paced by the same account): changes in time order, waits and reads added, the last tier. */
  #addBudget(budget: BudgetReport | null): void {
    if (budget === null) return;
    const merged = (this.#budget ??= { tier: budget.tier, timeline: [], waitedMs: 0, reads: 0, updates: 0, snapshot: null });
    merged.timeline = [...merged.timeline, ...budget.timeline].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    merged.waitedMs += budget.waitedMs;
    merged.reads += budget.reads;
    merged.updates += budget.updates;
    merged.tier = merged.timeline.at(-1)?.tier ?? budget.tier;
    merged.snapshot = budget.snapshot ?? merged.snapshot;
  }

  /** Sampling of every shard: rounds and cost added, sources joined. */
  #addSampling(sampling: ServerSampling | null): void {
    if (sampling === null) return;
    const merged = (this.#sampling ??= { intervalMs: sampling.intervalMs, sources: [], samples: 0, costMs: 0 });
    merged.samples += sampling.samples;
    merged.costMs += sampling.costMs;
    for (const source of sampling.sources) if (!merged.sources.includes(source)) merged.sources.push(source);
  }

  #addMockModel(mock: BaseReportFields['mockModel']): void {
    if (mock === null) return;
    const merged = (this.#mockModel ??= { url: mock.url, requests: 0, toolFollowUps: 0, byKind: { message: 0, functionCall: 0 }, rejected: 0 });
    merged.requests += mock.requests;
    merged.toolFollowUps += mock.toolFollowUps;
    merged.rejected += mock.rejected;
    const byKind = merged.byKind as Record<string, number>;
    for (const [kind, count] of Object.entries(mock.byKind)) byKind[kind] = (byKind[kind] ?? 0) + count;
  }

  /** The merged latency, for thresholds. */
  get latency(): LatencyMerge {
    return this.#latency;
  }

  get requests(): RequestTotals {
    return { ...this.#requests };
  }

  /** When the earliest shard's request phase began (ms since the epoch). */
  get phaseStartedMs(): number {
    return this.#phaseStartedMs;
  }

  /** The merged fields, once every shard is in (the shard set checked by the caller). */
  result(): MergedBaseReport {
    const first = this.entries[0]!.shard;
    // The measured phase runs from the first shard's start to the last shard's end.
    const wallMs = Math.max(0, this.#measuredToMs - this.#measuredFromMs);
    const inShardOrder = [...this.entries].sort((a, b) => a.shard.index - b.shard.index);
    const { timeline, histograms } = this.#timeline.result();
    return {
      codex: this.#codex!,
      instances: { ...this.#instances, failed: [...this.#instances.failed].sort((a, b) => a.shard - b.shard || a.index - b.index) },
      requests: { ...this.#requests },
      errors: this.#errors.toArray(),
      latencyMs: this.#latency.summary(),
      histogram: this.#latency.encode(),
      throughputRps: wallMs > 0 ? Math.round((this.#latency.count / wallMs) * 1000 * 10) / 10 : 0,
      wallMs: roundMs(wallMs),
      startupWallMs: roundMs(this.#startupWallMs),
      startedAt: new Date(this.#startedAtMs).toISOString(),
      phaseStartedAt: new Date(this.#phaseStartedMs).toISOString(),
      // The merge is the whole job: it can be merged again, as the one shard of it.
      shard: { index: 0, count: 1, jobId: first.jobId },
      interrupted: this.#interrupted,
      serverRequests: this.#serverRequests.toArray(),
      mockModel: this.#mockModel,
      perInstance: [...this.#perInstance].sort((a, b) => a.shard - b.shard || a.index - b.index),
      budget: this.#budget,
      timeline,
      timelineHistograms: histograms,
      serverSampling: this.#sampling === null ? null : { ...this.#sampling, costMs: roundMs(this.#sampling.costMs) },
      merged: { shards: first.count, jobId: first.jobId, reports: inShardOrder.map((entry) => entry.file) },
    };
  }
}
