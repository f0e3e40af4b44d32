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

  add(method: string, decision: string, fellBackFrom?: string): void {
    const key = `${method}\u0000${decision}\u0000${fellBackFrom ?? ''}`;
    const entry = this.#counts.get(key);
    if (entry !== undefined) entry.count++;
    else this.#counts.set(key, fellBackFrom === undefined ? { method, decision, count: 1 } : { method, decision, fellBackFrom, count: 1 });
  }

  /** By method, then most frequent first. */
  toArray(): ServerRequestCount[] {
    return [...this.#counts.values()].map((entry) => ({ ...entry })).sort((a, b) => a.method.localeCompare(b.method) || b.count - a.count);
  }
}
