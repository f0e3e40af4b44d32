import type { AppServerConnection } from '../client/connection.js';
import type { BudgetPacer } from '../budget/budget-pacer.js';
import type { EventStream } from './event-stream.js';
import type { ForwardedRequests } from './forwarded-requests.js';
import type { ProxyCounters } from './proxy-counters.js';
import type { ProxyStateFile } from './proxy-state.js';

/** What a stats snapshot is made from. */
export interface StatsSources {
  startedAtMs: number;
  events: EventStream;
  counters: ProxyCounters;
  state: ProxyStateFile;
  forwarded: ForwardedRequests;
  connection: AppServerConnection | undefined;
  /** Requests waiting for the rate-limit budget. */
  queuedRequests: number;
  budget: BudgetPacer | undefined;
}

/**
 * The `snapshot` of a `cas/stats` event: uptime, queues, requests in flight and counters, with
 * the original cas's names (`pendingClientRequests`, `outQueueDepth`, `ioPaused`, `stats`) as
 * well as cas's (`pendingRequests`, `queued`, `paused`).
 */
export function statsSnapshot(sources: StatsSources) {
  const { events, connection, state } = sources;
  const pendingRequests = connection?.stats.pending ?? 0;
  return {
    startedAtMs: sources.startedAtMs,
    uptimeMs: Date.now() - sources.startedAtMs,
    ready: connection?.initializeResult !== undefined,
    cwd: state.state.cwd,
    stateFile: state.file ?? null,
    state: { v: state.state.v, currentThreadId: state.state.currentThreadId, lastTurnId: state.state.lastTurnId },
    appServerPid: connection?.pid ?? null,
    appServerUserAgent: connection?.initializeResult?.userAgent ?? null,
    events: events.emitted,
    queued: events.queued,
    outQueueDepth: events.queued,
    paused: events.paused,
    ioPaused: events.paused,
    pendingRequests,
    pendingClientRequests: pendingRequests,
    queuedRequests: sources.queuedRequests,
    pendingServerRequests: sources.forwarded.pending.length,
    skippedLines: connection?.stats.skippedLines ?? 0,
    lateReplies: connection?.stats.lateReplies ?? 0,
    unknownReplies: connection?.stats.unknownReplies ?? 0,
    budget: sources.budget === undefined ? null : { tier: sources.budget.tier, limit: Number.isFinite(sources.budget.limit) ? sources.budget.limit : null },
    stats: { ...sources.counters },
  };
}
