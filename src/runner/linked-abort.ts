import { setMaxListeners } from 'node:events';

/** An abort signal of our own that follows `parent`, and may have any number of listeners. */
export interface LinkedAbort {
  signal: AbortSignal;
  /** Aborts it without the parent (cas's own reason to stop, not the user's). */
  abort(reason?: unknown): void;
  /** Stops following the parent. */
  dispose(): void;
}

/** Every backoff wait listens on the run's signal: thousands may wait at once under overload. */
export function linkedAbort(parent: AbortSignal | undefined): LinkedAbort {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const forward = () => controller.abort(parent?.reason);
  if (parent?.aborted) forward();
  else parent?.addEventListener('abort', forward, { once: true });
  return { signal: controller.signal, abort: (reason) => controller.abort(reason), dispose: () => parent?.removeEventListener('abort', forward) };
}
