import type { RequestOutcome } from '../runner/execute-request.js';
import { checkListing, type ListingCheck } from './listing-check.js';
import type { ListFilters } from './list-params.js';
import { threadOf } from './page-shapes.js';
import { walkRollouts } from './rollout-files.js';
import { compareWithScan } from './verify-scan.js';

/** Inputs of {@link checkHome}. */
export interface CheckHomeOptions {
  /** Where the rollout files are. */
  rolloutDir: string;
  /** Which threads this process writes (another's are not its to check). */
  selects(threadId: string): boolean;
  listingStartedMs: number;
  /** Threads listed and not written (in flight, failed, another shard's), and those written. */
  listed: ReadonlySet<string>;
  written: ReadonlySet<string>;
  request(method: string, params: Record<string, unknown>): Promise<RequestOutcome>;
  filters: ListFilters;
  pageSize: number;
  sinceMs: number | undefined;
  verify: boolean;
  signal: AbortSignal;
}

/**
 * Once a home's listing reached its end: checks it against the rollout files (and with
 * --verify against the server's scan listing too). Hands back the threads the listing lacked,
 * to be written after all, or why the check could not be made.
 */
export async function checkHome(options: CheckHomeOptions): Promise<{ check: ListingCheck | null; recover: Array<Record<string, unknown> & { id: string }>; error: string | null }> {
  // A shard checks its own share: threads listed that another shard writes are not its to account for.
  const listed = ownOnly(options.listed, options.selects);
  let result;
  try {
    result = await checkListing({
      walk: (onFile) => walkRollouts(options.rolloutDir, (file) => options.selects(file.id) && onFile(file)),
      known: [options.written, listed],
      filters: options.filters,
      sinceMs: options.sinceMs,
      listingStartedMs: options.listingStartedMs,
      deep: options.verify,
      readMeta: async (id) => {
        const outcome = await options.request('thread/read', { threadId: id });
        const thread = outcome.ok ? threadOf(outcome.result) : undefined;
        if (thread !== undefined) return { thread };
        return { error: outcome.error ?? { code: 'unexpected-reply', message: 'thread/read returned no thread' } };
      },
    });
  } catch (failure) {
    return { check: null, recover: [], error: `cannot read the rollout files: ${(failure as Error).message}` };
  }
  const { check, recover } = result;
  if (!options.verify || options.signal.aborted) return { check, recover, error: null };
  try {
    check.scan = await compareWithScan({
      request: (params) => options.request('thread/list', params),
      filters: options.filters,
      pageSize: options.pageSize,
      known: [options.written, listed, new Set(recover.map((thread) => thread.id))],
      selects: options.selects,
      sinceSeconds: options.sinceMs === undefined ? undefined : Math.floor(options.sinceMs / 1000),
      deep: true,
    });
    check.against = 'rollouts+scan';
    check.agrees &&= check.scan.onlyInScan === 0 && check.scan.onlyInIndex === 0;
    return { check, recover, error: null };
  } catch (failure) {
    return { check, recover, error: (failure as Error).message };
  }
}

/** The threads of `ids` this process writes (the set itself when it writes them all). */
function ownOnly(ids: ReadonlySet<string>, selects: (id: string) => boolean): ReadonlySet<string> {
  const own = new Set<string>();
  for (const id of ids) if (selects(id)) own.add(id);
  return own.size === ids.size ? ids : own;
}
