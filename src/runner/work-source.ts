/** Hands out request sequence numbers to whichever worker asks first. */
export interface WorkSource {
  /** The next sequence number (0-based), or undefined when there is no more work. */
  next(): number | undefined;
  /** Ends the work early (signal, fatal error): `next` returns undefined from now on. */
  stop(): void;
  /** Sequence numbers handed out so far. */
  readonly issued: number;
  /** How many requests there will be in all, when known in advance. */
  readonly total: number | undefined;
}

/** How much work a run does. */
export interface WorkLimits {
  /** Stop after this many requests. */
  requests?: number;
  /** Stop handing out work after this many ms. */
  durationMs?: number;
}

/** A source of `requests` sequence numbers and/or of work until `durationMs` has passed. */
export function createWorkSource(limits: WorkLimits, now: () => number = () => performance.now()): WorkSource {
  const deadline = limits.durationMs === undefined ? Infinity : now() + limits.durationMs;
  const limit = limits.requests ?? Infinity;
  let issued = 0;
  let stopped = false;
  return {
    next() {
      if (stopped || issued >= limit || (deadline !== Infinity && now() >= deadline)) return undefined;
      return issued++;
    },
    stop() {
      stopped = true;
    },
    get issued() {
      return issued;
    },
    get total() {
      return limits.requests;
    },
  };
}
