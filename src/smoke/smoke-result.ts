import type { CodexSource } from '../codex/resolve-codex.js';

/** The outcome of one smoke check. */
export interface SmokeCheck {
  /** What was checked, e.g. `thread/start`. */
  name: string;
  /** True when the server answered as expected. */
  ok: boolean;
  /** One line: what was seen, or why it failed or could not run. */
  detail: string;
  /** How long the check took, in ms. */
  ms: number;
}

/** The outcome of `cas smoke`. */
export interface SmokeResult {
  /** True when every check is ok. */
  ok: boolean;
  /** The binary that ran (or the server reached), which rule chose it, its user agent and the codex version it names; null when no codex could be found. */
  codex: { path: string; source: CodexSource; userAgent: string | null; version: string | null } | null;
  /** The checks, in the order they ran. */
  checks: SmokeCheck[];
}

/** One line per check: `ok` or `FAIL`, the name, the detail and the time. */
export function formatSmokeLines(result: SmokeResult): string {
  const width = Math.max(...result.checks.map((check) => check.name.length), 0);
  return result.checks
    .map((check) => `${check.ok ? 'ok  ' : 'FAIL'} ${check.name.padEnd(width)}  ${check.detail} (${Math.round(check.ms)} ms)\n`)
    .join('');
}
