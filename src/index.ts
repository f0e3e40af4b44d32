// Public API of cas: the CLI is built on these.
export { AppServerError, hasErrorCode, type AppServerErrorKind } from './client/app-server-error.js';
export {
  AppServerConnection,
  connect,
  openConnection,
  rejectServerRequests,
  type ClientInfo,
  type ConnectOptions,
  type ConnectionEvents,
  type ConnectionStats,
  type RequestOptions,
  type ServerRequestHandler,
  type ServerRequestReply,
  type SessionOptions as ConnectionSessionOptions,
} from './client/connection.js';
export { spawnChildProcess, type ProcessExit, type SpawnedProcess, type SpawnProcess, type SpawnRequest } from './process/child-process.js';
export type { CloseOptions } from './process/terminate-process.js';
export type { Transport, TransportEnd, TransportHandlers, TransportKind } from './transport/transport.js';
export { StdioTransport, type StdioTransportOptions } from './transport/stdio-transport.js';
export { WebSocketTransport, type WebSocketTransportOptions } from './transport/websocket-transport.js';
export { ListeningChildTransport, type ListeningChildOptions, type ListenKind } from './transport/listening-child-transport.js';
export { parseEndpoint, daemonSocketPath, EndpointError, type Endpoint } from './transport/endpoint.js';
export { readToken, TokenFileError, type TokenSource } from './transport/bearer-token.js';
export { TransportOpenError } from './transport/transport.js';
export { connectToEndpoint } from './client/connect-endpoint.js';
export type { ServerTarget } from './instance/server-target.js';
export { resolveCodex, type ResolvedCodex, type CodexSource } from './codex/resolve-codex.js';
export { RpcErrorCode, LocalErrorCode, type ErrorCode } from './protocol/error-codes.js';
export type { Notification, ServerRequest, InitializeResult, RequestId } from './protocol/messages.js';
export { isReadOnlyMethod } from './protocol/read-methods.js';
export { backoffDelayMs, backoffCeilingMs, type BackoffOptions } from './runner/backoff.js';
export { executeRequest, type RequestOutcome } from './runner/execute-request.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './runner/retry-policy.js';
export { runMethod, type RunMethodOptions, type RunProgress } from './runner/run-method.js';
export type { RunReport, InstanceReport } from './report/run-report.js';
export type { LatencyRecord, Sample, RequestTotals } from './report/run-stats.js';
export { runBatch, type RunBatchOptions, type BatchReport, type BatchProgress } from './batch/run-batch.js';
export type { BatchResult } from './batch/batch-result.js';
export { runMine, type RunMineOptions, type MineReport, type MinedHome, type MineProgress } from './mine/run-mine.js';
export type { HomeProgressSnapshot } from './mine/mine-progress.js';
export type { ListingCheck, ScanComparison } from './mine/listing-check.js';
export type { ListFilters, ListingMode } from './mine/list-params.js';
export type { ItemsMode } from './mine/thread-reader.js';
export type { MineLine } from './mine/mine-output.js';
export { homesOfShard, ownsThread, ownerOfThread, type ShardHome } from './mine/mine-shard.js';
export { startMockModel, type MockModel, type MockModelOptions, type MockModelStats } from './mock-model/mock-model-server.js';
export { buildMockScript, MockScriptSchema, type MockScript, type MockScriptInput } from './mock-model/mock-script.js';
export { mockProviderConfig, mockProviderArgs } from './mock-model/provider-config.js';
export type { BaseReport } from './report/base-report.js';
export type { TimelineSecond } from './report/timeline.js';
export type { ThresholdCheck, Thresholds } from './report/thresholds.js';
export { CasClient, DEFAULT_TURN_TIMEOUT_MS, type CasClientOptions, type FromConnectionOptions, type ClientRequestOptions, type TurnStartOptions, type ThreadsParams, type RequestArgs } from './client/cas-client.js';
export type { MalformedNotificationListener } from './client/typed-notifications.js';
export { ServerRequestBroker, DEFAULT_SERVER_REQUEST_TIMEOUT_MS, type ClientServerRequestHandler, type ServerRequestListener, type ServerRequestBrokerOptions } from './client/server-request-broker.js';
export { DEFAULT_MAX_BUFFERED, type NotificationStream, type NotificationStreamOptions, type NotificationHandler, type Unsubscribe } from './client/notification-hub.js';
export type { NotificationFilter } from './client/notification-filter.js';
export type { BoundedQueueStats } from './client/bounded-queue.js';
export type { TrackedTurn } from './client/tracked-turn.js';
export type { Thread, ThreadStartParams, ThreadStartResponse, ThreadResumeParams, ThreadResumeResponse, ThreadListFilters, ThreadListParams, ThreadListResponse } from './protocol/threads.js';
export type {
  ThreadReadParams,
  ThreadReadResponse,
  ThreadLoadedListParams,
  ThreadLoadedListResponse,
  ThreadTurnsListParams,
  ThreadTurnsListResponse,
  ThreadItemsListParams,
  ThreadItemsListResponse,
} from './protocol/thread-reads.js';
export type { UserInput, TurnStartParams, TurnStartResponse, TurnStartedParams, TurnSteerParams, TurnSteerResponse, TurnInterruptParams, TurnInterruptResponse } from './protocol/turn-requests.js';
export type { ExperimentalFeature, ExperimentalFeatureListParams, ExperimentalFeatureListResponse } from './protocol/experimental-features.js';
export type { Turn, TurnError, TurnCompletedParams } from './protocol/turns.js';
export { ThreadItemSchema, type ThreadItem, type ThreadItemOf, type ThreadItemKind, type UserContent } from './protocol/thread-items.js';
export type { Model, ModelListParams, ModelListResponse } from './protocol/models.js';
export type { RateLimitsUpdatedParams } from './protocol/rate-limits.js';
export { NOTIFICATION_PARAMS, type NotificationMethod, type NotificationParams, type TypedNotification, type KnownNotification } from './protocol/notifications.js';
export { CLIENT_METHODS, type ClientMethod, type ClientParams, type ClientResult } from './protocol/client-methods.js';
export type { ErrorNotificationParams } from './protocol/turn-errors.js';
export { runSmoke, type SmokeOptions } from './smoke/run-smoke.js';
export type { SmokeResult, SmokeCheck } from './smoke/smoke-result.js';
export { runProxy, type RunProxyOptions, type ProxyEnd } from './proxy/run-proxy.js';
export { DEFAULT_POLICY, type ServerRequestPolicy } from './policy/choices.js';
export { decideServerRequest, type PolicyOutcome } from './policy/decide.js';
export { policyHandler } from './policy/policy-handler.js';
export { ServerSampler, type ServerSamplerOptions, type SamplerClock, type SampledInstance } from './runner/server-sampler.js';
export { linuxProcReader, type ProcReader, type ProcStat } from './process/proc-reader.js';
export type { ServerSecond, ServerDiagnostics, ServerSampling } from './report/server-usage.js';
export { loadReportFile, parseReport, reportKind, type LoadedReport, type ReportKind } from './report/load-report.js';
export { formatReportSummary } from './report/report-summary.js';
export { renderReportHtml } from './report/html/report-page.js';
export { renderCompareHtml } from './report/html/compare-page.js';
export { timelineCsv } from './report/timeline-csv.js';
export { compareReports, type Comparison, type MetricComparison, type NoiseVerdict } from './report/compare/compare-reports.js';
export { compareSummary } from './report/compare/compare-summary.js';
export { runCompareBins, type CompareBinsOptions, type CompareBinsResult, type SideReport } from './runner/compare-bins.js';
export type { RoundSummary } from './report/compare/blocks.js';
export { parseShardSpec, describeShard, WHOLE_JOB, ShardError, type Shard, type ShardSpec } from './shard/shard-spec.js';
export { resolveShard, INDEX_VARIABLES, type ResolvedShard, type ShardRequest, type ShardSource } from './shard/resolve-shard.js';
export { shareOfTotal, shareOfRate, ownsLine, ownsPosition, ownsKey, shardOfKey, keyHash, homeShare } from './shard/shard-share.js';
export { mergeReports, type MergedReport, type MergedRunReport, type MergedBatchReport, type MergedMineReport, type MergeReportsOptions } from './merge/merge-reports.js';
export type { MergedMinedHome } from './merge/mine-merge.js';
export { checkMineOutputs, type MineOutputCheck } from './merge/mine-output-check.js';
export { mergeBatchOutputs, type BatchMergeSummary } from './merge/batch-output-merge.js';
export { mergeMineOutputs, type MineMergeSummary } from './merge/mine-output-merge.js';
export { MergeError } from './merge/merge-error.js';
export { computeBudget, allowedInFlight, criticalUntil, evaluateWindow, TIERS, type BudgetSnapshot, type WindowBudget, type Tier, type EffectiveTier } from './budget/governor.js';
export { BudgetPacer, type BudgetChange, type BudgetReport, type BudgetPacerOptions } from './budget/budget-pacer.js';
export { readRateLimits, type ReadRateLimitsOptions, type RateLimitsReading } from './budget/read-rate-limits.js';
export { mergeRateLimits, RateLimitsResultSchema, type RateLimitsResult, type RateLimitSnapshot } from './budget/rate-limits.js';
export { defaultStateFile, readProxyState, type ProxyState } from './proxy/proxy-state.js';
