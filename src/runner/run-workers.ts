import { LocalErrorCode } from '../protocol/error-codes.js';
import type { Instance } from '../instance/instance.js';
import { executeRequest, type RequestOutcome } from './execute-request.js';
import type { RetryPolicy } from './retry-policy.js';
import type { WorkSource } from './work-source.js';

/** What request `seq` is. */
export interface Job {
  method: string;
  params: unknown;
}

/** Inputs of {@link runWorkers}. */
export interface RunWorkersOptions {
  /** Instances to spread the work over (those not ready are skipped). */
  instances: readonly Instance[];
  /** Requests in flight per instance, at most. */
  concurrency: number;
  /** Hands out sequence numbers. */
  source: WorkSource;
  /** The request for a sequence number. */
  jobFor(seq: number): Job;
  policy: RetryPolicy;
  /** Cuts retry waits short; stopping the source is the caller's job. */
  signal?: AbortSignal;
  /** Receives every request's outcome, exactly once; `instance` is null when none could take it. */
  onOutcome(instance: Instance | null, seq: number, job: Job, outcome: RequestOutcome): void;
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

/** One slot of an instance: takes the next request whenever it is free, until work or instance ends. */
async function workLoop(instance: Instance, options: RunWorkersOptions): Promise<void> {
  for (;;) {
    const connection = instance.connection;
    if (connection === undefined) return;
    const seq = options.source.next();
    if (seq === undefined) return;
    const job = options.jobFor(seq);
    const send = (method: string, params: unknown) => connection.request(method, params);
    const outcome = await executeRequest(send, job.method, job.params, options.policy, instance, options.signal);
    instance.onOutcome(job.method, outcome);
    options.onOutcome(instance, seq, job, outcome);
  }
}

/**
 * Runs the work over `concurrency` slots per instance. Slots pull from one shared source, so a
 * slow instance takes less and never stalls the others. Requests left when every instance has
 * gone end as `unavailable`: each request gets exactly one outcome.
 */
export async function runWorkers(options: RunWorkersOptions): Promise<void> {
  const loops: Promise<void>[] = [];
  for (const instance of options.instances) {
    for (let slot = 0; slot < options.concurrency; slot++) loops.push(workLoop(instance, options));
  }
  await Promise.all(loops);
  const { total } = options.source;
  if (total === undefined) return;
  for (let seq = options.source.next(); seq !== undefined && seq < total; seq = options.source.next()) {
    options.onOutcome(null, seq, options.jobFor(seq), unavailableOutcome());
  }
}
