import os from 'node:os';
import path from 'node:path';

/** The CODEX_HOME codex itself would use: `$CODEX_HOME`, else `~/.codex`. */
export function inheritedCodexHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CODEX_HOME;
  return path.resolve(fromEnv !== undefined && fromEnv !== '' ? fromEnv : path.join(os.homedir(), '.codex'));
}
