import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { nativeCodexOf, npmLauncherPackageRoot } from './native-binary.js';

/**
 * Which rule chose the codex, in order of precedence: `--codex-bin`, `CAS_CODEX_BIN`, the
 * `@openai/codex` installed with cas; `compare`: `--compare-bin` (the B side of a comparison);
 * `connect`: none runs, the servers were already running.
 */
export type CodexSource = 'flag' | 'env' | 'bundled' | 'compare' | 'connect';

/** The codex to run. */
export interface ResolvedCodex {
  /** Executable to spawn. */
  command: string;
  /** Arguments before `app-server` (the launcher script when it must run under node). */
  prefixArgs: string[];
  /** Environment added for this binary (the npm launcher's variables). */
  env: Record<string, string>;
  /** The path reported to users: the binary that really runs. */
  path: string;
  /** Which rule chose it. */
  source: CodexSource;
}

/** Inputs of {@link resolveCodex}. */
export interface ResolveCodexInput {
  /** `--codex-bin`. */
  codexBin?: string;
  /** Environment to read `CAS_CODEX_BIN` (and `PATH`, for a bare name) from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** A named codex that is missing or cannot run: the user's input is wrong. */
export class CodexNotFoundError extends Error {
  override name = 'CodexNotFoundError';
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** First executable called `command` on PATH, as `which` would find it. */
function findOnPath(command: string, env: NodeJS.ProcessEnv): string | undefined {
  const names = process.platform === 'win32' ? [`${command}.exe`, `${command}.cmd`, command] : [command];
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir.length === 0) continue;
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Turns a found file into what to spawn, unwrapping the npm launcher to its native binary. */
function toResolved(file: string, source: CodexSource): ResolvedCodex {
  const packageRoot = npmLauncherPackageRoot(file);
  const native = packageRoot === undefined ? undefined : nativeCodexOf(packageRoot);
  if (native !== undefined) return { command: native.binary, prefixArgs: [], env: native.env, path: native.binary, source };
  return { command: file, prefixArgs: [], env: {}, path: path.resolve(file), source };
}

/** A binary the user named: a path, or a bare name looked up on PATH. */
function named(value: string, what: string, source: CodexSource, env: NodeJS.ProcessEnv): ResolvedCodex {
  const isBareName = !value.includes('/') && !value.includes(path.sep);
  const file = isBareName ? findOnPath(value, env) : value;
  if (file === undefined) throw new CodexNotFoundError(`${what} ${value}: not found on PATH`);
  if (!isExecutableFile(file)) throw new CodexNotFoundError(`${what} ${value}: not an executable file`);
  return toResolved(file, source);
}

/** The `@openai/codex` installed with cas. */
function bundledCodex(): ResolvedCodex {
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve('@openai/codex/package.json');
  } catch {
    throw new CodexNotFoundError('the bundled @openai/codex is missing: reinstall cas (npm ci), or name a codex with --codex-bin or CAS_CODEX_BIN');
  }
  const root = path.dirname(packageJson);
  const native = nativeCodexOf(root);
  if (native !== undefined) return { command: native.binary, prefixArgs: [], env: native.env, path: native.binary, source: 'bundled' };
  const launcher = path.join(root, 'bin', 'codex.js');
  return { command: process.execPath, prefixArgs: [launcher], env: {}, path: launcher, source: 'bundled' };
}

/**
 * Picks the codex to run: `--codex-bin` > `CAS_CODEX_BIN` > the pinned `@openai/codex` installed
 * with cas. PATH is searched only for a bare name given to one of the first two (`--codex-bin
 * codex`), so the same command runs the same server however cas was started (node bin/cas, npx,
 * an installed bin, the library).
 */
export function resolveCodex(input: ResolveCodexInput = {}): ResolvedCodex {
  const env = input.env ?? process.env;
  if (input.codexBin !== undefined && input.codexBin !== '') return named(input.codexBin, '--codex-bin', 'flag', env);
  const fromEnv = env.CAS_CODEX_BIN;
  if (fromEnv !== undefined && fromEnv !== '') return named(fromEnv, 'CAS_CODEX_BIN', 'env', env);
  return bundledCodex();
}
