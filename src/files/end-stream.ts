import type { Writable } from 'node:stream';

/**
 * Ends a file stream and waits until it is closed; rejects with its error if any write failed.
 * A stream that already failed is closed already: waiting for its 'close' would wait forever.
 */
export function endStream(stream: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = () => (stream.errored ? reject(stream.errored) : resolve());
    if (stream.closed || stream.destroyed) {
      settle();
      return;
    }
    stream.once('close', settle);
    stream.end();
  });
}
