import type { Instance } from '../instance/instance.js';
import { LocalErrorCode } from '../protocol/error-codes.js';
import { isServerUrl } from '../transport/endpoint.js';
import type { RequestOutcome } from '../runner/execute-request.js';
import type { JobExecutor } from '../runner/run-workers.js';
import type { HomeProgress } from './checkpoint.js';
import { listHome, ListingFailed } from './home-lister.js';
import { checkHome } from './home-check.js';
import { homeRequester } from './home-requester.js';
import { SHOWN_IDS, type ListingCheck } from './listing-check.js';
import type { ListFilters, ListingMode } from './list-params.js';
import type { HomeTracker } from './mine-progress.js';
import type { MineOutput } from './mine-output.js';
import { rolloutDir, walkRollouts } from './rollout-files.js';
import type { ItemsMode } from './thread-reader.js';
import { ThreadWriter } from './thread-writer.js';

/** Pages listed ahead of the writes, at most: bounds memory, keeps the readers busy. */
const PAGES_AHEAD = 4;

/** Inputs of {@link mineHome}. */
export interface HomeMinerOptions {
  home: string;
  /** This home's instances (they all serve it). */
  instances: readonly Instance[];
  /** Reads in flight per instance. */
  concurrency: number;
  read: boolean;
  items: ItemsMode;
  historyPageSize: number;
  filters: ListFilters;
  pageSize: number;
  listing: ListingMode;
  sinceMs: number | undefined;
  /** When the listing of this mine began (a resumed mine's first run). */
  listingStartedMs: number;
  verify: boolean;
  /** Where the home stands; updated as pages are committed (the checkpoint's record). */
  progress: HomeProgress;
  /** Threads of this home already in the output; grows as threads are written. */
  written: Set<string>;
  /**
   * Which threads this process writes (the rest are another's: a shard's share of a home). The
   * listing and the check still see every thread.
   */
  selects(threadId: string): boolean;
  output: MineOutput;
  executor: JobExecutor;
  /** Private directory for lines too big for memory. */
  spillDir: string;
  /** Counts every request in the run's statistics. */
  onRequest(instance: Instance | null, outcome: RequestOutcome): void;
  /** Saves the checkpoint (after a page, a retry or the end). */
  onCommit(): Promise<void>;
  tracker: HomeTracker;
  signal: AbortSignal;
}

/** How a home's mine ended. */
export interface HomeOutcome {
  /** Why the listing did not reach its end, if it did not. */
  error: string | null;
  check: ListingCheck | null;
}

/** A listed page whose threads are being written. */
interface PendingPage {
  cursorAfter: string | null;
  last: boolean;
  unwritten: number;
  /** A thread of it was left unwritten by an interrupt: it is listed again on resume. */
  lost: boolean;
  /** Counts as a page (not the empty end of an incremental listing). */
  counts: boolean;
}

/**
 * Mines one home to the end: re-reads the threads an earlier run could not read, lists every
 * thread (from the server's index by default), writes each not written before exactly once,
 * then checks the listing against the rollout files and writes what it lacked. Pages are
 * committed in order, only once every thread on them is written, so the checkpoint never runs
 * ahead of the output. Never throws for the server's failures: they are the outcome.
 */
