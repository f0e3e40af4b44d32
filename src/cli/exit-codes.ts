/** Process exit codes of cas. */
export const ExitCode = {
  /** Every request ok. */
  ok: 0,
  /** Some request failed, or some instance did not start. */
  failed: 1,
  /** Bad flags or input. */
  usage: 2,
  /** A load-test threshold (--max-p99-ms, --max-error-rate) was crossed. */
  threshold: 3,
  /** Interrupted by SIGINT. */
  sigint: 130,
  /** Interrupted by SIGTERM. */
  sigterm: 143,
  /** Interrupted by SIGHUP (the terminal went away). */
  sighup: 129,
} as const;
