import type { Instance } from '../instance/instance.js';
import { executeRequest } from './execute-request.js';
import type { RetryPolicy } from './retry-policy.js';
import type { JobExecutor } from './run-workers.js';

/** Runs a job as one JSON-RPC request with the retry policy, counting attempts on the instance (and waiting through its restarts). */
export function requestExecutor(policy: RetryPolicy, signal?: AbortSignal): JobExecutor {
  return {
    async run(instance: Instance, _slot, job, startedAt) {
      // Each attempt goes to the instance's live app-server: after a restart, the new one.
      const send = async (method: string, params: unknown) => (instance.connection ?? (await instance.whenReady())).request(method, params);
      const outcome = await executeRequest(send, job.method, job.params, policy, instance, signal, startedAt);
      instance.onOutcome(job.method, outcome);
      return outcome;
    },
  };
}
