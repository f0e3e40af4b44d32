import { ExitCode } from './exit-codes.js';

/** The first SIGINT/SIGTERM/SIGHUP, turned into an abort. */
export interface Interrupts {
  signal: AbortSignal;
  /** The exit code for the signal received, if any. */
  readonly exitCode: number | undefined;
  dispose(): void;
}

/** Signals that stop cas, and the exit code each gives (128 + the signal's number). */
export const STOP_SIGNALS: Readonly<Record<'SIGINT' | 'SIGTERM' | 'SIGHUP', number>> = {
  SIGINT: ExitCode.sigint,
  SIGTERM: ExitCode.sigterm,
  SIGHUP: ExitCode.sighup,
};

/**
 * First SIGINT, SIGTERM or SIGHUP: abort (stop dispatching, finish, report). A second: exit at
 * once; the exit hooks still kill every app-server group and remove temp run dirs on the way out.
 */
export function handleInterrupts(stderr: { write(text: string): unknown } = process.stderr): Interrupts {
  const controller = new AbortController();
  let exitCode: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = STOP_SIGNALS[signal as keyof typeof STOP_SIGNALS];
    if (controller.signal.aborted) process.exit(code);
    exitCode = code;
    stderr.write(`cas: ${signal}: stopping (in-flight requests finish; send again to exit now)\n`);
    // The reason names the signal, for those that report it (the proxy's `cas/signal`).
    controller.abort(signal);
  };
  for (const signal of Object.keys(STOP_SIGNALS)) process.on(signal, onSignal);
  return {
    signal: controller.signal,
    get exitCode() {
      return exitCode;
    },
    dispose() {
      for (const signal of Object.keys(STOP_SIGNALS)) process.off(signal, onSignal);
    },
  };
}
