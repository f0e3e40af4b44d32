import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Platform packages of `@openai/codex`, by `${platform}-${arch}`, with their target triple. */
const TARGETS: Readonly<Record<string, { pkg: string; triple: string }>> = {
  'linux-x64': { pkg: '@openai/codex-linux-x64', triple: 'x86_64-unknown-linux-musl' },
  'linux-arm64': { pkg: '@openai/codex-linux-arm64', triple: 'aarch64-unknown-linux-musl' },
  'darwin-x64': { pkg: '@openai/codex-darwin-x64', triple: 'x86_64-apple-darwin' },
  'darwin-arm64': { pkg: '@openai/codex-darwin-arm64', triple: 'aarch64-apple-darwin' },
  'win32-x64': { pkg: '@openai/codex-win32-x64', triple: 'x86_64-pc-windows-msvc' },
  'win32-arm64': { pkg: '@openai/codex-win32-arm64', triple: 'aarch64-pc-windows-msvc' },
};

/** The native binary inside an installed `@openai/codex` package, and the env its launcher would set. */
export interface NativeCodex {
  /** Absolute path of the native `codex` executable. */
  binary: string;
  /** Variables the npm launcher sets for the binary. */
  env: Record<string, string>;
}

/**
 * Finds the native executable that `@openai/codex`'s `bin/codex.js` would launch. Running it
 * directly spares a Node launcher process per instance (Node 20 cannot execve into it).
 */
export function nativeCodexOf(packageRoot: string): NativeCodex | undefined {
  const target = TARGETS[`${process.platform}-${process.arch}`];
  if (target === undefined) return undefined;
  const root = realpathSync(packageRoot);
  const exe = process.platform === 'win32' ? 'codex.exe' : 'codex';
  const candidates: string[] = [];
  try {
    const resolveFrom = createRequire(path.join(root, 'package.json'));
    candidates.push(path.join(path.dirname(resolveFrom.resolve(`${target.pkg}/package.json`)), 'vendor', target.triple, 'bin', exe));
  } catch {
    // Older layouts ship the binary inside the main package.
  }
  candidates.push(path.join(root, 'vendor', target.triple, 'bin', exe));
  const binary = candidates.find((candidate) => existsSync(candidate));
  if (binary === undefined) return undefined;
  return { binary, env: { CODEX_MANAGED_BY_NPM: '1', CODEX_MANAGED_PACKAGE_ROOT: root } };
}

/** If `file` is the npm launcher `@openai/codex/bin/codex.js` (or a link to it), the package root. */
export function npmLauncherPackageRoot(file: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return undefined;
  }
  const binDir = path.dirname(real);
  if (path.basename(real) !== 'codex.js' || path.basename(binDir) !== 'bin') return undefined;
  const root = path.dirname(binDir);
  return path.basename(root) === 'codex' && path.basename(path.dirname(root)) === '@openai' ? root : undefined;
}
