import type { BudgetPacer } from '../budget/budget-pacer.js';
import { LocalErrorCode } from '../protocol/error-codes.js';
import type { JobExecutor } from './run-workers.js';

/**
 * Runs each job only when the rate-limit budget has room for it (`--budget-pacing`): every
 * workload's requests pass here, so run, batch and mine are paced alike. Time spent waiting for
 * the budget is the client's own choice, not the server's latency: it is left out of it.
 */
export function pacedExecutor(executor: JobExecutor, pacer: BudgetPacer | undefined, signal?: AbortSignal): JobExecutor {
  if (pacer === undefined) return executor;
  return {
    ...(executor.prepare === undefined ? {} : { prepare: (instances, slots) => executor.prepare!(instances, slots) }),
    async run(instance, slot, job, startedAt) {
      const asked = performance.now();
      const release = await pacer.acquire(signal);
      if (release === undefined) {
        return {
          ok: false,
          error: { code: LocalErrorCode.interrupted, message: `${job.method}: not sent, interrupted while waiting for the rate-limit budget` },
          attempts: 0,
          overloaded: 0,
          timedOut: 0,
          latencyMs: 0,
          startedAt: performance.now(),
        };
      }
      try {
        return await executor.run(instance, slot, job, startedAt + (performance.now() - asked));
      } finally {
        release();
      }
    },
  };
}
