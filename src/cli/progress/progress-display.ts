import { formatProgress } from './format-progress.js';
import type { ProgressSampler } from './progress-sampler.js';
import { TtyRenderer, type RenderTarget } from './tty-renderer.js';

/** Shows progress; a no-op when disabled. */
export interface ProgressDisplay<T> {
  update(progress: T): void;
  /** Erases the display: call before printing the summary. */
  stop(): void;
  /** A stream for messages while the display runs (a signal's notice): each erases the display first, and the next tick draws it below. */
  above<S extends { write(text: string): unknown }>(stream: S): { write(text: string): unknown };
}

/** Redraws a second at most this often: enough to read, cheap to draw. */
export const REDRAW_MS = 250;

/** What the display needs from its stream: a terminal or not, and somewhere to write. */
export type DisplayStream = RenderTarget & { isTTY?: boolean };

/** Injected timers, so the display can be driven without waiting. */
export interface DisplayTimers {
  setInterval(callback: () => void, ms: number): { unref?(): void };
  clearInterval(handle: unknown): void;
}

const realTimers: DisplayTimers = {
  setInterval: (callback, ms) => setInterval(callback, ms),
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

/**
 * A live display on stderr, only when enabled and stderr is a terminal (logs and pipes get no
 * escape codes). Events update the sampler; a timer redraws a few times a second, so the clock
 * keeps moving through a slow start and a fast run does not flood the terminal. A change of
 * phase is drawn at once.
 */
export function createProgressDisplay<T>(
  enabled: boolean,
  sampler: ProgressSampler<T>,
  stream: DisplayStream = process.stderr,
  timers: DisplayTimers = realTimers,
): ProgressDisplay<T> {
  if (!enabled || !stream.isTTY) return { update: () => undefined, stop: () => undefined, above: (target) => target };
  const renderer = new TtyRenderer(stream);
  let phase: string | undefined;
  const redraw = () => {
    const state = sampler.state();
    if (state === undefined) return;
    phase = state.phase;
    renderer.draw(formatProgress(state, renderer.width));
  };
  let ticker: unknown;
  return {
    update(progress) {
      sampler.update(progress);
      if (ticker === null) return;
      // A new phase shows at once (however short it is); counts wait for the next tick.
      if (ticker !== undefined && sampler.state()?.phase !== phase) redraw();
      if (ticker === undefined) {
        redraw();
        const handle = timers.setInterval(redraw, REDRAW_MS);
        handle.unref?.();
        ticker = handle;
      }
    },
    above(target) {
      return {
        write(text: string) {
          renderer.clear();
          phase = undefined;
          return target.write(text);
        },
      };
    },
    stop() {
      if (ticker !== undefined) timers.clearInterval(ticker);
      ticker = null;
      renderer.clear();
    },
  };
}
