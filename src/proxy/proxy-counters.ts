/** What the proxy has done so far, for `cas/stats` (named as the original cas named them). */
export interface ProxyCounters {
  /** Non-blank lines read on stdin. */
  clientLines: number;
  /** Of those, lines that were not an envelope (not JSON, unknown type, bad fields). */
  clientParseErrors: number;
  /** Lines from the app-server that were not JSON messages. */
  serverParseErrors: number;
  fromServerMessages: number;
  toServerMessages: number;
  /** Server requests answered by policy (approvals and the rest). */
  autoApprovals: number;
  /** Server requests handed to the orchestrator. */
  forwardedServerRequests: number;
  /** Forwarded requests the orchestrator did not answer in time. */
  serverRequestTimeouts: number;
  ioPauses: number;
  ioResumes: number;
}

export function newCounters(): ProxyCounters {
  return {
    clientLines: 0,
    clientParseErrors: 0,
    serverParseErrors: 0,
    fromServerMessages: 0,
    toServerMessages: 0,
    autoApprovals: 0,
    forwardedServerRequests: 0,
    serverRequestTimeouts: 0,
    ioPauses: 0,
    ioResumes: 0,
  };
}
