import { readFileSync } from 'node:fs';

/**
 * cas's own version, from its package.json (found from this file, wherever cas is installed;
 * yargs would guess the package of the folder above node_modules, i.e. the user's project).
 */
export function casVersion(): string {
  for (const relative of ['../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cas' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not there from this layout (dist/cli/ or the bundle); try the next.
    }
  }
  return 'unknown';
}
