import type { Writable } from 'node:stream';
import { Redactor } from '../report/redactor.js';

/** What the proxy writes: its own fields, and the raw message when there is one. */
export interface ProxyEvent {
  type: string;
  [field: string]: unknown;
}

/** The version of the event format (the original cas's `v`). */
export const EVENT_VERSION = 1;

/** Hooks of an {@link EventStream}. */
export interface EventStreamHooks {
  /** The queue is full: stop reading what makes events (the app-server, stdin). */
  onPause(queued: number): void;
  /** The reader caught up: read again. */
  onResume(queued: number): void;
}

/**
 * Writes the proxy's JSONL events with `v`, `seq`, `ts`, `sessionId` and the proxy's `pid`, keeping the raw message
 * byte for byte: `msg` is spliced in as received, never re-serialised. Events the reader has
 * not taken yet are counted; at `maxQueue` the proxy pauses its inputs until the stream drains.
 */
export class EventStream {
  readonly #stream: Writable;
  readonly #sessionId: string;
  readonly #maxQueue: number;
  readonly #hooks: EventStreamHooks;
  readonly #redactor: Redactor;
  #seq = 0;
  #queued = 0;
  #paused = false;

  constructor(stream: Writable, sessionId: string, maxQueue: number, hooks: EventStreamHooks, redactor = new Redactor()) {
    this.#stream = stream;
    this.#redactor = redactor;
    this.#sessionId = sessionId;
    this.#maxQueue = maxQueue;
    this.#hooks = hooks;
    stream.on('drain', () => this.#drained());
  }

  /** Events written but not yet taken by the reader. */
  get queued(): number {
    return this.#queued;
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Events emitted so far. */
  get emitted(): number {
    return this.#seq;
  }

  /**
   * Writes one event; `rawMessage` (JSON text) becomes its `msg`, exactly, unless it holds a
   * secret: then `msg` is the message with the secret replaced, and the event says `redacted`.
   */
  emit(event: ProxyEvent, rawMessage?: string): void {
    const { type, ...fields } = this.#redactor.value(event);
    const message = rawMessage === undefined ? undefined : this.#redactor.json(rawMessage);
    const head = JSON.stringify({ type, v: EVENT_VERSION, seq: ++this.#seq, ts: Date.now(), sessionId: this.#sessionId, pid: process.pid, ...fields, ...(message?.changed ? { redacted: true } : {}) });
    const line = message === undefined ? head : `${head.slice(0, -1)},"msg":${message.text}}`;
    this.#queued++;
    this.#stream.write(`${line}\n`, () => {
      this.#queued--;
    });
    if (!this.#paused && this.#queued >= this.#maxQueue && this.#stream.writableNeedDrain) {
      this.#paused = true;
      this.#hooks.onPause(this.#queued);
    }
  }

  #drained(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#hooks.onResume(this.#queued);
  }
}
