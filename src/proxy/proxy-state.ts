import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from '../instance/atomic-write.js';
import { makeDirectory } from '../files/make-dir.js';
import type { RoutingKeys } from './routing-keys.js';

/** What an orchestrator needs to pick up after a restart, kept in the proxy's state file. */
export interface ProxyState {
  /** The format (the original cas's `{v: 1, currentThreadId}`, extended). */
  v: 1;
  /** The thread last started, resumed or active: the one to `thread/resume`. */
  currentThreadId: string | null;
  /** The turn last seen. */
  lastTurnId: string | null;
  /** Threads seen, most recent last (at most 100). */
  threads: string[];
  sessionId: string;
  /** The app-server's pid while it runs. */
  pid: number | null;
  cwd: string;
  codexHome: string | null;
  userAgent: string | null;
  /** Server requests waiting for the orchestrator. */
  pendingServerRequests: Array<string | number>;
  startedAt: string;
  updatedAt: string;
}

const MAX_THREADS = 100;

/**
 * The default state file of a proxy run in `cwd`: `<home>/cas/state/<first 16 hex digits of the
 * sha256 of the absolute cwd>.json`, where the original cas kept it under `~/.codex`.
 */
export function defaultStateFile(codexHome: string, cwd: string): string {
  const digest = createHash('sha256').update(path.resolve(cwd)).digest('hex').slice(0, 16);
  return path.join(codexHome, 'cas', 'state', `${digest}.json`);
}

/** What a previous run left: the current thread, last turn and threads (also from the original cas's `{v: 1, currentThreadId}`). */
export async function readProxyState(file: string): Promise<Pick<ProxyState, 'currentThreadId' | 'lastTurnId' | 'threads'> | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const saved = value as { currentThreadId?: unknown; lastTurnId?: unknown; threads?: unknown };
  const text = (field: unknown) => (typeof field === 'string' ? field : null);
  const threads = Array.isArray(saved.threads) ? saved.threads.filter((id): id is string => typeof id === 'string').slice(-MAX_THREADS) : [];
  return { currentThreadId: text(saved.currentThreadId), lastTurnId: text(saved.lastTurnId), threads };
}

/** Follows the session's threads and turns, and writes the state file (atomically) when they change. */
export class ProxyStateFile {
  readonly state: ProxyState;
  readonly file: string | undefined;
  readonly #onThread: (threadId: string) => void;
  #writing: Promise<void> = Promise.resolve();

  /** @param onThread told when the current thread changes (the proxy says so in a `cas/state` event) */
  constructor(file: string | undefined, sessionId: string, cwd: string, onThread: (threadId: string) => void = () => undefined) {
    this.file = file;
    this.#onThread = onThread;
    const now = new Date().toISOString();
    this.state = { v: 1, currentThreadId: null, lastTurnId: null, threads: [], sessionId, pid: null, cwd, codexHome: null, userAgent: null, pendingServerRequests: [], startedAt: now, updatedAt: now };
  }

  /** Reads back what the last run saved (missing or unreadable: a fresh start); creates the file's directory. */
  async load(): Promise<void> {
    if (this.file === undefined) return;
    await makeDirectory(path.dirname(this.file));
    const saved = await readProxyState(this.file);
    if (saved !== undefined) Object.assign(this.state, saved);
  }

  /** Notes the thread and turn a message is about; saves when they changed. */
  observe(keys: RoutingKeys): void {
    let changed = false;
    if (keys.threadId !== undefined && keys.threadId !== this.state.currentThreadId) {
      this.state.currentThreadId = keys.threadId;
      this.state.threads = [...this.state.threads.filter((id) => id !== keys.threadId), keys.threadId].slice(-MAX_THREADS);
      changed = true;
      this.#onThread(keys.threadId);
    }
    if (keys.turnId !== undefined && keys.turnId !== this.state.lastTurnId) {
      this.state.lastTurnId = keys.turnId;
      changed = true;
    }
    if (changed) void this.save();
  }

  /** Writes the state now (writes never overlap; a failed write is reported through the returned promise only). */
  save(): Promise<void> {
    if (this.file === undefined) return Promise.resolve();
    const file = this.file;
    this.state.updatedAt = new Date().toISOString();
    const snapshot = structuredClone(this.state);
    const write = this.#writing.then(() => writeJsonAtomic(file, snapshot));
    this.#writing = write.catch(() => undefined);
    return write;
  }
}
