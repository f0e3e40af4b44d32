// Apart from load-bundle.ts, so main can set it without loading the loader (and node:vm) on `cas --version`.
let worthKeeping = false;

/**
 * Says this run's compiled code is worth keeping: its command ran and succeeded. A cache holds only
 * the functions compiled by the run that wrote it, and is kept for good once V8 accepts it, so one
 * written by `--help` or a usage error would leave every later run compiling most of the command.
 */
export function keepCompiledCodeAtExit(): void {
  worthKeeping = true;
}

/** Whether {@link keepCompiledCodeAtExit} was called. */
export function compiledCodeWorthKeeping(): boolean {
  return worthKeeping;
}