export async function mineHome(options: HomeMinerOptions): Promise<HomeOutcome> {
  const { progress, tracker, written, signal } = options;
  const request = homeRequester(options);
  // Threads listed by this run and not (yet) written: in flight, failed, or another shard's.
  const listed = new Set<string>();
  const writer = new ThreadWriter(options);
  const sync = () => {
    progress.threads = written.size;
    tracker.written = written.size;
    tracker.failed = progress.failed;
  };
  const record = (id: string, result: { written: boolean; failed: boolean }) => {
    if (!result.written) return;
    if (result.failed) {
      progress.failed++;
      return sync();
    }
    written.add(id);
    listed.delete(id);
    if (options.read) tracker.read++;
    sync();
  };

  // Threads whose read failed before: read again first (and not again if the listing meets them).
  for (const id of [...progress.retry]) {
    if (!options.selects(id) || written.has(id)) {
      progress.retry.splice(progress.retry.indexOf(id), 1);
      continue;
    }
    listed.add(id);
    writer.add({
      id,
      thread: undefined,
      done: (result) => {
        record(id, result);
        if (result.written) progress.retry.splice(progress.retry.indexOf(id), 1);
        void options.onCommit();
      },
    });
  }
  if (progress.done) {
    await writer.finish();
    tracker.phase = signal.aborted ? 'stopped' : 'done';
    return { error: null, check: (progress.check as ListingCheck | null | undefined) ?? null };
  }

  // How many threads the home holds, for progress, while the listing starts: its rollout files.
  const narrowed = options.filters.cwd !== undefined || options.filters.searchTerm !== undefined || options.filters.sourceKinds !== undefined || options.filters.modelProviders !== undefined;
  const dir = rolloutDir(options.home, options.filters.archived === true);
  if (!narrowed && options.sinceMs === undefined) {
    let files = 0;
    void walkRollouts(dir, (file) => void (options.selects(file.id) && files++)).then(
      () => void (tracker.phase === 'listing' && (tracker.total = Math.max(files, written.size))),
      () => undefined,
    );
  }
  tracker.phase = 'listing';

  const pending: PendingPage[] = [];
  let room: (() => void) | undefined;
  const commitReady = () => {
    while (pending.length > 0 && pending[0]!.unwritten === 0 && !pending[0]!.lost) {
      const page = pending.shift()!;
      if (options.sinceMs === undefined) progress.cursor = page.cursorAfter;
      progress.listed = page.last;
      if (page.counts) progress.pages++;
      sync();
      void options.onCommit();
    }
    room?.();
  };

  let error: string | null = null;
  let reachedEnd = false;
  const wake = () => room?.();
  signal.addEventListener('abort', wake, { once: true });
  if (!progress.listed) {
    // An incremental listing starts from the top each time: its pages are this run's.
    if (options.sinceMs !== undefined) progress.pages = 0;
    try {
      const pages = listHome({
        request: (params) => request('thread/list', params),
        filters: options.filters,
        pageSize: options.pageSize,
        mode: options.listing,
        cursor: progress.cursor,
        sinceSeconds: options.sinceMs === undefined ? undefined : Math.floor(options.sinceMs / 1000),
        isKnown: (id) => listed.has(id) || written.has(id),
        signal,
      });
      for await (const page of pages) {
        tracker.pages++;
        const fresh = page.threads.filter((thread) => !listed.has(thread.id) && !written.has(thread.id) && options.selects(thread.id));
        for (const thread of page.threads) if (!written.has(thread.id)) listed.add(thread.id);
        tracker.listed += fresh.length;
        const pageRecord: PendingPage = { cursorAfter: page.cursorAfter, last: page.last, unwritten: fresh.length, lost: false, counts: options.sinceMs === undefined || page.threads.length > 0 };
        pending.push(pageRecord);
        reachedEnd ||= page.last;
        for (const thread of fresh) {
          writer.add({
            id: thread.id,
            thread,
            done: (result) => {
              record(thread.id, result);
              if (result.written) pageRecord.unwritten--;
              else pageRecord.lost = true;
              commitReady();
            },
          });
        }
        commitReady();
        while (pending.length >= PAGES_AHEAD && !signal.aborted && !pending[0]!.lost) await new Promise<void>((resolve) => (room = resolve));
        if (pending[0]?.lost === true) break;
      }
    } catch (failure) {
      if (!(failure instanceof ListingFailed)) throw failure;
      // A page the interrupt kept from being sent leaves the home unfinished, not failed.
      if (!(signal.aborted && failure.code === LocalErrorCode.interrupted)) error = failure.message;
    }
  }

  signal.removeEventListener('abort', wake);

  let check: ListingCheck | null = null;
  // A server reached with --connect owns its home: its rollout files are not here to check against.
  const checkable = !isServerUrl(options.home);
  if (checkable && error === null && !signal.aborted && (progress.listed || reachedEnd)) {
    tracker.phase = 'checking';
    let unwritten = 0;
    for (const id of listed) if (options.selects(id)) unwritten++;
    tracker.total = written.size + unwritten;
    const checked = await checkHome({ rolloutDir: dir, selects: options.selects, listingStartedMs: options.listingStartedMs, listed, written, request, filters: options.filters, pageSize: options.pageSize, sinceMs: options.sinceMs, verify: options.verify, signal });
    ({ check, error } = checked);
    for (const thread of checked.recover) if (!written.has(thread.id)) writer.add({ id: thread.id, thread, done: (outcome) => record(thread.id, outcome) });
  }
  await writer.finish();
  commitReady();
  if ((check !== null || !checkable) && error === null && !signal.aborted && progress.listed && progress.retry.length === 0) {
    progress.done = true;
    progress.check = check === null ? null : storedCheck(check);
  }
  sync();
  tracker.phase = progress.done ? 'done' : 'stopped';
  await options.onCommit();
  return { error, check };
}

/** The check as a checkpoint keeps it: every count, but only the first few ids of each list. */
function storedCheck(check: ListingCheck): ListingCheck {
  const cut = (ids: string[]) => ids.slice(0, SHOWN_IDS);
  const scan = check.scan === null ? null : { ...check.scan, onlyInScanIds: cut(check.scan.onlyInScanIds), onlyInIndexIds: cut(check.scan.onlyInIndexIds) };
  return { ...check, missingIds: cut(check.missingIds), unreadableIds: cut(check.unreadableIds), listedWithoutRolloutIds: cut(check.listedWithoutRolloutIds), mismatchedIds: cut(check.mismatchedIds), scan };
}
