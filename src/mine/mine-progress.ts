/** What one home's mine is doing. */
export type HomePhase = 'starting' | 'listing' | 'checking' | 'done' | 'stopped';

/** One home's progress, for a display. */
export interface HomeProgressSnapshot {
  home: string;
  phase: HomePhase;
  /** Threads listed by this run (new ones: not already in the output). */
  listed: number;
  /** Threads read whole (with --read). */
  read: number;
  /** Threads of this home in the output, whole (from an earlier run too). */
  written: number;
  /** Reads that failed (error lines). */
  failed: number;
  pages: number;
  /** Threads the home holds, when known: the rollout files found (filters that narrow the listing leave it unknown until the listing ends). */
  total: number | null;
  /** Threads written per second over the last few seconds. */
  rate: number;
  /** Time left at that rate, when the total is known. */
  etaMs: number | null;
}

/** Where a mine is, for a progress display: totals and each home. */
export interface MineProgress {
  phase: 'starting' | 'running' | 'done';
  elapsedMs: number;
  /** Totals over the homes. */
  listed: number;
  read: number;
  written: number;
  failed: number;
  homes: HomeProgressSnapshot[];
}

/** Seconds of history behind the rate. */
const RATE_WINDOW_MS = 5000;

/** Counts one home's progress and works out its recent rate and ETA. */
export class HomeTracker {
  readonly home: string;
  phase: HomePhase = 'starting';
  listed = 0;
  read = 0;
  written: number;
  failed: number;
  pages = 0;
  total: number | null = null;
  readonly #now: () => number;
  readonly #samples: Array<{ at: number; written: number }> = [];

  constructor(home: string, written: number, failed: number, now: () => number = () => performance.now()) {
    this.home = home;
    this.written = written;
    this.failed = failed;
    this.#now = now;
  }

  snapshot(): HomeProgressSnapshot {
    const at = this.#now();
    this.#samples.push({ at, written: this.written });
    while (this.#samples.length > 2 && at - this.#samples[1]!.at >= RATE_WINDOW_MS) this.#samples.shift();
    const first = this.#samples[0]!;
    const rate = at > first.at ? ((this.written - first.written) * 1000) / (at - first.at) : 0;
    const left = this.total === null ? null : Math.max(0, this.total - this.written);
    const etaMs = left === null || this.phase === 'done' ? (this.phase === 'done' ? 0 : null) : left === 0 ? 0 : rate > 0 ? (left / rate) * 1000 : null;
    const { home, phase, listed, read, written, failed, pages, total } = this;
    return { home, phase, listed, read, written, failed, pages, total, rate: Math.round(rate * 10) / 10, etaMs: etaMs === null ? null : Math.round(etaMs) };
  }
}

/** The whole mine's progress from its homes'. */
export function mineProgress(phase: MineProgress['phase'], elapsedMs: number, homes: readonly HomeTracker[]): MineProgress {
  const snapshots = homes.map((home) => home.snapshot());
  const sum = (key: 'listed' | 'read' | 'written' | 'failed') => snapshots.reduce((total, home) => total + home[key], 0);
  return { phase, elapsedMs, listed: sum('listed'), read: sum('read'), written: sum('written'), failed: sum('failed'), homes: snapshots };
}
