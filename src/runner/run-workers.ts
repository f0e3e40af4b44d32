import { LocalErrorCode } from '../protocol/error-codes.js';
import type { Instance } from '../instance/instance.js';
import type { RequestOutcome } from './execute-request.js';
import type { WorkItem, WorkSource } from './work-source.js';

/** What one request is. */
export interface Job {
  method: string;
  params: unknown;
}

/**
 * Runs one job on one instance to its final outcome (retries included); never throws.
 * `slot` tells the instance's concurrent slots apart (e.g. for a thread per slot); latency
 * counts from `startedAt`.
 */
export type ExecuteJob = (instance: Instance, slot: number, job: Job, startedAt: number) => Promise<RequestOutcome>;

/** How jobs are run, with an optional set-up before the clock starts (e.g. a thread per slot). */
export interface JobExecutor {
  run: ExecuteJob;
  /** Called once before the measured phase, with the instances and slots per instance. */
  prepare?(instances: readonly Instance[], slotsPerInstance: number): Promise<void>;
}

/** Inputs of {@link runWorkers}. */
export interface RunWorkersOptions<I extends WorkItem = WorkItem, J extends Job = Job> {
  /** Instances to spread the work over (those not ready are skipped). */
  instances: readonly Instance[];
  /** Requests in flight per instance, at most. */
  concurrency: number;
  /** Hands out the work. */
  source: WorkSource<I>;
  /** The job for a work item. */
  jobFor(item: I): J;
  /** Runs a job on an instance. */
  execute: ExecuteJob;
  /** Receives every item's outcome, exactly once; `instance` is null when none could take it. The slot waits for it. */
  onOutcome(instance: Instance | null, item: I, job: J, outcome: RequestOutcome): void | Promise<void>;
}

/** The outcome of a request no instance was left to run. */
export function unavailableOutcome(): RequestOutcome {
  return {
    ok: false,
    error: { code: LocalErrorCode.unavailable, message: 'no app-server instance available' },
    attempts: 0,
    overloaded: 0,
    timedOut: 0,
    latencyMs: 0,
    startedAt: performance.now(),
  };
}

/**
 * Runs the work over `concurrency` slots per instance. Slots pull from one shared source, so a
 * slow instance takes less and never stalls the others. Work left when every instance has gone
 * ends as `unavailable`: each item gets exactly one outcome.
 */
export async function runWorkers<I extends WorkItem, J extends Job>(options: RunWorkersOptions<I, J>): Promise<void> {
  // Items taken by a slot whose instance died while it waited: the next free slot runs them.
  const orphans: I[] = [];
  const take = async (): Promise<I | undefined> => orphans.shift() ?? (await options.source.next());

  async function workLoop(instance: Instance, slot: number): Promise<void> {
    for (;;) {
      // A slot of a restarting instance waits for it rather than take work it cannot run yet.
      if (instance.connection === undefined && !(await instance.whenReady().then(() => true, () => false))) return;
      const item = await take();
      if (item === undefined) return;
      if (!instance.serving) {
        orphans.push(item);
        return;
      }
      const job = options.jobFor(item);
      // Late work counts from when it was due; a timer that fired a hair early, from now.
      const now = performance.now();
      const outcome = await options.execute(instance, slot, job, item.dueAt === undefined ? now : Math.min(item.dueAt, now));
      await options.onOutcome(instance, item, job, outcome);
    }
  }

  const loops: Promise<void>[] = [];
  for (const instance of options.instances) {
    for (let slot = 0; slot < options.concurrency; slot++) loops.push(workLoop(instance, slot));
  }
  await Promise.all(loops);
  const unavailable = (item: I) => options.onOutcome(null, item, options.jobFor(item), unavailableOutcome());
  for (const item of orphans.splice(0)) await unavailable(item);
  // A bounded source still owes its remaining items a result; an open-ended one just ends.
  if (!options.source.bounded) return;
  options.source.hurry();
  for (let item = await options.source.next(); item !== undefined; item = await options.source.next()) await unavailable(item);
}
