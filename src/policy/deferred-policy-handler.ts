import type { ServerRequestHandler } from '../client/connection.js';
import type { ServerRequestPolicy } from './choices.js';
import type { ServerRequestTally } from './server-request-tally.js';

/** A policy handler whose code loads when asked, and what asks for it. */
export interface DeferredPolicyHandler {
  handler: ServerRequestHandler;
  /** Loads the decisions (and the protocol schemas they parse with); resolves once loaded. */
  load(): Promise<void>;
}

/**
 * The policy handler of policy-handler.ts, loaded on `load()`: a session calls it once its servers are spawning,
 * so the loading overlaps their start-up instead of delaying it. Once loaded, requests are
 * answered at once; one that came sooner waits for the load.
 */
export function deferredPolicyHandler(policy: ServerRequestPolicy, tally?: ServerRequestTally): DeferredPolicyHandler {
  let loaded: ServerRequestHandler | undefined;
  let loading: Promise<ServerRequestHandler> | undefined;
  const load = () => (loading ??= import('./policy-handler.js').then(({ policyHandler }) => (loaded = policyHandler(policy, tally))));
  return {
    handler: (request) => (loaded === undefined ? load().then((handler) => handler(request)) : loaded(request)),
    load: async () => void (await load()),
  };
}
