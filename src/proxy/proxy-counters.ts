/** What the proxy has done so far, for `cas/stats`. */
export interface ProxyCounters {
  fromServer: number;
  toServer: number;
  /** Server requests answered by policy. */
  answeredByPolicy: number;
  /** Server requests handed to the orchestrator. */
  forwarded: number;
  /** Forwarded requests the orchestrator did not answer in time. */
  forwardTimeouts: number;
  /** Input lines refused (not JSON, not an envelope). */
  badInput: number;
}

export function newCounters(): ProxyCounters {
  return { fromServer: 0, toServer: 0, answeredByPolicy: 0, forwarded: 0, forwardTimeouts: 0, badInput: 0 };
}
