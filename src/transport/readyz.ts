import http from 'node:http';
import https from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';

/** How long one `/readyz` probe may take. */
const PROBE_TIMEOUT_MS = 5000;

/**
 * Asks a WebSocket app-server's `/readyz` once. Resolves undefined when it answers 200, else
 * why not (`connect ECONNREFUSED`, `HTTP 503`). Measured on codex 0.169.0: the port is not even
 * bound until the server is ready (a first start that indexes 8,000 rollouts refuses
 * connections for ~28 s, then answers 200 and `initialize` at once).
 */
export function probeReadyz(url: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<string | undefined> {
  const get = url.startsWith('https:') ? https.get : http.get;
  return new Promise((resolve) => {
    const request = get(url, { agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200 ? undefined : `HTTP ${response.statusCode}`);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code !== undefined ? `${error.syscall ?? 'connect'} ${error.code}` : error.message));
  });
}

/** Until `/readyz` answers 200: polls every `intervalMs` while `alive()` holds, up to `timeoutMs`. Resolves undefined when ready, else why not. */
export async function waitReadyz(url: string, options: { timeoutMs: number; intervalMs?: number; alive(): boolean; signal?: AbortSignal }): Promise<string | undefined> {
  const deadline = performance.now() + options.timeoutMs;
  let why: string | undefined = 'not probed';
  while (options.alive() && !options.signal?.aborted) {
    why = await probeReadyz(url, Math.max(1, Math.min(PROBE_TIMEOUT_MS, deadline - performance.now())));
    if (why === undefined) return undefined;
    if (performance.now() >= deadline) return `${why} after ${options.timeoutMs} ms`;
    await delay(options.intervalMs ?? 25, undefined, { signal: options.signal }).catch(() => undefined);
  }
  return why;
}
