/** How often a server request method got one answer. */
export interface ServerRequestCount {
  method: string;
  decision: string;
  /** Set on answers that replaced a decision the request did not offer. */
  fellBackFrom?: string;
  count: number;
}

/** Counts server requests by method and decision, for the report. */
export class ServerRequestTally {
  readonly #counts = new Map<string, ServerRequestCount>();

  /** Counts `count` (default 1) answers of this method and decision. */
  add(method: string, decision: string, fellBackFrom?: string, count = 1): void {
    const key = `${method}\u0000${decision}\u0000${fellBackFrom ?? ''}`;
    const entry = this.#counts.get(key);
    if (entry !== undefined) entry.count += count;
    else this.#counts.set(key, fellBackFrom === undefined ? { method, decision, count } : { method, decision, fellBackFrom, count });
  }

  /** By method, then most frequent first. */
  toArray(): ServerRequestCount[] {
    return [...this.#counts.values()].map((entry) => ({ ...entry })).sort((a, b) => a.method.localeCompare(b.method) || b.count - a.count);
  }
}
