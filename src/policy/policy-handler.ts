import type { ServerRequestHandler } from '../client/connection.js';
import { RpcErrorCode } from '../protocol/error-codes.js';
import type { ServerRequestPolicy } from './choices.js';
import { decideServerRequest } from './decide.js';
import type { ServerRequestTally } from './server-request-tally.js';

/**
 * Answers server requests by policy, at once, and counts what it answered. Without an
 * orchestrator to forward to, a request the policy would forward gets an error instead.
 */
export function policyHandler(policy: ServerRequestPolicy, tally?: ServerRequestTally): ServerRequestHandler {
  return (request) => {
    const outcome = decideServerRequest(request, policy);
    if (outcome.kind === 'forward') {
      tally?.add(request.method, 'error');
      return { error: { code: RpcErrorCode.methodNotFound, message: `no orchestrator to answer ${request.method}: forwarding needs cas proxy` } };
    }
    tally?.add(request.method, outcome.decision, outcome.fellBackFrom);
    return outcome.reply;
  };
}
