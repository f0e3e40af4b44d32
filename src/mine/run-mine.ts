import { stat, truncate } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Instance } from '../instance/instance.js';
import { isServerUrl } from '../transport/endpoint.js';
import { RunStats } from '../report/run-stats.js';
import type { Redactor } from '../report/redactor.js';
import type { RequestOutcome } from '../runner/execute-request.js';
import { linkedAbort } from '../runner/linked-abort.js';
import { requestExecutor } from '../runner/request-executor.js';
import type { RetryPolicy } from '../runner/retry-policy.js';
import { withSession, type SessionOptions } from '../runner/session.js';
import type { HomeProgress, MineCheckpoint } from './checkpoint.js';
import { CheckpointSaver } from './checkpoint-saver.js';
import { mineHome } from './home-miner.js';
import type { ListFilters, ListingMode } from './list-params.js';
import { MineInputError } from './mine-input-error.js';
import { MineOutput } from './mine-output.js';
import { HomeTracker, mineProgress, type MineProgress } from './mine-progress.js';
import { dropLines, scanOutput, type HomeWritten } from './output-recovery.js';
import type { ItemsMode } from './thread-reader.js';
import type { MineReport } from './mine-report.js';
import { homesOfShard, ownsThread } from './mine-shard.js';
import { WHOLE_JOB, type Shard } from '../shard/shard-spec.js';

export type { MineProgress } from './mine-progress.js';
export type { MineReport, MinedHome } from './mine-report.js';

/**
 * What a mining server is started with besides the user's own arguments: plugins off. On
 * codex 0.169.0 every start syncs plugins in the background, writing `.tmp/plugins*` into the
 * home, and a server closed before the sync ends (as a quick mine's is) leaves a `.tmp/git-*`
 * directory behind, one more per start.
 */
export const MINING_SERVER_ARGS: readonly string[] = ['-c', 'features.plugins=false'];

/** A home's first start may index tens of thousands of rollouts before it answers `initialize`. */
const MINE_HANDSHAKE_TIMEOUT_MS = 600_000;

/** Everything `cas mine` does, as a library call. */
export interface RunMineOptions extends Omit<SessionOptions, 'signal' | 'homes' | 'instances' | 'codexHome' | 'codexHomeTemplate' | 'shard'> {
  /** The CODEX_HOMEs to mine (absolute); they must exist: mining never creates one. With `shard`, the whole job's, the same on every shard. */
  homes: readonly string[];
  /**
   * Mine one share of a job split over `count` processes: the homes are dealt out to the shards
   * (or, with fewer homes than shards, each home's threads split by id; see {@link homesOfShard}).
   */
  shard?: Shard;
  /** App-servers per home (they share it; reads are spread over them). */
  instancesPerHome: number;
  /** Reads in flight per instance. */
  concurrency: number;
  /** Write every thread with its turns and their items instead of as listed. */
  read: boolean;
  /** With `read`: all items (default), the server's summary of them, or none. */
  items?: ItemsMode;
  /** Turns or items per `thread/turns/list` / `thread/items/list` page (default 100). */
  historyPageSize?: number;
  filters: ListFilters;
  /** `thread/list` page size (at most 100). */
  pageSize: number;
  /** How homes are listed (default `index`). */
  listing?: ListingMode;
  /** Only threads updated at or after this time (ms since the epoch). */
  sinceMs?: number;
  /** Also compare with the server's scan listing and every rollout's head; show every difference. */
  verify?: boolean;
  /** A file (appended to on resume, emptied otherwise) or a stream (stdout). */
  output: { file: string } | { stream: Writable };
  /** Where to keep the checkpoint (needs file output). */
  checkpointFile?: string;
  /** Continue from this checkpoint (validated: see loadCheckpoint). */
  resume?: MineCheckpoint;
  /** Which threads of a home this process writes (default all; with `shard`, of the shard's own). */
  selectThread?(home: string, threadId: string): boolean;
  retry: RetryPolicy;
  /** Keeps secrets out of the output (default: secret-looking keys). */
  redactor?: Redactor;
  onProgress?(progress: MineProgress): void;
  progressIntervalMs?: number;
  /** Aborting stops listing; reads in flight get the grace period; nothing unread is committed. */
  signal?: AbortSignal;
}

