/** A synchronous clean-up to run when the process exits, however it exits through Node. */
export type ExitHook = () => void;

const hooks = new Set<ExitHook>();
let installed = false;

/** Last registered, first run: app-servers (started after their run dir) are killed before it is removed. */
function runHooks(): void {
  for (const hook of [...hooks].reverse()) {
    try {
      hook();
    } catch {
      // One failed clean-up must not stop the others.
    }
  }
  hooks.clear();
}

/**
 * Runs `hook` on `process.exit()` or at the natural end (Node runs only synchronous work then):
 * the last chance to kill app-server groups and remove temp dirs when cas exits on a second
 * signal. Returns a function that unregisters it.
 */
export function onProcessExit(hook: ExitHook): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', runHooks);
  }
  hooks.add(hook);
  return () => {
    hooks.delete(hook);
  };
}
