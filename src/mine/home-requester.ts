import type { Instance } from '../instance/instance.js';
import { LocalErrorCode } from '../protocol/error-codes.js';
import type { RequestOutcome } from '../runner/execute-request.js';
import { unavailableOutcome, type JobExecutor } from '../runner/run-workers.js';

/** What {@link homeRequester} needs: the home's instances, how to run a request, where it is counted. */
export interface HomeRequesterOptions {
  instances: readonly Instance[];
  executor: JobExecutor;
  /** Counts every request sent (or found no instance) in the run's statistics. */
  onRequest(instance: Instance | null, outcome: RequestOutcome): void;
  signal: AbortSignal;
}

/** Resolves once the instance is up (or gone), or at once when the mine is interrupted. */
async function readyOrInterrupted(instance: Instance, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return;
  let stop: (() => void) | undefined;
  const interrupted = new Promise<void>((resolve) => {
    stop = resolve;
    signal.addEventListener('abort', stop, { once: true });
  });
  try {
    await Promise.race([instance.whenReady().then(() => undefined, () => undefined), interrupted]);
  } finally {
    signal.removeEventListener('abort', stop!);
  }
}

/** A request the interrupt kept from being sent: not a result of the run, so not counted. */
function notSent(method: string, index: number): RequestOutcome {
  const message = `${method}: not sent, the mine was interrupted (instance ${index})`;
  return { ok: false, error: { code: LocalErrorCode.interrupted, message }, attempts: 0, overloaded: 0, timedOut: 0, latencyMs: 0, startedAt: performance.now() };
}

/**
 * The listing's and the check's requests: sent on the home's live instances in turn. Once the mine
 * is interrupted none is sent, even one that waited for its instance to start: the listing stops
 * at the interrupt, and the grace period is for the reads already in flight.
 */
export function homeRequester(options: HomeRequesterOptions): (method: string, params: Record<string, unknown>) => Promise<RequestOutcome> {
  let next = 0;
  return async (method, params) => {
    const live = options.instances.filter((instance) => instance.serving);
    const instance = live[next++ % Math.max(1, live.length)];
    if (instance === undefined) {
      const outcome = unavailableOutcome();
      options.onRequest(null, outcome);
      return outcome;
    }
    // Instances start in the background: a request's time starts once its instance is up.
    if (instance.connection === undefined) await readyOrInterrupted(instance, options.signal);
    if (options.signal.aborted) return notSent(method, instance.index);
    const outcome = await options.executor.run(instance, 0, { method, params }, performance.now());
    options.onRequest(instance, outcome);
    return outcome;
  };
}
