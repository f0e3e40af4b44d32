import { truncate } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Instance } from '../instance/instance.js';
import type { BaseReport } from '../report/base-report.js';
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
import type { ListFilters } from './list-params.js';
import { MineOutput, recoverOutput, type SeenThreads } from './mine-output.js';

/** Where a mine is, for a progress display. */
export interface MineProgress {
  phase: 'starting' | 'running';
  listed: number;
  read: number;
  failed: number;
  elapsedMs: number;
}

/** Everything `cas mine` does, as a library call. */
export interface RunMineOptions extends Omit<SessionOptions, 'signal' | 'homes' | 'instances' | 'codexHome' | 'codexHomeTemplate'> {
  /** The CODEX_HOMEs to mine; they must exist. */
  homes: readonly string[];
  /** App-servers per home (they share it). */
  instancesPerHome: number;
  /** `thread/read` requests in flight per instance. */
  concurrency: number;
  /** Write every thread whole (with turns) instead of as listed. */
  read: boolean;
  filters: ListFilters;
  /** `thread/list` page size (at most 100). */
  pageSize: number;
  /** A file (appended on resume, replaced otherwise) or a stream (stdout). */
  output: { file: string } | { stream: Writable };
  /** Where to keep the checkpoint (needs file output). */
  checkpointFile?: string;
  /** Continue from this checkpoint (its output file is recovered and appended to). */
  resume?: MineCheckpoint;
  retry: RetryPolicy;
  /** Keeps secrets out of the output (default: secret-looking keys). */
  redactor?: Redactor;
  onProgress?(progress: MineProgress): void;
  progressIntervalMs?: number;
  /** Aborting stops listing; what is in flight is written and checkpointed. */
  signal?: AbortSignal;
}

/** One home's line in the report. */
export interface MinedHome extends HomeProgress {
  /** Why it was not mined to the end, if it was not. */
  error: string | null;
}

/** The summary of a mine. */
export interface MineReport extends BaseReport {
  homes: MinedHome[];
  /** New threads listed, threads read, lines written (this run; a resumed run counts from where it resumed). */
  threads: { listed: number; read: number; written: number };
  read: boolean;
  out: string | null;
  checkpoint: string | null;
  resumed: boolean;
}

/** Lists (and with `read`, reads) every thread of every home, each exactly once, resumable. */
export async function runMine(options: RunMineOptions): Promise<MineReport> {
  const abort = linkedAbort(options.signal);
  const { signal } = abort;
  const file = 'file' in options.output ? options.output.file : undefined;
  const resumed = options.resume !== undefined;
  let seen: SeenThreads = new Map();
  if (file !== undefined && resumed) seen = await recoverOutput(file);
  else if (file !== undefined) await truncate(file).catch(() => undefined);
  const progress: HomeProgress[] = options.homes.map(
    (home) => options.resume?.homes.find((saved) => saved.home === home) ?? { home, cursor: null, done: false, pages: 0, threads: 0 },
  );
  const saver = new CheckpointSaver(options.checkpointFile, () => ({
    version: 1,
    out: file ?? '-',
    read: options.read,
    pageSize: options.pageSize,
    filters: { ...options.filters },
    homes: progress,
  }));
  const output = await MineOutput.open(file !== undefined ? { file } : options.output, options.redactor);
  const counts = { listed: 0, read: 0, failed: 0 };
  options.onProgress?.({ phase: 'starting', ...counts, elapsedMs: 0 });
  try {
    return await withSession(
      { ...options, signal, untouchedHomes: true, instances: options.homes.length * options.instancesPerHome, homes: options.homes.flatMap((home) => Array<string>(options.instancesPerHome).fill(home)) },
      async (session) => {
        const start = performance.now();
        const stats = new RunStats(0, start);
        let seq = 0;
        const onRequest = (instance: Instance | null, outcome: RequestOutcome) => {
          stats.add(instance?.index ?? null, { seq: seq++, warmup: false }, outcome);
          if (!outcome.ok) counts.failed++;
        };
        const tick = () => options.onProgress?.({ phase: 'running', ...counts, elapsedMs: performance.now() - start });
        const ticker = setInterval(tick, options.progressIntervalMs ?? 100);
        ticker.unref();
        await saver.save();
        const executor = session.paced(requestExecutor(options.retry, signal), signal);
        let errors: Array<string | undefined>;
        try {
          errors = await Promise.all(
            progress.map((home, index) =>
              mineHome({
                instances: session.instances.slice(index * options.instancesPerHome, (index + 1) * options.instancesPerHome),
                concurrency: options.concurrency,
                read: options.read,
                filters: options.filters,
                pageSize: options.pageSize,
                progress: home,
                seen: seen.get(home.home) ?? new Set(),
                output,
                executor,
                onRequest,
                onCommit: () => saver.save(),
                onListed: (n) => (counts.listed += n),
                onRead: () => counts.read++,
                signal,
              }),
            ),
          );
        } finally {
          clearInterval(ticker);
        }
        tick();
        await session.close();
        const base = session.report(stats, performance.now() - start, signal.aborted);
        return {
          ...base,
          homes: progress.map((home, index) => ({ ...home, error: errors[index] ?? null })),
          threads: { listed: counts.listed, read: counts.read, written: options.read ? counts.read : counts.listed },
          read: options.read,
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
