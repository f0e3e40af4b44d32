import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** One `packages` entry of a package-lock.json (v3). */
interface LockEntry {
  name?: string;
  version: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  [key: string]: unknown;
}

/** The registry tarball URL npm would fetch `name@version` from (`@scope/name/-/name-1.0.0.tgz`). */
function tarballUrl(registry: string, name: string, version: string): string {
  const base = registry.endsWith('/') ? registry : `${registry}/`;
  return `${base}${name}/-/${name.split('/').pop()}-${version}.tgz`;
}

/**
 * Gives the project at `projectDir` a lock file listing cas's runtime dependencies exactly as the
 * repo's own lock pins them (dev ones left out), each with its registry tarball URL. `npm install
 * --offline <cas tarball>` then takes every dependency from npm's cache, filled by `npm ci` in the
 * repo, by URL and integrity: no packument and no network is needed. The entries are marked
 * extraneous, as in a project that had them before cas came; the install makes them cas's.
 */
export async function seedLockFromRepo(repoRoot: string, projectDir: string, registry: string): Promise<number> {
  const repoLock = JSON.parse(await readFile(path.join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const project = JSON.parse(await readFile(path.join(projectDir, 'package.json'), 'utf8')) as { name: string; version: string; license?: string };
  const packages: Record<string, unknown> = { '': { name: project.name, version: project.version, license: project.license } };
  let seeded = 0;
  for (const [key, entry] of Object.entries(repoLock.packages)) {
    if (!key.startsWith('node_modules/') || entry.dev === true) continue;
    // An alias (`@openai/codex-linux-x64` is `npm:@openai/codex@0.169.0-linux-x64`) names its real package.
    const name = entry.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    packages[key] = { ...entry, resolved: entry.resolved ?? tarballUrl(registry, name, entry.version), extraneous: true };
    seeded++;
  }
  await writeFile(path.join(projectDir, 'package-lock.json'), `${JSON.stringify({ name: project.name, version: project.version, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
  return seeded;
}
