import type { Readable } from 'node:stream';
import { LineReader, type InputLine } from '../batch/line-reader.js';
import { parseEnvelope, type Envelope } from './envelopes.js';
import type { EventStream } from './event-stream.js';
import type { ProxyCounters } from './proxy-counters.js';

/** Why reading envelopes stopped. */
export type InputEnd = 'exit-requested' | 'input-ended' | 'signal' | 'app-server-exited';

/** Inputs of {@link readEnvelopes}. */
export interface InputLoopOptions {
  input: Readable;
  events: EventStream;
  counters: ProxyCounters;
  /** Resolves once the event stream may take more (backpressure). */
  whenWritable(): Promise<void>;
  /** Handles one envelope; true when it asks the proxy to exit. */
  handle(envelope: Envelope): boolean;
  /** Settle when the proxy must stop reading (a signal, the app-server's exit). */
  stops: ReadonlyArray<Promise<'signal' | 'app-server-exited'>>;
}

const BOM = '\uFEFF';

/**
 * Reads envelopes, one per line, until `cas/exit`, the end of input or a stop. A bad line is
 * reported by number and skipped; a UTF-8 byte order mark before the first line is ignored.
 */
export async function readEnvelopes(options: InputLoopOptions): Promise<InputEnd> {
  const reader = new LineReader(options.input);
  let reading: Promise<InputLine | undefined> | undefined;
  try {
    for (;;) {
      await options.whenWritable();
      reading ??= reader.next();
      const next = await Promise.race([reading, ...options.stops]);
      if (next === 'signal' || next === 'app-server-exited') return next;
      reading = undefined;
      if (next === undefined) return 'input-ended';
      const text = next.number === 1 && next.text.startsWith(BOM) ? next.text.slice(BOM.length) : next.text;
      if (text.trim() === '') continue;
      options.counters.clientLines++;
      const parsed = parseEnvelope(text);
      if ('error' in parsed) {
        options.counters.clientParseErrors++;
        options.events.emit({ type: 'cas/error', message: `line ${next.number}: ${parsed.error}`, line: next.number });
        continue;
      }
      if (options.handle(parsed.envelope)) return 'exit-requested';
    }
  } finally {
    // A read left waiting when the input is closed under it must not surface as an unhandled rejection.
    reading?.catch(() => undefined);
  }
}
