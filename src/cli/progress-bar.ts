import cliProgress from 'cli-progress';
import type { RunProgress } from '../runner/run-method.js';

/** What the bar shows: a count out of a total, or time out of a duration, or an open count. */
export type ProgressSnapshot = Pick<RunProgress, 'phase' | 'done' | 'total' | 'failed' | 'elapsedMs' | 'durationMs'> & {
  /** A few more words after the count (e.g. a mine's homes and ETA). */
  detail?: string;
};

/** Shows run progress; a no-op when disabled. */
export interface ProgressDisplay {
  update(progress: ProgressSnapshot): void;
  stop(): void;
}

const NO_PROGRESS: ProgressDisplay = { update: () => undefined, stop: () => undefined };

function rate(progress: ProgressSnapshot): string {
  return progress.elapsedMs > 0 ? ((progress.done / progress.elapsedMs) * 1000).toFixed(0) : '0';
}

/**
 * A cli-progress bar on stderr: done/total (or elapsed/duration), req/s and errors. Only when
 * enabled and stderr is a terminal, so logs and pipes get nothing but errors.
 */
export function createProgressDisplay(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressDisplay {
  if (!enabled || !stream.isTTY) return NO_PROGRESS;
  const bar = new cliProgress.SingleBar(
    { stream, format: '{bar} {label} | {rate} req/s | {failed} errors', hideCursor: true, clearOnComplete: true, fps: 10 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(progress) {
      const timed = progress.durationMs !== undefined && progress.total === undefined;
      const total = timed ? Math.round(progress.durationMs! / 1000) : (progress.total ?? 0);
      const value = timed ? Math.min(total, Math.floor(progress.elapsedMs / 1000)) : progress.done;
      const open = !timed && progress.total === undefined;
      const label =
        progress.phase === 'starting'
          ? 'starting instances'
          : timed
            ? `${value}s/${total}s, ${progress.done} done`
            : open
              ? `${progress.done} done`
              : `${progress.done}/${total}`;
      const payload = { label: progress.detail === undefined || progress.phase === 'starting' ? label : `${label}, ${progress.detail}`, rate: rate(progress), failed: progress.failed };
      if (!started) {
        bar.start(total, value, payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(value, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
