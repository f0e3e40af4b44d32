import { setMaxListeners } from 'node:events';

/** An abort signal of our own that follows `parent`, and may have any number of listeners. */
export interface LinkedAbort {
  signal: AbortSignal;
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
  return { signal: controller.signal, dispose: () => parent?.removeEventListener('abort', forward) };
}
