import { versionFromUserAgent } from './codex-version.js';

/** How each rule of `resolveCodex` is named to a person. */
const CHOSEN_BY: Readonly<Record<string, string>> = {
  flag: '--codex-bin',
  env: 'CAS_CODEX_BIN',
  bundled: 'the bundled @openai/codex',
  compare: '--compare-bin',
  // Reports of cas before 0.1.0's one rule, which took a codex from PATH.
  path: 'codex on PATH',
  connect: '--connect',
};

/** What a report or result says about the codex that ran (a report of an older cas may lack `version`). */
export interface CodexDescription {
  path: string;
  source?: string;
  userAgent?: string | null;
  version?: string | null;
}

/** `codex 0.169.0: /…/bin/codex (the bundled @openai/codex)`: which binary ran, its version, and which rule chose it. */
export function describeCodex(codex: CodexDescription): string {
  const version = codex.version ?? versionFromUserAgent(codex.userAgent) ?? '(version unknown: no server answered)';
  const chosenBy = codex.source === undefined ? '' : ` (${CHOSEN_BY[codex.source] ?? codex.source})`;
  return `${codex.source === 'connect' ? 'server' : 'codex'} ${version}: ${codex.path}${chosenBy}`;
}
