import { ExitCode } from './exit-codes.js';

/** The first SIGINT/SIGTERM, turned into an abort. */
export interface Interrupts {
  signal: AbortSignal;
  /** The exit code for the signal received, if any. */
  readonly exitCode: number | undefined;
  dispose(): void;
}

/**
 * First SIGINT or SIGTERM: abort (stop dispatching, finish, report). A second: exit at once;
 * execa's cleanup still kills the children on the way out.
 */
export function handleInterrupts(stderr: NodeJS.WritableStream = process.stderr): Interrupts {
  const controller = new AbortController();
  let exitCode: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGINT' ? ExitCode.sigint : ExitCode.sigterm;
    if (controller.signal.aborted) process.exit(code);
    exitCode = code;
    stderr.write(`cas: ${signal}: stopping (in-flight requests finish; send again to exit now)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    get exitCode() {
      return exitCode;
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
