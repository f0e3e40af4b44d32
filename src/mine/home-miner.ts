import type { Instance } from '../instance/instance.js';
import { LocalErrorCode } from '../protocol/error-codes.js';
import type { RequestOutcome } from '../runner/execute-request.js';
import { queueSource } from '../runner/queue-source.js';
import type { JobExecutor } from '../runner/run-workers.js';
import { runWorkers, unavailableOutcome } from '../runner/run-workers.js';
import type { WorkItem } from '../runner/work-source.js';
import type { HomeProgress } from './checkpoint.js';
import { listParams, ThreadListPageSchema, ThreadReadResultSchema, type ListFilters } from './list-params.js';
import type { MineOutput } from './mine-output.js';

/** Pages listed ahead of the reads, at most: bounds memory, keeps the readers busy. */
const PAGES_AHEAD = 3;

/** Inputs of {@link mineHome}. */
export interface HomeMinerOptions {
  /** This home's instances (they all serve the same CODEX_HOME). */
  instances: readonly Instance[];
  /** `thread/read` requests in flight per instance, with `read`. */
  concurrency: number;
  /** Read every thread whole (`thread/read` with turns) instead of writing the listing. */
  read: boolean;
  filters: ListFilters;
  pageSize: number;
  /** Where the home stands; updated as pages are committed. */
  progress: HomeProgress;
  /** Thread ids already written for this home; updated as threads are written. */
  seen: Set<string>;
  output: MineOutput;
  executor: JobExecutor;
  /** Counts every request (list and read) in the run's statistics. */
  onRequest(instance: Instance | null, outcome: RequestOutcome): void;
  /** Saves the checkpoint after a page is committed. */
  onCommit(): Promise<void>;
  /** Threads listed (new ones) and read so far, for progress. */
  onListed(count: number): void;
  onRead(): void;
  signal: AbortSignal;
}

/** A listed page whose threads are being written. */
interface PendingPage {
  cursorAfter: string | null;
  last: boolean;
  threads: number;
  unwritten: number;
}

interface ReadItem extends WorkItem {
  threadId: string;
  page: PendingPage;
}

function firstLive(instances: readonly Instance[]): Instance | undefined {
  return instances.find((instance) => instance.serving);
}

/**
 * Mines one home: follows `thread/list` cursors to the end, oldest first, writing each thread
 * not seen before exactly once (listed, or read whole with `read`). Pages are committed in
 * order, and only once every thread on them is written, so the checkpoint never runs ahead of
 * the output. Resolves with the reason when the home could not be mined to the end.
 */
export async function mineHome(options: HomeMinerOptions): Promise<string | undefined> {
  const { progress, output } = options;
  const pending: PendingPage[] = [];
  let room: (() => void) | undefined;
  let seq = 0;
  let failure: string | undefined;

  async function commitReady(): Promise<void> {
    while (pending.length > 0 && pending[0]!.unwritten === 0) {
      const page = pending.shift()!;
      progress.cursor = page.cursorAfter;
      progress.done = page.last;
      progress.pages++;
      progress.threads += page.threads;
      await options.onCommit();
    }
    room?.();
  }

  const reads = queueSource<ReadItem>();
  const readers = options.read
    ? runWorkers({
        instances: options.instances,
        concurrency: options.concurrency,
        source: reads,
        jobFor: (item) => ({ method: 'thread/read', params: { threadId: item.threadId, includeTurns: true } }),
        execute: options.executor.run,
        async onOutcome(instance, item, _job, outcome) {
          options.onRequest(instance, outcome);
          const thread = outcome.ok ? ThreadReadResultSchema.safeParse(outcome.result) : undefined;
          if (thread?.success === true) await output.write({ codexHome: progress.home, thread: thread.data.thread });
          else {
            const error = outcome.error ?? { code: LocalErrorCode.unexpectedReply, message: 'thread/read returned no thread' };
            await output.write({ codexHome: progress.home, threadId: item.threadId, error: { code: error.code, message: error.message } });
          }
          options.onRead();
          item.page.unwritten--;
          await commitReady();
        },
      })
    : Promise.resolve();

  try {
    while (!progress.done && !options.signal.aborted) {
      // The next page starts where the last listed one ended, which may be ahead of the committed cursor.
      const lastListed = pending.at(-1);
      if (lastListed?.last === true) break;
      const cursor = lastListed === undefined ? progress.cursor : lastListed.cursorAfter;
      const job = { method: 'thread/list', params: listParams(options.filters, options.pageSize, cursor) };
      const instance = firstLive(options.instances);
      const outcome = instance === undefined ? unavailableOutcome() : await options.executor.run(instance, 0, job, performance.now());
      options.onRequest(instance ?? null, outcome);
      const page = outcome.ok ? ThreadListPageSchema.safeParse(outcome.result) : undefined;
      if (page?.success !== true) {
        failure = outcome.error?.message ?? 'thread/list returned no page';
        break;
      }
      const fresh = page.data.data.filter((thread) => !options.seen.has(thread.id));
      for (const thread of fresh) options.seen.add(thread.id);
      options.onListed(fresh.length);
      const next = page.data.nextCursor ?? null;
      const record: PendingPage = { cursorAfter: next, last: next === null, threads: fresh.length, unwritten: fresh.length };
      pending.push(record);
      if (options.read) {
        for (const thread of fresh) reads.push({ seq: seq++, warmup: false, threadId: thread.id, page: record });
      } else {
        await Promise.all(fresh.map((thread) => output.write({ codexHome: progress.home, thread })));
        record.unwritten = 0;
      }
      await commitReady();
      while (pending.length >= PAGES_AHEAD && !options.signal.aborted) await new Promise<void>((resolve) => (room = resolve));
    }
  } finally {
    reads.end();
    await readers;
    await commitReady();
  }
  return failure;
}