/** A resumed mine is the same share of the same job as the mine it continues. */
function checkResumedShard(resume: MineCheckpoint | undefined, shard: Shard, homes: readonly string[]): void {
  if (resume === undefined) return;
  const saved = resume.shard ?? WHOLE_JOB;
  if (saved.index !== shard.index || saved.count !== shard.count) {
    throw new MineInputError(`the checkpoint is of shard ${saved.index}/${saved.count}, not ${shard.index}/${shard.count}`);
  }
  // Another list of homes would deal this shard another share.
  if (resume.shard !== undefined && (resume.shard.homes.length !== homes.length || resume.shard.homes.some((home, index) => home !== homes[index]))) {
    throw new MineInputError("the checkpoint's shard was dealt its homes from another list of the job's homes");
  }
}

async function checkHomes(homes: readonly string[]): Promise<void> {
  for (const home of homes.filter((home) => !isServerUrl(home))) {
    const isDir = await stat(home).then((info) => info.isDirectory(), () => false);
    if (!isDir) throw new MineInputError(`${home}: no such directory (mining never creates a home)`);
  }
}

/** Lists (and with `read`, reads) every thread of every home, each exactly once, resumable. */
export async function runMine(options: RunMineOptions): Promise<MineReport> {
  const shard = options.shard ?? WHOLE_JOB;
  checkResumedShard(options.resume, shard, options.homes);
  const own = homesOfShard(options.homes, shard);
  const homes = own.map((home) => home.home);
  await checkHomes(homes);
  const file = 'file' in options.output ? options.output.file : undefined;
  const resumed = options.resume !== undefined;
  const listingStartedAt = options.resume?.listingStartedAt ?? new Date().toISOString();
  const progress: HomeProgress[] = homes.map(
    (home) => options.resume?.homes.find((saved) => saved.home === home) ?? { home, cursor: null, listed: false, done: false, pages: 0, threads: 0, failed: 0, retry: [] },
  );
  let byHome = new Map<string, HomeWritten>();
  let drop = new Set<number>();
  if (file !== undefined && resumed) ({ byHome, drop } = await scanOutput(file, homes));
  else if (file !== undefined) await truncate(file).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? undefined : Promise.reject(error)));
  // The output is the truth: counts from it, and threads whose only line is an error line are read again.
  for (const home of progress) {
    const found = byHome.get(home.home);
    home.threads = found?.written.size ?? 0;
    home.retry = [...new Set([...home.retry, ...(found?.failed ?? [])])].filter((id) => found?.written.has(id) !== true);
    home.failed = 0;
  }
  const saver = new CheckpointSaver(options.checkpointFile, () => ({
    version: 2,
    out: file ?? '-',
    read: options.read,
    items: options.items ?? 'full',
    pageSize: options.pageSize,
    listing: options.listing ?? 'index',
    filters: { ...options.filters },
    since: options.sinceMs === undefined ? null : new Date(options.sinceMs).toISOString(),
    listingStartedAt,
    homes: progress,
    ...(options.shard === undefined ? {} : { shard: { index: shard.index, count: shard.count, jobId: shard.jobId, homes: [...options.homes] } }),
  }));
  // The retries are on record before their error lines leave the output.
  await saver.save();
  if (file !== undefined) await dropLines(file, drop);

  const abort = linkedAbort(options.signal);
  const { signal } = abort;
  const output = await MineOutput.open(file !== undefined ? { file } : options.output, options.redactor);
  const trackers = progress.map((home) => new HomeTracker(home.home, home.threads, home.failed));
  // Checkpoint saves run alongside the mine; the first that fails fails the mine (after it stops).
  let saveError: unknown;
  const commit = () => saver.save().catch((error: unknown) => void (saveError ??= error));
  const before = progress.map((home) => home.threads);
  try {
    return await withSession(
      {
        ...options,
        signal,
        untouchedHomes: true,
        // The servers only list and read: codex's plugin sync would leave scratch in the home's .tmp at every start.
        codexArgs: [...options.codexArgs, ...MINING_SERVER_ARGS],
        startInBackground: true,
        connect: { handshakeTimeoutMs: MINE_HANDSHAKE_TIMEOUT_MS, ...options.connect },
        instances: homes.length * options.instancesPerHome,
        homes: homes.flatMap((home) => Array<string>(options.instancesPerHome).fill(home)),
        shard: options.shard,
      },
      async (session) => {
        const start = performance.now();
        const stats = new RunStats(0, start);
        session.sampler?.align(start);
        let seq = 0;
        const onRequest = (instance: Instance | null, outcome: RequestOutcome) => stats.add(instance?.index ?? null, { seq: seq++, warmup: false }, outcome);
        const tick = (phase: MineProgress['phase']) => options.onProgress?.(mineProgress(phase, performance.now() - start, trackers));
        tick('starting');
        const ticker = setInterval(() => tick('running'), options.progressIntervalMs ?? 250);
        ticker.unref();
        const executor = session.paced(requestExecutor(options.retry, signal), signal);
        let outcomes;
        try {
          outcomes = await Promise.all(
            progress.map(async (home, index) => {
              const instances = session.instances.slice(index * options.instancesPerHome, (index + 1) * options.instancesPerHome);
              const written = byHome.get(home.home)?.written ?? new Set<string>();
              return mineHome({
                home: home.home,
                instances,
                concurrency: options.concurrency,
                read: options.read,
                items: options.items ?? 'full',
                historyPageSize: options.historyPageSize ?? 100,
                filters: options.filters,
                pageSize: options.pageSize,
                listing: options.listing ?? 'index',
                sinceMs: options.sinceMs,
                listingStartedMs: Date.parse(listingStartedAt),
                verify: options.verify ?? false,
                progress: home,
                written,
                selects: (id) => ownsThread(own[index]!, id, shard) && (options.selectThread?.(home.home, id) ?? true),
                output,
                executor,
                spillDir: session.runDir,
                onRequest,
                onCommit: commit,
                tracker: trackers[index]!,
                signal,
              });
            }),
          );
        } finally {
          clearInterval(ticker);
        }
        await session.ready;
        await session.close();
        await saver.save();
        if (saveError !== undefined) throw saveError;
        tick('done');
        const base = session.report(stats, performance.now() - start, signal.aborted);
        const sum = (key: 'listed' | 'read') => trackers.reduce((total, tracker) => total + tracker[key], 0);
        const failed = progress.reduce((total, home) => total + home.failed, 0);
        const listed = sum('listed');
        return {
          ...base,
          homes: progress.map((home, index) => ({
            ...home,
            index: own[index]!.index,
            share: own[index]!.share,
            retry: [...home.retry],
            error: outcomes[index]!.error,
            check: outcomes[index]!.check,
          })),
          threads: { listed, read: sum('read'), failed, written: progress.reduce((total, home, index) => total + home.threads - before[index]!, 0) + failed },
          homeCount: options.homes.length,
          read: options.read,
          items: options.items ?? 'full',
          listing: options.listing ?? 'index',
          filters: { ...options.filters },
          since: options.sinceMs === undefined ? null : new Date(options.sinceMs).toISOString(),
          listingStartedAt,
          out: file ?? null,
          checkpoint: options.checkpointFile ?? null,
          resumed,
        };
      },
    );
  } finally {
    abort.dispose();
    await output.close();
  }
}
