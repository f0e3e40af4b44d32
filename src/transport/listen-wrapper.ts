import type { SpawnRequest } from '../process/child-process.js';

/**
 * A server started with `--listen ws://` or `unix://` ignores the end of its stdin (measured on
 * codex 0.169.0), so a cas killed with SIGKILL would leave it running for good. This small sh
 * wrapper gives it a stdio server's lifetime: it prints the server's pid, then stops the server
 * (SIGTERM) when its own stdin, held by cas, ends; it exits as the server did (re-raising the
 * signal that killed it), and sends the server's stdout to stderr, where cas keeps a tail.
 */
const WRAPPER = [
  'exec 3<&0 </dev/null',
  '"$@" >&2 3<&- &',
  'server=$!',
  'echo "$server"',
  '{ cat <&3 >/dev/null; kill -TERM "$server" 2>/dev/null; } &',
  'exec 3<&-',
  'wait "$server"; status=$?',
  'if [ "$status" -gt 128 ]; then kill -s "$(kill -l "$status")" $$; fi',
  'exit "$status"',
].join('\n');

/** Exit codes of sh when it could not run the command at all. */
export const CANNOT_RUN_CODES: ReadonlySet<number> = new Set([126, 127]);

/** `request` run under the wrapper (`sh -c WRAPPER cas-listen command args...`). */
export function wrapListeningServer(request: SpawnRequest): SpawnRequest {
  return { ...request, command: '/bin/sh', args: ['-c', WRAPPER, 'cas-listen', request.command, ...request.args] };
}
