import type { RequestOutcome } from '../runner/execute-request.js';
import { SHOWN_IDS, type ScanComparison } from './listing-check.js';
import { listParams, type ListFilters } from './list-params.js';
import { isThread, pageOf } from './page-shapes.js';

/** codex 0.169.0's scan listing ends after this many threads (then `nextCursor` is null). */
export const SCAN_LIMIT = 10_000;

/** Inputs of {@link compareWithScan}. */
export interface CompareWithScanOptions {
  request(params: Record<string, unknown>): Promise<RequestOutcome>;
  filters: ListFilters;
  pageSize: number;
  /** Threads of the home the mine wrote, found written, or listed. */
  known: ReadonlyArray<ReadonlySet<string>>;
  /** --since, in whole seconds. */
  sinceSeconds: number | undefined;
  /** Show every differing id. */
  deep: boolean;
  /** Which threads this process writes (a shard compares its own share; default all). */
  selects?(threadId: string): boolean;
}

/**
 * `--verify`: lists the home the server's other way (scanning rollout files, newest first, as
 * far as the server goes) and compares. Threads the scan has and the mine did not write are
 * differences; threads the mine has that the scan lacks are too, when the scan reached the end
 * (past its 10,000-thread limit the scan only covers the newest, so that side is left out).
 */
export async function compareWithScan(options: CompareWithScanOptions): Promise<ScanComparison> {
  const seen = new Set<string>();
  const sortKey = options.sinceSeconds === undefined ? 'created_at' : 'updated_at';
  let cursor: string | null = null;
  let stopped = false;
  let scanned = 0;
  while (!stopped) {
    const outcome = await options.request(listParams(options.filters, options.pageSize, cursor, 'scan', { sortKey, direction: 'desc' }));
    const page = outcome.ok ? pageOf(outcome.result, isThread) : undefined;
    if (page === undefined) throw new Error(`the scan listing failed: ${outcome.error?.message ?? 'no page'}`);
    for (const thread of page.data) {
      if (options.sinceSeconds !== undefined && typeof thread.updatedAt === 'number' && thread.updatedAt < options.sinceSeconds) {
        stopped = true;
        break;
      }
      scanned++;
      if (options.selects?.(thread.id) !== false) seen.add(thread.id);
    }
    const next = page.nextCursor;
    if (next === null || next === cursor) break;
    cursor = next;
  }
  const limited = !stopped && scanned >= SCAN_LIMIT;
  const onlyInScan = [...seen].filter((id) => !options.known.some((set) => set.has(id))).sort();
  const onlyInIndex = limited ? [] : options.known.flatMap((set) => [...set]).filter((id) => !seen.has(id) && options.selects?.(id) !== false).sort();
  const shown = (ids: string[]) => (options.deep ? ids : ids.slice(0, SHOWN_IDS));
  return { listed: seen.size, limited, onlyInScan: onlyInScan.length, onlyInScanIds: shown(onlyInScan), onlyInIndex: onlyInIndex.length, onlyInIndexIds: shown(onlyInIndex) };
}
