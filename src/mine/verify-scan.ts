import type { RequestOutcome } from '../runner/execute-request.js';
import { SHOWN_IDS, type ScanComparison } from './listing-check.js';
import { listParams, ThreadListPageSchema, type ListFilters } from './list-params.js';

/** codex 0.169.0's scan listing ends after this many threads (then `nextCursor` is null). */
export const SCAN_LIMIT = 10_000;

/** Inputs of {@link compareWithScan}. */
export interface CompareWithScanOptions {
  request(params: Record<string, unknown>): Promise<RequestOutcome>;
  filters: ListFilters;
  pageSize: number;
  /** Threads of the home the mine wrote (or found written), and those this run listed. */
  written: ReadonlySet<string>;
  listedThisRun: ReadonlySet<string>;
  /** --since, in whole seconds. */
  sinceSeconds: number | undefined;
  /** Show every differing id. */
  deep: boolean;
}

/**
 * `--verify`: lists the home the server's other way (scanning rollout files, newest first, as
 * far as the server goes) and compares. Threads the scan has and the mine did not write are
 * differences; threads this run listed that the scan lacks are too, when the scan reached the
 * end (past its 10,000-thread limit the scan only covers the newest, so that side is left out).
 */
export async function compareWithScan(options: CompareWithScanOptions): Promise<ScanComparison> {
  const seen = new Set<string>();
  const sortKey = options.sinceSeconds === undefined ? 'created_at' : 'updated_at';
  let cursor: string | null = null;
  let stopped = false;
  while (!stopped) {
    const outcome = await options.request(listParams(options.filters, options.pageSize, cursor, 'scan', { sortKey, direction: 'desc' }));
    const page = outcome.ok ? ThreadListPageSchema.safeParse(outcome.result) : undefined;
    if (page?.success !== true) throw new Error(`the scan listing failed: ${outcome.error?.message ?? 'no page'}`);
    for (const thread of page.data.data) {
      if (options.sinceSeconds !== undefined && typeof thread.updatedAt === 'number' && thread.updatedAt < options.sinceSeconds) {
        stopped = true;
        break;
      }
      seen.add(thread.id);
    }
    const next = page.data.nextCursor ?? null;
    if (next === null || next === cursor) break;
    cursor = next;
  }
  const limited = !stopped && seen.size >= SCAN_LIMIT;
  const onlyInScan = [...seen].filter((id) => !options.written.has(id)).sort();
  const onlyInIndex = limited ? [] : [...options.listedThisRun].filter((id) => !seen.has(id)).sort();
  const shown = (ids: string[]) => (options.deep ? ids : ids.slice(0, SHOWN_IDS));
  return { listed: seen.size, limited, onlyInScan: onlyInScan.length, onlyInScanIds: shown(onlyInScan), onlyInIndex: onlyInIndex.length, onlyInIndexIds: shown(onlyInIndex) };
}
