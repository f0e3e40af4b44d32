import { writeJsonAtomic } from '../instance/atomic-write.js';
import type { RoutingKeys } from './routing-keys.js';

/** What an orchestrator needs to pick up after a restart, kept in the proxy's state file. */
export interface ProxyState {
  sessionId: string;
  pid: number | null;
  codexHome: string | null;
  userAgent: string | null;
  /** The thread last started, resumed or active: the one to `thread/resume`. */
  threadId: string | null;
  /** The turn last seen on it. */
  turnId: string | null;
  /** Threads seen this session, most recent last (at most 100). */
  threads: string[];
  /** Server requests waiting for the orchestrator. */
  pendingServerRequests: Array<string | number>;
  startedAt: string;
  updatedAt: string;
}

const MAX_THREADS = 100;

/** Follows the session's threads and turns, and writes the state file (atomically) when they change. */
export class ProxyStateFile {
  readonly state: ProxyState;
  readonly #file: string | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(file: string | undefined, sessionId: string) {
    this.#file = file;
    const now = new Date().toISOString();
    this.state = { sessionId, pid: null, codexHome: null, userAgent: null, threadId: null, turnId: null, threads: [], pendingServerRequests: [], startedAt: now, updatedAt: now };
  }

  /** Notes the thread and turn a message is about; saves when they changed. */
  observe(keys: RoutingKeys): void {
    let changed = false;
    if (keys.threadId !== undefined && keys.threadId !== this.state.threadId) {
      this.state.threadId = keys.threadId;
      this.state.threads = [...this.state.threads.filter((id) => id !== keys.threadId), keys.threadId].slice(-MAX_THREADS);
      changed = true;
    }
    if (keys.turnId !== undefined && keys.turnId !== this.state.turnId) {
      this.state.turnId = keys.turnId;
      changed = true;
    }
    if (changed) this.save();
  }

  /** Writes the state now (writes never overlap). */
  save(): Promise<void> {
    if (this.#file === undefined) return Promise.resolve();
    const file = this.#file;
    this.state.updatedAt = new Date().toISOString();
    const snapshot = structuredClone(this.state);
    this.#writing = this.#writing.then(() => writeJsonAtomic(file, snapshot)).catch(() => undefined);
    return this.#writing;
  }
}
