import type { SpawnProcess } from '../process/child-process.js';

/** A stderr line longer than this is passed on cut short rather than held. */
const MAX_LINE = 64 * 1024;

/**
 * Wraps a spawner so every line the child writes to stderr is also handed to `onLine` (the
 * proxy's `cas/appServerStderr`). Transports without a child (sockets) simply have no lines.
 */
export function tapStderr(spawn: SpawnProcess, onLine: (line: string) => void): SpawnProcess {
  return (request) => {
    const child = spawn(request);
    let partial = '';
    const emit = (line: string) => {
      const text = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (text.trim() !== '') onLine(text);
    };
    child.stderr.on('data', (chunk: string | Buffer) => {
      const pieces = (partial + chunk.toString()).split('\n');
      partial = pieces.pop()!;
      for (const line of pieces) emit(line);
      if (partial.length > MAX_LINE) {
        emit(partial.slice(0, MAX_LINE));
        partial = '';
      }
    });
    child.stderr.on('end', () => {
      emit(partial);
      partial = '';
    });
    return child;
  };
}
