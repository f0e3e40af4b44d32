import { stat } from 'node:fs/promises';
import pLimit from 'p-limit';
import type { OutcomeError } from '../runner/execute-request.js';
import type { ListFilters } from './list-params.js';
import { readRolloutHead, rolloutPath, type RolloutFile, type RolloutHead } from './rollout-files.js';
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
  /** Rollouts of threads made after the listing began and not listed: the next mine's. */
  newer: number;
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
  /** Threads the scan listed (with --shard, of this shard's share). */
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
  /** Walks the rollout files that had to be listed (see walkRollouts), one call per file. */
  walk(onFile: (file: RolloutFile) => void): Promise<void>;
  /** Every thread of this home the output has or the listing returned, in a few sets. */
  known: ReadonlyArray<ReadonlySet<string>>;
  filters: ListFilters;
  /** --since, ms since the epoch. */
  sinceMs: number | undefined;
  /** When the listing began: a thread made after it (its UUIDv7 id says when) was the listing's to find or not. */
  listingStartedMs: number;
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

/** When a UUIDv7 thread id (what codex gives threads) was made, in ms; undefined for other ids. */
export function idTimeMs(id: string): number | undefined {
  return id[14] === '7' ? Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16) : undefined;
}

/**
 * Checks a listing against the rollout files, read-only, streaming (nothing per file is kept
 * but what differs): every rollout within the filters must be listed. A rollout the listing
 * lacks is judged by its session_meta, then (unless a filter certainly excludes it) read from
 * the server by id: within the filters, it is missing from the listing (and handed back to be
 * written); unreadable, it is a difference of its own. Listed threads with no rollout are too.
 */
export async function checkListing(options: CheckListingOptions): Promise<CheckResult> {
  const readHead = options.readHead ?? readRolloutHead;
  const isKnown = (id: string) => options.known.some((set) => set.has(id));
  const limit = pLimit(options.concurrency ?? 8);
  const shown = (ids: string[]) => (options.deep ? ids : ids.slice(0, SHOWN_IDS));
  const sinceSeconds = options.sinceMs === undefined ? undefined : Math.floor(options.sinceMs / 1000);
  const outside: Record<string, number> = {};
  const out = (reason: string) => (outside[reason] = (outside[reason] ?? 0) + 1);
  const missing: string[] = [];
  const unreadable: string[] = [];
  const mismatched: string[] = [];
  const recover: CheckResult['recover'] = [];
  const work: Array<Promise<void>> = [];
  let unjudged = 0;
  let listedCount = 0;
  let inReach = 0;
  let newer = 0;

  const judge = async (file: RolloutFile) => {
    if (options.sinceMs !== undefined && (await mtimeOf(file)) < options.sinceMs - SINCE_SLACK_MS) return;
    inReach++;
    const head = await readHead(rolloutPath(file));
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
  };
  const compare = async (file: RolloutFile) => {
    const head = await readHead(rolloutPath(file));
    const verdict = head === undefined ? undefined : judgeThread(head, options.filters);
    if (head === undefined || (head.id !== undefined && head.id !== file.id) || verdict?.verdict === 'out') mismatched.push(file.id);
  };
  await options.walk((file) => {
    if (isKnown(file.id)) {
      listedCount++;
      inReach++;
      if (options.deep) work.push(limit(() => compare(file)));
      return;
    }
    // Made after the listing began: listed if the listing reached it, else the next mine's.
    if ((idTimeMs(file.id) ?? 0) > options.listingStartedMs) return void newer++;
    work.push(limit(() => judge(file)));
  });
  await Promise.all(work);

  // Listed threads with no rollout: only looked for when fewer rollouts were found than threads known.
  const withoutRollout: string[] = [];
  // The sets do not overlap (a thread is either written or listed and not written).
  const knownCount = options.known.reduce((total, set) => total + set.size, 0);
  if (listedCount < knownCount) {
    const onDisk = new Set<string>();
    await options.walk((file) => onDisk.add(file.id));
    const notOnDisk = new Set<string>();
    for (const set of options.known) for (const id of set) if (!onDisk.has(id)) notOnDisk.add(id);
    await Promise.all(
      [...notOnDisk].map((id) =>
        limit(async () => {
          // Its rollout may not be where the walk looks (e.g. compressed): the server says where it is.
          const meta = await options.readMeta(id);
          const file = 'thread' in meta && typeof meta.thread.path === 'string' ? meta.thread.path : undefined;
          const exists = file !== undefined && (await stat(file).then((info) => info.isFile(), () => false));
          if (!exists) withoutRollout.push(id);
        }),
      ),
    );
  }

  const check: ListingCheck = {
    against: 'rollouts',
    rollouts: inReach,
    listed: listedCount,
    outsideFilters: outside,
    unjudged,
    newer,
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

async function mtimeOf(file: RolloutFile): Promise<number> {
  if (file.mtimeMs > 0) return file.mtimeMs;
  return stat(rolloutPath(file)).then((info) => info.mtimeMs, () => 0);
}
