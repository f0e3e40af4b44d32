/** One unit of work: which request, and when it was due. */
export interface WorkItem {
  /** Sequence number, 0-based, in the order work was handed out. */
  seq: number;
  /** Under a fixed rate: when the request was due (performance.now()); latency counts from here. */
  dueAt?: number;
  /** Sent during the warm-up: run, but left out of the statistics. */
  warmup: boolean;
}

/** Hands out work to whichever worker asks first. */
export interface WorkSource<I extends WorkItem = WorkItem> {
  /** The next item, or undefined when there is no more work; may wait (pacing, input). */
  next(): I | undefined | Promise<I | undefined>;
  /** Ends the work early (signal, fail-fast): `next` returns undefined from now on. */
  stop(): void;
  /** Stops pacing: whatever is left is handed out at once (to be accounted for, not sent). */
  hurry(): void;
  /** Measured (non-warm-up) items the source will hand out in all, when known in advance. */
  readonly total: number | undefined;
  /** True when the work is a fixed amount (a count, an input): what no worker took must still be accounted for. */
  readonly bounded: boolean;
  /**
   * After `stop()`: the items that were already due but not yet handed out (every slot busy),
   * to be accounted for as interrupted. Only a paced source has any.
   */
  backlog?(): WorkItem[];
}

/** How much work a run does. */
export interface WorkLimits {
  /** Measured requests in all. */
  requests?: number;
  /** Keep handing out measured work for this long, in ms. */
  durationMs?: number;
  /** Hand out work for this long first, outside the statistics. */
  warmupMs?: number;
}

/** Tracks the limits common to every source: warm-up, measured count and deadline. */
class Limits {
  readonly #start: number;
  readonly #warmupEnd: number;
  readonly #deadline: number;
  readonly #requests: number;
  #measured = 0;

  constructor(limits: WorkLimits, start: number) {
    this.#start = start;
    this.#warmupEnd = start + (limits.warmupMs ?? 0);
    this.#deadline = limits.durationMs === undefined ? Infinity : this.#warmupEnd + limits.durationMs;
    this.#requests = limits.requests ?? Infinity;
  }

  /** Whether work at time `at` falls in the warm-up; undefined when the limits are reached. */
  classify(at: number): { warmup: boolean } | undefined {
    if (at < this.#warmupEnd) return { warmup: true };
    if (this.#measured >= this.#requests || at >= this.#deadline) return undefined;
    this.#measured++;
    return { warmup: false };
  }

  get start(): number {
    return this.#start;
  }
}

/**
 * The closed model: a request is handed out as soon as a worker has room, until the limits
 * (count and/or duration, after the warm-up) are reached.
 */
export function closedWorkSource(limits: WorkLimits, now: () => number = () => performance.now()): WorkSource {
  const bounds = new Limits(limits, now());
  let seq = 0;
  let stopped = false;
  return {
    next() {
      if (stopped) return undefined;
      const kind = bounds.classify(now());
      return kind === undefined ? undefined : { seq: seq++, warmup: kind.warmup };
    },
    stop() {
      stopped = true;
    },
    hurry() {},
    get total() {
      return limits.requests;
    },
    bounded: limits.requests !== undefined,
  };
}

/** Resolves at `at` (performance.now() time), or at once when already past. */
function waitUntil(at: number, now: () => number): Promise<void> | undefined {
  const wait = at - now();
  return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : undefined;
}

/**
 * The open model: request n is due at start + n/rate whatever the server does. A worker that
 * asks early waits for the due time; one that asks late gets it at once, and latency still
 * counts from the due time, so a stalled server cannot hide its delay (coordinated omission).
 */
export function rateWorkSource(rate: number, limits: WorkLimits, now: () => number = () => performance.now()): WorkSource {
  const bounds = new Limits(limits, now());
  let seq = 0;
  let stoppedAt: number | undefined;
  let hurried = false;
  /** Items that came due while their caller waited, then were not handed out because the source stopped. */
  const dropped: WorkItem[] = [];
  return {
    async next() {
      if (stoppedAt !== undefined) return undefined;
      const dueAt = bounds.start + (seq * 1000) / rate;
      const kind = bounds.classify(dueAt);
      if (kind === undefined) return undefined;
      const item: WorkItem = { seq: seq++, dueAt, warmup: kind.warmup };
      if (!hurried) await waitUntil(dueAt, now);
      if (stoppedAt === undefined) return item;
      if (dueAt <= stoppedAt) dropped.push(item);
      return undefined;
    },
    stop() {
      stoppedAt ??= now();
    },
    backlog() {
      if (stoppedAt === undefined) return [];
      const due = dropped.splice(0);
      for (let dueAt = bounds.start + (seq * 1000) / rate; dueAt <= stoppedAt; dueAt = bounds.start + (seq * 1000) / rate) {
        const kind = bounds.classify(dueAt);
        if (kind === undefined) break;
        due.push({ seq: seq++, dueAt, warmup: kind.warmup });
      }
      return due;
    },
    hurry() {
      hurried = true;
    },
    get total() {
      return limits.requests;
    },
    bounded: limits.requests !== undefined,
  };
}
