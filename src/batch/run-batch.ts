import type { Readable, Writable } from 'node:stream';
import { LocalErrorCode } from '../protocol/error-codes.js';
import type { BaseReport } from '../report/base-report.js';
import { RunStats } from '../report/run-stats.js';
import { Redactor } from '../report/redactor.js';
import { linkedAbort } from '../runner/linked-abort.js';
import { requestExecutor } from '../runner/request-executor.js';
import type { RetryPolicy } from '../runner/retry-policy.js';
import { runWorkers } from '../runner/run-workers.js';
import { observeSource } from '../runner/observed-source.js';
import { withSession, type SessionOptions } from '../runner/session.js';
import { badLine, resultLine } from './batch-result.js';
import { batchSource } from './batch-source.js';
import { LineReader } from './line-reader.js';
import { OrderedWriter } from './ordered-writer.js';
import { ownsLine } from '../shard/shard-share.js';

/** Where a batch is, for a progress display. */
export interface BatchProgress {
  phase: 'starting' | 'running' | 'closing';
  /** Lines with a result written. */
  done: number;
  failed: number;
  elapsedMs: number;
  /** Instances being started or run. */
  instances?: number;
  /** Non-blank input lines taken so far (with `--shard`, of this shard's lines). */
  read?: number;
  /** True once the input has ended (or the batch was stopped): what is left is draining. */
  draining?: boolean;
  /** The input's size and the bytes of it taken as lines so far, when its size is known (a regular file). */
  input?: { bytes: number; read: number };
  /** The live statistics while running (read them during the call): totals, error kinds, the recent window. */
  stats?: RunStats;
}

/** Everything `cas batch` does, as a library call. */
export interface RunBatchOptions extends Omit<SessionOptions, 'signal'> {
  /** JSONL requests, one per line. */
  input: Readable;
  /** The input's size in bytes, when known (a regular file): progress then says how far the reading is. */
  inputBytes?: number;
  /** JSONL results, one per input line, in input order (left open). */
  output: Writable;
  /** Requests in flight per instance. */
  concurrency: number;
  retry: RetryPolicy;
  /** Results that may be pending (running or waiting for earlier ones) at once. */
  window: number;
  /** Stop at the first bad line or failed request. */
  failFast: boolean;
  /** Keeps secrets out of the results (default: secret-looking keys). */
  redactor?: Redactor;
  onProgress?(progress: BatchProgress): void;
  progressIntervalMs?: number;
  /** Aborting stops reading input; requests in flight finish and are written. */
  signal?: AbortSignal;
}

/** The summary of a batch: the shared report plus line counts. */
export interface BatchReport extends BaseReport {
  lines: {
    /** Non-blank input lines read (with `--shard`, of this shard's lines). */
    read: number;
    /** Of those, requests sent (or that no instance was left to run). */
    requests: number;
    /** Of those, lines that were not requests. */
    bad: number;
    /** Results written. */
    written: number;
  };
  /** True when --fail-fast stopped the batch before the end of the input. */
  stoppedEarly: boolean;
  /** Why writing the results failed (a full disk, a closed pipe), which stopped the batch; null when it did not. */
  outputError: string | null;
}

/** Runs every input line as a request across the instances and writes the results in order. */
export async function runBatch(options: RunBatchOptions): Promise<BatchReport> {
  const abort = linkedAbort(options.signal);
  const { signal } = abort;
  const writer = new OrderedWriter(options.output, options.window);
  const redactor = options.redactor ?? new Redactor();
  let bad = 0;
  let stoppedEarly = false;
  options.onProgress?.({ phase: 'starting', done: 0, failed: 0, elapsedMs: 0, instances: options.instances });
  try {
    return await withSession({ ...options, signal }, async (session) => {
      const start = performance.now();
      const stats = new RunStats(0, start);
      session.sampler?.align(start);
      const shard = options.shard;
      const reader = new LineReader(options.input);
      const { source, watch } = observeSource(batchSource(reader, writer, {
        owns: shard === undefined || shard.count === 1 ? undefined : (line) => ownsLine(line, shard),
        onBadLine(index, line, id, message) {
          bad++;
          const error = { code: LocalErrorCode.badInput, message };
          // A bad line is a request in that gets a failed result out: counted with the others.
          stats.add(null, { seq: index, warmup: false }, { ok: false, error, attempts: 0, overloaded: 0, timedOut: 0, latencyMs: 0, startedAt: performance.now() });
          writer.put(index, badLine(id, line, error));
          if (options.failFast) stop(true);
        },
      }));
      const stop = (early: boolean) => {
        stoppedEarly ||= early;
        source.stop();
      };
      const onAbort = () => stop(false);
      signal.addEventListener('abort', onAbort, { once: true });
      const progress = (phase: BatchProgress['phase'] = 'running') =>
        options.onProgress?.({
          phase,
          done: writer.written,
          failed: stats.totals.failed,
          elapsedMs: performance.now() - start,
          instances: options.instances,
          read: watch.taken + bad,
          draining: watch.ended,
          ...(options.inputBytes === undefined ? {} : { input: { bytes: options.inputBytes, read: reader.bytesRead } }),
          stats,
        });
      const ticker = setInterval(progress, options.progressIntervalMs ?? 100);
      ticker.unref();
      try {
        await runWorkers({
          instances: session.instances,
          concurrency: options.concurrency,
          source,
          jobFor: (item) => item.job,
          execute: session.paced(requestExecutor(options.retry, signal), signal).run,
          onOutcome(instance, item, _job, outcome) {
            stats.add(instance?.index ?? null, item, outcome);
            writer.put(item.seq, resultLine(item.id, item.line, instance?.index ?? null, outcome, redactor));
            if (!outcome.ok && options.failFast) stop(true);
          },
        });
      } finally {
        clearInterval(ticker);
        signal.removeEventListener('abort', onAbort);
      }
      const outputError = await writer.flush().then(
        () => null,
        (error: Error) => error.message,
      );
      progress('closing');
      await session.close();
      const base = session.report(stats, performance.now() - start, signal.aborted);
      const lines = { read: stats.totals.total, requests: stats.totals.total - bad, bad, written: writer.written };
      return { ...base, lines, stoppedEarly, outputError };
    });
  } finally {
    abort.dispose();
  }
}
