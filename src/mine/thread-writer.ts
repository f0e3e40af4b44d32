import type { Instance } from '../instance/instance.js';
import { LocalErrorCode } from '../protocol/error-codes.js';
import type { OutcomeError, RequestOutcome } from '../runner/execute-request.js';
import { queueSource } from '../runner/queue-source.js';
import { runWorkers, type JobExecutor } from '../runner/run-workers.js';
import type { WorkItem } from '../runner/work-source.js';
import { threadOf } from './page-shapes.js';
import type { MineOutput } from './mine-output.js';
import { ReadFailure, readThread, type ItemsMode } from './thread-reader.js';
import type { ThreadLine } from './thread-line.js';

/** A thread to write, and what to tell when its line is out. */
export interface ThreadJob {
  id: string;
  /** Its metadata as listed; undefined to ask the server (`thread/read`) first. */
  thread: (Record<string, unknown> & { id: string }) | undefined;
  /**
   * Called once: `written` when a line for it is out (the thread, or an error line for a read
   * that failed); not written when the mine was interrupted before it could be.
   */
  done(result: { written: boolean; failed: boolean }): void;
}

/** Inputs of {@link ThreadWriter}. */
export interface ThreadWriterOptions {
  home: string;
  /** The home's instances: reads are spread over all of them. */
  instances: readonly Instance[];
  concurrency: number;
  /** Read each thread's history (else write it as listed). */
  read: boolean;
  items: ItemsMode;
  historyPageSize: number;
  output: MineOutput;
  executor: JobExecutor;
  spillDir: string;
  onRequest(instance: Instance | null, outcome: RequestOutcome): void;
  signal: AbortSignal;
}

interface ReadItem extends WorkItem {
  job: ThreadJob;
}

/**
 * Writes a home's threads: as listed, or (with `read`) read page by page over every instance
 * of the home, a slow thread never holding up the rest. Once the mine is interrupted, threads
 * not yet read are left unwritten (their pages stay uncommitted), never written as errors.
 */
export class ThreadWriter {
  readonly #options: ThreadWriterOptions;
  readonly #queue = queueSource<ReadItem>();
  readonly #readers: Promise<void>;
  #seq = 0;
  /** Lines being written straight from the listing. */
  readonly #writing = new Set<Promise<void>>();

  constructor(options: ThreadWriterOptions) {
    this.#options = options;
    const stop = () => this.#queue.stop();
    if (options.signal.aborted) stop();
    else options.signal.addEventListener('abort', stop, { once: true });
    // Also without --read: a thread known only by id (a retry, or found on disk) is read from the server first.
    this.#readers = runWorkers({
      instances: options.instances,
      concurrency: options.concurrency,
      source: this.#queue,
      jobFor: (item) => ({ method: 'thread', params: item }),
      execute: (instance, slot, job) => this.#readOne(instance, slot, (job.params as ReadItem).job),
      onOutcome: (_instance, item, _job, outcome) => this.#settle(item.job, outcome),
    });
  }

  /** Writes a thread: at once when its listing is all there is to write, else through the readers. */
  add(job: ThreadJob): void {
    if (this.#options.signal.aborted) return job.done({ written: false, failed: false });
    if (!this.#options.read && job.thread !== undefined) {
      const thread = job.thread;
      const writing = this.#options.output.write({ codexHome: this.#options.home, thread }).then(
        () => job.done({ written: true, failed: false }),
        () => job.done({ written: false, failed: false }),
      );
      this.#writing.add(writing);
      void writing.finally(() => this.#writing.delete(writing));
      return;
    }
    this.#queue.push({ seq: this.#seq++, warmup: false, job });
  }

  /** No more threads: resolves once every one added is written (or given up on an interrupt). */
  async finish(): Promise<void> {
    this.#queue.end();
    await this.#readers;
    await Promise.all(this.#writing);
  }

  async #readOne(instance: Instance, slot: number, job: ThreadJob): Promise<RequestOutcome> {
    const { executor, onRequest } = this.#options;
    const startedAt = performance.now();
    const request = async (method: string, params: Record<string, unknown>) => {
      const outcome = await executor.run(instance, slot, { method, params }, performance.now());
      onRequest(instance, outcome);
      return outcome;
    };
    const done = (ok: boolean, result: unknown, error?: OutcomeError): RequestOutcome => ({ ok, result, error, attempts: 1, overloaded: 0, timedOut: 0, latencyMs: performance.now() - startedAt, startedAt });
    try {
      let thread = job.thread;
      if (thread === undefined) {
        const outcome = await request('thread/read', { threadId: job.id });
        thread = outcome.ok ? threadOf(outcome.result) : undefined;
        if (thread === undefined) throw new ReadFailure(outcome.error ?? { code: LocalErrorCode.unexpectedReply, message: 'thread/read returned no thread' });
      }
      if (!this.#options.read) return done(true, { thread });
      const line = await readThread({
        home: this.#options.home,
        thread,
        items: this.#options.items,
        pageSize: this.#options.historyPageSize,
        request,
        redact: (json) => this.#options.output.redactor.json(json).text,
        spillDir: this.#options.spillDir,
      });
      return done(true, { line });
    } catch (error) {
      const reason = error instanceof ReadFailure ? error.error : { code: LocalErrorCode.unexpectedReply, message: error instanceof Error ? error.message : String(error) };
      return done(false, undefined, reason);
    }
  }

  async #settle(job: ThreadJob, outcome: RequestOutcome): Promise<void> {
    const { output, home, signal } = this.#options;
    const result = outcome.result as { line?: ThreadLine; thread?: unknown } | undefined;
    try {
      if (outcome.ok && result?.line !== undefined) await output.writePieces(result.line);
      else if (outcome.ok) await output.write({ codexHome: home, thread: result?.thread });
      else if (signal.aborted) return job.done({ written: false, failed: false });
      else {
        const error = outcome.error ?? { code: LocalErrorCode.unexpectedReply, message: 'no thread' };
        await output.write({ codexHome: home, threadId: job.id, error: { code: error.code, message: error.message } });
        return job.done({ written: true, failed: true });
      }
      job.done({ written: true, failed: false });
    } catch {
      job.done({ written: false, failed: false });
    } finally {
      await result?.line?.dispose();
    }
  }
}
