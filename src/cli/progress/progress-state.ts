/** What a live display shows at one moment: plain data, made by a sampler, drawn by the formatter. */
export interface ProgressState {
  /** What cas is doing now. */
  phase: 'starting' | 'warm-up' | 'measuring' | 'running' | 'listing' | 'checking' | 'draining' | 'closing';
  /** Instances being started or run. */
  instances: number;
  elapsedMs: number;
  /** What is counted: requests, lines, threads. */
  unit: string;
  /** Ended so far (warm-up excluded). */
  done: number;
  /** How many in all, when known. */
  total: number | null;
  /** How long the run lasts in all (warm-up included), when time-bound. */
  durationMs: number | null;
  /** Per second over the last few seconds (null: too early to say). */
  rate: number | null;
  /** The rate asked for (--rate), if any. */
  targetRate: number | null;
  /** Percentiles of recent requests, in ms, and the window they cover (null: none yet). */
  latency: { p50: number; p99: number; windowMs: number } | null;
  /** Time left, when the end is known. */
  etaMs: number | null;
  failed: number;
  /** Final errors by kind, most frequent first. */
  errors: Array<{ kind: string; count: number }>;
  retries: number;
  overloaded: number;
  /** Batch lines: read from the input, written out, and between the two; the share of the input read (0-1) when its size is known. */
  lines?: { read: number; written: number; pending: number; share?: number };
  /** Mine: each home's progress. */
  homes?: HomeLine[];
}

/** One home of a mine, as shown. */
export interface HomeLine {
  name: string;
  phase: string;
  listed: number;
  read: number;
  written: number;
  /** Threads the home holds, when known. */
  total: number | null;
  failed: number;
}
