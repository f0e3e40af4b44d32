import { stat } from 'node:fs/promises';
import pLimit from 'p-limit';
import type { OutcomeError } from '../runner/execute-request.js';
import type { ListFilters } from './list-params.js';
import { readRolloutHead, type RolloutFile, type RolloutHead } from './rollout-files.js';
import { apiThreadFacts, judgeThread } from './thread-filter.js';

/** Ids shown per kind of difference in a report, unless --verify asks for every one. */
export const SHOWN_IDS = 20;
/** Rollout mtimes and the index's updatedAt (whole seconds) may differ this much. */
const SINCE_SLACK_MS = 2000;

/** How a home's listing compared with its rollout files (and, with --verify, with the server's scan). */
export interface ListingCheck {
  /** What the listing was checked against. */
  against: 'rollouts' | 'rollouts+scan';
  /** Rollout files that had to be in the listing's reach (with --since: changed since then). */
  rollouts: number;
  /** Rollouts whose thread the listing (or an earlier run of this mine) had. */
  listed: number;
  /** Rollouts the filters exclude, by reason. */
  outsideFilters: Record<string, number>;
  /** Rollouts not listed that could not be judged against the filters (--search-term). */
  unjudged: number;
  /** Threads on disk, readable and within the filters, that the listing lacked (written after all). */
  missing: number;
  missingIds: string[];
  /** Rollouts the listing lacked that the server could not read either. */
  unreadable: number;
  unreadableIds: string[];
  /** Listed threads with no rollout file. */
  listedWithoutRollout: number;
  listedWithoutRolloutIds: string[];
  /** --verify: listed threads whose rollout disagrees with the listing (another id, outside the filters). */
  mismatched: number;
  mismatchedIds: string[];
  /** --verify: the server's scan listing against the index listing; null when not run. */
  scan: ScanComparison | null;
  /** True when nothing above differs. */
  agrees: boolean;
}

/** The server's other listing (scanning rollouts) compared with what was written. */
export interface ScanComparison {
  listed: number;
  /** The scan stopped at the server's limit: only threads at least as new as its last were compared. */
  limited: boolean;
  onlyInScan: number;
  onlyInScanIds: string[];
  onlyInIndex: number;
  onlyInIndexIds: string[];
}

/** Inputs of {@link checkListing}. */
export interface CheckListingOptions {
  /** The rollout files found when the listing began. */
  rollouts: readonly RolloutFile[];
  /** Every thread of this home the output has or the listing returned (with the path it gave). */
  listed: ReadonlyMap<string, string | undefined>;
  filters: ListFilters;
  /** --since, ms since the epoch. */
  sinceMs: number | undefined;
  /** --verify: read every rollout's head, show every id. */
  deep: boolean;
  /** Reads a thread's metadata from the server (`thread/read` without turns). */
  readMeta(id: string): Promise<{ thread: Record<string, unknown> } | { error: OutcomeError }>;
  readHead?: (file: string) => Promise<RolloutHead | undefined>;
  concurrency?: number;
}

/** What the check found, and the threads the listing lacked, to be written after all. */
export interface CheckResult {
  check: ListingCheck;
  recover: Array<Record<string, unknown> & { id: string }>;
}

/**
 * Checks a listing against the rollout files, read-only: every rollout within the filters must
 * be listed. A rollout the listing lacks is judged by its session_meta, then (unless a filter
 * certainly excludes it) read from the server by id: within the filters, it is missing from the
 * listing (and handed back to be written); unreadable, it is a difference of its own.
 */
export async function checkListing(options: CheckListingOptions): Promise<CheckResult> {
  const readHead = options.readHead ?? readRolloutHead;
  const limit = pLimit(options.concurrency ?? 8);
  const shown = (ids: string[]) => (options.deep ? ids : ids.slice(0, SHOWN_IDS));
  const sinceSeconds = options.sinceMs === undefined ? undefined : Math.floor(options.sinceMs / 1000);
  const inReach = options.sinceMs === undefined ? options.rollouts : options.rollouts.filter((file) => file.mtimeMs >= options.sinceMs! - SINCE_SLACK_MS);
  const outside: Record<string, number> = {};
  const out = (reason: string) => (outside[reason] = (outside[reason] ?? 0) + 1);
  const missing: string[] = [];
  const unreadable: string[] = [];
  const mismatched: string[] = [];
  const recover: CheckResult['recover'] = [];
  let unjudged = 0;
  let listedCount = 0;

  await Promise.all(
    inReach.map((file) =>
      limit(async () => {
        if (options.listed.has(file.id)) {
          listedCount++;
          if (!options.deep) return;
          const head = await readHead(file.path);
          const verdict = head === undefined ? undefined : judgeThread(head, options.filters);
          if (head === undefined || (head.id !== undefined && head.id !== file.id) || verdict?.verdict === 'out') mismatched.push(file.id);
          return;
        }
        const head = await readHead(file.path);
        const local = head === undefined ? undefined : judgeThread(head, options.filters);
        if (local?.verdict === 'out') return void out(local.reason);
        const meta = await options.readMeta(file.id);
        if ('error' in meta) return void unreadable.push(file.id);
        const verdict = judgeThread(apiThreadFacts(meta.thread), options.filters);
        const updatedAt = typeof meta.thread.updatedAt === 'number' ? meta.thread.updatedAt : undefined;
        if (sinceSeconds !== undefined && updatedAt !== undefined && updatedAt < sinceSeconds) return void out('not changed since');
        if (verdict.verdict === 'out') return void out(verdict.reason);
        if (verdict.verdict === 'unsure') return void unjudged++;
        missing.push(file.id);
        recover.push({ ...meta.thread, id: file.id });
      }),
    ),
  );

  const onDisk = new Set(options.rollouts.map((file) => file.id));
  const withoutRollout: string[] = [];
  await Promise.all(
    [...options.listed].filter(([id]) => !onDisk.has(id)).map(([id, file]) =>
      limit(async () => {
        // Not on disk when the listing began: made since (fine, if its file is there now), or gone.
        const exists = file !== undefined && (await stat(file).then((info) => info.isFile(), () => false));
        if (!exists) withoutRollout.push(id);
      }),
    ),
  );

  const check: ListingCheck = {
    against: 'rollouts',
    rollouts: inReach.length,
    listed: listedCount,
    outsideFilters: outside,
    unjudged,
    missing: missing.length,
    missingIds: shown(missing.sort()),
    unreadable: unreadable.length,
    unreadableIds: shown(unreadable.sort()),
    listedWithoutRollout: withoutRollout.length,
    listedWithoutRolloutIds: shown(withoutRollout.sort()),
    mismatched: mismatched.length,
    mismatchedIds: shown(mismatched.sort()),
    scan: null,
    agrees: missing.length === 0 && unreadable.length === 0 && withoutRollout.length === 0 && mismatched.length === 0,
  };
  return { check, recover };
}
